"""The focal loss is cross-entropy scaled down on easy examples, and is cross-entropy at
gamma = 0 (entry 17)."""

import sympy as sp

from ..kernel import NONNEGATIVE, Context, Relation, interval
from .pipeline import Pipeline

ID = "focal-loss"
CATEGORY = "classification"


def build():
    ctx = Context()
    p = ctx.symbol("p", interval(0, 1))
    gamma = ctx.symbol("gamma", NONNEGATIVE)
    ce = -sp.log(p)
    return (
        Pipeline(
            ID, "The focal loss is cross-entropy scaled down on easy examples", ctx,
            -(1 - p)**gamma * sp.log(p),
            summary=r"$p \in (0, 1)$ is the probability $p_t$ the model gives the true class, and "
                    r"$\gamma \ge 0$ the focusing parameter. The focal loss $\mathrm{FL}(p_t) = "
                    r"-(1 - p_t)^\gamma \log p_t$ is the cross-entropy $\mathrm{CE}(p_t) = -\log "
                    r"p_t$ less the fraction $1 - (1 - p_t)^\gamma$ of it: at $\gamma = 0$ that "
                    r"fraction is 0 and the focal loss is the cross-entropy; for $\gamma > 0$ "
                    r"confident correct predictions ($p_t$ near 1) are scaled down the most, and "
                    r"the focal loss never exceeds the cross-entropy.",
            category=CATEGORY,
        )
        .then(ce - (1 - (1 - p)**gamma) * ce,
              r"the cross-entropy $-\log p_t$ less the fraction $1 - (1 - p_t)^\gamma$ of it, "
              r"which is $1 - 1 = 0$ at $\gamma = 0$")
        .then(ce, r"the fraction lies in $[0, 1)$ since $0 < 1 - p_t < 1$ and $\gamma \ge 0$, and "
                  r"$-\log p_t > 0$, so the part taken off is not negative", relation=Relation.LE)
        .build()
    )
