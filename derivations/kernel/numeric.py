"""Evaluation at a concrete point, at high precision: the kernel's numeric evidence.

A point fixes the sizes (n = 3), the integer symbols (j = 2), every scalar and sequence entry
(exact decimals such as sigma = 0.731, so a person can redo the arithmetic), and a concrete
function for each declared unknown function.  Sums and products over a concrete range are
expanded term by term (never summed in closed form), then everything is evaluated by mpmath
through ``evalf`` at the requested number of digits.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import mpmath
import sympy as sp

from sympy.core import evalf as _sympy_evalf
from sympy.core.function import AppliedUndef
from sympy.functions.elementary.piecewise import ExprCondPair

from .definitions import DEFINED_FUNCTIONS, unfold_definitions
from .expectations import (CROSS_CHECK_DIGITS, IntegrationRefused, cross_checked,
                           quadrature_pieces, reduce_expectations)
from .extrema import EXTREMA, MaxOver
from .laws import Expectation
from .relations import Relation

MAX_TERMS = 250_000  # per evaluation: n = 100,000 data points, summed on both sides
MAX_EXPANDED_TERMS = 20_000  # written out as SymPy terms, to differentiate them


MAX_EVALF_TERMS = 2_000
QUADRATURE_DEGREE = 6  # mpmath's tanh-sinh levels: a few hundred points of the integrand


def _term_by_term(expr, prec: int, options: dict):
    """SymPy's ``evalf`` of a sum or product over a concrete finite range, term by term, in the
    lecturers' convention (a reversed range is empty: a sum of 0, a product of 1).  SymPy's own
    is what its automatic evaluation compares numbers with when ``Max``, ``Min`` or a case
    split is built, and it misleads in two ways: Euler-Maclaurin, whose error estimate a peaked
    summand defeats (Σ exp(-(i - 40)²) over 1..80 comes out near 0, so ``Max(that sum, 1)``
    became 1), and Karr's convention for a reversed range (Σ_{i=5}^{1} i = -9, so
    ``Max(that sum, -5)`` became -5).  A longer finite range has no value here, so SymPy leaves
    such a comparison unevaluated."""
    if len(expr.limits) == 1:
        index, low, high = expr.limits[0]
        if low.is_Integer and high.is_Integer:
            if int(high) - int(low) + 1 > MAX_EVALF_TERMS:
                raise NotImplementedError
            terms = [expr.function.xreplace({index: sp.Integer(k)})
                     for k in range(int(low), int(high) + 1)]  # none when reversed
            whole = sp.Add(*terms) if isinstance(expr, sp.Sum) else sp.Mul(*terms)
            return _sympy_evalf.evalf(whole, prec, options)
    return _sympy_own_evalf[type(expr)](expr, prec, options)


if not _sympy_evalf.evalf_table:
    _sympy_evalf._create_evalf_table()
_sympy_own_evalf = {kind: _sympy_evalf.evalf_table[kind] for kind in (sp.Sum, sp.Product)}
for _kind in (sp.Sum, sp.Product):
    _sympy_evalf.evalf_table[_kind] = _term_by_term


class EvaluationError(ValueError):
    """The expression has no finite value at this point (a pole, a log of zero, too many terms)."""


class DivergentIntegral(EvaluationError):
    """Quadrature settles on no value for an integral: it may diverge.  Where the other side
    of a step has a value, that is evidence against the step, not a point to skip."""


@dataclass(frozen=True)
class Point:
    """Concrete values for every free name of an expression, kept in the order they are shown."""

    integers: dict = field(default_factory=dict)  # Symbol -> int (sizes, integer symbols)
    values: dict = field(default_factory=dict)  # Symbol or Indexed -> Rational
    functions: dict = field(default_factory=dict)  # function class -> Lambda

    def shown(self) -> dict[str, str]:
        """Every value as text, sequences element by element: ``{"n": "2", "x[1]": "0.731"}``."""
        shown = {str(k): str(v) for k, v in self.integers.items()}
        for atom, value in self.values.items():
            shown[_atom_text(atom)] = _decimal(value)
        for function, body in self.functions.items():
            shown[f"{function}"] = str(body)
        return shown


def _atom_text(atom) -> str:
    if isinstance(atom, sp.Indexed):
        return f"{atom.base.label}[{', '.join(str(i) for i in atom.indices)}]"
    return str(atom)


def _decimal(value: sp.Rational) -> str:
    """A rational with a terminating decimal expansion printed exactly, others as p/q."""
    q = int(value.q)
    while q % 2 == 0:
        q //= 2
    while q % 5 == 0:
        q //= 5
    return _exact_decimal(value) if q == 1 else str(value)


def _exact_decimal(value: sp.Rational) -> str:
    p, q = int(value.p), int(value.q)
    digits = 0
    while (10**digits) % q:
        digits += 1
    scaled = p * 10**digits // q
    sign = "-" if scaled < 0 else ""
    text = str(abs(scaled)).rjust(digits + 1, "0")
    return sign + (text[:-digits] + "." + text[-digits:] if digits else text)


def fixed_decimal(value: sp.Rational, decimals: int) -> str:
    """A number with a terminating expansion of at most ``decimals`` places, written with
    exactly that many: ``0.7200``, never ``18/25``."""
    scaled = abs(value.p) * 10**decimals // value.q
    digits = str(scaled).rjust(decimals + 1, "0")
    whole, fraction = digits[:len(digits) - decimals], digits[len(digits) - decimals:]
    return ("-" if value < 0 else "") + whole + ("." + fraction if decimals else "")


def expand_finite(expr: sp.Expr, terms: int = MAX_EXPANDED_TERMS) -> sp.Expr:
    """Write every sum and product with concrete integer limits out term by term (a SymPy
    expression per term: at most ``terms`` of them)."""
    budget = [terms]

    def walk(e):
        if isinstance(e, EXTREMA):
            (index, a, b), = e.limits
            a, b = walk(a), walk(b)
            if not (a.is_Integer and b.is_Integer):
                raise EvaluationError(f"the range {a}..{b} of {index} is not concrete")
            if b < a:
                raise EvaluationError(f"a maximum or minimum over the empty range {a}..{b}")
            budget[0] -= int(b - a + 1)
            if budget[0] < 0:
                raise EvaluationError(f"more than {terms} terms to write out")
            written = [walk(e.function.xreplace({index: sp.Integer(k)}))
                       for k in range(int(a), int(b) + 1)]
            kind = sp.Max if isinstance(e, MaxOver) else sp.Min
            return kind(*written, evaluate=False) if len(written) > 1 else written[0]
        if isinstance(e, (sp.Sum, sp.Product)):
            body = e.function
            # Limits are innermost first; expand the outermost, then recurse into the rest.
            *inner, (index, a, b) = e.limits
            a, b = walk(a), walk(b)
            if not (a.is_Integer and b.is_Integer):
                raise EvaluationError(f"the range {a}..{b} of {index} is not concrete")
            count = max(int(b - a + 1), 0)  # a reversed range is empty, as lecturers use it
            budget[0] -= count
            if budget[0] < 0:
                raise EvaluationError(f"more than {terms} terms to write out")
            rest = type(e)(body, *inner) if inner else body
            written = [walk(rest.xreplace({index: sp.Integer(k)}))
                       for k in range(int(a), int(b) + 1)]
            return sp.Add(*written) if isinstance(e, sp.Sum) else sp.Mul(*written)
        if not e.args:
            return e
        return e.func(*[walk(a) for a in e.args])

    return walk(expr)


@functools.lru_cache(maxsize=256)
def _differentiated(expr: sp.Expr) -> sp.Expr:
    """``expr`` with its derivatives carried out before any size is fixed, where no unknown
    function is involved: d/dw Σ_i f is Σ_i ∂f/∂w, found once for every point, where writing
    the sum out first would differentiate each of its terms again at every point."""
    expr = unfold_definitions(expr)
    if not expr.has(sp.Derivative) or expr.atoms(AppliedUndef):
        return expr
    return expr.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit(deep=False))


def instantiate(expr: sp.Expr, point: Point, terms: int = MAX_EXPANDED_TERMS) -> sp.Expr:
    """Fix sizes, integers and functions; expand sums (at most ``terms`` terms); evaluate
    derivatives.  Values stay free."""
    e = _differentiated(expr).xreplace({k: sp.Integer(v) for k, v in point.integers.items()})
    e = expand_finite(e, terms)
    for function, body in point.functions.items():
        e = e.replace(function, body)
    if e.has(sp.Derivative):
        e = e.doit(deep=True)
    return e


def evaluate(expr: sp.Expr, point: Point, digits: int) -> mpmath.mpc:
    """The value of ``expr`` at ``point`` with ``digits`` significant digits, or EvaluationError.

    A direct interpreter: sums and products loop over their range without building the
    expanded expression, every operation is mpmath's at ``digits + 10`` digits.  Fast, for the
    search; the kernel's decisions use ``enclose`` where it can."""
    with mpmath.workdps(digits + 10):
        try:
            value = mpmath.mpmathify(_Evaluator(point, mpmath.mp, expr).value(expr, {}))
        except DivergentIntegral:
            raise
        except (ZeroDivisionError, OverflowError, ValueError, TypeError) as exc:
            raise EvaluationError(f"no finite value here ({exc})") from exc
        if not mpmath.isfinite(value):
            raise EvaluationError("not finite here")
        return mpmath.mpc(value)


