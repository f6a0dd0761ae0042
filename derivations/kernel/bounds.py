"""The kernel's sign oracle: sound interval bounds of an expression under the declared domains.

SymPy's assumptions cannot say ``h < 1`` or ``j <= C``, nor that a sum of positive terms over a
non-empty range is positive.  ``bounds`` computes an interval certain to contain every value of
an expression, by interval arithmetic on exact rational ends (a transcendental end is enclosed
by mpmath's outward-rounded interval arithmetic, never by ``evalf``) with open/closed flags, and intersects it with what SymPy's assumptions know.  Anything
it does not understand is ``(-oo, oo)``: the oracle may fail to prove a sign, never prove a
false one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from .context import Context
from .definitions import sigmoid, softplus
from .extrema import EXTREMA
from .numeric import EvaluationError, Point, _ends, binary_fraction, enclose

_INF = sp.S.Infinity
_ZERO = sp.S.Zero
_ONE = sp.S.One


_HUGE = sp.Integer(10)**100
_TINY = sp.Rational(1, 10**100)
NUMBER_DIGITS = 30
MAX_NUMBER_TERMS = 2_000  # a closed sum with more terms is bounded by its structure instead


def _clipped(value: sp.Rational, upper: bool) -> tuple[sp.Expr, bool]:
    """A rational end moved outward to a short one, with whether it is now open: magnitudes
    beyond 10**100 go to oo (or 10**100 on the near side), so exp(10**9) never becomes a
    fraction with a billion digits; magnitudes below 10**-100 go to 0, open, or to 10**-100."""
    if abs(value) > _HUGE:
        end = (_INF if upper else _HUGE) if value > 0 else (-_HUGE if upper else -_INF)
        return end, end.is_infinite
    if 0 < abs(value) < _TINY:
        if value > 0:
            return (_TINY, False) if upper else (_ZERO, True)
        return (_ZERO, True) if upper else (-_TINY, False)
    return value, False


@dataclass(frozen=True)
class Bounds:
    lo: sp.Expr
    hi: sp.Expr
    lo_open: bool = False
    hi_open: bool = False

    @property
    def positive(self) -> bool:
        return bool(self.lo > 0) or (self.lo == 0 and self.lo_open)

    @property
    def negative(self) -> bool:
        return bool(self.hi < 0) or (self.hi == 0 and self.hi_open)

    @property
    def nonnegative(self) -> bool:
        return bool(self.lo >= 0)

    @property
    def nonpositive(self) -> bool:
        return bool(self.hi <= 0)

    def __neg__(self) -> "Bounds":
        return Bounds(-self.hi, -self.lo, self.hi_open, self.lo_open)

    def intersect(self, other: "Bounds") -> "Bounds":
        # The larger lower end and the smaller upper end; on a tie the open end is the tighter.
        lo, lo_open = max((self.lo, self.lo_open), (other.lo, other.lo_open))
        hi, hi_closed = min((self.hi, not self.hi_open), (other.hi, not other.hi_open))
        return Bounds(lo, hi, lo_open, not hi_closed)


UNKNOWN = Bounds(-_INF, _INF, True, True)
POSITIVE = Bounds(_ZERO, _INF, True, True)
NONNEGATIVE = Bounds(_ZERO, _INF, False, True)


def _sum(a: Bounds, b: Bounds) -> Bounds:
    lo = -_INF if -_INF in (a.lo, b.lo) else a.lo + b.lo
    hi = _INF if _INF in (a.hi, b.hi) else a.hi + b.hi
    return Bounds(lo, hi, a.lo_open or b.lo_open, a.hi_open or b.hi_open)


def _product_nonneg(a: Bounds, b: Bounds) -> Bounds:
    """Both factors are non-negative."""
    lo = a.lo * b.lo
    lo_open = (a.lo_open and b.lo_open) or (a.lo_open and b.lo > 0) or (b.lo_open and a.lo > 0)
    zero_factor = (a.hi == 0 and not a.hi_open) or (b.hi == 0 and not b.hi_open)
    if zero_factor:
        return Bounds(_ZERO, _ZERO)
    if _INF in (a.hi, b.hi):
        return Bounds(lo, _INF, lo_open, True)
    return Bounds(lo, a.hi * b.hi, lo_open, a.hi_open or b.hi_open)


def _product(a: Bounds, b: Bounds) -> Bounds:
    if a.nonpositive:
        return -_product(-a, b)
    if b.nonpositive:
        return -_product(a, -b)
    if a.nonnegative and b.nonnegative:
        return _product_nonneg(a, b)
    if a.nonnegative or b.nonnegative:  # one sign known, the other mixed: closed hull
        ends = [x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
        if any(e is sp.nan for e in ends):
            return UNKNOWN
        low, high = min(ends), max(ends)  # closed finite ends: an open one could be attained
        return Bounds(low, high, low == -_INF, high == _INF)
    return UNKNOWN


def _reciprocal(a: Bounds) -> Bounds:
    if a.negative:
        return -_reciprocal(-a)
    if not a.positive:
        return UNKNOWN
    hi = _INF if a.lo == 0 else 1 / a.lo
    lo = _ZERO if a.hi == _INF else 1 / a.hi
    return Bounds(lo, hi, a.hi_open or a.hi == _INF, a.lo_open or a.lo == 0)


def _increasing(a: Bounds, fn, at_bottom=None) -> Bounds:
    """Apply an increasing function to both ends, each enclosed by interval arithmetic at the
    rational end (``_number``); ``at_bottom`` is its limit at -oo (or at 0 for log), where
    ``fn`` itself is not defined.  An end without an enclosure is left infinite."""
    def end(x, upper):
        if x == _INF:
            return _INF, True
        if at_bottom is not None and (x == -_INF or (x == 0 and at_bottom == -_INF)):
            return at_bottom, False
        if x == -_INF:
            return -_INF, True
        found = _number(fn(x))
        return (found.hi, found.hi_open) if upper else (found.lo, found.lo_open)
    (lo, lo_open), (hi, hi_open) = end(a.lo, False), end(a.hi, True)
    return Bounds(lo, hi, a.lo_open or lo_open, a.hi_open or hi_open)


def _power(base: Bounds, exponent: sp.Expr) -> Bounds:
    if exponent.is_Integer:
        k = int(exponent)
        if k == 0:
            return Bounds(_ONE, _ONE)
        if k < 0:
            return _reciprocal(_power(base, sp.Integer(-k)))
        if k % 2 == 0 and not base.nonnegative:
            if base.nonpositive:
                base = -base
            else:
                widest = _power(Bounds(_ZERO, max(-base.lo, base.hi)), exponent)
                return Bounds(_ZERO, widest.hi, False, widest.hi_open)
        return _increasing(base, lambda x: x**k)
    if exponent.is_number and exponent.is_real and base.nonnegative:
        if exponent.is_negative:
            return _reciprocal(_power(base, -exponent))
        if exponent.is_positive:
            return _increasing(base, lambda x: x**exponent)
    if base.positive and exponent.is_real:
        return POSITIVE
    return UNKNOWN


def _symbolic_power(base: Bounds, exponent: Bounds) -> Bounds:
    """x**e for x >= 0 and an exponent known only by its bounds: with e >= 0, x in [0, 1]
    gives a value in [0, 1] (0**0 is 1), x >= 1 a value of at least 1."""
    if not exponent.nonnegative:
        return UNKNOWN
    if bool(base.hi <= _ONE):
        return Bounds(_ZERO, _ONE, base.positive, False)
    if bool(base.lo >= _ONE):
        return Bounds(_ONE, _INF, False, True)
    return UNKNOWN


def _from_assumptions(expr: sp.Expr) -> Bounds:
    if expr.is_positive:
        return POSITIVE
    if expr.is_negative:
        return -POSITIVE
    if expr.is_nonnegative:
        return NONNEGATIVE
    if expr.is_nonpositive:
        return -NONNEGATIVE
    return UNKNOWN


@functools.lru_cache(maxsize=4096)
def _number(expr: sp.Expr) -> Bounds:
    """Bounds of a closed expression (log 2, pi/4, a sum of 80 terms), certified: mpmath's
    outward-rounded interval arithmetic, sums term by term (``numeric.enclose``), never
    ``evalf`` (whose Euler-Maclaurin path puts Σ exp(-(i - 40)²) near 0).  UNKNOWN when there
    is no enclosure; kept, since the same constants recur in every step."""
    if expr.is_Rational or expr in (_INF, -_INF):
        if expr.is_Rational:
            (lo, lo_open), (hi, hi_open) = _clipped(expr, False), _clipped(expr, True)
            return Bounds(lo, hi, lo_open, hi_open)
        return Bounds(expr, expr)
    try:
        low, high = _ends(enclose(expr, Point(), NUMBER_DIGITS, MAX_NUMBER_TERMS))
    except EvaluationError:
        return UNKNOWN
    (lo, lo_open), (hi, hi_open) = _end(low, False), _end(high, True)
    return Bounds(lo, hi, lo_open, hi_open)


def _end(end, upper: bool) -> tuple[sp.Expr, bool]:
    """An interval's end (an mpf: a binary fraction) as an exact rational, moved outward as
    ``_clipped`` does; one far beyond 10**±100 is never written out exactly."""
    mantissa, exponent = binary_fraction(end)
    top = exponent + mantissa.bit_length()  # 2**(top - 1) <= |end| < 2**top
    if top > 340:  # |end| > 10**100
        return _clipped(_HUGE * 2 if end > 0 else -_HUGE * 2, upper)
    if mantissa and top < -340:  # 0 < |end| < 10**-100
        return _clipped(_TINY / 2 if end > 0 else -_TINY / 2, upper)
    return _clipped(sp.Integer(mantissa) * sp.Integer(2) ** exponent, upper)


class BoundsOracle:
    """Bounds of expressions in one context; bound sum indices are tracked as they are entered."""

    def __init__(self, context: Context):
        self.context = context
        self._known: dict = {}  # (expression, bound indices) -> its bounds: asked again and again

    def bounds(self, expr: sp.Expr, env: dict | None = None) -> Bounds:
        env = env or {}
        if isinstance(expr, str):
            raise TypeError("bounds are computed on expressions, never on text")
        expr = sp.S(expr)
        key = (expr, frozenset(env.items()))
        found = self._known.get(key)
        if found is None:
            found = self._structural(expr, env)
            # SymPy's assumptions give only a sign (slowly), and for a closed number they read
            # it off ``evalf``: a closed number has the certified enclosure of ``_number`` alone
            if not (found.positive or found.negative or expr.is_number):
                found = found.intersect(_from_assumptions(expr))
            self._known[key] = found
        return found

    def is_positive(self, expr, env=None) -> bool:
        return self.bounds(expr, env).positive

    def is_negative(self, expr, env=None) -> bool:
        return self.bounds(expr, env).negative

    def _declared(self, atom, env) -> Bounds:
        domain = self.context.domain_of(atom)
        if domain is None:
            return UNKNOWN
        lower = self.bounds(domain.lower, env).lo if domain.lower.free_symbols else _number(domain.lower).lo
        upper = self.bounds(domain.upper, env).hi if domain.upper.free_symbols else _number(domain.upper).hi
        return Bounds(lower, upper, domain.lower_open, domain.upper_open)

    def _structural(self, expr: sp.Expr, env: dict) -> Bounds:
        if expr in env:
            return env[expr]
        if expr.is_number:
            found = _number(expr)
            if found != UNKNOWN:
                return found  # else bounded by its structure: a sum of many positive terms
        if isinstance(expr, (sp.Symbol, sp.Indexed)):
            return self._declared(expr, env)
        if isinstance(expr, sp.Add):
            total = self.bounds(expr.args[0], env)
            for term in expr.args[1:]:
                total = _sum(total, self.bounds(term, env))
            return total
        if isinstance(expr, sp.Mul):
            total = self.bounds(expr.args[0], env)
            for factor in expr.args[1:]:
                total = _product(total, self.bounds(factor, env))
            return total
        if isinstance(expr, sp.Pow):
            if not expr.base.is_extended_real:  # (-1)**2 is 1, but log(-1)**2 is -pi**2
                return UNKNOWN
            base = self.bounds(expr.base, env)
            found = _power(base, expr.exp)
            if expr.exp.is_number or not base.nonnegative:
                return found
            return found.intersect(_symbolic_power(base, self.bounds(expr.exp, env)))
        if isinstance(expr, sp.exp):
            if not expr.args[0].is_extended_real:
                return UNKNOWN
            return _increasing(self.bounds(expr.args[0], env), sp.exp, at_bottom=_ZERO)
        if isinstance(expr, sp.log):
            inner = self.bounds(expr.args[0], env)
            if not inner.positive:
                return UNKNOWN
            return _increasing(inner, sp.log, at_bottom=-_INF)
        if isinstance(expr, sp.Abs):
            inner = self.bounds(expr.args[0], env)
            if inner.nonnegative:
                return inner
            if inner.nonpositive:
                return -inner
            if -inner.lo == inner.hi:
                return Bounds(_ZERO, inner.hi, False, inner.lo_open and inner.hi_open)
            far = (-inner.lo, inner.lo_open) if -inner.lo > inner.hi else (inner.hi, inner.hi_open)
            return Bounds(_ZERO, far[0], False, far[1])
        if isinstance(expr, (sigmoid, softplus)):
            if not expr.args[0].is_extended_real:
                return UNKNOWN
            return Bounds(_ZERO, _ONE, True, True) if isinstance(expr, sigmoid) else POSITIVE
        if isinstance(expr, sp.KroneckerDelta):
            return Bounds(_ZERO, _ONE)
        if isinstance(expr, sp.gamma):  # Gamma(t) > 0 for t > 0
            return POSITIVE if self.bounds(expr.args[0], env).positive else UNKNOWN
        if isinstance(expr, sp.binomial):  # C(n, k) >= 1 for integers 0 <= k <= n
            n, k = expr.args
            if n.is_integer and k.is_integer and self.at_least(k, sp.S.Zero, env) \
                    and self.at_least(n, k, env):
                return Bounds(_ONE, _INF, False, True)
            return UNKNOWN
        if isinstance(expr, (sp.Sum, sp.Product)):
            return self._big_operator(expr, env)
        if isinstance(expr, EXTREMA):  # over a non-empty range, within the hull of its terms
            inner_env, nonempty, _ = self.enter(expr.limits, env)
            return self.bounds(expr.function, inner_env) if nonempty else UNKNOWN
        if isinstance(expr, sp.Piecewise):
            hull = [self.bounds(piece.expr, env) for piece in expr.args]
            lo, hi = min(b.lo for b in hull), max(b.hi for b in hull)
            # An end is open only if every piece that reaches it leaves it open.
            return Bounds(lo, hi, all(b.lo_open for b in hull if b.lo == lo),
                          all(b.hi_open for b in hull if b.hi == hi))
        if isinstance(expr, (sp.Max, sp.Min)):
            parts = [self.bounds(a, env) for a in expr.args]
            pick = max if isinstance(expr, sp.Max) else min
            return Bounds(pick(p.lo for p in parts), pick(p.hi for p in parts))
        return UNKNOWN

    def enter(self, limits, env: dict | None = None) -> tuple[dict, bool, bool]:
        """Bind the indices of ``limits`` (innermost first); also say whether every range is
        non-empty and whether none is reversed beyond the empty one (Karr's convention)."""
        inner_env = dict(env or {})
        nonempty = not_reversed = True
        for index, a, b in limits:
            # The hull of both ends also covers Karr's convention for reversed ranges.
            ends = (self.bounds(a, inner_env), self.bounds(b, inner_env))
            inner_env[index] = Bounds(min(e.lo for e in ends), max(e.hi for e in ends))
            span = self.bounds(b - a, inner_env)
            nonempty = nonempty and span.nonnegative
            not_reversed = not_reversed and span.lo >= -1
        return inner_env, nonempty, not_reversed

    def at_least(self, big, small, env=None) -> bool:
        """``big >= small``, also through a declared bound: ``C >= j`` when j lies in [1, C]."""
        if self.bounds(big - small, env).nonnegative:
            return True
        for atom, bound, other in ((small, "upper", big), (big, "lower", small)):
            if env and atom in env:
                continue  # a bound index ranges over its sum, not over its declared domain
            domain = self.context.domain_of(atom)
            if domain is not None and getattr(domain, bound) not in (sp.oo, -sp.oo):
                gap = other - domain.upper if bound == "upper" else domain.lower - other
                if self.bounds(gap, env).nonnegative:
                    return True
        return False

    def _big_operator(self, expr, env) -> Bounds:
        """Sums and products with one or more ``(index, a, b)`` limits."""
        inner_env, nonempty, not_reversed = self.enter(expr.limits, env)
        term = self.bounds(expr.function, inner_env)
        if isinstance(expr, sp.Product):
            return POSITIVE if term.positive else UNKNOWN
        if term.nonnegative and not_reversed:
            return Bounds(term.lo, _INF, term.lo_open, True) if nonempty else NONNEGATIVE
        if term.nonpositive and not_reversed:
            return Bounds(-_INF, term.hi, True, term.hi_open) if nonempty else -NONNEGATIVE
        return UNKNOWN
