"""Expectations taken by the rules of the trusted base: linearity, the expectation of a
constant, the known moments (``laws.MOMENTS``), and the law of the unconscious statistician for
a law on finitely many values.

Linearity splits 𝔼 over the terms of the expanded body only where each term's expectation is
known to exist: a constant, or a constant times a power X^k of the variable (every law here
has finite moments of every order, an ``Arbitrary`` one by its declaration).  What is left is
kept whole in one expectation, so a sum of two terms whose expectations do not exist is never
split into ∞ - ∞.
"""

from __future__ import annotations

import functools

import mpmath
import sympy as sp

from .laws import MAX_MOMENT, Expectation, density, finite_sum, moment, support


def _power_of(term: sp.Expr, variable) -> int | None:
    """k when ``term`` is ``variable**k`` (k = 1, ..., MAX_MOMENT)."""
    if term == variable:
        return 1
    if isinstance(term, sp.Pow) and term.base == variable and term.exp.is_Integer \
            and 1 <= term.exp <= MAX_MOMENT:
        return int(term.exp)
    return None


def _over_one(body: sp.Expr, variable, law) -> sp.Expr:
    """𝔼[body] over ``variable`` drawn from ``law``, by the rules of the module."""
    summed = finite_sum(law, body, variable)
    if summed is not None:
        return summed
    known, rest = [], []
    for term in sp.Add.make_args(sp.expand(body)):
        free, bound = term.as_independent(variable, as_Add=False)
        if bound == 1:
            known.append(free)  # 𝔼[c] = c
            continue
        k = _power_of(bound, variable)
        value = moment(law, k) if k is not None else None
        if value is not None:
            known.append(free * value)
        elif k is not None:
            known.append(free * Expectation(bound, (variable, law)))  # an unknown law's moment
        else:
            rest.append(term)
    left = Expectation(sp.Add(*rest), (variable, law)) if rest else sp.S.Zero
    return sp.Add(*known) + left


