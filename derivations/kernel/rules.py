"""The primitive rules: the only functions that create a ``Judgement`` about a step.

Each rule states its side conditions, re-does the decisive computation itself and fails with a
``RuleError`` that carries its own name.  Search (which normal form, which scale, which point)
happens outside the kernel; a wrong guess from outside can only make a rule fail.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction

import mpmath
import sympy as sp

from .bounds import BoundsOracle
from .context import Context
from .exact import exact_text
from .hypotheses import exposed, unmet_given
from .normal_forms import NORMAL_FORMS, fresh_binders
from .numeric import EvaluationError, Point, decide, order, read, show_number
from .relations import CompositionError, Optimization, Relation, Sense, compose

_SEAL = object()
DIGITS = 40
MIN_EVIDENCE = 8


class Verdict(str, Enum):
    PROVED = "proved"
    CHECKED = "checked"
    REFUTED = "refuted"
    UNDECIDED = "undecided"


class RuleError(Exception):
    """A rule's side condition failed; the message starts with the rule's name."""

    def __init__(self, rule: str, message: str):
        super().__init__(f"{rule}: {message}")
        self.rule = rule


@dataclass(frozen=True)
class Given:
    """A named hypothesis ``lhs = rhs``.  When ``lhs`` is a sequence entry such as ``y[k]`` with
    symbol indices, it holds for every index: ``y[anything]`` is replaced."""

    name: str
    lhs: sp.Expr
    rhs: sp.Expr

    def apply(self, expr: sp.Expr) -> sp.Expr:
        lhs, rhs = self.lhs, self.rhs
        if isinstance(lhs, sp.Indexed) and all(isinstance(i, sp.Symbol) for i in lhs.indices):
            pattern = set(lhs.indices)
            # A sum in expr over a name that is free in the given would capture it: rename.
            if _binders(expr) & (rhs.free_symbols - pattern):
                expr = fresh_binders(expr)

            def instance(entry):
                values = dict(zip(lhs.indices, entry.indices))
                inner = rhs
                # A sum in the given over a name the entry uses would capture it: rename.
                if _binders(rhs) & set().union(*(i.free_symbols for i in entry.indices)):
                    inner = fresh_binders(rhs)
                return inner.xreplace(values)

            return expr.replace(
                lambda e: isinstance(e, sp.Indexed) and e.base == lhs.base
                and len(e.indices) == len(lhs.indices),
                instance,
            )
        if lhs.is_Symbol and lhs in _binders(expr):
            expr = fresh_binders(expr)  # a sum over the given's own symbol is not about it
        return expr.xreplace({lhs: rhs})


def _binders(expr: sp.Expr) -> set:
    return {index for big in expr.atoms(sp.Sum, sp.Product) for index, *_ in big.limits}


@dataclass(frozen=True)
class Judgement:
    """A verdict on ``before  relation  after``, sealed by the rule that made it."""

    before: sp.Expr
    after: sp.Expr
    relation: Relation
    verdict: Verdict
    rule: str
    method: str
    using: tuple[str, ...] = ()
    sense: Sense | None = None  # the sense after a same-optimizers step
    counterexample: dict | None = None
    left: str | None = None
    right: str | None = None
    seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.seal is not _SEAL:
            raise TypeError("a Judgement is made only by a kernel rule")

    @property
    def recalled(self) -> bool:
        """Whether the verdict was read back from the verdict cache rather than found now."""
        return self.rule == "recalled"

    def record(self) -> dict:
        """What the judgement says, as JSON data, without the two expressions (whoever reads
        the record holds the claim): for the verdict cache."""
        return {"relation": self.relation.value, "verdict": self.verdict.value, "rule": self.rule,
                "method": self.method, "using": list(self.using),
                "sense": getattr(self.sense, "value", None),
                "counterexample": self.counterexample, "left": self.left, "right": self.right}

    def signed_record(self) -> dict:
        """The record, signed for this claim with this process's key: what a worker process
        sends back, and the only kind of record ``received`` accepts."""
        record = self.record()
        return {**record, "signature": _signature(self.before, self.after, record)}


# A key of this process, inherited by the worker processes it forks and known to no other: a
# signed record is one that a rule of this kernel made, here or in a worker, for that claim.
_PROCESS_KEY = secrets.token_bytes(32)


def _signature(before, after, record: dict) -> str:
    text = "\x00".join((exact_text(before), exact_text(after), json.dumps(record, sort_keys=True)))
    return hmac.new(_PROCESS_KEY, text.encode(), hashlib.sha256).hexdigest()


def _judge(**fields) -> Judgement:
    return Judgement(seal=_SEAL, **fields)


def apply_givens(expr: sp.Expr, givens) -> sp.Expr:
    """``expr`` with each given applied in turn, wherever its left side occurs up to the sound
    rewriting of sums that ``exposed`` does."""
    for given in givens:
        expr = given.apply(exposed(expr, given.lhs))
    return expr


def _depends_on(expr: sp.Expr, over) -> bool:
    return any(expr.has(v) for v in over)


# -- proofs --------------------------------------------------------------------------------------
def equal_by_normal_form(context: Context, before, after, form: str, givens=()) -> Judgement:
    """``before = after`` because their difference rewrites to 0 by a sound normal form."""
    rule = "equal_by_normal_form"
    normal = NORMAL_FORMS.get(form)
    if normal is None:
        raise RuleError(rule, f"no normal form called {form!r}")
    difference = apply_givens(before - after, givens)
    if normal(difference, BoundsOracle(context)) != 0:
        raise RuleError(rule, f"the difference does not rewrite to 0 by {form!r}")
    return _judge(before=before, after=after, relation=Relation.EQ, verdict=Verdict.PROVED,
                  rule=rule, method=form, using=tuple(g.name for g in givens))


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
    if relation not in _SIGN_NEEDED:
        raise RuleError(rule, f"{relation.value!r} is not an inequality")
    oracle = BoundsOracle(context)
    sign, _ = _SIGN_NEEDED[relation]
    gap = after - before if relation in (Relation.LE, Relation.LT) else before - after
    gap = NORMAL_FORMS[form](apply_givens(gap, givens), oracle)
    if not getattr(oracle.bounds(gap), sign):
        raise RuleError(rule, f"cannot prove {_SIGN_NEEDED[relation][1]} {sign}")
    return _judge(before=before, after=after, relation=relation, verdict=Verdict.PROVED,
                  rule=rule, method=f"sign of the difference ({form})",
                  using=tuple(g.name for g in givens))


def _summand_gap(before, after, relation):
    """``after - before`` (for ≤, <; the reverse for ≥, >) as one summand over shared limits,
    with those limits; or the plain difference when neither side is a sum."""
    low, high = (before, after) if relation in (Relation.LE, Relation.LT) else (after, before)
    if isinstance(low, sp.Sum) and isinstance(high, sp.Sum):
        if len(low.limits) != 1 or len(high.limits) != 1 or low.limits[0][1:] != high.limits[0][1:]:
            return None, None
        # Fresh names for both indices: the common one must not capture a free symbol.
        low, high = fresh_binders(low), fresh_binders(high)
        index, a, b = high.limits[0]
        return high.function - low.function.xreplace({low.limits[0][0]: index}), (index, a, b)
    if low.has(sp.Sum) or high.has(sp.Sum):
        return None, None
    return high - low, None


def ordered_by_lemma(context: Context, before, after, relation: Relation, givens=()) -> Judgement:
    """``before ≤ after`` term by term through the lemma log t ≤ t - 1 (t > 0): the gap between
    the summands is Σ c_j (t_j - 1 - log t_j) + r with every c_j ≥ 0 and r ≥ 0 proved.  For a
    sum the range must not be reversed, so that non-negative terms add up to a non-negative sum."""
    rule = "ordered_by_lemma"
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
    return _judge(before=before, after=after, relation=relation, verdict=Verdict.PROVED, rule=rule,
                  method="termwise with the lemma log t <= t - 1 (t > 0)",
                  using=tuple(g.name for g in givens))


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
    shift = NORMAL_FORMS[form](apply_givens(after - scale * inner, givens), oracle)
    if shift.has(sp.nan, sp.zoo, sp.oo, -sp.oo):  # SymPy folds an undefined term (1/0) into
        # zoo, which absorbs every term beside it, the optimised variables' too
        raise RuleError(rule, f"new - a*old is undefined ({sp.sstr(shift)}): no map to speak of")
    if _depends_on(shift, over):
        raise RuleError(rule, f"the new objective is not that map of the old: new - a*old "
                        f"depends on the optimised variables ({form!r})")
    old = "log(old)" if through_log else "old"
    names = ", ".join(str(v) for v in over)
    b = f"b free of {names}" if shift.has(sp.Sum, sp.Product) else f"b = {sp.sstr(shift)}"
    return _judge(before=before, after=after, relation=Relation.SAME_OPTIMIZERS,
                  verdict=Verdict.PROVED, rule=rule, sense=sense_after,
                  method=f"monotone map new = a*{old} + b with a = {sp.sstr(scale)}, {b} ({form})",
                  using=tuple(g.name for g in givens))


def rounds_to(context: Context, before, after, decimals: int, givens=()) -> Judgement:
    """A closed expression rounds to the decimal ``after`` with ``decimals`` places: evaluated at
    DIGITS digits, far below the rounding margin (a value within 10**-30 of it is not decided)."""
    rule = "rounds_to"
    closed = apply_givens(before, givens)
    if closed.free_symbols or not sp.S(after).is_Rational:
        raise RuleError(rule, "'approx' compares a closed expression with a decimal number")
    try:
        (reading,) = _readings(context, (closed,), Point())
    except EvaluationError as exc:
        raise RuleError(rule, f"no reliable value: {exc}") from exc
    target = mpmath.mpf(after.p) / after.q
    margin = mpmath.mpf(5) / mpmath.mpf(10) ** (decimals + 1)
    if target - margin < reading.low and reading.high < target + margin:
        verdict = Verdict.PROVED
    elif reading.high < target - margin or reading.low > target + margin:
        verdict = Verdict.REFUTED
    else:
        raise RuleError(rule, "the value is too close to a rounding boundary to tell")
    value = reading.value
    return _judge(before=before, after=after, relation=Relation.APPROX, verdict=verdict, rule=rule,
                  method=f"evaluated ({_how(reading)}): {show_number(value, decimals + 6)}",
                  using=tuple(g.name for g in givens),
                  counterexample={} if verdict is Verdict.REFUTED else None,
                  left=show_number(value, decimals + 6) if verdict is Verdict.REFUTED else None,
                  right=str(after) if verdict is Verdict.REFUTED else None)


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
    unmet = unmet_given(context, point, givens, applied)
    if unmet is not None:
        raise RuleError(rule, f"the point is not a case of the givens: {unmet}")
    return [read(e, point, DIGITS) for e in applied]


def _how(*readings) -> str:
    return "interval arithmetic" if all(r.certified for r in readings) else \
        f"{DIGITS} and {2 * DIGITS} digits"


def refuted_at(context: Context, before, after, relation: Relation, point: Point,
               givens=()) -> Judgement:
    """``before relation after`` certainly fails at ``point``."""
    rule = "refuted_at"
    try:
        left, right = _readings(context, (before, after), point, givens, rule)
    except EvaluationError as exc:
        raise RuleError(rule, f"no value at the point: {exc}") from exc
    if decide(relation, left, right) is not False:
        raise RuleError(rule, "the relation does not certainly fail at this point")
    return _judge(before=before, after=after, relation=relation, verdict=Verdict.REFUTED,
                  rule=rule, method=f"counterexample ({_how(left, right)})",
                  using=tuple(g.name for g in givens), counterexample=point.shown(),
                  left=show_number(left.value), right=show_number(right.value))


def checked_at(context: Context, before, after, relation: Relation, points, givens=()) -> Judgement:
    """``before relation after`` holds at every one of at least MIN_EVIDENCE distinct points."""
    rule = "checked_at"
    distinct = {tuple(sorted(p.shown().items())) for p in points}
    if len(distinct) < MIN_EVIDENCE:
        raise RuleError(rule, f"needs at least {MIN_EVIDENCE} distinct points, got {len(distinct)}")
    for point in points:
        try:
            left, right = _readings(context, (before, after), point, givens, rule)
        except EvaluationError as exc:
            raise RuleError(rule, f"no reliable value at a point: {exc}") from exc
        if not decide(relation, left, right):
            raise RuleError(rule, "the relation fails, or cannot be told, at one of the points")
    return _judge(before=before, after=after, relation=relation, verdict=Verdict.CHECKED,
                  rule=rule, method=f"numeric evidence at {len(points)} points",
                  using=tuple(g.name for g in givens))


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
    b1, b2, a1, a2 = (r.value for r in signs[2])
    shown = first.shown()
    for key, value in second.shown().items():
        if shown.get(key) != value:
            shown[key] = f"{shown[key]} vs {value}"
    return _judge(before=before, after=after, relation=Relation.SAME_OPTIMIZERS,
                  verdict=Verdict.REFUTED, rule=rule, sense=sense_after,
                  method=f"not a monotone map: order reversed ({_how(*signs[2])})",
                  counterexample=shown,
                  using=tuple(g.name for g in givens),
                  left=f"{show_number(b1)} vs {show_number(b2)}",
                  right=f"{show_number(a1)} vs {show_number(a2)}")


def order_kept_at(context: Context, before, after, optimization: Optimization,
                  sense_before: Sense, sense_after: Sense, pairs, givens=()) -> Judgement:
    """Numeric evidence for same optimisers: every pair is ranked alike by both objectives."""
    rule = "order_kept_at"
    same_sense = sense_before is sense_after
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
    return _judge(before=before, after=after, relation=Relation.SAME_OPTIMIZERS,
                  verdict=Verdict.CHECKED, rule=rule, sense=sense_after,
                  method=f"order kept at {usable} pairs of points",
                  using=tuple(g.name for g in givens))


def undecided(before, after, relation: Relation, reason: str, sense: Sense | None = None) -> Judgement:
    """No verdict: always allowed, since it claims nothing."""
    return _judge(before=before, after=after, relation=relation, verdict=Verdict.UNDECIDED,
                  rule="undecided", method=reason, sense=sense)


# -- recall --------------------------------------------------------------------------------------
RECALLABLE = (Verdict.PROVED, Verdict.CHECKED, Verdict.REFUTED)


def recalled(before, after, relation: Relation, record: dict) -> Judgement:
    """A verdict that a kernel of the same source reached on the same claim in an earlier run,
    read back from the verdict cache (``derivations.cache``), which files each record under a
    digest of the claim, its assumptions and this kernel's source.  The cache folder is trusted
    as Python trusts ``__pycache__``; ``--no-cache`` checks every step afresh.  An undecided
    step is never recalled: it may be decided with more time."""
    judgement = _from_record("recalled", before, after, relation, record)
    if judgement.verdict not in RECALLABLE:
        raise RuleError("recalled", f"a {judgement.verdict.value} step is checked again, "
                                    "never recalled")
    return judgement


def received(before, after, relation: Relation, record: dict) -> Judgement:
    """A judgement made on this claim by a kernel rule in a worker process forked from this one
    (``--jobs``), sent back as its signed record: the expressions stay here, since SymPy cannot
    carry an unevaluated expression through pickle unchanged.  The signature, made with this
    process's key, shows that a rule made the record, and for this claim."""
    unsigned = {key: value for key, value in record.items() if key != "signature"}
    if not hmac.compare_digest(str(record.get("signature", "")),
                               _signature(before, after, unsigned)):
        raise RuleError("received", "the record is not signed by this kernel for this claim")
    if record.get("rule") not in _RECORDED_RULES:
        raise RuleError("received", f"{record.get('rule')!r} is not a rule of this kernel")
    return _from_record(record["rule"], before, after, relation, unsigned)


