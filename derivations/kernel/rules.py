"""The primitive rules: the only functions that create a ``Judgement`` about a step.

Each rule states its side conditions, re-does the decisive computation itself and fails with a
``RuleError`` that carries its own name.  Search (which normal form, which scale, which point)
happens outside the kernel; a wrong guess from outside can only make a rule fail.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import sympy as sp

from ..verdicts import Verdict
from .bounds import Bounds, BoundsOracle
from .laws import Expectation, support
from .context import Context
from .definitions import unfold_written
from .extrema import EXTREMA
from .exact import exact_text
from .definitions import unfold_definitions
from .hypotheses import exposed, unmet_given
from .matrices import (Gradient, Jacobian, Lowering, MatrixFormError, MatrixPoint, concrete,
                       depends_on, has_matrices, is_inverse, is_matrix, malformed,
                       structure_holds)
from .normal_forms import NORMAL_FORMS
from .numeric import (EvaluationError, Point, binary_fraction, compare, fixed_decimal, order,
                      read, show_number)
from .relations import CompositionError, Optimization, Relation, Sense, compose
from .substitution import alpha_key, bind_indices, rewrite, substitute

DIGITS = 40
MIN_EVIDENCE = 8


class RuleError(Exception):
    """A rule's side condition failed; the message starts with the rule's name."""

    def __init__(self, rule: str, message: str):
        super().__init__(f"{rule}: {message}")
        self.rule = rule


@dataclass(frozen=True)
class Given:
    """A named hypothesis ``lhs = rhs``.  When ``lhs`` is a sequence entry such as ``y[k]`` with
    symbol indices, it holds for every index: ``y[anything]`` is replaced, where indices that the
    pattern repeats (``P[k, k]``) are the same expression.  Indices of sums in either side are
    bound (``bind_indices``), and applying it is a capture-avoiding substitution."""

    name: str
    lhs: sp.Expr
    rhs: sp.Expr

    def __post_init__(self):
        # Definitions written in a file are unfolded: the kernel judges what they stand for.
        object.__setattr__(self, "lhs", bind_indices(unfold_written(self.lhs)))
        object.__setattr__(self, "rhs", bind_indices(unfold_written(self.rhs)))

    @property
    def is_pattern(self) -> bool:
        return isinstance(self.lhs, sp.Indexed) and all(
            isinstance(i, sp.Symbol) for i in self.lhs.indices)

    def apply(self, expr: sp.Expr) -> sp.Expr:
        if isinstance(self.lhs, sp.MatrixSymbol) and any(
                isinstance(node, (Gradient, Jacobian)) and node.args[1] == self.lhs
                for node in sp.preorder_traversal(expr)):
            raise RuleError("given", f"{self.name} fixes {self.lhs}, which a derivative here is "
                            "taken with respect to: cite it after the derivative is taken")
        if not self.is_pattern:
            return substitute(expr, {self.lhs: self.rhs})
        lhs, rhs = self.lhs, self.rhs
        if lhs.base.label not in sp.S(expr).free_symbols:
            return expr  # no entry of the sequence occurs free
        pattern = set(lhs.indices)
        touched = (rhs.free_symbols - pattern) | {lhs.base.label} | lhs.free_symbols - pattern

        def instance(entry):
            if not (isinstance(entry, sp.Indexed) and entry.base == lhs.base
                    and len(entry.indices) == len(lhs.indices)):
                return None
            values: dict = {}
            for name, index in zip(lhs.indices, entry.indices):
                if values.setdefault(name, index) != index:
                    return None  # P[k, k] says nothing about P[1, 2] or P[i, j]
            return substitute(rhs, values)

        return rewrite(expr, instance, touched)


def assumptions_text(context: Context) -> str:
    """Every declaration of ``context`` with its domain, written out exactly: what a judgement
    was made under, and what a chain compares it with."""
    return ";".join(
        f"{d.name}:{d.kind}:{d.rank}:{int(d.domain.integer)}:{exact_text(d.domain.lower)}:"
        f"{int(d.domain.lower_open)}:{exact_text(d.domain.upper)}:{int(d.domain.upper_open)}"
        + ("" if d.law is None else f":{exact_text(d.law)}")
        + (f":{exact_text(d.obj.shape)}:{d.structure}" if d.kind == "matrix" else "")
        for d in context.declarations)


@dataclass(frozen=True)
class Statement:
    """What a judgement is about: ``before  relation  after`` under the declarations of
    ``context`` and the cited ``givens``; for a same-optimizers step, the optimised variables
    ``over`` and the senses before and after it; for an approx step, the decimals written."""

    context: Context = field(compare=False, repr=False)
    before: sp.Expr
    after: sp.Expr
    relation: Relation
    givens: tuple[Given, ...] = ()
    over: tuple = ()
    sense_before: Sense | None = None
    sense_after: Sense | None = None
    decimals: int | None = None
    assumptions: str = field(init=False, repr=False)  # the declarations when it was made

    def __post_init__(self):
        # The kernel's own classes only: a subclass could answer the rules differently (a
        # Given whose apply rewrites anything to 0, a Context that reports other domains).
        if type(self.context) is not Context:
            raise TypeError("a Statement is made under a kernel Context")
        # What a definition written in a file stands for, never its name: a rule cannot read
        # a defined name as a free variable.
        object.__setattr__(self, "before", unfold_written(self.before))
        object.__setattr__(self, "after", unfold_written(self.after))
        object.__setattr__(self, "givens", tuple(self.givens))
        if any(type(g) is not Given for g in self.givens):
            raise TypeError("a Statement cites kernel Givens only")
        object.__setattr__(self, "over", tuple(self.over))
        object.__setattr__(self, "assumptions", assumptions_text(self.context))

    def digest(self) -> str:
        """A SHA-256 digest of everything the statement says: what cache keys, cached records
        and worker records name, so that a verdict is never read back for another claim."""
        parts = [self.assumptions, exact_text(self.before), self.relation.value,
                 exact_text(self.after), exact_text(self.over), str(self.decimals),
                 getattr(self.sense_before, "value", ""), getattr(self.sense_after, "value", "")]
        parts += [f"{g.name}:{exact_text(g.lhs)}:{exact_text(g.rhs)}" for g in self.givens]
        digest = hashlib.sha256()
        for part in parts:
            digest.update(part.encode())
            digest.update(b"\x00")
        return digest.hexdigest()


@dataclass(frozen=True)
class Judgement:
    """A verdict on a ``Statement``, sealed by the rule that made it: the seal is a MAC, with a
    key of this process, over every field, so a copy with any field changed
    (``dataclasses.replace``) is refused when made, and by ``Chain.extend`` if altered after."""

    statement: Statement
    verdict: Verdict
    rule: str
    method: str
    counterexample: dict | None = None
    left: str | None = None
    right: str | None = None
    seal: str = field(default="", repr=False, compare=False)

    def __post_init__(self):
        if not self.sealed:
            raise TypeError("a Judgement is made only by a kernel rule")

    @property
    def sealed(self) -> bool:
        """Whether the seal is this process's MAC of the judgement as it is now."""
        return _seal_holds(self)

    before = property(lambda self: self.statement.before)
    after = property(lambda self: self.statement.after)
    relation = property(lambda self: self.statement.relation)

    @property
    def using(self) -> tuple[str, ...]:
        """The names of the givens cited."""
        return tuple(g.name for g in self.statement.givens)

    @property
    def sense(self) -> Sense | None:
        """The sense after a same-optimizers step."""
        return self.statement.sense_after

    @property
    def recalled(self) -> bool:
        """Whether the verdict was read back from the verdict cache rather than found now."""
        return self.rule == "recalled"

    def record(self) -> dict:
        """What the judgement says, as JSON data, naming its statement by digest (whoever reads
        the record holds the statement): for the verdict cache and worker processes."""
        return _record(self.statement, self.verdict, self.rule, self.method, self.counterexample,
                       self.left, self.right)

    def signed_record(self, key: bytes | None = None) -> dict:
        """The record with a MAC: with this process's key by default (what a worker process
        sends back, the only kind of record ``received`` accepts), or with the verdict cache's
        own key (what ``recalled`` accepts from that cache)."""
        record = self.record()
        return {**record, "signature": _mac(key or _PROCESS_KEY, "record", record)}


