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
            ID, "Smooth L1 is the Huber loss divided by its threshold", ctx,
            smooth_l1,
            summary="A residual r and a threshold beta > 0. Smooth L1 is r^2/(2 beta) for "
                    "|r| < beta and |r| - beta/2 beyond; the Huber loss with delta = beta is "
                    "r^2/2 for |r| < delta and delta (|r| - delta/2) beyond. Piece by piece, "
                    "Smooth L1 is Huber divided by beta, and the linear piece is the quadratic one "
                    "minus (|r| - beta)^2/2, a correction that vanishes with its slope at "
                    "|r| = beta: both losses are continuous with a continuous first derivative "
                    "there.",
            category=CATEGORY,
        )
        .then((r**2 / 2 - sp.Piecewise((0, inside), ((sp.Abs(r) - beta)**2 / 2, True))) / beta,
              "beyond the threshold, |r| - beta/2 = (r^2/2 - (|r| - beta)^2/2)/beta: the two "
              "pieces differ by (|r| - beta)^2/(2 beta), which vanishes with its slope at "
              "|r| = beta, so value and slope are continuous at the threshold")
        .then(huber / beta, "piece by piece: the Huber loss with delta = beta, divided by beta")
        .build()
    )
