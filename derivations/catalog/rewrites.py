"""Named rewrite rules used by the catalog.  They only compute candidates; the kernel decides."""

from __future__ import annotations

import sympy as sp


def take_log(expr):
    return sp.log(expr)


def negate(expr):
    return -expr


def log_of_product_as_sum(expr):
    """log(∏ f) → Σ log f, wherever it occurs."""
    return expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.Product),
                        lambda e: sp.Sum(sp.log(e.args[0].function), *e.args[0].limits))


def log_of_powers(expr):
    """log(a**b · c**d) → b log a + d log c inside every logarithm."""
    def split(arg):
        return sp.Add(*[f.exp * sp.log(f.base) if isinstance(f, sp.Pow) else sp.log(f)
                        for f in sp.Mul.make_args(arg)])
    return expr.replace(lambda e: isinstance(e, sp.log), lambda e: split(e.args[0]))


def drop_terms_free_of(*variables):
    """Drop the additive terms that do not depend on ``variables``."""
    def rule(expr):
        return sp.Add(*[t for t in sp.Add.make_args(expr) if any(t.has(v) for v in variables)])
    return rule


def scale_by(factor):
    def rule(expr):
        return factor * expr
    return rule