# A key of this process, inherited by the worker processes it forks and known to no other: a
# sealed judgement or a signed record is one that a rule of this kernel made, here or in a worker.
_PROCESS_KEY = secrets.token_bytes(32)


def _mac(key: bytes, kind: str, record: dict) -> str:
    """A MAC of a record, told apart by ``kind`` from the other uses of the same key."""
    text = kind + "\x00" + json.dumps(record, sort_keys=True)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _record(statement: Statement, verdict: Verdict, rule: str, method: str,
            counterexample=None, left=None, right=None) -> dict:
    return {"claim": statement.digest(), "verdict": verdict.value, "rule": rule,
            "method": method, "counterexample": counterexample, "left": left, "right": right}


def _seal_holds(judgement) -> bool:
    """Whether ``judgement`` is a kernel ``Judgement`` (not a subclass, which could answer for
    itself) whose seal is this process's MAC of every field as they are now."""
    if type(judgement) is not Judgement or type(judgement.statement) is not Statement \
            or type(judgement.verdict) is not Verdict:
        return False
    return hmac.compare_digest(str(judgement.seal),
                               _mac(_PROCESS_KEY, "judgement", Judgement.record(judgement)))


def _judge(context: Context, before, after, relation: Relation, *, givens=(), optimization=None,
           sense_before=None, sense_after=None, decimals=None, **verdict) -> Judgement:
    """The one way a rule makes a judgement: on the statement it was asked about, sealed."""
    statement = Statement(context, before, after, relation, tuple(givens),
                          optimization.over if optimization is not None else (),
                          sense_before, sense_after, decimals)
    return _sealed(statement, **verdict)


def _sealed(statement: Statement, **verdict) -> Judgement:
    seal = _mac(_PROCESS_KEY, "judgement", _record(statement, **verdict))
    return Judgement(statement, seal=seal, **verdict)


def apply_givens(expr: sp.Expr, givens) -> sp.Expr:
    """``expr`` with its sums' indices bound (a claim built from SymPy objects may sum over a
    declared symbol) and each given applied in turn, wherever its left side occurs up to the
    sound rewriting of sums that ``exposed`` does."""
    return _applied(sp.S(expr), tuple(givens))


@functools.lru_cache(maxsize=2048)
def _applied(expr: sp.Expr, givens: tuple) -> sp.Expr:
    """``apply_givens``, kept: every rule a tactic tries applies the same givens to the same
    sides again (a pure function of its arguments, so keeping it changes no result)."""
    expr = bind_indices(expr)
    for given in givens:
        expr = given.apply(exposed(expr, given.lhs))
    return expr


def _depends_on(expr: sp.Expr, over) -> bool:
    """Also through the placeholders of a lowered matrix expression (``matrices.depends_on``)."""
    return depends_on(expr, over)


# -- proofs --------------------------------------------------------------------------------------
def _range_env(oracle: BoundsOracle, limits) -> dict:
    """Bounds of each variable of an expectation: the support of its law, its ends bounded
    by the declarations (an end is open where the support's is, or where its bound is)."""
    env = {}
    for variable, law in limits:
        _, low, high, low_open, high_open = support(law)
        lower, upper = oracle.bounds(low, env), oracle.bounds(high, env)
        env[variable] = Bounds(lower.lo, upper.hi, lower.lo_open or low_open,
                               upper.hi_open or high_open)
    return env


_SMOOTH = (sp.Add, sp.Mul, sp.Pow, sp.exp, sp.log, sp.Symbol, sp.Number, sp.NumberSymbol,
           sp.Indexed, sp.IndexedBase, sp.Tuple, Expectation)


def _smooth(expr) -> bool:
    """Whether ``expr`` is made of operations smooth wherever defined: SymPy differentiates
    a case split, |t| or max piece by piece, as if there were no kink where they meet."""
    if isinstance(expr, Expectation):  # a number here: another mean, bound inside
        return True
    return isinstance(expr, _SMOOTH) and all(_smooth(a) for a in expr.args)


def jensen(context: Context, before, after, relation: Relation, givens=()) -> Judgement:
    """Jensen's inequality: 𝔼[φ(u)] ≤ φ(𝔼[u]) for φ concave (φ'' ≤ 0), ≥ for φ convex (φ'' ≥
    0), on an interval that holds every value of u.  One side is 𝔼[φ(u)]; the other is φ
    applied to the one expectation in it, 𝔼[u] over the same variables and laws (up to their
    names).  φ'' is proved of one sign by the bounds oracle on the interval that the supports of
    the laws give u (which also proves φ'' defined there); both expectations are assumed to
    exist, as in the statement of the inequality."""
    rule = "jensen"
    if relation not in (Relation.LE, Relation.GE):
        raise RuleError(rule, "Jensen's inequality is non-strict: <= or >=")
    before, after = apply_givens(before, givens), apply_givens(after, givens)
    outside, inside = (after, before) if relation is Relation.LE else (before, after)
    # outside = φ(𝔼[u]) is on the larger side for a concave φ: try both orientations
    for averaged, applied, sign in ((inside, outside, "nonpositive"),
                                    (outside, inside, "nonnegative")):
        if not isinstance(averaged, Expectation):
            continue
        means = applied.atoms(Expectation)
        if len(means) != 1:
            continue
        (mean,) = means
        if alpha_key(sp.Tuple(*mean.limits)) != alpha_key(sp.Tuple(*averaged.limits)):
            continue
        t = sp.Dummy("t", real=True)
        phi = unfold_definitions(applied.xreplace({mean: t}))
        if not _smooth(phi):
            raise RuleError(rule, f"{sp.sstr(phi)} is not built from +, *, powers, exp and log "
                            "alone, so its second derivative may miss a kink")
        inner = mean.function.xreplace(dict(zip(mean.variables, averaged.variables)))
        if alpha_key(averaged.function) != alpha_key(phi.xreplace({t: inner})):
            continue
        oracle = BoundsOracle(context)
        values = oracle.bounds(inner, _range_env(oracle, averaged.limits))
        curvature = sp.diff(phi, t, 2)
        if getattr(oracle.bounds(curvature, {t: values}), sign):
            kind = "concave" if sign == "nonpositive" else "convex"
            return _judge(context, before, after, relation, givens=givens,
                          verdict=Verdict.PROVED, rule=rule,
                          method=f"Jensen's inequality (phi {kind}: phi'' = {sp.sstr(curvature)})")
        raise RuleError(rule, f"cannot prove phi'' = {sp.sstr(curvature)} {sign} where "
                        f"{sp.sstr(inner)} takes its values")
    raise RuleError(rule, "the sides are not E[phi(u)] and phi(E[u]) in the order the relation "
                    "needs (<= for a concave phi, >= for a convex one, E[phi(u)] on the left)")


