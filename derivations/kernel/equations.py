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

import itertools
import math

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions import MatMul, MatrixSymbol, Trace, Transpose, ZeroMatrix

from ..verdicts import Verdict
from .bounds import BoundsOracle
from .context import Context
from .matrices import (Entrywise, Gradient, Lowering, MatrixFormError, MatrixPoint, Norm,
                       SingularMatrix, concrete, differential, has_matrices, is_matrix, malformed)
from .normal_forms import NORMAL_FORMS
from .numeric import EvaluationError, Point, _certified_sign, compare, read
from .relations import Optimization, Relation, Sense
from .rules import (DIGITS, RuleError, _judge, _undefined_somewhere, _validate, apply_givens,
                    checked_matrix_point, values_at)
from .hypotheses import unmet_given
from .substitution import bind_indices, substitute

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


MAX_INDEX_VALUES = 64  # values of an index a counterexample is checked at, all of them


def index_symbols(context: Context, item) -> tuple:
    """The indices of an item: its free integer symbols declared with a finite range, such as
    j in [1, K].  The item says its equations hold for every value of them in that range."""
    item = sp.S(item)
    named = item.free_symbols.union(*(v.free_symbols for d in item.atoms(sp.Derivative)
                                      for v in d.variables))  # SymPy leaves out d/dp[j]'s j
    found = []
    for symbol in sorted(named, key=str):
        domain = context.domain_of(symbol)
        if isinstance(symbol, sp.Symbol) and domain is not None and domain.integer \
                and context.lookup(symbol.name) is not None \
                and context.lookup(symbol.name).kind == "scalar" \
                and all(sp.S(end).is_finite is not False and not sp.S(end).is_infinite
                        for end in (domain.lower, domain.upper)):
            found.append(symbol)
    return tuple(found)


def index_range(context: Context, index) -> tuple:
    """The first and last value of an index (its ends, moved in where open)."""
    domain = context.domain_of(index)
    return (domain.lower + (1 if domain.lower_open else 0),
            domain.upper - (1 if domain.upper_open else 0))


def _ranges_nonempty(rule: str, context: Context, *items) -> None:
    """Every index of the items takes at least one value: an equation free of an index then
    says the same for every value of it as for one (the rules compare equations point by
    point; a claim for every j of an empty range would say nothing)."""
    oracle = BoundsOracle(context)
    for item in items:
        for index in index_symbols(context, item):
            first, last = index_range(context, index)
            if not oracle.bounds(last - first).nonnegative:
                raise RuleError(rule, f"the range of the index {index} is not proved nonempty")


def _difference(equation) -> sp.Expr:
    return equation.lhs - equation.rhs


def _shape(expr):
    return expr.shape if is_matrix(expr) else None


def _equations(rule: str, item, context: Context | None = None) -> tuple:
    if not is_equation(item):
        raise RuleError(rule, f"{sp.sstr(item)} is not an equation")
    if any(_shape(e.lhs) != _shape(e.rhs) for e in equations_of(item)):
        raise RuleError(rule, "the two sides of an equation have different sizes")
    if malformed(item):
        raise RuleError(rule, "an inverse with an exponent other than -1")
    if context is not None:
        _ranges_nonempty(rule, context, item)
    return equations_of(item)


def _between_scalars(rule: str, equations) -> None:
    """The rules written for scalar equations refuse equations between matrices."""
    if any(is_matrix(e.lhs) for e in equations):
        raise RuleError(rule, "this rule is for equations between scalars, not matrices")


def _gap(rule: str, one, factor, other):
    """(lhs - rhs of ``one``) - factor·(lhs - rhs of ``other``): the factor a scalar, or for
    equations between matrices a matrix that conforms (a 1 by 1 product is the scalar it is:
    bᵀ·(A w - c) for a scalar equation)."""
    if is_matrix(factor) and _shape(other.lhs) is None:
        raise RuleError(rule, "a matrix factor multiplies an equation between matrices")
    try:
        scaled = factor * _difference(other)
        if is_matrix(scaled) and _shape(one.lhs) is None and scaled.shape == (1, 1):
            scaled = Trace(scaled)
        return _difference(one) - scaled
    except (ValueError, TypeError) as exc:  # SymPy's ShapeError is a ValueError
        raise RuleError(rule, f"the factor does not conform to the equations: {exc}") from None


