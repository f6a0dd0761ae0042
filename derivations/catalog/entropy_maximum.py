"""The uniform distribution has the largest entropy, log C (entry 13)."""

import sympy as sp

from ..kernel import POSITIVE, POSITIVE_INTEGER, Context, Given, Relation, integer_range
from .pipeline import Pipeline

ID = "entropy-maximum"
CATEGORY = "information theory"


def build():
    ctx = Context()
    C = ctx.symbol("C", POSITIVE_INTEGER)
    k = ctx.symbol("k", integer_range(1, C))
    p = ctx.sequence("p", POSITIVE)

    def total(term):
        return sp.Sum(term, (k, 1, C))

    normalised = Given("p normalised", total(p[k]), 1)
    t = 1 / (C * p[k])
    return (
        Pipeline(
            ID, "The uniform distribution has the largest entropy", ctx,
            -total(p[k] * sp.log(p[k])),
            summary=r"A distribution $p$ on $C$ outcomes, every $p_k > 0$, summing to 1. Its "
                    r"entropy is at most $\log C$ (in bits, $\log_2 C$: 1 bit for a coin, 2 bits "
                    r"for 4 outcomes), the entropy of the uniform distribution: with $t = 1/(C "
                    r"p_k)$, $\log t \le t - 1$ term by term.",
            category=CATEGORY,
            givens=(normalised,),
        )
        .then(total(p[k] * sp.log(t) + p[k] * sp.log(C)),
              r"$\log(1/p_k) = \log\bigl(1/(C p_k)\bigr) + \log C$")
        .then(total(p[k] * (t - 1) + p[k] * sp.log(C)),
              r"$\log t \le t - 1$ for $t = 1/(C p_k) > 0$, with non-negative weights $p_k$",
              relation=Relation.LE)
        .then(1 - total(p[k]) + sp.log(C) * total(p[k]),
              r"multiply out: the $C$ terms $1/C$ add up to 1")
        .then(sp.log(C), r"$p$ sums to 1", using=normalised)
        .then(-total(sp.log(1 / C) / C),
              r"the entropy of the uniform distribution, $p_k = 1/C$")
        .build()
    )