def equal_by_normal_form(context: Context, before, after, form: str, givens=()) -> Judgement:
    """``before = after`` because their difference rewrites to 0 by a sound normal form."""
    rule = "equal_by_normal_form"
    normal = NORMAL_FORMS.get(form)
    if normal is None:
        raise RuleError(rule, f"no normal form called {form!r}")
    if malformed(before) or malformed(after):  # before SymPy builds their difference
        raise RuleError(rule, "an inverse with an exponent other than -1")
    difference = apply_givens(before - after, givens)
    if normal(difference, BoundsOracle(context)) != 0:
        raise RuleError(rule, f"the difference does not rewrite to 0 by {form!r}")
    return _judge(context, before, after, Relation.EQ, givens=givens, verdict=Verdict.PROVED,
                  rule=rule, method=form)


def _scalars_only(rule: str, *sides) -> None:
    """Matrices are ordered by no rule here (a normal form pairs a matrix into a scalar whose
    sign says nothing)."""
    if any(is_matrix(side) for side in sides):
        raise RuleError(rule, "matrices and vectors are compared by '=' only")


_SIGN_NEEDED = {
    Relation.LE: ("nonnegative", "after - before"),
    Relation.LT: ("positive", "after - before"),
    Relation.GE: ("nonnegative", "before - after"),
    Relation.GT: ("positive", "before - after"),
}


def ordered_by_bounds(context: Context, before, after, relation: Relation, form: str,
                      givens=()) -> Judgement:
    """``before ≤ after`` (or <, ≥, >) because the difference, in a normal form, has a proved sign."""
    rule = "ordered_by_bounds"
    _scalars_only(rule, before, after)
    if relation not in _SIGN_NEEDED:
        raise RuleError(rule, f"{relation.value!r} is not an inequality")
    oracle = BoundsOracle(context)
    sign, _ = _SIGN_NEEDED[relation]
    gap = after - before if relation in (Relation.LE, Relation.LT) else before - after
    gap = NORMAL_FORMS[form](apply_givens(gap, givens), oracle)
    if not getattr(oracle.bounds(gap), sign):
        raise RuleError(rule, f"cannot prove {_SIGN_NEEDED[relation][1]} {sign}")
    return _judge(context, before, after, relation, givens=givens, verdict=Verdict.PROVED,
                  rule=rule, method=f"sign of the difference ({form})")


def _summand_gap(before, after, relation):
    """``after - before`` (for ≤, <; the reverse for ≥, >) as one summand over shared limits,
    with those limits; or the plain difference when neither side is a sum."""
    low, high = (before, after) if relation in (Relation.LE, Relation.LT) else (after, before)
    if isinstance(low, sp.Sum) and isinstance(high, sp.Sum):
        if len(low.limits) != 1 or len(high.limits) != 1 or low.limits[0][1:] != high.limits[0][1:]:
            return None, None
        index, a, b = high.limits[0]
        return high.function - substitute(low.function, {low.limits[0][0]: index}), (index, a, b)
    if low.has(sp.Sum) or high.has(sp.Sum):
        return None, None
    return high - low, None


def ordered_by_lemma(context: Context, before, after, relation: Relation, givens=()) -> Judgement:
    """``before ≤ after`` term by term through the lemma log t ≤ t - 1 (t > 0): the gap between
    the summands is Σ c_j (t_j - 1 - log t_j) + r with every c_j ≥ 0 and r ≥ 0 proved.  For a
    sum the range must not be reversed, so that non-negative terms add up to a non-negative sum."""
    rule = "ordered_by_lemma"
    _scalars_only(rule, before, after)
    if relation not in (Relation.LE, Relation.GE):
        raise RuleError(rule, "the lemma gives a non-strict inequality")
    gap, limits = _summand_gap(apply_givens(before, givens), apply_givens(after, givens), relation)
    if gap is None:
        raise RuleError(rule, "the two sides must be sums over the same range, or no sums")
    oracle = BoundsOracle(context)
    env = {}
    if limits is not None:
        env, _, not_reversed = oracle.enter([limits])
        if not not_reversed:
            raise RuleError(rule, "the range of the sum may be reversed")
    gap = sp.expand(gap, log=False)
    rest = gap
    for log_term in gap.atoms(sp.log):
        t = log_term.args[0]
        weight = -gap.coeff(log_term)
        if weight == 0 or not oracle.is_positive(t, env) or not oracle.bounds(weight, env).nonnegative:
            continue
        rest = rest - weight * (t - 1 - log_term)
    rest = sp.expand(rest, log=False)
    if not oracle.bounds(rest, env).nonnegative:
        raise RuleError(rule, f"what is left after the lemma, {sp.sstr(rest)}, is not proved >= 0")
    return _judge(context, before, after, relation, givens=givens, verdict=Verdict.PROVED,
                  rule=rule, method=r"termwise with the lemma $\log t \le t - 1$ ($t > 0$)")


# -- where an objective is defined -----------------------------------------------------------
_NEEDS = {"nonzero": "!= 0", "positive": "> 0", "nonnegative": ">= 0",
          "finite range": "has a finite range (a series may diverge)",
          "otherwise": "has an 'otherwise' piece (else no piece may apply)",
          "nonempty range": "has a non-empty range (a maximum over no terms has no value)",
          "invertible": "is invertible"}


