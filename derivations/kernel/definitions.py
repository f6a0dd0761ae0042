"""Named functions of ML notation and their definitions.

``sigmoid`` and ``softplus`` stay folded in displayed expressions; the kernel unfolds them to
their definitions before it compares or evaluates, so a proof about them is a proof about
``1/(1 + exp(-z))`` and ``log(1 + exp(z))``.
"""

from __future__ import annotations

import sympy as sp

from .substitution import rewrite


class sigmoid(sp.Function):
    """The logistic function 1/(1 + e^(-z))."""

    nargs = 1

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None

    def unfold(self) -> sp.Expr:
        return 1 / (1 + sp.exp(-self.args[0]))


class softplus(sp.Function):
    """log(1 + e^z), the smooth maximum of 0 and z."""

    nargs = 1

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None

    def unfold(self) -> sp.Expr:
        return sp.log(1 + sp.exp(self.args[0]))


DEFINED_FUNCTIONS = (sigmoid, softplus)


def unfold_definitions(expr: sp.Expr) -> sp.Expr:
    """Replace every named function by its definition (its argument unfolded first), by the
    kernel's one substitution: a definition has no free names beyond its argument, so it
    touches no sum's index and no derivative's variable."""
    if not expr.has(*DEFINED_FUNCTIONS):
        return expr

    def definition(e):
        if isinstance(e, DEFINED_FUNCTIONS):
            return type(e)(unfold_definitions(e.args[0])).unfold()
        return None

    return rewrite(expr, definition, set())