def enclose(expr: sp.Expr, point: Point, digits: int, terms: int = MAX_TERMS):
    """An interval certain to contain the (real) value of ``expr`` at ``point``: mpmath's
    interval arithmetic, rounded outward at every operation, sums and products term by term
    (at most ``terms`` terms).  EvaluationError when the value may not be real, a function has
    no interval version, or a case split cannot be told at this precision."""
    value = _enclosure(expr, point, digits, terms)
    if isinstance(value, _COMPLEX_INTERVAL):
        raise EvaluationError("a complex value")
    return value


_REAL_INTERVAL, _COMPLEX_INTERVAL = mpmath.ctx_iv.ivmpf, mpmath.ctx_iv.ivmpc


def _enclosure(expr: sp.Expr, point: Point, digits: int, terms: int = MAX_TERMS):
    """``enclose``, or a box (a complex interval) for a value that a logarithm or a power of a
    negative number made complex."""
    mpmath.iv.dps = digits + 10
    try:
        evaluator = _Evaluator(point, mpmath.iv, expr)
        evaluator.budget = terms
        value = evaluator.value(expr, {})
    except (ZeroDivisionError, OverflowError, ValueError, TypeError, AttributeError) as exc:
        raise EvaluationError(f"no enclosure here ({exc})") from exc
    if not isinstance(value, (_REAL_INTERVAL, _COMPLEX_INTERVAL)):
        value = mpmath.iv.mpf(value)
    parts = (value.real, value.imag) if isinstance(value, _COMPLEX_INTERVAL) else (value,)
    if not all(mpmath.isfinite(end) for part in parts for end in _ends(part)):
        raise EvaluationError("not finite here")
    return value