def _requirements(expr: sp.Expr):
    """What each part of ``expr`` needs to have a real value, outermost first: ``(kind, e,
    binders, necessary)`` with kind "nonzero" (a divisor), "positive" (a logarithm's argument,
    the base of a negative non-integer or symbolic power), "nonnegative" (a root's radicand,
    a factorial's argument), "finite range" (a sum or product) or "otherwise" (a case split);
    "invertible" (a matrix's inverse); ``binders`` the (index, first, last) limits of the sums around it,
    innermost first; ``necessary`` whether the whole expression is undefined where it fails
    (not under a sum, which may be empty, nor a case split, which may not take that piece)."""
    stack = [(expr, (), True)]
    while stack:
        e, binders, necessary = stack.pop()
        if isinstance(e, sp.Pow):
            exponent = e.exp
            if exponent.is_Number:
                if exponent.is_negative:
                    yield ("nonzero" if exponent.is_integer else "positive"), e.base, binders, necessary
                elif not exponent.is_integer:
                    yield "nonnegative", e.base, binders, necessary
            elif not (exponent.is_integer and exponent.is_nonnegative):
                yield ("nonzero" if exponent.is_integer else "positive"), e.base, binders, necessary
        elif isinstance(e, sp.log):
            yield "positive", e.args[0], binders, necessary
        elif isinstance(e, sp.factorial):
            yield "nonnegative", e.args[0], binders, necessary
        elif is_inverse(e):
            yield "invertible", e.args[0], binders, necessary
        if isinstance(e, EXTREMA):
            yield "nonempty range", e, binders, necessary
        if isinstance(e, (sp.Sum, sp.Product, *EXTREMA)):
            yield "finite range", e, binders, necessary
            limits = tuple(e.limits)
            for depth, (_, first, last) in enumerate(limits):
                outer = limits[depth + 1:]  # the ends of a range see only the binders outside
                stack += [(first, outer + binders, necessary), (last, outer + binders, necessary)]
            stack.append((e.function, limits + binders, False))
        elif isinstance(e, sp.Piecewise):
            yield "otherwise", e, binders, necessary
            stack += [(part, binders, False) for piece in e.args for part in piece.args]
        elif isinstance(e, sp.Derivative):
            stack.append((e.expr, binders, False))
        else:
            stack += [(a, binders, necessary) for a in e.args if isinstance(a, sp.Basic)]


def _proved(kind: str, e, oracle: BoundsOracle, binders) -> bool:
    if kind == "finite range":
        return all(end.is_finite for _, first, last in e.limits for end in (first, last))
    if kind == "otherwise":
        return e.args[-1].cond == sp.true
    if kind == "invertible":
        try:
            return Lowering(oracle.context).injective(e)
        except MatrixFormError:
            return False
    if kind == "nonempty range":
        env = oracle.enter(reversed(binders))[0] if binders else None
        return oracle.enter(e.limits, env)[1]
    env = oracle.enter(reversed(binders))[0] if binders else None  # outermost bound first
    found = oracle.bounds(e, env)
    return {"nonzero": found.positive or found.negative, "positive": found.positive,
            "nonnegative": found.nonnegative}[kind]


def _requirements_under(expr, givens):
    """``expr``'s requirements with the givens applied to each, and those of ``expr`` with the
    givens applied: a substitution may cancel a hole as SymPy builds the result ((t - 1)/c
    with c = t - 1 becomes 1), so the hole is looked for before it, too."""
    for kind, e, binders, necessary in _requirements(expr):
        yield kind, (apply_givens(e, givens) if kind in _SIGNS else e), binders, necessary
    if givens:
        yield from _requirements(apply_givens(expr, givens))


_SIGNS = ("nonzero", "positive", "nonnegative")


def _undefined_somewhere(one, other, oracle: BoundsOracle, givens) -> str | None:
    """Why ``one`` may lack a value at a point of the domains where ``other`` has one, or None:
    each of ``one``'s requirements is proved under the declared domains, or is one that
    ``other`` cannot be defined without.  Conservative: an unproved requirement is reported
    even where it happens to hold."""
    needed_by_other = {(kind, e) for kind, e, binders, necessary
                       in _requirements_under(other, givens) if necessary and not binders}
    for kind, e, binders, necessary in _requirements_under(one, givens):
        if (kind, e) in needed_by_other and not binders:
            continue
        if not _proved(kind, e, oracle, binders):
            return f"that {sp.sstr(e)} {_NEEDS[kind]} is not proved"
    return None


def _same_domain_of_definition(rule: str, before, after, oracle: BoundsOracle, givens) -> None:
    """Both objectives have a value at the same points: a point where only one has a value
    (a removable hole such as (t**2 - 1)/(t - 1) at t = 1) may be where the other's optimum
    is, and no map of values can tell.  Checked on the objectives as written, never on a
    normal form (``cancel`` removes such a hole)."""
    for one, other, which in ((after, before, "new"), (before, after, "old")):
        why = _undefined_somewhere(one, other, oracle, givens)
        if why is not None:
            raise RuleError(rule, f"the {which} objective may be undefined where the other one "
                            f"is defined ({why}): a hole there can move the optimisers")


def same_optimizers_by_monotone_map(
    context: Context, before, after, optimization: Optimization, sense_before: Sense,
    sense_after: Sense, scale, through_log: bool, form: str, givens=(),
) -> Judgement:
    """``after = scale·before + b`` (or ``scale·log(before) + b`` with before > 0), where b,
    the normal form of ``after - scale·before``, and the scale are free of the optimised
    variables and the sign of the scale is proved: a strictly monotone map, so the optimisers
    are kept, and the sense flips exactly when scale < 0.  The normal form is sound, so b is
    exactly that difference."""
    rule = "same_optimizers_by_monotone_map"
    _scalars_only(rule, before, after)
    over = optimization.over
    if any(_depends_on(g.lhs, over) or _depends_on(g.rhs, over) for g in givens):
        raise RuleError(rule, "a given about the optimised variables would fix them")
    scale = sp.S(scale)
    if _depends_on(scale, over):
        raise RuleError(rule, "the scale must not depend on the optimised variables")
    oracle = BoundsOracle(context)
    if oracle.is_positive(scale):
        expected = sense_before
    elif oracle.is_negative(scale):
        expected = sense_before.flipped()
    else:
        raise RuleError(rule, f"the sign of the scale {scale} is not proved")
    if sense_after is not expected:
        raise RuleError(rule, f"the sense must be {expected.value}: the scale {scale} is "
                        f"{'positive' if expected is sense_before else 'negative'}")
    inner = before
    if through_log:
        if not oracle.is_positive(apply_givens(before, givens)):
            raise RuleError(rule, "the logarithm needs the old objective proved positive")
        inner = sp.log(before)
    _same_domain_of_definition(rule, before, after, oracle, givens)
    shift = NORMAL_FORMS[form](apply_givens(after - scale * inner, givens), oracle)
    if shift.has(sp.nan, sp.zoo, sp.oo, -sp.oo):  # SymPy folds an undefined term (1/0) into
        # zoo, which absorbs every term beside it, the optimised variables' too
        raise RuleError(rule, f"new - a*old is undefined ({sp.sstr(shift)}): no map to speak of")
    if _depends_on(shift, over):
        raise RuleError(rule, f"the new objective is not that map of the old: new - a*old "
                        f"depends on the optimised variables ({form!r})")
    # the method is prose with $...$ math, as documents typeset it
    old = r"\log(\mathrm{old})" if through_log else r"\mathrm{old}"
    names = ", ".join(sp.latex(v) for v in over)
    b = f"$b$ free of ${names}$" if shift.has(sp.Sum, sp.Product) else f"$b = {sp.latex(shift)}$"
    return _judge(context, before, after, Relation.SAME_OPTIMIZERS, givens=givens,
                  optimization=optimization, sense_before=sense_before, sense_after=sense_after,
                  verdict=Verdict.PROVED, rule=rule,
                  method=rf"monotone map $\mathrm{{new}} = a \, {old} + b$ with $a = {sp.latex(scale)}$, "
                         f"{b} ({form})")


