"""Cross-entropy is KL divergence plus entropy, so both have the same minimisers over q (entry 4)."""

import sympy as sp

from ..kernel import POSITIVE, POSITIVE_INTEGER, Context, Optimization, Relation, Sense, integer_range
from .pipeline import Pipeline
from .rewrites import drop_terms_free_of

ID = "ce-kl-entropy"
CATEGORY = "information theory"


def build():
    ctx = Context()
    C = ctx.symbol("C", POSITIVE_INTEGER)
    k = ctx.symbol("k", integer_range(1, C))
    p = ctx.sequence("p", POSITIVE)
    q = ctx.sequence("q", POSITIVE)

    def total(term):
        return sp.Sum(term, (k, 1, C))

    return (
        Pipeline(
            ID, "Cross-entropy is KL divergence plus entropy", ctx,
            -total(p[k] * sp.log(q[k])),
            summary=r"Discrete distributions $p$ and $q$ on $C$ outcomes with $p_k > 0$, $q_k > "
                    r"0$. The cross-entropy $H(p, q)$ is $\mathrm{KL}(p \,\Vert\, q) + H(p)$; "
                    r"since $H(p)$ does not depend on $q$, minimising the cross-entropy over $q$ "
                    r"is minimising the KL divergence.",
            category=CATEGORY,
            optimization=Optimization((q,), Sense.MINIMIZE),
        )
        .then(-total(sp.Add(p[k] * sp.log(q[k]), -p[k] * sp.log(p[k]), p[k] * sp.log(p[k]),
                            evaluate=False)),
              r"add and subtract $p_k \log p_k$")
        .then(total(p[k] * sp.log(p[k] / q[k])) - total(p[k] * sp.log(p[k])),
              r"split the sum and combine the logarithms: $\mathrm{KL}(p \,\Vert\, q) + H(p)$")
        .then(drop_terms_free_of(q), r"$H(p)$ does not depend on $q$", relation=Relation.SAME_OPTIMIZERS)
        .build()
    )