_RECORDED_RULES = frozenset({
    "equal_by_normal_form", "ordered_by_bounds", "ordered_by_lemma",
    "same_optimizers_by_monotone_map", "rounds_to", "refuted_at", "checked_at",
    "order_reversed_at", "order_kept_at", "undecided", "recalled",
})


def _from_record(rule, before, after, relation: Relation, record: dict) -> Judgement:
    try:
        fields = dict(verdict=Verdict(record["verdict"]),
                      sense=Sense(record["sense"]) if record.get("sense") else None,
                      method=str(record["method"]),
                      using=tuple(map(str, record.get("using", ()))),
                      counterexample=record.get("counterexample"), left=record.get("left"),
                      right=record.get("right"))
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError(str(rule), f"a malformed record: {exc!r}") from None
    if record.get("relation") != relation.value:
        raise RuleError(str(rule), "the record is about another relation")
    if fields["counterexample"] is not None and not isinstance(fields["counterexample"], dict):
        raise RuleError(str(rule), "a malformed counterexample")
    return _judge(before=before, after=after, relation=relation, rule=str(rule), **fields)


# -- chains --------------------------------------------------------------------------------------
class ChainError(ValueError):
    """A judgement that does not continue the chain it is added to."""


class Chain:
    """A start expression and judgements, each starting where the previous one ended."""

    def __init__(self, context: Context, start: sp.Expr, optimization: Optimization | None = None):
        self.context = context
        self.start = start
        self.optimization = optimization
        self.judgements: list[Judgement] = []
        self.relation = Relation.EQ
        self.sense = optimization.sense if optimization else None

    @property
    def current(self) -> sp.Expr:
        return self.judgements[-1].after if self.judgements else self.start

    def extend(self, judgement: Judgement) -> None:
        if not isinstance(judgement, Judgement) or judgement.seal is not _SEAL:
            raise ChainError("only a kernel judgement can extend a chain")
        if judgement.before != self.current:
            raise ChainError("the judgement does not start where the chain ends")
        if judgement.relation is Relation.SAME_OPTIMIZERS and self.optimization is None:
            raise ChainError("'same optimizers' needs an optimisation chain (optimize: over, sense)")
        self.relation = compose(self.relation, judgement.relation)
        if judgement.relation is Relation.SAME_OPTIMIZERS:
            self.sense = judgement.sense
        self.judgements.append(judgement)

    @property
    def proved(self) -> bool:
        return all(j.verdict is Verdict.PROVED for j in self.judgements)

    @property
    def passed(self) -> bool:
        return all(j.verdict in (Verdict.PROVED, Verdict.CHECKED) for j in self.judgements)


__all__ = [
    "Chain", "ChainError", "apply_givens", "exact_text", "CompositionError", "Given", "Judgement", "RuleError", "Verdict",
    "checked_at", "equal_by_normal_form", "order_kept_at", "order_reversed_at",
    "ordered_by_bounds", "ordered_by_lemma", "received", "recalled", "refuted_at", "rounds_to", "same_optimizers_by_monotone_map", "undecided",
]