ROUNDING_DIGITS = (DIGITS, 4 * DIGITS, 16 * DIGITS)  # tried in turn until the value is told


def rounds_to(context: Context, before, after, decimals: int, givens=()) -> Judgement:
    """A closed expression rounds to the decimal ``after`` with ``decimals`` places: its
    certified enclosure (interval arithmetic, at more digits while it is too wide to tell) lies
    strictly within half a unit of the last place of ``after`` (proved), or entirely outside
    (refuted); the comparison is in exact rational arithmetic.  A value on or too close to the
    rounding boundary, or without an enclosure, decides nothing."""
    rule = "rounds_to"
    closed = apply_givens(before, givens)
    if closed.free_symbols or not sp.S(after).is_Rational:
        raise RuleError(rule, "'approx' compares a closed expression with a decimal number")
    target, margin = Fraction(int(after.p), int(after.q)), Fraction(1, 2 * 10**decimals)
    verdict = reason = None
    for digits in ROUNDING_DIGITS:
        try:
            reading = read(closed, Point(), digits)
        except EvaluationError as exc:
            raise RuleError(rule, f"no value: {exc}") from exc
        if not reading.certified:
            reason = ("its value has no certified enclosure (interval arithmetic fails on it), "
                      f"and {digits} and {2 * digits} digits agreeing is evidence, not proof")
            break
        if reading.imaginary != (0, 0):
            reason = "its value is not certainly real"
            break
        low, high = _fraction(reading.low), _fraction(reading.high)
        if target - margin < low and high < target + margin:
            verdict = Verdict.PROVED
        elif high < target - margin or low > target + margin:
            verdict = Verdict.REFUTED
        else:
            reason = "the value is too close to a rounding boundary to tell"
            continue
        break
    if verdict is None:
        raise RuleError(rule, reason)
    shown = show_number(reading.value, decimals + 6)
    written = fixed_decimal(after, decimals)
    method = (f"evaluated (interval arithmetic): {shown}" if verdict is Verdict.PROVED else
              f"evaluated (interval arithmetic): the value is {shown}, which does not round "
              f"to {written} at {decimals} decimal place{'s' if decimals != 1 else ''}")
    return _judge(context, before, after, Relation.APPROX, givens=givens, decimals=decimals,
                  verdict=verdict, rule=rule, method=method,
                  counterexample={} if verdict is Verdict.REFUTED else None,
                  left=shown if verdict is Verdict.REFUTED else None,
                  right=written if verdict is Verdict.REFUTED else None)


def _fraction(end: mpmath.mpf) -> Fraction:
    """An interval's end, exactly (an mpf is a binary fraction)."""
    mantissa, exponent = binary_fraction(end)
    return Fraction(mantissa) * Fraction(2) ** exponent


# -- numeric evidence ----------------------------------------------------------------------------
def in_domain(context: Context, atom, value, integers: dict, ends: dict | None = None) -> bool:
    """Whether ``value`` lies in the declared domain of ``atom`` (sizes given in ``integers``);
    ``ends`` keeps each domain's two ends at these sizes, for a point of many values."""
    domain = context.domain_of(atom)
    if domain is None:
        return False
    value = sp.S(value)
    if domain.integer and not value.is_integer:
        return False
    ends = {} if ends is None else ends
    if domain not in ends:
        ends[domain] = tuple(_exact_end(sp.S(end).xreplace(integers))
                             for end in (domain.lower, domain.upper))
    lower, upper = ends[domain]
    if value.is_Rational and all(isinstance(end, Fraction) or end.is_infinite
                                 for end in (lower, upper)):
        exact = Fraction(int(value.p), int(value.q))  # Python's exact fractions: fast
        above = lower == -sp.oo or (exact > lower if domain.lower_open else exact >= lower)
        below = upper == sp.oo or (exact < upper if domain.upper_open else exact <= upper)
        return bool(above and below)
    above = value > lower if domain.lower_open else value >= lower
    below = value < upper if domain.upper_open else value <= upper
    return bool(above) and bool(below)


def _exact_end(end: sp.Expr):
    """A domain's end as a Python Fraction when it is rational; else as it is."""
    return Fraction(int(end.p), int(end.q)) if end.is_Rational else end


def _validate(context: Context, point: Point) -> None:
    integers = {k: sp.Integer(v) for k, v in point.integers.items()}
    ends: dict = {}
    for atom, value in list(point.integers.items()) + list(point.values.items()):
        if not in_domain(context, atom, sp.S(value), integers, ends):
            raise RuleError("point", f"{atom} = {value} is outside its declared domain")
    for function, body in point.functions.items():
        if not body.expr.is_extended_real:
            raise RuleError("point", f"the function given for {function} is not real-valued")


def _readings(context, expressions, point: Point, givens=(), rule: str = "point"):
    """Both sides, givens applied, read at ``point``; a RuleError of ``rule`` unless the point
    lies in the declared domains and every cited given certainly holds there."""
    _validate(context, point)
    applied = [apply_givens(e, givens) for e in expressions]
    unmet = unmet_given(context, point, givens, applied, expressions)
    if unmet is not None:
        raise RuleError(rule, f"the point is not a case of the givens: {unmet}")
    return [read(e, point, DIGITS) for e in applied]


def _compared(context, before, after, relation: Relation, point: Point, givens=(),
              rule: str = "point"):
    """How the two sides, givens applied, compare at ``point``; a RuleError of ``rule`` unless
    the point lies in the declared domains and every cited given certainly holds there."""
    _validate(context, point)
    applied = [apply_givens(e, givens) for e in (before, after)]
    unmet = unmet_given(context, point, givens, applied, (before, after))
    if unmet is not None:
        raise RuleError(rule, f"the point is not a case of the givens: {unmet}")
    return compare(relation, *applied, point, DIGITS)


