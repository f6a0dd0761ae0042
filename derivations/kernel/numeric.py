"""Evaluation at a concrete point, at high precision: the kernel's numeric evidence.

A point fixes the sizes (n = 3), the integer symbols (j = 2), every scalar and sequence entry
(exact decimals such as sigma = 0.731, so a person can redo the arithmetic), and a concrete
function for each declared unknown function.  Sums and products over a concrete range are
expanded term by term (never summed in closed form), then everything is evaluated by mpmath
through ``evalf`` at the requested number of digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import sympy as sp

from sympy.core.function import AppliedUndef

from .definitions import DEFINED_FUNCTIONS, unfold_definitions
from .relations import Relation

MAX_TERMS = 20_000


class EvaluationError(ValueError):
    """The expression has no finite value at this point (a pole, a log of zero, too many terms)."""


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
    digits = 0
    while (value * 10**digits).q != 1:
        digits += 1
    scaled = int(value * 10**digits)
    sign = "-" if scaled < 0 else ""
    text = str(abs(scaled)).rjust(digits + 1, "0")
    return sign + (text[:-digits] + "." + text[-digits:] if digits else text)


def expand_finite(expr: sp.Expr) -> sp.Expr:
    """Write every sum and product with concrete integer limits out term by term."""
    budget = [MAX_TERMS]

    def walk(e):
        if isinstance(e, (sp.Sum, sp.Product)):
            body = e.function
            # Limits are innermost first; expand the outermost, then recurse into the rest.
            *inner, (index, a, b) = e.limits
            a, b = walk(a), walk(b)
            if not (a.is_Integer and b.is_Integer):
                raise EvaluationError(f"the range {a}..{b} of {index} is not concrete")
            if b < a - 1:
                raise EvaluationError(f"the range {a}..{b} of {index} is reversed")
            count = int(b - a + 1)
            budget[0] -= count
            if budget[0] < 0:
                raise EvaluationError(f"more than {MAX_TERMS} terms to evaluate")
            rest = type(e)(body, *inner) if inner else body
            terms = [walk(rest.xreplace({index: sp.Integer(k)})) for k in range(int(a), int(b) + 1)]
            return sp.Add(*terms) if isinstance(e, sp.Sum) else sp.Mul(*terms)
        if not e.args:
            return e
        return e.func(*[walk(a) for a in e.args])

    return walk(expr)


def instantiate(expr: sp.Expr, point: Point) -> sp.Expr:
    """Fix sizes, integers and functions; expand sums; evaluate derivatives.  Values stay free."""
    e = unfold_definitions(expr).xreplace({k: sp.Integer(v) for k, v in point.integers.items()})
    e = expand_finite(e)
    for function, body in point.functions.items():
        e = e.replace(function, body)
    if e.has(sp.Derivative):
        e = e.doit(deep=True)
    return e


def evaluate(expr: sp.Expr, point: Point, digits: int) -> mpmath.mpc:
    """The value of ``expr`` at ``point`` with ``digits`` significant digits, or EvaluationError.

    A direct interpreter: sums and products loop over their range without building the
    expanded expression, every operation is mpmath's at ``digits + 10`` digits."""
    with mpmath.workdps(digits + 10):
        try:
            value = mpmath.mpmathify(_Evaluator(point).value(expr, {}))
        except (ZeroDivisionError, OverflowError, ValueError, TypeError) as exc:
            raise EvaluationError(f"no finite value here ({exc})") from exc
        if not mpmath.isfinite(value):
            raise EvaluationError("not finite here")
        return mpmath.mpc(value)


_CONSTANTS = {sp.pi: lambda: mpmath.pi, sp.E: lambda: mpmath.e, sp.I: lambda: mpmath.j}
_UNARY = {
    sp.exp: mpmath.exp, sp.sin: mpmath.sin, sp.cos: mpmath.cos, sp.tanh: mpmath.tanh,
    sp.Abs: abs, sp.sign: mpmath.sign, sp.factorial: mpmath.factorial,
}