def _may_be_zero(value) -> bool:
    """Whether an interval, or a box, may hold 0."""
    if isinstance(value, _COMPLEX_INTERVAL):
        return _may_be_zero(value.real) and _may_be_zero(value.imag)
    low, high = _ends(value)
    return low <= 0 <= high


def binary_fraction(end: mpmath.mpf) -> tuple[int, int]:
    """A finite mpf as the exact ``(mantissa, exponent)`` it is: ``mantissa * 2**exponent``,
    the mantissa signed (mpmath's ``man_exp`` drops the sign)."""
    negative, mantissa, exponent, _ = end._mpf_
    return (-mantissa if negative else mantissa), exponent


def _ends(interval) -> tuple[mpmath.mpf, mpmath.mpf]:
    """The two ends of an interval as exact mpf numbers (no rounding to the working precision)."""
    low, high = interval._mpi_
    return mpmath.mp.make_mpf(low), mpmath.mp.make_mpf(high)


_CONSTANTS = {sp.pi: "pi", sp.E: "e"}
_INDEX = "index"  # env[(_INDEX, i)]: a bound index's value as a Python int, beside env[i]
_UNARY = {sp.exp: "exp", sp.sin: "sin", sp.cos: "cos", sp.factorial: "factorial",
          sp.gamma: "gamma", sp.loggamma: "loggamma"}