def refuted_at(context: Context, before, after, relation: Relation, point: Point,
               givens=()) -> Judgement:
    """``before relation after`` certainly fails at ``point``."""
    rule = "refuted_at"
    try:
        comparison = _compared(context, before, after, relation, point, givens, rule)
    except EvaluationError as exc:
        raise RuleError(rule, f"no value at the point: {exc}") from exc
    if comparison.holds is not False:
        raise RuleError(rule, "the relation does not certainly fail at this point"
                        + ("" if comparison.holds else f": {comparison.how}"))
    left, right = comparison.left, comparison.right
    return _judge(context, before, after, relation, givens=givens, verdict=Verdict.REFUTED,
                  rule=rule, method=f"counterexample ({comparison.how})",
                  counterexample=point.shown(),
                  left=show_number(left.value), right=show_number(right.value))


def checked_at(context: Context, before, after, relation: Relation, points, givens=()) -> Judgement:
    """``before relation after`` holds at every one of at least MIN_EVIDENCE distinct points."""
    rule = "checked_at"
    distinct = {tuple(sorted(p.shown().items())) for p in points}
    if len(distinct) < MIN_EVIDENCE:
        raise RuleError(rule, f"needs at least {MIN_EVIDENCE} distinct points, got {len(distinct)}")
    for point in points:
        try:
            comparison = _compared(context, before, after, relation, point, givens, rule)
        except EvaluationError as exc:
            raise RuleError(rule, f"no reliable value at a point: {exc}") from exc
        if comparison.holds is False:
            raise RuleError(rule, f"the relation fails at one of the points ({comparison.how})")
        if comparison.holds is None:
            raise RuleError(rule, f"the relation cannot be told at one of the points: "
                            f"{comparison.how}")
    return _judge(context, before, after, relation, givens=givens, verdict=Verdict.CHECKED,
                  rule=rule, method=f"numeric evidence at {len(points)} points")


def _differ_only_in(point: Point, other: Point, over) -> bool:
    def varies(atom):
        base = atom.base.label if isinstance(atom, sp.Indexed) else atom
        return any(base == (v.label if isinstance(v, sp.IndexedBase) else v) for v in over)
    if point.integers != other.integers or point.functions != other.functions:
        return False
    keys = set(point.values) | set(other.values)
    return all(varies(k) or point.values.get(k) == other.values.get(k) for k in keys)


def _order_signs(context, before, after, first: Point, second: Point, givens, rule: str):
    b1, a1 = _readings(context, (before, after), first, givens, rule)
    b2, a2 = _readings(context, (before, after), second, givens, rule)
    signs = order(b1, b2), order(a1, a2)
    return None if None in signs else (*signs, (b1, b2, a1, a2))


def order_reversed_at(context: Context, before, after, optimization: Optimization,
                      sense_before: Sense, sense_after: Sense, first: Point, second: Point,
                      givens=()) -> Judgement:
    """Two values of the optimised variables, the rest fixed, that the old and the new objective
    rank in opposite orders (taking a flip of the sense into account): no monotone map joins them."""
    rule = "order_reversed_at"
    if not _differ_only_in(first, second, optimization.over):
        raise RuleError(rule, "the two points must differ only in the optimised variables")
    same_sense = sense_before is sense_after
    try:
        signs = _order_signs(context, before, after, first, second, givens, rule)
    except EvaluationError as exc:
        raise RuleError(rule, f"no value at a point: {exc}") from exc
    if signs is None or (signs[0] == signs[1]) == same_sense:
        raise RuleError(rule, "the two objectives do not certainly rank these points apart")
    if not all(r.certified for r in signs[2]):
        raise RuleError(rule, "the values have no certified enclosure (two precisions agreeing "
                        "is evidence, not a counterexample)")
    b1, b2, a1, a2 = (r.value for r in signs[2])
    shown = first.shown()
    for key, value in second.shown().items():
        if shown.get(key) != value:
            shown[key] = f"{shown[key]} vs {value}"
    return _judge(context, before, after, Relation.SAME_OPTIMIZERS, givens=givens,
                  optimization=optimization, sense_before=sense_before, sense_after=sense_after,
                  verdict=Verdict.REFUTED, rule=rule,
                  method="not a monotone map: order reversed (interval arithmetic)",
                  counterexample=shown,
                  left=f"{show_number(b1)} vs {show_number(b2)}",
                  right=f"{show_number(a1)} vs {show_number(a2)}")


def order_kept_at(context: Context, before, after, optimization: Optimization,
                  sense_before: Sense, sense_after: Sense, pairs, givens=()) -> Judgement:
    """Numeric evidence for same optimisers: every pair is ranked alike by both objectives."""
    rule = "order_kept_at"
    same_sense = sense_before is sense_after
    # Points drawn at random never land on a hole: evidence needs both defined alike.
    _same_domain_of_definition(rule, before, after, BoundsOracle(context), givens)
    usable = 0
    for first, second in pairs:
        if not _differ_only_in(first, second, optimization.over):
            raise RuleError(rule, "each pair must differ only in the optimised variables")
        try:
            signs = _order_signs(context, before, after, first, second, givens, rule)
        except (EvaluationError, RuleError):
            continue  # no value at a point, or a point where a given fails: not evidence
        if signs is None:
            continue
        if (signs[0] == signs[1]) != same_sense:
            raise RuleError(rule, "a pair is ranked in opposite orders")
        usable += 1
    if usable < MIN_EVIDENCE:
        raise RuleError(rule, f"needs at least {MIN_EVIDENCE} usable pairs, got {usable}")
    return _judge(context, before, after, Relation.SAME_OPTIMIZERS, givens=givens,
                  optimization=optimization, sense_before=sense_before, sense_after=sense_after,
                  verdict=Verdict.CHECKED, rule=rule,
                  method=f"order kept at {usable} pairs of points")


def _at_sizes(context: Context, before, after, relation: Relation, point: MatrixPoint, rule: str,
              givens=()):
    """Each entry of both sides at ``point`` (a scalar side as one entry), once the point is
    checked: sizes, scalars in their domains, each matrix of its declared size and structure
    with exact rational entries, every given holding there exactly."""
    if is_matrix(before) and relation is not Relation.EQ:
        raise RuleError(rule, "matrices and vectors are compared by '=' only")
    checked_matrix_point(context, point, rule)
    for given in givens:
        if given.is_pattern:
            raise RuleError(rule, f"given {given.name!r} holds for every index: not checked at "
                            "concrete sizes")
        left, right = values_at(point, (given.lhs, given.rhs), rule)
        entries = zip(left, right) if isinstance(left, sp.MatrixBase) else [(left, right)]
        if isinstance(left, sp.MatrixBase) != isinstance(right, sp.MatrixBase) or not all(
                sp.S(a).is_Rational and sp.S(b).is_Rational and a == b for a, b in entries):
            raise RuleError(rule, f"given {given.name!r} does not hold exactly at this point")
    sides = values_at(point, (before, after), rule)
    if any(isinstance(s, sp.MatrixBase) for s in sides):
        if not all(isinstance(s, sp.MatrixBase) for s in sides) or sides[0].shape != sides[1].shape:
            raise RuleError(rule, "the two sides have different sizes at this point")
        return [((i, j), sides[0][i, j], sides[1][i, j])
                for i in range(sides[0].rows) for j in range(sides[0].cols)]
    return [(None, *sides)]


