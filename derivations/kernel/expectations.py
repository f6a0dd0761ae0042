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

import sympy as sp

from .laws import MAX_MOMENT, Expectation, finite_sum, moment


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