class _Evaluator:
    """Evaluates in ``ctx``: ``mpmath.mp`` (numbers) or ``mpmath.iv`` (certified intervals)."""

    def __init__(self, point: Point, ctx, expr: sp.Expr):
        self.point = point
        self.ctx = ctx
        self.intervals = ctx is mpmath.iv
        self.budget = MAX_TERMS
        # Every name that is ever bound (a sum's index, a given function's argument): a part
        # of the expression free of them has one value here, found once and then reused, so
        # a sum over n terms does not evaluate its constant factors n times.
        self.bound = {index for big in expr.atoms(sp.Sum, sp.Product, sp.Integral, *EXTREMA)
                      for index, *_ in big.limits}
        for body in point.functions.values():
            self.bound |= set(body.variables)
        self.fixed: dict = {}
        self.uses: dict = {}  # expression -> the bound names it depends on
        # The point's sequence entries by base and integer indices: x[i] at i = 7 is found
        # without building the Indexed x[7] (100,000 of them cost more than the arithmetic).
        self.entries = {(atom.base, tuple(int(i) for i in atom.indices)): value
                        for atom, value in list(point.values.items())
                        if isinstance(atom, sp.Indexed) and all(i.is_Integer for i in atom.indices)}

    def value(self, e, env):
        if e in env:
            return env[e]
        found = self.fixed.get(e)
        if found is not None:
            return found
        found = self._value(e, env)
        if not self._bound_names_in(e):
            self.fixed[e] = found
        return found

    def _bound_names_in(self, e) -> frozenset:
        """The bound names ``e`` depends on, found once per subexpression (``free_symbols``
        walks the whole tree at every node)."""
        found = self.uses.get(e)
        if found is None:
            if isinstance(e, (sp.Sum, sp.Product, *EXTREMA)):
                inner = self._bound_names_in(e.function)
                for index, low, high in e.limits:  # innermost first
                    inner = (inner - {index}) | self._bound_names_in(low) | self._bound_names_in(high)
                found = frozenset(inner)
            elif e in self.bound:
                found = frozenset((e,))
            else:
                found = frozenset().union(*(self._bound_names_in(a) for a in e.args))
            self.uses[e] = found
        return found

    def integer(self, expr, env) -> int:
        index = env.get((_INDEX, expr))
        if index is not None:
            return index
        value = self.value(expr, env)
        if self.intervals:
            low, high = _ends(value)
            if low != high or low != int(low):
                raise EvaluationError(f"{expr} is not an integer here")
            return int(low)
        if value != int(mpmath.nint(mpmath.re(value))):
            raise EvaluationError(f"{expr} is not an integer here")
        return int(mpmath.nint(mpmath.re(value)))

    def number(self, p: int, q: int = 1):
        return self.ctx.mpf(p) / q if q != 1 else self.ctx.mpf(p)

    def real(self, value):
        """A real number to compare, or to apply a real function to; complex values have no
        order (and a box is taken only through the few operations ``_value`` allows it)."""
        if self.intervals:
            if isinstance(value, _COMPLEX_INTERVAL):
                raise EvaluationError("a complex value where a real one is needed")
            return value
        if mpmath.im(value) != 0:
            raise EvaluationError("an order between complex numbers")
        return mpmath.re(value)

    def less(self, left, right) -> bool:
        left, right = self.real(left), self.real(right)
        if not self.intervals:
            return left < right
        (left_low, left_high), (right_low, right_high) = _ends(left), _ends(right)
        if left_high < right_low:
            return True
        if left_low >= right_high:
            return False
        raise EvaluationError("a comparison too close to call")

    def _value(self, e, env):
        ctx = self.ctx
        if e.is_Number:
            if e.is_Rational:
                return self.number(e.p, e.q)
            if e.is_Float:
                return self.number(*sp.Rational(e).as_numer_denom())
            raise EvaluationError(f"{e} is not finite")
        if e in _CONSTANTS:
            return getattr(ctx, _CONSTANTS[e])
        if e is sp.I:
            return ctx.mpc(0, 1)
        if isinstance(e, sp.Symbol):
            if e in self.point.integers:
                return self.number(self.point.integers[e])
            return self._lookup(e)
        if isinstance(e, sp.Indexed):
            key = (e.base, tuple(self.integer(i, env) for i in e.indices))
            value = self.entries.get(key)
            if value is not None:
                return self.number(value.p, value.q)
            return self._lookup(_entry(*key))
        if isinstance(e, sp.Add):
            return ctx.fsum(self.value(a, env) for a in e.args)
        if isinstance(e, sp.Mul):
            return ctx.fprod(self.value(a, env) for a in e.args)
        if isinstance(e, sp.Pow):
            base = self.value(e.base, env)
            if e.exp.is_Integer:
                if int(e.exp) < 0 and self.intervals and _may_be_zero(base):
                    raise EvaluationError("a division by an interval around 0")
                return ctx.power(base, int(e.exp))
            exponent = self.value(e.exp, env)
            if self.intervals:
                base, exponent = self.real(base), self.real(exponent)
                if _ends(base)[1] < 0:  # the principal branch: |b|**e * exp(i*pi*e)
                    size, angle = ctx.power(-base, exponent), ctx.pi * exponent
                    return ctx.mpc(size * ctx.cos(angle), size * ctx.sin(angle))
            if self.intervals and _ends(base)[0] <= 0:
                raise EvaluationError("a power of a base that may be negative")
            if not self.intervals and base == 0 and mpmath.re(exponent) <= 0:
                raise EvaluationError("0 to a non-positive power")
            return ctx.power(base, exponent)
        if isinstance(e, sp.log):
            argument = self.value(e.args[0], env)
            if self.intervals and isinstance(argument, _COMPLEX_INTERVAL):
                value = self._complex_log(argument)
                return value / ctx.log(self.value(e.args[1], env)) if len(e.args) == 2 else value
            if self.intervals and _ends(argument)[1] < 0:  # log|a| + i*pi
                value = ctx.mpc(ctx.log(-argument), ctx.pi)
                return value / ctx.log(self.value(e.args[1], env)) if len(e.args) == 2 else value
            if (_ends(argument)[0] <= 0) if self.intervals else argument == 0:
                raise EvaluationError("the logarithm of a value that may be 0 or negative")
            value = ctx.log(argument)
            return value / ctx.log(self.value(e.args[1], env)) if len(e.args) == 2 else value
        if isinstance(e, sp.tanh):
            twice = ctx.exp(2 * self.real(self.value(e.args[0], env)))
            return (twice - 1) / (twice + 1)
        if isinstance(e, sp.Abs):
            return abs(self.real(self.value(e.args[0], env)))
        if isinstance(e, sp.sign):
            return self._sign(self.real(self.value(e.args[0], env)))
        if isinstance(e, sp.exp) and self.intervals:
            argument = self.value(e.args[0], env)
            if isinstance(argument, _COMPLEX_INTERVAL):  # e**a * (cos b + i sin b)
                size, angle = ctx.exp(argument.real), argument.imag
                return ctx.mpc(size * ctx.cos(angle), size * ctx.sin(angle))
            return ctx.exp(argument)
        if type(e) in _UNARY:
            return getattr(ctx, _UNARY[type(e)])(self.real(self.value(e.args[0], env)))
        if isinstance(e, (sp.Sum, sp.Product, *EXTREMA)):
            return self._big_operator(e, env)
        if isinstance(e, sp.binomial):
            return ctx.binomial(self.real(self.value(e.args[0], env)),
                                self.real(self.value(e.args[1], env)))
        if isinstance(e, sp.KroneckerDelta):
            return self.number(int(self.integer(e.args[0], env) == self.integer(e.args[1], env)))
        if isinstance(e, (sp.Max, sp.Min)):
            values = [self.real(self.value(a, env)) for a in e.args]
            return self._extreme(values, isinstance(e, sp.Max))
        if isinstance(e, sp.Piecewise):
            for piece, condition in e.args:
                if self.truth(condition, env):
                    return self.value(piece, env)
            raise EvaluationError("no piece of a Piecewise applies")
        if isinstance(e, DEFINED_FUNCTIONS):
            return self.value(e.unfold(), env)
        if isinstance(e, AppliedUndef):
            body = self.point.functions.get(e.func)
            if body is None:
                raise EvaluationError(f"no function given for {e.func}")
            inner = {v: self.value(a, env) for v, a in zip(body.variables, e.args)}
            return self.value(body.expr, inner)
        if isinstance(e, (sp.Derivative, sp.Subs)):  # a Subs: a derivative at a point
            carried_out = self._derivative(e, env)
            if carried_out == e:  # nothing left to carry out, yet not a value
                raise EvaluationError(f"a derivative that cannot be evaluated: {e}")
            return self.value(carried_out, env)
        if isinstance(e, Expectation):
            return self._expectation(e, env)
        if isinstance(e, sp.Integral):
            return self._integral(e, env)
        raise EvaluationError(f"cannot evaluate {type(e).__name__}")

    def _extreme(self, values, largest: bool):
        """The largest or smallest of real values; of intervals, the interval of its ends."""
        pick = max if largest else min
        if self.intervals:
            ends = [_ends(v) for v in values]
            return self.ctx.mpf([pick(e[0] for e in ends), pick(e[1] for e in ends)])
        return pick(values)

    def _complex_log(self, box):
        """The principal logarithm log|w| + i*arg(w) of a box that stays off the negative real
        axis, where arg jumps by 2*pi."""
        (real_low, _), (imag_low, imag_high) = _ends(box.real), _ends(box.imag)
        if real_low <= 0 and imag_low <= 0 <= imag_high:
            raise EvaluationError("the logarithm of a value on or near the negative real axis")
        ctx = self.ctx
        size = ctx.power(box.real, 2) + ctx.power(box.imag, 2)
        return ctx.mpc(ctx.log(size) / 2, ctx.atan2(box.imag, box.real))

    def _sign(self, value):
        """The sign; of an interval, every sign its values may have (mpmath's ``iv.sign`` says
        -1 for an interval that holds 0 or positive values)."""
        if not self.intervals:
            return mpmath.sign(value)
        low, high = _ends(value)
        return self.ctx.mpf([-1 if low < 0 else (0 if low == 0 else 1),
                             1 if high > 0 else (0 if high == 0 else -1)])

    def _lookup(self, atom):
        try:
            value = self.point.values[atom]
        except KeyError:
            raise EvaluationError(f"no value for {_atom_text(atom)}") from None
        return self.number(value.p, value.q)

    def _big_operator(self, e, env):
        *inner, (index, a, b) = e.limits
        self.bound.add(index)  # every index of expr is there already; one made later is too
        low, high = self.integer(a, env), self.integer(b, env)
        self.budget -= max(high - low + 1, 0)  # a reversed range is empty: sum 0, product 1
        if self.budget < 0:
            raise EvaluationError(f"more than {MAX_TERMS} terms to evaluate")
        body = type(e)(e.function, *inner) if inner else e.function
        terms = [self.value(body, {**env, index: self.number(k), (_INDEX, index): k})
                 for k in range(low, high + 1)]
        if isinstance(e, EXTREMA):
            if not terms:
                raise EvaluationError("a maximum or minimum over an empty range")
            return self._extreme([self.real(t) for t in terms], isinstance(e, MaxOver))
        if not terms:
            return self.number(0 if isinstance(e, sp.Sum) else 1)
        return self.ctx.fsum(terms) if isinstance(e, sp.Sum) else self.ctx.fprod(terms)

    def _expectation(self, e, env):
        """An expectation by the kernel's exact rules (``reduce_expectations``), then evaluated
        like any expression: certified where the intervals are; none that the rules leave
        standing is evaluated (it would take quadrature, which is evidence only)."""
        taken = reduce_expectations(e)
        if taken.has(Expectation):
            raise EvaluationError("an expectation with no closed form by the kernel's rules")
        self.bound |= {index for big in taken.atoms(sp.Sum, sp.Product) for index, *_ in big.limits}
        return self.value(taken, env)

    def _integral(self, e, env):
        """In intervals (what a refutation needs): SymPy's closed form, once quadrature at two
        precisions matches it at this very point (``expectations.cross_checked``), enclosed
        like any expression; the integral of a summand (its index's value in ``env``) has
        none.  In numbers: quadrature, where two precisions that agree are evidence only."""
        if self.intervals:
            if self._bound_names_in(e):
                raise EvaluationError("an integral inside a sum has no certified enclosure here")
            try:
                value = self.value(cross_checked(e, self.point), env)
            except IntegrationRefused as exc:
                raise EvaluationError(f"an integral with no certified enclosure ({exc})") from None
            # widened by what the cross-check could not tell apart
            width = self.ctx.mpf(10) ** -CROSS_CHECK_DIGITS * (1 + abs(self.real(value)))
            return value + self.ctx.mpf([-_ends(width)[1], _ends(width)[1]])
        *inner, (variable, low, high) = e.limits
        body = type(e)(e.function, *inner) if inner else e.function
        self.bound.add(variable)
        ends = [self.ctx.inf if end == sp.oo else -self.ctx.inf if end == -sp.oo
                else self.real(self.value(end, env)) for end in (low, high)]
        found, error = self.ctx.quad(lambda t: self.value(body, {**env, variable: t}),
                                     quadrature_pieces(*ends),
                                     error=True, maxdegree=QUADRATURE_DEGREE)
        if not self.ctx.isfinite(found) or error > abs(found) * self.ctx.mpf(10) ** -20 + \
                self.ctx.mpf(10) ** -20:
            raise DivergentIntegral("quadrature does not settle on a value (it may diverge)")
        return found

    def _derivative(self, e, env):
        """Differentiate symbolically once the functions and bound indices are concrete."""
        fixed = {k: sp.Integer(self.integer(k, env)) for k in env if isinstance(k, sp.Symbol)}
        done = _differentiated(e)
        if not done.has(sp.Derivative):  # its sums are evaluated here, never written out
            sizes = {k: sp.Integer(v) for k, v in self.point.integers.items()}
            return done.xreplace(fixed).xreplace(sizes)
        concrete = instantiate(e.xreplace(fixed), self.point)
        if concrete.has(sp.Derivative):
            raise EvaluationError("a derivative that cannot be evaluated")
        return concrete

    def truth(self, condition, env) -> bool:
        if condition in (sp.true, sp.false):
            return bool(condition)
        if isinstance(condition, (sp.And, sp.Or, sp.Not)):
            parts = [self.truth(c, env) for c in condition.args]
            return all(parts) if isinstance(condition, sp.And) else (
                any(parts) if isinstance(condition, sp.Or) else not parts[0])
        if isinstance(condition, sp.core.relational.Relational):
            left, right = self.value(condition.lhs, env), self.value(condition.rhs, env)
            op = condition.rel_op
            if op in ("<", ">="):
                return self.less(left, right) == (op == "<")
            if op in (">", "<="):
                return self.less(right, left) == (op == ">")
            equal = not self.less(left, right) and not self.less(right, left)
            return equal == (op == "==")
        raise EvaluationError(f"cannot decide the condition {condition}")