def _zero_by(rule: str, form: str, expr, oracle, givens, what: str) -> None:
    normal = NORMAL_FORMS.get(form)
    if normal is None:
        raise RuleError(rule, f"no normal form called {form!r}")
    if normal(apply_givens(expr, givens), oracle) != 0:
        raise RuleError(rule, f"{what} does not rewrite to 0 by {form!r}")


def _nonzero(rule: str, factor, oracle, givens) -> None:
    """A scalar factor is proved nonzero; a matrix factor F injective (F·v = 0 only for v = 0:
    invertible, or of full column rank), so that F·(lhs - rhs) = 0 only where lhs = rhs."""
    factor = apply_givens(factor, givens)
    if is_matrix(factor):
        try:
            if Lowering(oracle.context).injective(factor):
                return
        except MatrixFormError:
            pass
        raise RuleError(rule, f"the matrix factor {sp.sstr(factor)} is not proved injective "
                        "(invertible, positive definite or of full column rank)")
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


def _paired(rule: str, old: tuple, new: tuple, factors, matching, onto: bool) -> list[tuple]:
    """Each new equation with the old one ``matching`` pairs it with, and its factor."""
    matching = _matched(rule, matching, len(new), len(old), onto)
    factors = tuple(f if is_matrix(f) else sp.S(f) for f in factors)
    if len(factors) != len(new):
        raise RuleError(rule, "one factor per equation")
    return [(equation, old[index], factor)
            for equation, index, factor in zip(new, matching, factors)]


# -- proofs --------------------------------------------------------------------------------------
def equivalent_by_factor(context: Context, before, after, factors, matching, form: str,
                         givens=()) -> "Judgement":
    """``before ⇔ after``, equation by equation: the i-th equation after is paired with the
    equation ``matching[i]`` before, whose lhs - rhs is ``factors[i]`` times its own (or the
    other way round), by a sound normal form; each factor is proved nonzero and has a value wherever either equation has
    one; the two equations have values at the same points.  Adding a term to both sides,
    multiplying by a nonzero factor, rearranging and solving a·v + b = 0 for v (a ≠ 0) are
    this rule; between matrices the factor is a matrix F proved injective (F·v = 0 only for
    v = 0), so solving A·w = b for w = A⁻¹·b (A invertible) is it too."""
    rule = "equivalent_by_factor"
    old, new = _equations(rule, before, context), _equations(rule, after, context)
    pairs = _paired(rule, old, new, factors, matching, onto=True)
    oracle = BoundsOracle(context)
    for equation, source, factor in pairs:
        try:
            _zero_by(rule, form, _gap(rule, source, factor, equation), oracle,
                     givens, f"({sp.sstr(source)}) - {sp.sstr(factor)}*({sp.sstr(equation)})")
        except RuleError:  # or the other way round: F injective either way
            _zero_by(rule, form, _gap(rule, equation, factor, source), oracle,
                     givens, f"({sp.sstr(equation)}) - {sp.sstr(factor)}*({sp.sstr(source)})")
        _nonzero(rule, factor, oracle, givens)
        _defined_where(rule, equation, source, oracle, givens, "the new equation")
        _defined_where(rule, source, equation, oracle, givens, "the old equation")
        _defined_where(rule, factor, sp.Tuple(source, equation), oracle, givens, "the factor")
    method = ", ".join(sorted({sp.sstr(factor) for _, _, factor in pairs}))
    kind = "injective matrix" if any(is_matrix(f) for _, _, f in pairs) else "nonzero"
    return _judge(context, before, after, Relation.IFF, givens=givens, verdict=Verdict.PROVED,
                  rule=rule, method=f"lhs - rhs equal up to the {kind} factor {method} ({form})")


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
    old, new = _equations(rule, premise, context), _equations(rule, conclusion, context)
    pairs = _paired(rule, old, new, factors, matching, onto=False)
    oracle = BoundsOracle(context)
    for equation, source, factor in pairs:
        _zero_by(rule, form, _gap(rule, equation, factor, source), oracle,
                 givens, f"({sp.sstr(equation)}) - {sp.sstr(factor)}*({sp.sstr(source)})")
        _defined_where(rule, sp.Tuple(equation, factor), source, oracle, givens,
                       "the conclusion")
    method = ", ".join(sorted({sp.sstr(factor) for _, _, factor in pairs}))
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
    _between_scalars(rule, _equations(rule, before) + _equations(rule, after))
    if name not in _INJECTIVE:
        raise RuleError(rule, f"no strictly monotone map called {name!r}")
    function, needs = _INJECTIVE[name]
    old, new = _equations(rule, before, context), _equations(rule, after, context)
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


