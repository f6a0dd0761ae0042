"""Gibbs' inequality: the KL divergence is never negative (entry 9)."""

import sympy as sp

from ..kernel import POSITIVE, POSITIVE_INTEGER, Context, Given, Relation, integer_range
from .pipeline import Pipeline

ID = "gibbs-inequality"
CATEGORY = "information theory"


def build():
    ctx = Context()
    C = ctx.symbol("C", POSITIVE_INTEGER)
    k = ctx.symbol("k", integer_range(1, C))
    p = ctx.sequence("p", POSITIVE)
    q = ctx.sequence("q", POSITIVE)

    def total(term):
        return sp.Sum(term, (k, 1, C))

    p_normalised = Given("p normalised", total(p[k]), 1)
    q_normalised = Given("q normalised", total(q[k]), 1)
    return (
        Pipeline(
            ID, "Gibbs' inequality: the KL divergence is never negative", ctx,
            total(p[k] * sp.log(p[k] / q[k])),
            summary=r"Distributions $p$ and $q$ on $C$ outcomes, every $p_k > 0$ and $q_k > 0$, "
                    r"each summing to 1. Term by term, $\log t \le t - 1$ for $t = q_k / p_k > 0$ "
                    r"with the non-negative weight $p_k$, so $\mathrm{KL}(p \,\Vert\, q) = \sum_k "
                    r"p_k \log(p_k / q_k) \ge \sum_k q_k - \sum_k p_k = 0$. (The lemma holds with "
                    r"equality only at $t = 1$, so $\mathrm{KL}(p \,\Vert\, q) = 0$ only when $p ="
                    r" q$; that converse is not part of this chain.)",
            category=CATEGORY,
            givens=(p_normalised, q_normalised),
        )
        .then(total(-p[k] * sp.log(q[k] / p[k])),
              r"$\log(p_k / q_k) = -\log(q_k / p_k)$ for positive $p_k$, $q_k$")
        .then(total(-p[k] * (q[k] / p[k] - 1)),
              r"$\log t \le t - 1$ for $t = q_k / p_k > 0$, with non-negative weights $p_k$",
              relation=Relation.GE)
        .then(total(p[k]) - total(q[k]), "multiply out and split the sum")
        .then(0, "both distributions sum to 1", using=(p_normalised, q_normalised))
        .build()
    )