@functools.lru_cache(maxsize=1 << 16)
def _entry(base: sp.IndexedBase, indices: tuple[int, ...]) -> sp.Indexed:
    """``base[indices]``, made once: building an ``Indexed`` deduces its assumptions, which
    costs more than the arithmetic it stands in."""
    return base[tuple(sp.Integer(i) for i in indices)]


def _infinite(e):
    raise EvaluationError(f"{e} is not finite")


def agree(left: mpmath.mpc, right: mpmath.mpc, digits: int) -> bool:
    """Equal to ``digits - 8`` significant digits of the larger side (a tiny value is not 0):
    evidence of equality, never a proof of it."""
    scale = max(abs(left), abs(right))
    return abs(left - right) <= scale * mpmath.mpf(10) ** (8 - digits) + mpmath.mpf(10) ** (-3 * digits)


def show_number(value: mpmath.mpc, digits: int = 10) -> str:
    """A value for a person: real when it is real, ``a + bi`` otherwise."""
    real = mpmath.nstr(value.real, digits)
    if value.imag == 0:
        return real
    sign = "-" if value.imag < 0 else "+"
    return f"{real} {sign} {mpmath.nstr(abs(value.imag), digits)}i"


def holds(relation: Relation, left: mpmath.mpc, right: mpmath.mpc, digits: int) -> bool | None:
    """Whether ``left relation right`` seems to hold at these values: the search's filter (what
    fails here is handed to the kernel, which certifies a counterexample or not).  None when an
    order is asked of complex values, or of values too close to order at this precision."""
    if relation is Relation.EQ:
        return agree(left, right, digits)
    if not (agree(left.imag, 0, digits) and agree(right.imag, 0, digits)):
        return None
    if agree(left, right, digits):
        return None
    less = left.real < right.real
    return less if relation in (Relation.LE, Relation.LT) else not less