def equivalent_by_substitution(context: Context, before, after, source: int, matching,
                               form: str, givens=()) -> "Judgement":
    """``(v = t) ∧ R ⇔ (v = t) ∧ R'`` for a symbol v and t free of v: where the equation holds
    v is t, so each equation of R holds exactly when R[v := t] does (a capture-avoiding
    substitution), and R' is R[v := t] up to a sound normal form, defined at the same points.
    The i-th equation after is paired with the equation ``matching[i]`` before; the one paired
    with the source is the source itself."""
    rule = "equivalent_by_substitution"
    old, new = _equations(rule, before, context), _equations(rule, after, context)
    _between_scalars(rule, old + new)
    matching = _matched(rule, matching, len(new), len(old), onto=True)
    if not 0 <= source < len(old):
        raise RuleError(rule, "no such equation")
    variable, value = old[source].lhs, old[source].rhs
    if not isinstance(variable, sp.Symbol) or value.has(variable):
        raise RuleError(rule, "the substituted equation is v = t, v a symbol, t free of v")
    if any(e.has(sp.Derivative) for e in old):
        raise RuleError(rule, "a derivative may be with respect to the substituted symbol")
    oracle = BoundsOracle(context)
    for equation, index in zip(new, matching):
        if index == source:
            if equation != old[source]:
                raise RuleError(rule, "the substituted equation is kept as it is")
            continue
        replaced = substitute(old[index], {variable: value})
        if not isinstance(replaced, sp.Equality):
            raise RuleError(rule, f"substituting into {sp.sstr(old[index])} decides it")
        _zero_by(rule, form, _difference(equation) - _difference(replaced), oracle, givens,
                 f"({sp.sstr(equation)}) - ({sp.sstr(replaced)})")
        _defined_where(rule, equation, replaced, oracle, givens, "the new equation")
        _defined_where(rule, replaced, equation, oracle, givens, "the substituted equation")
    return _judge(context, before, after, Relation.IFF, givens=givens, verdict=Verdict.PROVED,
                  rule=rule, method=f"substituting {sp.sstr(variable)} = {sp.sstr(value)} "
                                    f"({form})")


def equivalent_by_combination(context: Context, before, after, target: int, source: int,
                              multiplier, form: str, givens=()) -> "Judgement":
    """``A ∧ B ∧ R ⇔ A ∧ B' ∧ R`` where lhs - rhs of B' is that of B (equation ``target``
    before) plus ``multiplier`` times that of A (equation ``source``): where A holds the two
    differ by 0.  The multiplier and B' have a value wherever A and B have, and B wherever A
    and B' have.  The equations after are those before with B replaced by B'."""
    rule = "equivalent_by_combination"
    old, new = _equations(rule, before, context), _equations(rule, after, context)
    _between_scalars(rule, old + new)
    if target == source or not (0 <= target < len(old) and 0 <= source < len(old)):
        raise RuleError(rule, "two different equations of the system")
    kept = [e for i, e in enumerate(old) if i != target]
    replaced = [e for e in new if e not in kept]
    if len(new) != len(old) or len(replaced) != 1 or not all(e in new for e in kept):
        raise RuleError(rule, "the system after is the one before with one equation replaced")
    combined, added, multiplier = replaced[0], old[source], sp.S(multiplier)
    oracle = BoundsOracle(context)
    _zero_by(rule, form, _difference(combined) - _difference(old[target])
             - multiplier * _difference(added), oracle, givens,
             "the new equation minus the old one and the multiple of the other")
    _defined_where(rule, sp.Tuple(multiplier, combined), sp.Tuple(added, old[target]), oracle,
                   givens, "the multiplier or the new equation")
    _defined_where(rule, old[target], sp.Tuple(added, combined), oracle, givens,
                   "the old equation")
    return _judge(context, before, after, Relation.IFF, givens=givens, verdict=Verdict.PROVED,
                  rule=rule, method=f"adding {sp.sstr(multiplier)} times ({sp.sstr(added)}) "
                                    f"({form})")


