"""The primitive rules about equations: an item of a chain that is an equation ``lhs = rhs``
(a SymPy ``Eq``) or a conjunction of equations (an ``And`` of them).

An equation holds at a point of the declared domains where both its sides have a (real) value
and are equal; a conjunction, where each of its equations holds.  ``iff`` says that at every
point of the domains (where the cited givens hold) the one holds exactly when the other does;
``implies`` and ``implied by``, one way.  Each rule states its side conditions and fails with a
``RuleError`` of its name; which factor, which pairing, which point is found by the tactic.

Where a side may lack a value is read off the expressions as written (``_undefined_somewhere``),
never off a normal form, which may cancel a hole.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef

from ..verdicts import Verdict
from .bounds import BoundsOracle
from .context import Context
from .normal_forms import NORMAL_FORMS
from .numeric import EvaluationError, Point, _certified_sign, read
from .relations import Optimization, Relation, Sense
from .rules import (DIGITS, RuleError, _judge, _undefined_somewhere, _validate, apply_givens)
from .hypotheses import unmet_given
from .substitution import substitute

# Functions whose derivative does not exist everywhere their value does: an objective with one
# of them around the optimised variable is not taken as differentiable.
# A declared function (``f: function of 1 argument``) may be any function: not differentiable.
_NOT_SMOOTH = (sp.Abs, sp.sign, sp.Max, sp.Min, sp.Piecewise, sp.floor, sp.ceiling,
               sp.Heaviside, sp.KroneckerDelta, sp.factorial, AppliedUndef)


def is_equation(item) -> bool:
    """Whether a chain item is an equation or a conjunction of equations."""
    if isinstance(item, sp.Equality):
        return True
    return isinstance(item, sp.And) and all(isinstance(a, sp.Equality) for a in item.args)


def equations_of(item) -> tuple:
    """The equations of an item: itself, or those of the conjunction."""
    if isinstance(item, sp.Equality):
        return (item,)
    if is_equation(item):
        return tuple(item.args)
    raise TypeError("not an equation")


def _difference(equation) -> sp.Expr:
    return equation.lhs - equation.rhs


def _equations(rule: str, item) -> tuple:
    if not is_equation(item):
        raise RuleError(rule, f"{sp.sstr(item)} is not an equation")
    return equations_of(item)


def _zero_by(rule: str, form: str, expr, oracle, givens, what: str) -> None:
    normal = NORMAL_FORMS.get(form)
    if normal is None:
        raise RuleError(rule, f"no normal form called {form!r}")
    if normal(apply_givens(expr, givens), oracle) != 0:
        raise RuleError(rule, f"{what} does not rewrite to 0 by {form!r}")


def _nonzero(rule: str, factor, oracle, givens) -> None:
    factor = apply_givens(factor, givens)
    if not (oracle.is_positive(factor) or oracle.is_negative(factor)):
        raise RuleError(rule, f"the factor {sp.sstr(factor)} is not proved nonzero")


def _defined_where(rule: str, one, other, oracle, givens, what: str) -> None:
    why = _undefined_somewhere(one, other, oracle, givens)
    if why is not None:
        raise RuleError(rule, f"{what} may lack a value where the other has one ({why})")


def _matched(rule: str, matching, count: int, available: int, onto: bool) -> tuple:
    matching = tuple(matching)
    if len(matching) != count or any(not 0 <= m < available for m in matching):
        raise RuleError(rule, "the pairing of the equations does not fit them")
    if onto and sorted(matching) != list(range(available)):
        raise RuleError(rule, "for 'iff' every equation is paired with exactly one other")
    return matching


# -- proofs --------------------------------------------------------------------------------------
def equivalent_by_factor(context: Context, before, after, factors, matching, form: str,
                         givens=()) -> "Judgement":
    """``before ⇔ after``, equation by equation: the i-th equation after is paired with the
    equation ``matching[i]`` before, whose lhs - rhs is ``factors[i]`` times its own, by a sound
    normal form; each factor is proved nonzero and has a value wherever either equation has
    one; the two equations have values at the same points.  Adding a term to both sides,
    multiplying by a nonzero factor, rearranging and solving a·v + b = 0 for v (a ≠ 0) are
    this rule."""
    rule = "equivalent_by_factor"
    old, new = _equations(rule, before), _equations(rule, after)
    factors = tuple(sp.S(f) for f in factors)
    matching = _matched(rule, matching, len(new), len(old), onto=True)
    if len(factors) != len(new):
        raise RuleError(rule, "one factor per equation")
    oracle = BoundsOracle(context)
    for equation, index, factor in zip(new, matching, factors):
        source = old[index]
        _zero_by(rule, form, _difference(source) - factor * _difference(equation), oracle,
                 givens, f"({sp.sstr(source)}) - {sp.sstr(factor)}*({sp.sstr(equation)})")
        _nonzero(rule, factor, oracle, givens)
        _defined_where(rule, equation, source, oracle, givens, "the new equation")
        _defined_where(rule, source, equation, oracle, givens, "the old equation")
        _defined_where(rule, factor, sp.Tuple(source, equation), oracle, givens, "the factor")
    method = ", ".join(sorted({sp.sstr(f) for f in factors}))
    return _judge(context, before, after, Relation.IFF, givens=givens, verdict=Verdict.PROVED,
                  rule=rule, method=f"lhs - rhs equal up to the nonzero factor {method} ({form})")


def implies_by_factor(context: Context, before, after, relation: Relation, factors, matching,
                      form: str, givens=()) -> "Judgement":
    """``premise ⇒ conclusion`` (``before implies after``, or ``after`` for ``implied by``):
    the i-th conclusion equation's lhs - rhs is ``factors[i]`` (any expression) times that of
    the premise equation ``matching[i]``, by a sound normal form, and the conclusion equation
    and the factor have a value wherever that premise equation has one.  Multiplying by a
    factor that may be 0, squaring both sides (factor lhs + rhs) and dropping an equation of a
    conjunction are this rule."""
    rule = "implies_by_factor"
    if relation not in (Relation.IMPLIES, Relation.IMPLIED_BY):
        raise RuleError(rule, f"{relation.value!r} is not an implication")
    premise, conclusion = (before, after) if relation is Relation.IMPLIES else (after, before)
    old, new = _equations(rule, premise), _equations(rule, conclusion)
    factors = tuple(sp.S(f) for f in factors)
    matching = _matched(rule, matching, len(new), len(old), onto=False)
    if len(factors) != len(new):
        raise RuleError(rule, "one factor per equation")
    oracle = BoundsOracle(context)
    for equation, index, factor in zip(new, matching, factors):
        source = old[index]
        _zero_by(rule, form, _difference(equation) - factor * _difference(source), oracle,
                 givens, f"({sp.sstr(equation)}) - {sp.sstr(factor)}*({sp.sstr(source)})")
        _defined_where(rule, sp.Tuple(equation, factor), source, oracle, givens,
                       "the conclusion")
    method = ", ".join(sorted({sp.sstr(f) for f in factors}))
    return _judge(context, before, after, relation, givens=givens, verdict=Verdict.PROVED,
                  rule=rule, method=f"lhs - rhs of the conclusion is {method} times the "
                                    f"premise's ({form})")


_INJECTIVE = {"exp": (sp.exp, None), "log": (sp.log, "positive")}


def equivalent_by_injective_map(context: Context, before, after, name: str, form: str,
                                givens=()) -> "Judgement":
    """``l = r ⇔ f(l) = f(r)`` (either way round) for a strictly monotone f: exp, or log where
    l and r are proved positive; each side of the mapped equation is f of the other's side by
    a sound normal form, and the two equations have values at the same points."""
    rule = "equivalent_by_injective_map"
    if name not in _INJECTIVE:
        raise RuleError(rule, f"no strictly monotone map called {name!r}")
    function, needs = _INJECTIVE[name]
    old, new = _equations(rule, before), _equations(rule, after)
    if len(old) != 1 or len(new) != 1:
        raise RuleError(rule, "one equation on each side")
    oracle = BoundsOracle(context)
    for inner, outer in ((old[0], new[0]), (new[0], old[0])):
        try:
            for side in ("lhs", "rhs"):
                _zero_by(rule, form, getattr(outer, side) - function(getattr(inner, side)),
                         oracle, givens, f"the {side}")
                if needs == "positive" and not oracle.is_positive(
                        apply_givens(getattr(inner, side), givens)):
                    raise RuleError(rule, f"{sp.sstr(getattr(inner, side))} is not proved "
                                    "positive")
        except RuleError:
            continue
        _defined_where(rule, outer, inner, oracle, givens, "the mapped equation")
        _defined_where(rule, inner, outer, oracle, givens, "the equation")
        return _judge(context, before, after, Relation.IFF, givens=givens,
                      verdict=Verdict.PROVED, rule=rule,
                      method=f"{name} of both sides, strictly monotone ({form})")
    raise RuleError(rule, f"neither equation is {name} of both sides of the other")


def equivalent_by_substitution(context: Context, before, after, source: int,
                               givens=()) -> "Judgement":
    """``(v = t) ∧ R ⇔ (v = t) ∧ R[v := t]`` for a symbol v and t free of v: where the
    equation holds, v is t, so each other equation holds exactly when its substituted form
    does (a capture-avoiding substitution)."""
    rule = "equivalent_by_substitution"
    old, new = _equations(rule, before), _equations(rule, after)
    if not 0 <= source < len(old):
        raise RuleError(rule, "no such equation")
    variable, value = old[source].lhs, old[source].rhs
    if not isinstance(variable, sp.Symbol) or value.has(variable):
        raise RuleError(rule, "the substituted equation is v = t, v a symbol, t free of v")
    if any(e.has(sp.Derivative) for e in old):
        raise RuleError(rule, "a derivative may be with respect to the substituted symbol")
    expected = {old[source]} | {substitute(e, {variable: value}) for i, e in enumerate(old)
                                if i != source}
    if set(new) != expected:
        raise RuleError(rule, f"the equations after are not those before with {variable} "
                        f"replaced by {sp.sstr(value)}")
    return _judge(context, before, after, Relation.IFF, givens=givens, verdict=Verdict.PROVED,
                  rule=rule, method=f"substituting {sp.sstr(old[source])}")


# -- from an objective to an equation -----------------------------------------------------------
def _one_variable(rule: str, context: Context, optimization: Optimization, givens):
    if len(optimization.over) != 1 or not isinstance(optimization.over[0], sp.Symbol):
        raise RuleError(rule, "optimise over one scalar symbol")
    variable = optimization.over[0]
    domain = context.domain_of(variable)
    if domain is None or domain.integer:
        raise RuleError(rule, f"{variable} must range over real numbers")
    if not ((domain.lower_open or domain.lower == -sp.oo)
            and (domain.upper_open or domain.upper == sp.oo)):
        raise RuleError(rule, f"the domain of {variable} must be an open interval: an optimum "
                        "at an end need not be stationary")
    if any(g.lhs.has(variable) or g.rhs.has(variable) for g in givens):
        raise RuleError(rule, "a given about the optimised variable would fix it")
    for declaration in context.declarations:
        ends = (declaration.domain.lower, declaration.domain.upper) \
            if declaration.domain is not None else ()
        if any(sp.S(end).has(variable) for end in ends):
            raise RuleError(rule, f"the domain of {declaration.name} depends on {variable}: "
                            "the others do not stay fixed while it varies")
    return variable


def _smooth(rule: str, variable, oracle, givens, **parts) -> None:
    """Each part is defined and differentiable in ``variable`` everywhere on the domains."""
    for what, expr in parts.items():
        expr = sp.S(expr)
        for found in expr.atoms(*_NOT_SMOOTH):
            if found.has(variable):
                raise RuleError(rule, f"{sp.sstr(found)} in the {what} may not be "
                                f"differentiable in {variable}")
        _defined_where(rule, expr, sp.S.Zero, oracle, givens, f"the {what}")


def _stationary_equation(rule, equation, derivative, factor, form, oracle, givens):
    equations = _equations(rule, equation)
    if len(equations) != 1:
        raise RuleError(rule, "one equation")
    _zero_by(rule, form, _difference(equations[0]) - factor * derivative, oracle, givens,
             "lhs - rhs minus the factor times the derivative")
    _nonzero(rule, factor, oracle, givens)


def optimized_where_by_sign_change(context: Context, objective, equation,
                                   optimization: Optimization, sense: Sense, weight, core,
                                   factor, form: str, givens=()) -> "Judgement":
    """The optimisers of ``objective`` over v, on v's open interval, are exactly the
    solutions of ``equation``: d objective/dv = weight·core with weight proved > 0 and core
    strictly decreasing in v (increasing for a minimum; the sign of its derivative proved), so
    the objective rises before core's only zero and falls after it (and is monotone if there
    is none); the equation's lhs - rhs is factor·core, factor proved nonzero.  Objective,
    derivative, weight, core and factor are defined everywhere and smooth in v.  Strict
    concavity is the case weight = 1, core = the derivative."""
    rule = "optimized_where_by_sign_change"
    variable = _one_variable(rule, context, optimization, givens)
    oracle = BoundsOracle(context)
    weight, core, factor = sp.S(weight), sp.S(core), sp.S(factor)
    derivative = sp.diff(objective, variable)
    slope = sp.diff(core, variable)
    _smooth(rule, variable, oracle, givens, objective=objective, derivative=derivative,
            weight=weight, core=core, factor=factor, equation=equation, slope=slope)
    _zero_by(rule, form, derivative - weight * core, oracle, givens,
             "the derivative minus weight times core")
    if not oracle.is_positive(apply_givens(weight, givens)):
        raise RuleError(rule, f"the weight {sp.sstr(weight)} is not proved positive")
    slope_form = NORMAL_FORMS[form](apply_givens(slope, givens), oracle)
    falling = sense is Sense.MAXIMIZE
    if not (oracle.is_negative(slope_form) if falling else oracle.is_positive(slope_form)):
        raise RuleError(rule, f"d/d{variable} of {sp.sstr(core)} is not proved "
                        f"{'negative' if falling else 'positive'} (the objective is not "
                        f"proved strictly {'concave' if falling else 'convex'} or unimodal)")
    _stationary_equation(rule, equation, core, factor, form, oracle, givens)
    return _judge(context, objective, equation, Relation.OPTIMIZED_WHERE, givens=givens,
                  optimization=optimization, sense_before=sense, sense_after=sense,
                  verdict=Verdict.PROVED, rule=rule,
                  method=f"the derivative is {sp.sstr(weight)} > 0 times a strictly "
                         f"{'decreasing' if falling else 'increasing'} function of {variable}: "
                         f"the only {sense.value[:-1]}er on the open domain is where it is 0")


def optimizers_satisfy_stationarity(context: Context, objective, equation,
                                    optimization: Optimization, sense: Sense, factor, form: str,
                                    givens=()) -> "Judgement":
    """Every optimiser of ``objective`` over v on v's open interval solves ``equation``
    (Fermat): the objective and its derivative are defined everywhere and smooth in v, and the
    equation's lhs - rhs is factor·(d objective/dv), factor proved nonzero.  It says nothing
    about whether a solution is an optimiser."""
    rule = "optimizers_satisfy_stationarity"
    variable = _one_variable(rule, context, optimization, givens)
    oracle = BoundsOracle(context)
    derivative = sp.diff(objective, variable)
    _smooth(rule, variable, oracle, givens, objective=objective, derivative=derivative,
            factor=factor, equation=equation)
    _stationary_equation(rule, equation, derivative, sp.S(factor), form, oracle, givens)
    return _judge(context, objective, equation, Relation.OPTIMIZERS_SATISFY, givens=givens,
                  optimization=optimization, sense_before=sense, sense_after=sense,
                  verdict=Verdict.PROVED, rule=rule,
                  method=f"a stationary point: every {sense.value[:-1]}er on the open domain "
                         "solves it (not proved to be one)")


# -- refutation ----------------------------------------------------------------------------------
def holds_at(context: Context, item, point: Point, givens=()) -> bool | None:
    """Whether the equations of ``item`` certainly hold (True: both sides of each have
    certified real enclosures and their difference is exactly 0, by exact rational arithmetic
    or a point interval) or certainly fail (False: a difference is certified nonzero, or a side
    certainly not real) at ``point``; None when that cannot be certified, or a side has no
    value there (that may be a failure of evaluation, not a hole)."""
    _validate(context, point)
    applied = [apply_givens(e, givens) for e in equations_of(item)]
    if unmet_given(context, point, givens, applied, equations_of(item)) is not None:
        return None
    found = True
    for equation in applied:
        try:
            sides = [read(side, point, DIGITS) for side in (equation.lhs, equation.rhs)]
        except EvaluationError:
            found = None
            continue
        if any(side.certified and side.complex for side in sides):
            return False  # a side certainly has no real value
        real = all(side.certified and side.imaginary == (0, 0) for side in sides)
        sign, _ = _certified_sign(equation.rhs - equation.lhs, point, DIGITS)
        if sign is None or (sign == 0 and not real):
            found = None
        elif sign != 0:
            return False
    return found


def equation_refuted_at(context: Context, before, after, relation: Relation, point: Point,
                        givens=()) -> "Judgement":
    """``before relation after`` fails at ``point``: the premise (for ``iff``, either one)
    certainly holds there and the other certainly fails."""
    rule = "equation_refuted_at"
    if not relation.between_equations:
        raise RuleError(rule, f"{relation.value!r} is not a relation between equations")
    _equations(rule, before), _equations(rule, after)
    directions = {Relation.IMPLIES: [(before, after, "the first")],
                  Relation.IMPLIED_BY: [(after, before, "the second")],
                  Relation.IFF: [(before, after, "the first"), (after, before, "the second")]}
    try:
        for premise, conclusion, which in directions[relation]:
            if holds_at(context, premise, point, givens) is True \
                    and holds_at(context, conclusion, point, givens) is False:
                other = "the second" if which == "the first" else "the first"
                return _judge(context, before, after, relation, givens=givens,
                              verdict=Verdict.REFUTED, rule=rule,
                              method=f"counterexample: {which} equation holds here exactly and "
                                     f"{other} certainly fails",
                              counterexample=point.shown(),
                              left="holds" if which == "the first" else "fails",
                              right="fails" if which == "the first" else "holds")
    except EvaluationError as exc:
        raise RuleError(rule, f"no value at the point: {exc}") from exc
    raise RuleError(rule, "no direction of the relation certainly fails at this point")