@dataclass(frozen=True)
class Reading:
    """What the kernel knows of a value: an interval certain to hold it (``certified``, from
    interval arithmetic; a complex value's real part, and its imaginary part in
    ``imaginary``), or an estimate from two precisions that agree, which is evidence only."""

    low: mpmath.mpf
    high: mpmath.mpf
    value: mpmath.mpc
    complex: bool = False  # certainly not real (certified), or seemingly so (estimated)
    certified: bool = False
    imaginary: tuple = (mpmath.mpf(0), mpmath.mpf(0))  # the imaginary part's ends, if certified

    @property
    def narrow(self) -> bool:
        return self.high - self.low <= mpmath.mpf(10) ** -20 * max(1, abs(self.value))


def read(expr: sp.Expr, point: Point, digits: int) -> Reading:
    try:
        value = _enclosure(expr, point, digits)
    except EvaluationError:
        pass
    else:
        if isinstance(value, _COMPLEX_INTERVAL):
            (low, high), imaginary = _ends(value.real), _ends(value.imag)
        else:
            (low, high), imaginary = _ends(value), (mpmath.mpf(0), mpmath.mpf(0))
        with mpmath.workdps(digits + 10):
            middle = mpmath.mpc((low + high) / 2, (imaginary[0] + imaginary[1]) / 2)
        return Reading(low, high, middle, certified=True, imaginary=imaginary,
                       complex=imaginary[0] > 0 or imaginary[1] < 0)
    coarse, fine = evaluate(expr, point, digits), evaluate(expr, point, 2 * digits)
    with mpmath.workdps(2 * digits + 10):
        error = abs(coarse - fine) + abs(fine) * mpmath.mpf(10) ** (8 - 2 * digits)
        if error > max(abs(fine), 1) * mpmath.mpf(10) ** -20:
            raise EvaluationError("the value changes with the working precision")
        return Reading(fine.real - error, fine.real + error, fine, complex=abs(fine.imag) > error)


