"""Expressions written out exactly, for what must tell claims apart: cache keys, seeds,
signatures, and the canonical order of nested sums."""

from __future__ import annotations

import functools

import sympy as sp
from sympy.core.function import AppliedUndef


def exact_text(expr) -> str:
    """Every node's class and, for every leaf, its ``srepr`` (a symbol's assumptions, a
    number's exact value), so that two expressions have the same text only when SymPy holds
    them identical.  Unlike ``srepr`` of the whole, it keeps the order of the arguments that
    SymPy already fixed instead of sorting them again for printing, which made writing out a
    claim thirty times slower than this."""
    return _kept_text(type(expr), expr)


@functools.lru_cache(maxsize=4096)
def _kept_text(kind: type, expr) -> str:
    """Kept per expression, since a step's right side is the next step's left; keyed by its
    class too, so that what SymPy calls equal across classes (1 and 1.0, a tuple and a
    ``Tuple``) is never confused."""
    return _text(expr)


def _text(expr) -> str:
    if isinstance(expr, (tuple, list)):
        return "(" + ",".join(_text(item) for item in expr) + ")"
    if not isinstance(expr, sp.Basic):
        return sp.srepr(expr)
    if isinstance(expr, AppliedUndef):  # srepr leaves out an unknown function's assumptions
        assumptions = sorted(expr.func.default_assumptions.items())
        head = f"Function({type(expr).__name__!r}, {assumptions})"
    elif not expr.args or isinstance(expr, sp.IndexedBase):
        return _whole_text(type(expr), expr)
    else:
        head = type(expr).__name__
    return head + "(" + ",".join(_text(arg) for arg in expr.args) + ")"


@functools.lru_cache(maxsize=4096)
def _whole_text(kind: type, expr) -> str:
    """A leaf's ``srepr``, or a sequence's with the assumptions that it keeps outside its
    arguments (and srepr leaves out); kept, keyed like ``_kept_text``: the same symbols and
    sequences recur in every step."""
    if isinstance(expr, sp.IndexedBase):
        return f"IndexedBase({sorted(expr.assumptions0.items())}, {_text(expr.args)})"
    if isinstance(expr, sp.Rational) and max(abs(expr.p), expr.q).bit_length() > _LONG_BITS:
        # in hexadecimal: Python writes an integer of more than 4300 digits in decimal only
        # when told to (factorial(1000)**2 has 5136)
        return f"Rational({expr.p:#x}, {expr.q:#x})"
    return sp.srepr(expr)


_LONG_BITS = 10_000  # about 3000 decimal digits