def checked_matrix_point(context: Context, point: MatrixPoint, rule: str) -> None:
    """A point at concrete sizes as the kernel takes it: every size given, scalars in their
    domains, each matrix of its declared size and structure with exact rational entries."""
    if type(point) is not MatrixPoint:
        raise RuleError(rule, "a point at concrete sizes is a kernel MatrixPoint")
    sizes = {k: sp.Integer(v) for k, v in point.sizes.items()}
    if set(sizes) != set(context.size_symbols()):
        raise RuleError(rule, "every declared size needs a value")
    _validate(context, Point(dict(point.sizes), dict(point.scalars)))
    for name, value in point.matrices.items():
        declaration = context.lookup(name)
        if declaration is None or declaration.kind != "matrix":
            raise RuleError(rule, f"{name} is not a declared matrix")
        shape = tuple(sp.S(s).xreplace(sizes) for s in declaration.obj.shape)
        if not isinstance(value, sp.ImmutableMatrix) or value.shape != shape \
                or not all(x.is_Rational for x in value):
            raise RuleError(rule, f"{name} must be an exact rational matrix of size {shape}")
        if not structure_holds(declaration.structure, value):
            raise RuleError(rule, f"{name} is not {declaration.structure} at this point")


def values_at(point: MatrixPoint, expressions, rule: str) -> list:
    """Each expression's value at a point of concrete sizes (``checked_matrix_point`` first)."""
    try:
        return [concrete(e, point.sizes, point.matrices, point.scalars) for e in expressions]
    except (MatrixFormError, KeyError, ZeroDivisionError, ValueError, TypeError) as exc:
        raise RuleError(rule, f"no value at this point: {exc}") from None


def refuted_at_sizes(context: Context, before, after, relation: Relation,
                     point: MatrixPoint, givens=()) -> Judgement:
    """A step about vectors or matrices certainly fails at concrete sizes, where every cited
    given holds exactly: one entry of the two sides certainly differs (exact rational
    arithmetic, or intervals)."""
    rule = "refuted_at_sizes"
    for entry, left, right in _at_sizes(context, before, after, relation, point, rule, givens):
        try:
            comparison = compare(relation, left, right, Point(), DIGITS)
        except EvaluationError:
            continue
        if comparison.holds is False:
            where = "" if entry is None else f"entry [{entry[0] + 1}, {entry[1] + 1}], "
            return _judge(context, before, after, relation, givens=givens,
                          verdict=Verdict.REFUTED, rule=rule,
                          method=f"counterexample at concrete sizes ({where}{comparison.how})",
                          counterexample=point.shown(),
                          left=show_number(comparison.left.value),
                          right=show_number(comparison.right.value))
    raise RuleError(rule, "no entry certainly differs at this point")


def checked_at_sizes(context: Context, before, after, relation: Relation, points,
                     givens=()) -> Judgement:
    """Numeric evidence only: every entry agrees at MIN_EVIDENCE distinct points of concrete
    sizes where the cited givens hold (never a proof: a proof holds for symbolic sizes)."""
    rule = "checked_at_sizes"
    if len({p.key() for p in points if type(p) is MatrixPoint}) < MIN_EVIDENCE:
        raise RuleError(rule, f"needs at least {MIN_EVIDENCE} distinct points")
    for point in points:
        for entry, left, right in _at_sizes(context, before, after, relation, point, rule,
                                            givens):
            try:
                comparison = compare(relation, left, right, Point(), DIGITS)
            except EvaluationError as exc:
                raise RuleError(rule, f"no reliable value at a point: {exc}") from exc
            if comparison.holds is not True:
                raise RuleError(rule, f"the relation fails or cannot be told at a point "
                                f"({comparison.how})")
    return _judge(context, before, after, relation, givens=givens, verdict=Verdict.CHECKED,
                  rule=rule, method=f"numeric evidence at {len(points)} points of concrete sizes")


def undecided(statement: Statement, reason: str) -> Judgement:
    """No verdict: always allowed, since it claims nothing."""
    return _sealed(statement, verdict=Verdict.UNDECIDED, rule="undecided", method=reason)


# -- recall --------------------------------------------------------------------------------------
RECALLABLE = (Verdict.PROVED, Verdict.CHECKED, Verdict.REFUTED)


def recalled(statement: Statement, record: dict, key: bytes) -> Judgement:
    """A verdict that a kernel of the same source reached on this statement in an earlier run,
    read back from the verdict cache (``derivations.running.cache``): the record must name the
    statement's digest and be signed with ``key``, the cache folder's own key, as
    ``Judgement.signed_record(key)`` signs it.  The cache folder is trusted as Python trusts
    ``__pycache__``; ``--no-cache`` checks every step afresh.  An undecided step is never
    recalled: it may be decided with more time."""
    fields = _signed_fields("recalled", statement, record, key)
    if fields["verdict"] not in RECALLABLE:
        raise RuleError("recalled", f"a {fields['verdict'].value} step is checked again, "
                                    "never recalled")
    return _sealed(statement, **{**fields, "rule": "recalled"})


def received(statement: Statement, record: dict) -> Judgement:
    """A judgement made on this statement by a kernel rule in a worker process forked from this
    one (``--jobs``), sent back as its signed record: the expressions stay here, since SymPy
    cannot carry an unevaluated expression through pickle unchanged.  The signature, made with
    this process's key, shows that a rule made the record; its digest, that it is about this
    statement."""
    fields = _signed_fields("received", statement, record, _PROCESS_KEY)
    if fields["rule"] not in _RECORDED_RULES:
        raise RuleError("received", f"{fields['rule']!r} is not a rule of this kernel")
    return _sealed(statement, **fields)


_RECORDED_RULES = frozenset({
    "equal_by_normal_form", "ordered_by_bounds", "ordered_by_lemma",
    "same_optimizers_by_monotone_map", "rounds_to", "refuted_at", "checked_at",
    "order_reversed_at", "order_kept_at", "undecided", "recalled", "jensen", "refuted_at_sizes",
    "checked_at_sizes", "from_lemmas",
    # derivations.kernel.equations
    "equivalent_by_factor", "implies_by_factor", "equivalent_by_injective_map",
    "equivalent_by_substitution", "equivalent_by_combination", "equivalent_by_summing",
    "optimized_where_by_sign_change", "optimized_where_by_lagrange", "optimized_where_by_convexity",
    "optimizers_satisfy_stationarity", "equation_refuted_at", "not_optimizers_at",
})