def equivalent_by_summing(context: Context, before, after, source: int, index, form: str,
                          givens=()) -> "Judgement":
    """``A ∧ R ⇔ A ∧ R ∧ C`` where A (equation ``source``) holds for every value of the
    index j in its range and C, free of j, has lhs - rhs equal to the sum over that range of
    A's lhs - rhs: C follows from A.  C has a value wherever A has one (for every j)."""
    rule = "equivalent_by_summing"
    old, new = _equations(rule, before, context), _equations(rule, after, context)
    _between_scalars(rule, old + new)
    if not 0 <= source < len(old):
        raise RuleError(rule, "no such equation")
    if index not in index_symbols(context, old[source]):
        raise RuleError(rule, f"{index} is not an index of the summed equation")
    added = [e for e in new if e not in old]
    if len(new) != len(old) + 1 or len(added) != 1 or not all(e in new for e in old):
        raise RuleError(rule, "the system after is the one before with one equation added")
    summed = added[0]
    if summed.has(index):
        raise RuleError(rule, f"the summed equation must be free of {index}")
    first, last = index_range(context, index)
    total = bind_indices(sp.Sum(_difference(old[source]), (index, first, last)))
    oracle = BoundsOracle(context)
    _zero_by(rule, form, _difference(summed) - total, oracle, givens,
             f"the new equation minus the sum over {index}")
    _defined_where(rule, summed, old[source], oracle, givens, "the summed equation")
    return _judge(context, before, after, Relation.IFF, givens=givens, verdict=Verdict.PROVED,
                  rule=rule, method=f"summing ({sp.sstr(old[source])}) over {index} from "
                                    f"{sp.sstr(first)} to {sp.sstr(last)} ({form})")


# -- from an objective to an equation -----------------------------------------------------------
def _one_variable(rule: str, context: Context, optimization: Optimization, givens,
                  *items):
    if len(optimization.over) != 1 or not isinstance(optimization.over[0], sp.Symbol):
        raise RuleError(rule, "optimise over one scalar symbol")
    if any(has_matrices(item) for item in items):  # SymPy's diff of a trace is not to be trusted
        raise RuleError(rule, "an objective or equation written with vectors or matrices is "
                        "not differentiated in a scalar here")
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


