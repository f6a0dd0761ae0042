"""Smooth L1 is the Huber loss over its threshold; both are smooth at the threshold (entry 12)."""

import sympy as sp

from ..kernel import POSITIVE, Context
from .pipeline import Pipeline

ID = "huber-smoothl1"
CATEGORY = "regression"


def build():
    ctx = Context()
    r = ctx.symbol("r")
    beta = ctx.symbol("beta", POSITIVE)
    inside = sp.Abs(r) < beta
    smooth_l1 = sp.Piecewise((r**2 / (2 * beta), inside), (sp.Abs(r) - beta / 2, True))
    huber = sp.Piecewise((r**2 / 2, inside), (beta * (sp.Abs(r) - beta / 2), True))
    return (
        Pipeline(
            ID, r"Smooth $L_1$ is the Huber loss divided by its threshold", ctx,
            smooth_l1,
            summary=r"A residual $r$ and a threshold $\beta > 0$. Smooth $L_1$ is $r^2/(2\beta)$ "
                    r"for $\lvert r\rvert < \beta$ and $\lvert r\rvert - \beta/2$ beyond; the "
                    r"Huber loss with $\delta = \beta$ is $r^2/2$ for $\lvert r\rvert < \delta$ "
                    r"and $\delta (\lvert r\rvert - \delta/2)$ beyond. Piece by piece, Smooth "
                    r"$L_1$ is Huber divided by $\beta$, and the linear piece is the quadratic one"
                    r" minus $(\lvert r\rvert - \beta)^2/2$, a correction that vanishes with its "
                    r"slope at $\lvert r\rvert = \beta$: both losses are continuous with a "
                    r"continuous first derivative there.",
            category=CATEGORY,
        )
        .then((r**2 / 2 - sp.Piecewise((0, inside), ((sp.Abs(r) - beta)**2 / 2, True))) / beta,
              r"beyond the threshold, $\lvert r\rvert - \beta/2 = \bigl(r^2/2 - (\lvert r\rvert - "
              r"\beta)^2/2\bigr)/\beta$: the two pieces differ by $(\lvert r\rvert - "
              r"\beta)^2/(2\beta)$, which vanishes with its slope at $\lvert r\rvert = \beta$, so "
              r"value and slope are continuous at the threshold")
        .then(huber / beta, r"piece by piece: the Huber loss with $\delta = \beta$, divided by "
                            r"$\beta$")
        .build()
    )