def decide(relation: Relation, left: Reading, right: Reading) -> bool | None:
    """True when ``left relation right`` holds: certainly (intervals apart, or touching for
    ≤), or as evidence (an equality whose narrow intervals overlap); False only when it
    certainly fails (certified intervals apart); None when the readings cannot tell.  Two
    precisions that agree never make a False."""
    certain = left.certified and right.certified
    if left.complex or right.complex:
        if relation is not Relation.EQ:
            return None
        if certain:
            apart = (left.high < right.low or left.low > right.high
                     or left.imaginary[1] < right.imaginary[0]
                     or left.imaginary[0] > right.imaginary[1])
            return False if apart else (True if left.narrow and right.narrow else None)
        gap = abs(left.value - right.value)
        error = (left.high - left.low + right.high - right.low) / 2
        return None if gap > error else (True if left.narrow and right.narrow else None)
    if relation in (Relation.GE, Relation.GT):
        left, right = right, left
        relation = Relation.LE if relation is Relation.GE else Relation.LT
    apart = left.high < right.low or left.low > right.high
    if relation is Relation.EQ:
        if apart:
            return False if certain else None
        return True if left.narrow and right.narrow else None
    if relation is Relation.LE:
        if left.high <= right.low:
            return True
        return False if certain and left.low > right.high else None
    if left.high < right.low:  # LT
        return True
    return False if certain and left.low >= right.high else None


