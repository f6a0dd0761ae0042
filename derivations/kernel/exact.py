"""Expressions written out exactly, for what must tell claims apart: cache keys, seeds,
signatures, and the canonical order of nested sums."""

from __future__ import annotations

import functools

import sympy as sp
from sympy.core.function import AppliedUndef


@functools.lru_cache(maxsize=4096)
def exact_text(expr) -> str:
    """Every node's class and, for every leaf, its ``srepr`` (a symbol's assumptions, a
    number's exact value), so that two expressions have the same text only when SymPy holds
    them identical.  Unlike ``srepr`` of the whole, it keeps the order of the arguments that
    SymPy already fixed instead of sorting them again for printing, which made writing out a
    claim thirty times slower than this.  Kept per expression: a step's right side is the next
    step's left."""
    return _text(expr)


def _text(expr) -> str:
    if isinstance(expr, (tuple, list)):
        return "(" + ",".join(_text(item) for item in expr) + ")"
    if not isinstance(expr, sp.Basic) or not expr.args:
        return _leaf_text(type(expr), expr)
    head = type(expr).__name__
    if isinstance(expr, AppliedUndef):  # srepr leaves out an unknown function's assumptions
        head = f"Function({head!r}, {sorted(expr.func.default_assumptions.items())})"
    return head + "(" + ",".join(_text(arg) for arg in expr.args) + ")"


@functools.lru_cache(maxsize=4096)
def _leaf_text(kind: type, leaf) -> str:
    """A leaf's ``srepr``, kept: the same symbols recur in every step.  Keyed by its class
    too, so that leaves SymPy may call equal (1 and 1.0) are never confused."""
    return sp.srepr(leaf)