def _stationary_equation(rule, equation, derivative, factor, form, oracle, givens,
                         objective, variable):
    equations = _equations(rule, equation)
    if len(equations) != 1:
        raise RuleError(rule, "one equation")
    extra = equation.free_symbols - objective.free_symbols - {variable}
    if extra:
        raise RuleError(rule, f"the equation names {', '.join(sorted(map(str, extra)))}, which "
                        "the objective does not")
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
    variable = _one_variable(rule, context, optimization, givens, objective, equation)
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
    _stationary_equation(rule, equation, core, factor, form, oracle, givens, objective,
                         variable)
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
    equation's lhs - rhs is factor·(d objective/dv), factor proved nonzero; over a vector or
    matrix, factor·∇ objective, the factor nonzero or an injective matrix.  It says nothing
    about whether a solution is an optimiser."""
    rule = "optimizers_satisfy_stationarity"
    if optimization.over and isinstance(optimization.over[0], sp.MatrixSymbol):
        variable = _matrix_variable(rule, optimization, objective, givens)
        oracle = BoundsOracle(context)
        smooth, _ = _smooth_in_matrix(rule, objective, variable, oracle, givens)
        _gradient_equation(rule, equation, smooth, variable, factor, form, oracle, givens)
        return _judge(context, objective, equation, Relation.OPTIMIZERS_SATISFY, givens=givens,
                      optimization=optimization, sense_before=sense, sense_after=sense,
                      verdict=Verdict.PROVED, rule=rule,
                      method=f"a stationary point: every {sense.value[:-1]}er solves it "
                             "(not proved to be one)")
    variable = _one_variable(rule, context, optimization, givens, objective, equation)
    oracle = BoundsOracle(context)
    derivative = sp.diff(objective, variable)
    _smooth(rule, variable, oracle, givens, objective=objective, derivative=derivative,
            factor=factor, equation=equation)
    _stationary_equation(rule, equation, derivative, sp.S(factor), form, oracle, givens,
                         objective, variable)
    return _judge(context, objective, equation, Relation.OPTIMIZERS_SATISFY, givens=givens,
                  optimization=optimization, sense_before=sense, sense_after=sense,
                  verdict=Verdict.PROVED, rule=rule,
                  method=f"a stationary point: every {sense.value[:-1]}er on the open domain "
                         "solves it (not proved to be one)")


# -- over a vector or a matrix ------------------------------------------------------------------
def _matrix_variable(rule: str, optimization: Optimization, objective, givens):
    """The one vector or matrix optimised over (every entry over all real numbers)."""
    if len(optimization.over) != 1 or not isinstance(optimization.over[0], sp.MatrixSymbol):
        raise RuleError(rule, "optimise over one declared vector or matrix")
    variable = optimization.over[0]
    if is_matrix(objective):
        raise RuleError(rule, "the objective is a scalar")
    if malformed(objective):
        raise RuleError(rule, "an inverse with an exponent other than -1")
    if any(g.lhs.has(variable) or g.rhs.has(variable) for g in givens):
        raise RuleError(rule, "a given about the optimised variable would fix it")
    return variable


def _smooth_in_matrix(rule: str, objective, variable, oracle, givens):
    """The objective with ‖v‖^(2k) written (vᵀv)^k, once it is proved defined and twice
    differentiable in ``variable`` everywhere: no kink (|x|, max, a norm to another power, a
    declared function), no requirement (a logarithm's argument, an inverse's matrix) left
    unproved, in it or its first two differentials."""
    even_norms = {p: Trace(MatMul(Transpose(p.base.args[0]), p.base.args[0])) ** (p.exp / 2)
                  for p in objective.atoms(sp.Pow)
                  if isinstance(p.base, Norm) and p.exp.is_integer and p.exp.is_even
                  and p.exp.is_positive}
    objective = objective.xreplace(even_norms)
    for found in _kinks(objective, variable):
        raise RuleError(rule, f"{sp.sstr(found)} may not be differentiable in {variable}")
    direction = MatrixSymbol("_K", *variable.shape)
    try:
        first = differential(objective, variable, direction)
        second = differential(first, variable, direction)
    except MatrixFormError as exc:
        raise RuleError(rule, f"no differential of the objective: {exc}") from None
    for what, expr in (("objective", objective), ("derivative", first),
                       ("second derivative", second)):
        _defined_where(rule, expr, sp.S.Zero, oracle, givens, f"the {what}")
    return objective, second


def _kinks(expr, variable) -> list:
    """The nodes of ``expr`` that may have no derivative in ``variable``: a kink or a norm
    around it, and a kink in the body of an entrywise vector of it (Abs(w) is the vector of
    Abs(_e0) at each entry of w: the body names only the placeholder _e0)."""
    found = [k for k in expr.atoms(*_NOT_SMOOTH, Norm) if k.has(variable)]
    for node in sp.preorder_traversal(expr):
        if isinstance(node, Entrywise) and any(v.has(variable) for v in node.vectors):
            found += sorted(node.body.atoms(*_NOT_SMOOTH), key=sp.default_sort_key)
    return found


def optimized_where_by_convexity(context: Context, objective, equation,
                                 optimization: Optimization, sense: Sense, factor, form: str,
                                 givens=()) -> "Judgement":
    """The minimisers of a convex objective over a vector or matrix w (the maximisers of a
    concave one), every entry of w over all real numbers, are exactly the solutions of
    ``equation``: the objective is defined and twice differentiable everywhere, its second
    directional derivative D²f(w)[K, K] is proved ≥ 0 (≤ 0 for a maximum) for every w and K
    by the matrix normal form, and the equation's lhs - rhs is factor·∇_w f, the factor a
    nonzero scalar or an injective matrix.  A convex differentiable function on the whole
    space is minimal exactly where its gradient is 0."""
    rule = "optimized_where_by_convexity"
    variable = _matrix_variable(rule, optimization, objective, givens)
    oracle = BoundsOracle(context)
    smooth, second = _smooth_in_matrix(rule, objective, variable, oracle, givens)
    concave = sense is Sense.MAXIMIZE
    try:
        bent = NORMAL_FORMS[form](Lowering(context).scalar(apply_givens(second, givens)), oracle)
    except MatrixFormError as exc:
        raise RuleError(rule, f"the second derivative is not lowered: {exc}") from None
    found = oracle.bounds(bent)
    if not (found.nonpositive if concave else found.nonnegative):
        raise RuleError(rule, f"the second directional derivative D²f({variable})[K, K] = "
                        f"{sp.sstr(second).replace('_K', 'K')} is not "
                        f"proved {'≤' if concave else '≥'} 0 (the objective is not proved "
                        f"{'concave' if concave else 'convex'})")
    _gradient_equation(rule, equation, smooth, variable, factor, form, oracle, givens)
    return _judge(context, objective, equation, Relation.OPTIMIZED_WHERE, givens=givens,
                  optimization=optimization, sense_before=sense, sense_after=sense,
                  verdict=Verdict.PROVED, rule=rule,
                  method=f"a {'concave' if concave else 'convex'} objective, differentiable "
                         f"everywhere: its {sense.value[:-1]}ers are where its gradient in "
                         f"{variable} is 0")


def _gradient_equation(rule, equation, objective, variable, factor, form, oracle, givens):
    """The equation is one between matrices whose lhs - rhs is factor·∇ objective (factor a
    nonzero scalar or an injective matrix), defined everywhere, naming nothing new."""
    equations = _equations(rule, equation)
    if len(equations) != 1:
        raise RuleError(rule, "one equation")
    extra = (_names(equation) | equation.atoms(MatrixSymbol)) \
        - (_names(objective) | objective.atoms(MatrixSymbol)) - {variable} \
        - set(oracle.context.size_symbols())
    if extra:
        raise RuleError(rule, f"the equation names {', '.join(sorted(map(str, extra)))}, which "
                        "the objective does not")
    stationary = sp.Eq(Gradient(objective, variable), ZeroMatrix(*variable.shape),
                       evaluate=False)
    _zero_by(rule, form, _gap(rule, equations[0], factor, stationary), oracle, givens,
             "lhs - rhs minus the factor times the gradient")
    _nonzero(rule, factor, oracle, givens)
    _defined_where(rule, sp.Tuple(equation, factor), sp.S.Zero, oracle, givens,
                   "the equation")


def _names(expr) -> set:
    """The symbols and sequences an expression names (a sequence by its label)."""
    expr = sp.S(expr)
    return {s for s in expr.free_symbols if isinstance(s, sp.Symbol)} | {
        e.base.label for e in expr.atoms(sp.Indexed)}


def _simplex_constraint(rule: str, equation, base):
    """``Sum(p[k], (k, a, b)) == c`` with c free of p: the range (a, b) and c."""
    total = equation.lhs
    if not (isinstance(total, sp.Sum) and len(total.limits) == 1):
        raise RuleError(rule, "the constraint is Sum(p[k], (k, a, b)) == c")
    bound, first, last = total.limits[0]
    if total.function != base[bound] or equation.rhs.has(base) or first.has(base) \
            or last.has(base):
        raise RuleError(rule, "the constraint is Sum(p[k], (k, a, b)) == c, c free of p")
    return first, last, equation.rhs


def optimized_where_by_lagrange(context: Context, objective, system, optimization: Optimization,
                                sense: Sense, multiplier, factor, form: str,
                                givens=()) -> "Judgement":
    """The optimisers of ``objective`` = Σ_{k=a}^{b} φ(p[k]) over the sequence p, each entry
    on an open interval, subject to Σ_{k=a}^{b} p[k] = c, are exactly the p for which some
    value of the multiplier λ satisfies the system [S, constraint], S holding for every index
    j in [a, b]: S's lhs - rhs is ``factor`` (proved nonzero) times ∂φ(p[j])/∂p[j] + λ.  The
    objective is separable and each term strictly concave in its entry (convex for a
    minimum; the sign of the second derivative proved), the constraint affine with a nonzero
    gradient, so the Lagrange conditions are necessary and sufficient.  λ is a real symbol
    free to take any value, named nowhere else; [a, b] is proved nonempty."""
    rule = "optimized_where_by_lagrange"
    if len(optimization.over) != 1 or not isinstance(optimization.over[0], sp.IndexedBase):
        raise RuleError(rule, "optimise over one sequence")
    if has_matrices(objective) or has_matrices(system):
        raise RuleError(rule, "an objective or system written with vectors or matrices is not "
                        "differentiated in an entry here")
    base = optimization.over[0]
    equations = _equations(rule, system, context)
    if len(equations) != 2:
        raise RuleError(rule, "the system is the stationarity equation and the constraint")
    found = []
    for constraint, stationary in (equations, equations[::-1]):
        try:
            found.append((*_simplex_constraint(rule, constraint, base), stationary))
        except RuleError:
            continue
    if len(found) != 1:
        raise RuleError(rule, "exactly one equation is the constraint Sum(p[k], (k, a, b)) == c")
    first, last, total, stationary = found[0]
    indices = index_symbols(context, stationary)
    if len(indices) != 1 or index_range(context, indices[0]) != (first, last):
        raise RuleError(rule, "the stationarity equation has one index, ranging over the "
                        "constraint's range")
    index = indices[0]
    multiplier = sp.S(multiplier)
    domain = context.domain_of(multiplier)
    if not isinstance(multiplier, sp.Symbol) or domain is None or domain.integer \
            or domain.lower != -sp.oo or domain.upper != sp.oo:
        raise RuleError(rule, f"the multiplier {multiplier} must be a symbol of all real values")
    if objective.has(multiplier) or total.has(multiplier) or objective.has(index) \
            or any(g.lhs.has(multiplier) or g.rhs.has(multiplier) or g.lhs.has(base)
                   or g.rhs.has(base) for g in givens):
        raise RuleError(rule, f"{multiplier} and {base} are named by the equations alone")
    for declaration in context.declarations:
        ends = (declaration.domain.lower, declaration.domain.upper) \
            if declaration.domain is not None else ()
        if any(sp.S(end).has(multiplier) or sp.S(end).has(base.label) for end in ends):
            raise RuleError(rule, f"the domain of {declaration.name} depends on the variables")
    entries = context.domain_of(base[index])
    if entries is None or entries.integer or not (
            (entries.lower_open or entries.lower == -sp.oo)
            and (entries.upper_open or entries.upper == sp.oo)):
        raise RuleError(rule, f"the entries of {base} must range over an open interval")
    extra = _names(system) - _names(objective) - {multiplier, index, base.label}
    if extra:
        raise RuleError(rule, f"the system names {', '.join(sorted(map(str, extra)))}, which the "
                        "objective does not")
    if not (isinstance(objective, sp.Sum) and len(objective.limits) == 1
            and tuple(objective.limits[0][1:]) == (first, last)):
        raise RuleError(rule, "the objective is a sum over the constraint's range")
    bound = objective.limits[0][0]
    if any(e.base == base and e.indices != (bound,) for e in objective.function.atoms(sp.Indexed)):
        raise RuleError(rule, f"each term of the objective depends on its own entry of {base}")
    term = objective.function.xreplace({bound: index})
    entry = base[index]
    slope = sp.diff(term, entry)
    curvature = sp.diff(slope, entry)
    oracle = BoundsOracle(context)
    _smooth(rule, entry, oracle, givens, term=term, derivative=slope, curvature=curvature,
            factor=factor, system=system)
    bent = NORMAL_FORMS[form](apply_givens(curvature, givens), oracle)
    concave = sense is Sense.MAXIMIZE
    if not (oracle.is_negative(bent) if concave else oracle.is_positive(bent)):
        raise RuleError(rule, f"the second derivative of a term in its entry, {sp.sstr(bent)}, "
                        f"is not proved {'negative' if concave else 'positive'}")
    first_last = oracle.bounds(last - first)
    if not first_last.nonnegative:
        raise RuleError(rule, "the range of the sum is not proved nonempty")
    factor = sp.S(factor)
    _zero_by(rule, form, _difference(stationary) - factor * (slope + multiplier), oracle,
             givens, "the stationarity equation minus the factor times dL/dp[j]")
    _nonzero(rule, factor, oracle, givens)
    return _judge(context, objective, system, Relation.OPTIMIZED_WHERE, givens=givens,
                  optimization=optimization, sense_before=sense, sense_after=sense,
                  verdict=Verdict.PROVED, rule=rule,
                  method=f"Lagrange conditions with multiplier {multiplier}: a separable, "
                         f"strictly {'concave' if concave else 'convex'} objective under the "
                         f"affine constraint {sp.sstr(base)} summing to {sp.sstr(total)}")


# -- refutation ----------------------------------------------------------------------------------
def holds_at(context: Context, item, point: Point, givens=()) -> bool | None:
    """Whether ``item`` certainly holds at ``point`` (True: for every value of its indices,
    both sides of each equation have certified real enclosures and their difference is
    exactly 0, by exact rational arithmetic or a point interval) or certainly fails (False: at
    some value of its indices a difference is certified nonzero, or a side certainly not
    real); None when that cannot be certified, or a side has no value there (that may be a
    failure of evaluation, not a hole)."""
    if type(point) is MatrixPoint:
        return _holds_at_sizes(context, item, point, givens)
    _validate(context, point)
    indices = index_symbols(context, item)
    ranges = []
    for index in indices:
        first, last = (sp.S(end).xreplace({k: sp.Integer(v) for k, v in point.integers.items()})
                       for end in index_range(context, index))
        if not (first.is_Integer and last.is_Integer) or last - first >= MAX_INDEX_VALUES:
            return None
        ranges.append(range(int(first), int(last) + 1))
    found = True
    for values in itertools.islice(itertools.product(*ranges), MAX_INDEX_VALUES):
        at = Point({**point.integers, **dict(zip(indices, values))}, point.values,
                   point.functions)
        one = _holds_everywhere_at(context, item, at, givens)
        if one is False:
            return False
        if one is None:
            found = None
    if math.prod(len(r) for r in ranges) > MAX_INDEX_VALUES:
        return None  # not every value was checked
    return found


def not_optimizers_at(context: Context, objective, equation, optimization: Optimization,
                      sense: Sense, point, givens=()) -> "Judgement":
    """``objective optimized where equation`` fails: at ``point`` the equation holds exactly
    and the derivative of the objective in the variable (its gradient, over a vector or
    matrix) is certainly not 0.  The objective and its derivative are defined everywhere on
    the variable's open domain, as the proofs require, so it is differentiable at that point:
    a point where it is not stationary is no optimiser, and this solution of the equation is
    none."""
    rule = "not_optimizers_at"
    if givens:
        raise RuleError(rule, "givens are not applied here")
    oracle = BoundsOracle(context)
    if optimization.over and isinstance(optimization.over[0], sp.MatrixSymbol):
        variable = _matrix_variable(rule, optimization, objective, givens)
        smooth, _ = _smooth_in_matrix(rule, objective, variable, oracle, givens)
        checked_matrix_point(context, point, rule)
        (gradient,) = values_at(point, [Gradient(smooth, variable)], rule)
        slopes, which = list(gradient), "gradient"

        def nonzero(slope):
            return compare(Relation.EQ, slope, sp.S.Zero, Point(), DIGITS).holds is False
    else:
        variable = _one_variable(rule, context, optimization, givens, objective, equation)
        derivative = sp.diff(objective, variable)
        _smooth(rule, variable, oracle, givens, objective=objective, derivative=derivative)
        _validate(context, point)
        slopes, which = [derivative], "derivative"

        def nonzero(slope):
            return _certified_sign(slope, point, DIGITS)[0] not in (None, 0)
    if holds_at(context, equation, point) is not True:
        raise RuleError(rule, "the equation does not certainly hold at this point")
    for slope in slopes:
        try:
            if not nonzero(slope):
                continue
        except EvaluationError:
            continue
        return _judge(context, objective, equation, Relation.OPTIMIZED_WHERE,
                      optimization=optimization, sense_before=sense, sense_after=sense,
                      verdict=Verdict.REFUTED, rule=rule,
                      method=f"counterexample: a solution of the equation where the {which} "
                             f"in {variable} is not 0, so no {sense.value[:-1]}er",
                      counterexample=point.shown(), left="solves it", right="not stationary")
    raise RuleError(rule, f"the {which} is not certainly nonzero at this point")


def _holds_at_sizes(context: Context, item, point: MatrixPoint, givens) -> bool | None:
    """``holds_at`` at concrete sizes: every entry of both sides exactly equal (True), or an
    entry certainly different or a side certainly without a value, such as the inverse of a
    singular matrix (False).  Givens are not applied at concrete sizes (None)."""
    checked_matrix_point(context, point, "holds_at")
    if givens or index_symbols(context, item):
        return None
    found = True
    for equation in equations_of(item):
        try:
            sides = [concrete(side, point.sizes, point.matrices, point.scalars)
                     for side in (equation.lhs, equation.rhs)]
        except SingularMatrix:
            return False
        except (MatrixFormError, KeyError, ZeroDivisionError, ValueError, TypeError):
            return None
        pairs = list(zip(sides[0], sides[1])) if isinstance(sides[0], sp.MatrixBase) \
            else [tuple(sides)]
        for left, right in pairs:
            try:
                comparison = compare(Relation.EQ, left, right, Point(), DIGITS)
            except EvaluationError:
                found = None
                continue
            if comparison.holds is False:
                return False
            if comparison.holds is not True:
                found = None
    return found


def _holds_everywhere_at(context: Context, item, point: Point, givens) -> bool | None:
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