def order(first: Reading, second: Reading) -> int | None:
    """+1 or -1 when ``first`` is above or below ``second`` (certainly, if both readings are
    certified); None otherwise."""
    if first.complex or second.complex:
        return None
    if first.low > second.high:
        return 1
    if first.high < second.low:
        return -1
    return None


@dataclass(frozen=True)
class Comparison:
    """Whether ``left relation right`` holds at a point: ``holds`` is True (certainly, or as
    evidence), False (certainly not) or None (cannot tell, ``how`` says why)."""

    holds: bool | None
    left: Reading
    right: Reading
    how: str


MAX_EXACT_TERMS = 1_000  # terms written out to compare two values in exact rational arithmetic
MAX_EXACT_POWER = 1_000
_RATIONAL_NODES = (sp.Add, sp.Mul, sp.Pow, sp.Symbol, sp.Indexed, sp.IndexedBase, sp.Idx,
                   sp.Rational, sp.Abs, sp.sign, sp.Max, sp.Min, sp.Piecewise, ExprCondPair,
                   sp.KroneckerDelta, sp.core.relational.Relational, sp.And, sp.Or, sp.Not,
                   sp.logic.boolalg.BooleanAtom, sp.Tuple)


def compare(relation: Relation, left_expr: sp.Expr, right_expr: sp.Expr, point: Point,
            digits: int) -> Comparison:
    """Compare the two sides at ``point``: their certified enclosures first; when those
    overlap, the sign of the difference ``right - left`` (which SymPy may cancel exactly),
    certified by exact rational arithmetic or by intervals at ``digits`` and then four times
    as many.  Equal-looking values make an equality evidence only, never an order."""
    left, right = read(left_expr, point, digits), read(right_expr, point, digits)
    found = decide(relation, left, right)
    certain = left.certified and right.certified
    how = "interval arithmetic" if certain else f"{digits} and {2 * digits} digits"
    exact_point = certain and left.low == left.high == right.low == right.high
    if found is None or (found is True and relation is Relation.EQ and not exact_point):
        sign, sign_how = _certified_sign(right_expr - left_expr, point, digits)
        if sign is not None:
            return Comparison(_by_sign(relation, sign), left, right, sign_how)
        if found is None:
            how = ("the two sides are too close to tell apart" if certain else
                   f"a side has no certified enclosure here (only {digits} and {2 * digits} "
                   "digits agreeing)") + ", and the sign of their difference has none either"
    return Comparison(found, left, right, how)


def _by_sign(relation: Relation, sign: int) -> bool:
    """Whether ``left relation right`` holds when ``right - left`` has this sign."""
    return {Relation.EQ: sign == 0, Relation.LE: sign >= 0, Relation.LT: sign > 0,
            Relation.GE: sign <= 0, Relation.GT: sign < 0}[relation]


def _certified_sign(expr: sp.Expr, point: Point, digits: int):
    """The sign of ``expr`` at ``point`` and how it was certified, or (None, None)."""
    if expr == 0:
        return 0, "the difference right - left is 0"
    exact = _exact_rational(expr, point)
    if exact is not None:
        return ((exact.p > 0) - (exact.p < 0),
                f"exact rational arithmetic: right - left = {_decimal(exact)}")
    for precision in (digits, 4 * digits):
        try:
            low, high = _ends(enclose(expr, point, precision))
        except EvaluationError:
            continue
        if low > 0 or high < 0 or low == high == 0:
            return ((low > 0) - (high < 0), "interval arithmetic on the difference: right - left "
                    f"in [{mpmath.nstr(low, 3)}, {mpmath.nstr(high, 3)}]")
    return None, None


def _exact_rational(expr: sp.Expr, point: Point) -> sp.Rational | None:
    """The value of ``expr`` at ``point`` in exact rational arithmetic, when it is made of
    rational operations only (no function whose value SymPy would compare by ``evalf``)."""
    try:
        concrete = instantiate(expr, point, MAX_EXACT_TERMS)
    except EvaluationError:
        return None
    for node in sp.preorder_traversal(concrete):
        if not isinstance(node, _RATIONAL_NODES):
            return None
        if isinstance(node, sp.Pow) and not (node.exp.is_Integer
                                             and abs(node.exp) <= MAX_EXACT_POWER):
            return None
    try:
        value = concrete.xreplace(dict(point.values))
    except (ZeroDivisionError, ValueError, TypeError):
        return None
    return value if value.is_Rational else None