def reduce_expectations(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every expectation taken as far as the rules go, innermost first: equal to
    ``expr`` whenever the expectations written in it exist."""
    if not expr.has(Expectation):
        return expr
    if isinstance(expr, Expectation):
        value = reduce_expectations(expr.function)
        for variable, law in expr.limits:  # innermost first
            value = sp.Add(*[_over_one(term, variable, law) if term.has(variable) else term
                             for term in sp.Add.make_args(sp.expand(value))])
        return value
    return expr.func(*[reduce_expectations(a) for a in expr.args])


# -- integrals ----------------------------------------------------------------------------------
CHECK_POINTS = 3  # values of the parameters at which an integral's closed form is cross-checked
CHECK_DIGITS = (20, 30)  # quadrature at two precisions, each agreeing with the closed form
CROSS_CHECK_DIGITS = 10  # to this many digits (relative, or absolute near 0)
# Both signs among the first values: a real parameter is tried negative too (SymPy's closed
# forms are likelier wrong there), and a positive one keeps 0.7, 1.3, 2.3.
_TRIAL_VALUES = (sp.Rational(7, 10), sp.Rational(-3, 5), sp.Rational(13, 10), sp.Rational(23, 10),
                 sp.Rational(-17, 10))


class IntegrationRefused(ValueError):
    """SymPy's integral was not used: why, for the rule's error."""


def as_integral(expectation: Expectation) -> sp.Expr:
    """An expectation over one continuous law with a density, as the integral of body times
    density over the support (the definition); anything else unchanged."""
    if len(expectation.limits) != 1:
        return expectation
    (variable, law), = expectation.limits
    weight = density(law, variable)
    integer, low, high, _, _ = support(law)
    if weight is None or integer:
        return expectation
    return sp.Integral(expectation.function * weight, (variable, low, high))


def _trial_points(symbols, context):
    """Values of the parameters inside their declared domains (numbers at the ends only), at
    a few trial values, or None."""
    from .numeric import Point  # numeric evaluates expectations by this module: imported late
    points = []
    for shift in range(CHECK_POINTS):
        values = {}
        for number, symbol in enumerate(sorted(symbols, key=lambda s: s.name)):
            domain = context.domain_of(symbol)
            if domain is None or domain.integer or not (domain.lower.is_number
                                                        and domain.upper.is_number):
                return None
            choices = [v for v in _TRIAL_VALUES if domain.lower < v < domain.upper]
            if not choices:
                low = domain.lower if domain.lower.is_finite else domain.upper - 2
                high = domain.upper if domain.upper.is_finite else low + 2
                choices = [low + (high - low) * sp.Rational(k, 7) for k in (2, 3, 5)]
            values[symbol] = choices[(shift + number) % len(choices)]
        if all(values != p.values for p in points):
            points.append(Point(values=values))
    return points


_SPLIT = mpmath.mpf(381966) / 10**6  # about 2 - golden ratio: no symmetry of the integrand


def quadrature_pieces(low, high) -> list:
    """The range cut once off its centre: quadrature over a symmetric range would cancel an
    odd integrand's divergence around 0 (1/t on [-1, 1] summing to 0 exactly), and agree
    with a "value" that a divergent integral does not have."""
    if mpmath.isinf(low) and mpmath.isinf(high):
        middle = _SPLIT
    elif mpmath.isinf(low):
        middle = high - 1 - _SPLIT
    elif mpmath.isinf(high):
        middle = low + 1 + _SPLIT
    else:
        middle = low + (high - low) * _SPLIT
    return [low, middle, high]


def _agrees(integral: sp.Integral, closed: sp.Expr, point) -> bool:
    """Whether mpmath's quadrature of ``integral`` at two precisions agrees with ``closed``
    at ``point`` (a cross-check, which a wrong antiderivative fails)."""
    from .numeric import EvaluationError, _Evaluator, evaluate  # imported late, as above
    (variable, low, high), = integral.limits
    for digits in CHECK_DIGITS:
        with mpmath.workdps(digits + 10):
            try:
                target = evaluate(closed, point, digits)
                ends = [evaluate(end, point, digits) if end.is_finite is not False else
                        (mpmath.inf if end == sp.oo else -mpmath.inf) for end in (low, high)]
                evaluator = _Evaluator(point, mpmath.mp, integral.function)
                evaluator.bound.add(variable)
                found = mpmath.quad(lambda t: evaluator.value(integral.function, {variable: t}),
                                    quadrature_pieces(mpmath.re(ends[0]), mpmath.re(ends[1])))
            except (EvaluationError, ZeroDivisionError, ValueError, TypeError, OverflowError):
                return False
            if not mpmath.isfinite(found) or \
                    abs(found - target) > mpmath.mpf(10) ** -CROSS_CHECK_DIGITS * max(1, abs(target)):
                return False
    return True


@functools.lru_cache(maxsize=256)
def closed_form(integral: sp.Integral) -> sp.Expr:
    """SymPy's value of a definite integral when it is a closed form with no condition (no
    integral, case split, infinity or undefined number left); IntegrationRefused otherwise.
    Not yet trusted: ``integrate_exactly`` and ``numeric`` cross-check it first."""
    closed = sp.integrate(integral.function, integral.limits[0], conds="separate")
    if isinstance(closed, tuple):
        closed, condition = closed
        if condition is not sp.true:
            raise IntegrationRefused(f"SymPy's value holds only where {condition}")
    if closed.has(sp.Integral, sp.Piecewise, sp.oo, -sp.oo, sp.zoo, sp.nan):
        raise IntegrationRefused("SymPy found no closed form")
    return closed


def cross_checked(integral: sp.Integral, point) -> sp.Expr:
    """The closed form of ``integral`` when quadrature at two precisions matches it at
    ``point``; IntegrationRefused otherwise."""
    closed = closed_form(integral)
    if not _agrees(integral, closed, point):
        raise IntegrationRefused("quadrature does not match SymPy's value")
    return closed


def _continuous(expr: sp.Expr, variable, oracle, env) -> bool:
    """Whether ``expr`` is proved continuous in ``variable`` on the range ``env`` gives it, for
    every value of the parameters in their domains: each reciprocal of something proved
    nonzero, each logarithm and non-integer power of something proved positive.  A part free
    of ``variable`` is a constant of the integral.  SymPy's definite integral takes an
    antiderivative's values at the ends, which is the integral only without a pole between
    them: 1/(t + a)**2 over (0, 1) has one for -1 < a < 0, where the integral is +oo and
    1/a - 1/(a + 1) is negative."""
    if not expr.has(variable):
        return True
    if not all(_continuous(a, variable, oracle, env) for a in expr.args):
        return False
    if isinstance(expr, (sp.Add, sp.Mul, sp.exp, sp.Abs, sp.sign, sp.Max, sp.Min, sp.Piecewise,
                         sp.KroneckerDelta)) or expr == variable:
        return True
    if isinstance(expr, sp.log):
        return oracle.bounds(expr.args[0], env).positive
    if isinstance(expr, sp.Pow):
        base = oracle.bounds(expr.base, env)
        if expr.exp.is_Integer:
            return expr.exp >= 0 or base.positive or base.negative
        return base.positive or (base.nonnegative and expr.exp.is_positive is True)
    from .definitions import sigmoid, softplus  # definitions is light: kept with its peers
    return isinstance(expr, (sigmoid, softplus))


def _continuous_inside(integral: sp.Integral, context) -> bool:
    """``_continuous`` on the open hull of the integral's ends (a singularity at an end is
    SymPy's to find: it answers with an infinity or a condition, which is refused)."""
    from .bounds import Bounds, BoundsOracle  # bounds evaluates numbers by numeric: late
    (variable, low, high), = integral.limits
    oracle = BoundsOracle(context)
    inner, _, _ = oracle.enter([(variable, low, high)])
    hull = inner[variable]
    env = {variable: Bounds(hull.lo, hull.hi, True, True)}
    return _continuous(integral.function, variable, oracle, env)


def integrate_exactly(integral: sp.Integral, context) -> sp.Expr:
    """SymPy's value of a definite integral (``closed_form``), accepted only where the
    integrand is proved continuous between the ends (``_continuous_inside``) and quadrature
    at two precisions matches it at a few values of the parameters."""
    if not _continuous_inside(integral, context):
        raise IntegrationRefused("the integrand is not proved continuous between the ends "
                                 "(a pole inside would make SymPy's value wrong)")
    closed = closed_form(integral)
    points = _trial_points(integral.free_symbols, context)
    if points is None:
        raise IntegrationRefused("no values of the parameters to cross-check it at")
    for point in points:
        cross_checked(integral, point)
    return closed


def integrate_all(expr: sp.Expr, context) -> sp.Expr:
    """Every expectation taken by the rules, what is left of one over a continuous law as its
    integral, and every integral replaced by ``integrate_exactly``, innermost first."""
    expr = reduce_expectations(expr)
    if not expr.has(sp.Integral, Expectation):
        return expr
    if isinstance(expr, Expectation):
        expr = as_integral(expr)
        if isinstance(expr, Expectation):
            return expr
    args = [integrate_all(a, context) for a in expr.args]
    expr = expr.func(*args) if args != list(expr.args) else expr
    if isinstance(expr, sp.Integral) and len(expr.limits) == 1 and len(expr.limits[0]) == 3:
        if expr.function.has(sp.Integral, Expectation):
            raise IntegrationRefused("an integral inside another one")
        return integrate_exactly(expr, context)
    return expr
