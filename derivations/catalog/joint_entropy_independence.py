"""The joint entropy of independent variables is the sum of their entropies (entry 10)."""

import sympy as sp

from ..kernel import POSITIVE, POSITIVE_INTEGER, Context, Given, integer_range
from .pipeline import Pipeline

ID = "joint-entropy-independence"
CATEGORY = "information theory"


def build():
    ctx = Context()
    A = ctx.symbol("A", POSITIVE_INTEGER)
    B = ctx.symbol("B", POSITIVE_INTEGER)
    a = ctx.symbol("a", integer_range(1, A))
    b = ctx.symbol("b", integer_range(1, B))
    p = ctx.sequence("p", POSITIVE)
    q = ctx.sequence("q", POSITIVE)
    p_normalised = Given("p normalised", sp.Sum(p[a], (a, 1, A)), 1)
    q_normalised = Given("q normalised", sp.Sum(q[b], (b, 1, B)), 1)

    def both(term):
        return sp.Sum(sp.Sum(term, (a, 1, A)), (b, 1, B))

    h_x = -sp.Sum(p[a] * sp.log(p[a]), (a, 1, A))
    h_y = -sp.Sum(q[b] * sp.log(q[b]), (b, 1, B))
    return (
        Pipeline(
            ID,
            "The joint entropy of independent variables is the sum of their entropies", ctx,
            -both(p[a] * q[b] * sp.log(p[a] * q[b])),
            summary=r"$X \in \lbrace 1, \dots, A\rbrace$ and $Y \in \lbrace 1, \dots, B\rbrace$ "
                    r"independent, $p(x, y) = p(x)\, q(y)$ with $p, q > 0$ each summing to 1. Then"
                    r" $H(X, Y) = H(X) + H(Y)$ (and so the mutual information is 0).",
            category=CATEGORY,
            givens=(p_normalised, q_normalised),
        )
        .then(-both(p[a] * q[b] * sp.log(p[a]) + p[a] * q[b] * sp.log(q[b])),
              "the logarithm of a product of positive numbers")
        .then(sp.Sum(q[b], (b, 1, B)) * h_x + sp.Sum(p[a], (a, 1, A)) * h_y,
              "split the double sum and take out of each sum the factors free of its index")
        .then(h_x + h_y, r"both distributions sum to 1: $H(X) + H(Y)$",
              using=(p_normalised, q_normalised))
        .build()
    )