class _Evaluator:
    def __init__(self, point: Point):
        self.point = point
        self.budget = MAX_TERMS

    def integer(self, expr, env) -> int:
        value = self.value(expr, env)
        if value != int(mpmath.nint(mpmath.re(value))):
            raise EvaluationError(f"{expr} is not an integer here")
        return int(mpmath.nint(mpmath.re(value)))

    def value(self, e, env):
        if e in env:
            return env[e]
        if e.is_Number:
            return mpmath.mpf(e.p) / e.q if e.is_Rational else mpmath.mpf(e._mpf_) if e.is_Float \
                else _infinite(e)
        if e in _CONSTANTS:
            return _CONSTANTS[e]()
        if isinstance(e, sp.Symbol):
            if e in self.point.integers:
                return mpmath.mpf(self.point.integers[e])
            return self._lookup(e)
        if isinstance(e, sp.Indexed):
            entry = e.base[tuple(sp.Integer(self.integer(i, env)) for i in e.indices)]
            return self._lookup(entry)
        if isinstance(e, sp.Add):
            return mpmath.fsum(self.value(a, env) for a in e.args)
        if isinstance(e, sp.Mul):
            return mpmath.fprod(self.value(a, env) for a in e.args)
        if isinstance(e, sp.Pow):
            base = self.value(e.base, env)
            if e.exp.is_Integer:
                return mpmath.power(base, int(e.exp))
            exponent = self.value(e.exp, env)
            if base == 0 and mpmath.re(exponent) <= 0:
                raise EvaluationError("0 to a non-positive power")
            return mpmath.power(base, exponent)
        if isinstance(e, sp.log):
            argument = self.value(e.args[0], env)
            if argument == 0:
                raise EvaluationError("the logarithm of 0")
            value = mpmath.log(argument)
            return value / mpmath.log(self.value(e.args[1], env)) if len(e.args) == 2 else value
        if type(e) in _UNARY:
            return _UNARY[type(e)](self.value(e.args[0], env))
        if isinstance(e, (sp.Sum, sp.Product)):
            return self._big_operator(e, env)
        if isinstance(e, sp.KroneckerDelta):
            return mpmath.mpf(self.integer(e.args[0], env) == self.integer(e.args[1], env))
        if isinstance(e, (sp.Max, sp.Min)):
            values = [mpmath.re(self.value(a, env)) for a in e.args]
            return max(values) if isinstance(e, sp.Max) else min(values)
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
        if isinstance(e, sp.Derivative):
            return self.value(self._derivative(e, env), env)
        raise EvaluationError(f"cannot evaluate {type(e).__name__}")

    def _lookup(self, atom):
        try:
            return mpmath.mpf(self.point.values[atom].p) / self.point.values[atom].q
        except KeyError:
            raise EvaluationError(f"no value for {_atom_text(atom)}") from None

    def _big_operator(self, e, env):
        *inner, (index, a, b) = e.limits
        low, high = self.integer(a, env), self.integer(b, env)
        if high < low - 1:
            raise EvaluationError(f"the range {low}..{high} of {index} is reversed")
        self.budget -= high - low + 1
        if self.budget < 0:
            raise EvaluationError(f"more than {MAX_TERMS} terms to evaluate")
        body = type(e)(e.function, *inner) if inner else e.function
        terms = (self.value(body, {**env, index: mpmath.mpf(k)}) for k in range(low, high + 1))
        return mpmath.fsum(terms) if isinstance(e, sp.Sum) else mpmath.fprod(terms)

    def _derivative(self, e, env):
        """Differentiate symbolically once the functions and bound indices are concrete."""
        fixed = {k: sp.Integer(int(v)) for k, v in env.items() if isinstance(k, sp.Symbol)}
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
            left = mpmath.re(self.value(condition.lhs, env))
            right = mpmath.re(self.value(condition.rhs, env))
            return {"<": left < right, "<=": left <= right, ">": left > right,
                    ">=": left >= right, "==": left == right, "!=": left != right}[condition.rel_op]
        raise EvaluationError(f"cannot decide the condition {condition}")


def _infinite(e):
    raise EvaluationError(f"{e} is not finite")


def agree(left: mpmath.mpc, right: mpmath.mpc, digits: int) -> bool:
    """Equal to ``digits - 8`` significant digits (relative to the larger side, or absolutely near 0)."""
    scale = max(abs(left), abs(right), mpmath.mpf(1))
    return abs(left - right) <= scale * mpmath.mpf(10) ** (8 - digits)


def show_number(value: mpmath.mpc, digits: int = 10) -> str:
    """A value for a person: real when it is real, ``a + bi`` otherwise."""
    real = mpmath.nstr(value.real, digits)
    if value.imag == 0:
        return real
    sign = "-" if value.imag < 0 else "+"
    return f"{real} {sign} {mpmath.nstr(abs(value.imag), digits)}i"


def holds(relation: Relation, left: mpmath.mpc, right: mpmath.mpc, digits: int) -> bool | None:
    """Whether ``left relation right`` holds; None when an order is asked of complex values."""
    if relation is Relation.EQ:
        return agree(left, right, digits)
    if not (agree(left.imag, 0, digits) and agree(right.imag, 0, digits)):
        return None
    if agree(left, right, digits):
        return relation in (Relation.LE, Relation.GE)
    less = left.real < right.real
    return less if relation in (Relation.LE, Relation.LT) else not less