def _signed_fields(rule: str, statement: Statement, record: dict, key: bytes) -> dict:
    """What a signed record says, once its signature and its statement's digest check."""
    if not isinstance(record, dict):
        raise RuleError(rule, "a malformed record: not a JSON object")
    unsigned = {k: v for k, v in record.items() if k != "signature"}
    if not hmac.compare_digest(str(record.get("signature", "")), _mac(key, "record", unsigned)):
        raise RuleError(rule, "the record is not signed with the key it must be signed with")
    if unsigned.get("claim") != statement.digest():
        raise RuleError(rule, "the record is about another statement (its digest differs)")
    try:
        fields = dict(verdict=Verdict(unsigned["verdict"]), rule=str(unsigned["rule"]),
                      method=str(unsigned["method"]), counterexample=unsigned["counterexample"],
                      left=unsigned["left"], right=unsigned["right"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError(rule, f"a malformed record: {exc!r}") from None
    if fields["counterexample"] is not None and not isinstance(fields["counterexample"], dict):
        raise RuleError(rule, "a malformed counterexample")
    return fields


# -- chains --------------------------------------------------------------------------------------
class ChainError(ValueError):
    """A judgement that does not continue the chain it is added to."""


class Chain:
    """A start expression and judgements, each starting where the previous one ended, each made
    under this chain's declarations, citing only its givens, and (for a same-optimizers step)
    about its optimised variables in the sense the chain has reached."""

    def __init__(self, context: Context, start: sp.Expr, optimization: Optimization | None = None,
                 givens=(), lemmas=None):
        self._context, self._optimization = context, optimization
        self._start = unfold_written(start)
        # An earlier chain cited as a lemma: its conclusion is a given of this chain, and a
        # judgement citing it must have been weighed by ``from_lemmas`` against that chain.
        self._lemmas = dict(lemmas or {})
        self._givens = frozenset(givens) | {chain.conclusion(name)
                                            for name, chain in self._lemmas.items()}
        self._judgements: list[Judgement] = []
        self._relation = Relation.EQ
        self._sense = optimization.sense if optimization else None

    # Read-only: what the chain concludes is about these, and only extend adds to it.
    context = property(lambda self: self._context)
    start = property(lambda self: self._start)
    optimization = property(lambda self: self._optimization)
    givens = property(lambda self: self._givens)

    @property
    def judgements(self) -> tuple[Judgement, ...]:
        return tuple(self._judgements)

    @property
    def relation(self) -> Relation:
        """What the chain establishes between its start and its current end."""
        return self._relation

    @property
    def sense(self) -> Sense | None:
        """The sense of the optimisation at the current end."""
        return self._sense

    @property
    def current(self) -> sp.Expr:
        return self._judgements[-1].after if self._judgements else self._start

    def extend(self, judgement: Judgement) -> None:
        if not _seal_holds(judgement):
            raise ChainError("only a judgement made by a kernel rule, unaltered, extends a chain")
        statement = judgement.statement
        if statement.before != self.current:
            raise ChainError("the judgement does not start where the chain ends")
        if statement.assumptions != assumptions_text(self._context):
            raise ChainError("the judgement was made under other declarations than the chain's")
        foreign = [g.name for g in statement.givens if g not in self._givens]
        if foreign:
            raise ChainError(f"the judgement cites givens the chain does not have: "
                             f"{', '.join(foreign)}")
        if any(g.name in self._lemmas for g in statement.givens) \
                and judgement.rule != "from_lemmas":
            raise ChainError("a judgement citing an earlier chain is weighed against it first "
                             "(from_lemmas)")
        if statement.relation in _ABOUT_OPTIMIZERS:
            if self._optimization is None:
                raise ChainError(f"'{statement.relation.value}' needs an optimisation chain "
                                 "(optimize: over, sense)")
            if statement.over != tuple(self._optimization.over):
                raise ChainError("the judgement is about other optimised variables than the "
                                 "chain's")
            if statement.sense_before is not self._sense:
                raise ChainError(f"the judgement takes the objective as one to "
                                 f"{_value(statement.sense_before)}; the chain has reached "
                                 f"{_value(self._sense)}")
        self._relation = compose(self._relation, statement.relation)
        if statement.relation is Relation.SAME_OPTIMIZERS:
            self._sense = statement.sense_after
        self._judgements.append(judgement)

    @property
    def proved(self) -> bool:
        return all(j.verdict.passes(strict=True) for j in self._judgements)

    @property
    def passed(self) -> bool:
        return all(j.verdict.passes() for j in self._judgements)

    def conclusion(self, name: str) -> Given:
        """What a chain of equalities establishes, ``start = end``, as a hypothesis named
        ``name`` for a later chain (weighed there by ``from_lemmas``, by this chain's verdicts)."""
        if self._relation is not Relation.EQ or not self._judgements:
            raise RuleError("conclusion", f"chain {name!r} does not establish an equality")
        return Given(name, self._start, self.current)


def from_lemmas(judgement: Judgement, lemmas: dict) -> Judgement:
    """A judgement that cites earlier chains (``lemmas``: name -> ``Chain``) as givens, worth
    at most what they are: the verdict of a step is that under its cited hypotheses, so a step
    from a lemma whose chain is only checked is at most checked, and one from a lemma whose
    chain is refuted or undecided is undecided.  A refutation stands: its point satisfies the
    cited conclusions, so the step does not follow from them."""
    rule = "from_lemmas"
    if not _seal_holds(judgement):
        raise RuleError(rule, "only a judgement made by a kernel rule is weighed")
    statement, verdict = judgement.statement, judgement.verdict
    method, weakest = judgement.method, []
    for given in statement.givens:
        if given.name not in lemmas:
            continue
        chain = lemmas[given.name]
        if type(chain) is not Chain or given != chain.conclusion(given.name):
            raise RuleError(rule, f"{given.name!r} is not what that chain concludes")
        if not chain.passed:
            weakest.append(f"chain {given.name!r}, which is not established (a step of it "
                           "is refuted or undecided)")
            if verdict.passes():
                verdict = Verdict.UNDECIDED
        elif not chain.proved:
            weakest.append(f"chain {given.name!r}, which is only checked")
            if verdict is Verdict.PROVED:
                verdict = Verdict.CHECKED
    if verdict is not judgement.verdict:
        method = f"{method}, but it cites {'; '.join(weakest)}"
    return _sealed(statement, verdict=verdict, rule=rule, method=method,
                   counterexample=judgement.counterexample, left=judgement.left,
                   right=judgement.right)


_ABOUT_OPTIMIZERS = (Relation.SAME_OPTIMIZERS, Relation.OPTIMIZED_WHERE,
                     Relation.OPTIMIZERS_SATISFY)


def _value(sense: Sense | None) -> str:
    return sense.value if sense is not None else "neither maximize nor minimize"


__all__ = [
    "Chain", "ChainError", "apply_givens", "exact_text", "CompositionError", "Given", "Judgement", "RuleError", "Statement", "Verdict",
    "checked_at", "checked_at_sizes", "equal_by_normal_form", "from_lemmas", "jensen",
    "refuted_at_sizes", "order_kept_at", "order_reversed_at",
    "ordered_by_bounds", "ordered_by_lemma", "received", "recalled", "refuted_at", "rounds_to", "same_optimizers_by_monotone_map", "undecided",
]
