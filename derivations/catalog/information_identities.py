"""Mutual information: H(X) + H(Y) - H(X, Y) = H(X) - H(X | Y) = KL(p(x, y) || p(x) p(y))
(entry 10)."""

import sympy as sp

from ..kernel import POSITIVE, POSITIVE_INTEGER, Context, Given, integer_range
from .pipeline import Pipeline

ID = "information-identities"
CATEGORY = "information theory"


def build():
    ctx = Context()
    A = ctx.symbol("A", POSITIVE_INTEGER)
    B = ctx.symbol("B", POSITIVE_INTEGER)
    a = ctx.symbol("a", integer_range(1, A))
    b = ctx.symbol("b", integer_range(1, B))
    c = ctx.symbol("c", integer_range(1, A))
    e = ctx.symbol("e", integer_range(1, B))
    P = ctx.sequence("P", POSITIVE, rank=2)
    px = ctx.sequence("p_X", POSITIVE)
    py = ctx.sequence("p_Y", POSITIVE)
    marginal_x = Given("marginal of X", px[a], sp.Sum(P[a, e], (e, 1, B)))
    marginal_y = Given("marginal of Y", py[b], sp.Sum(P[c, b], (c, 1, A)))

    def both(term):  # sum over b outside, a inside
        return sp.Sum(sp.Sum(term, (a, 1, A)), (b, 1, B))

    h_x = -sp.Sum(px[a] * sp.log(px[a]), (a, 1, A))
    h_y = -sp.Sum(py[b] * sp.log(py[b]), (b, 1, B))
    h_xy = -both(P[a, b] * sp.log(P[a, b]))
    h_x_given_y = -both(P[a, b] * sp.log(P[a, b] / py[b]))
    return (
        Pipeline(
            ID,
            "Mutual information is the KL divergence from independence", ctx,
            h_x + h_y - h_xy,
            summary=r"A joint distribution $P(a, b) > 0$ of $X \in \lbrace 1, \dots, A\rbrace$ and"
                    r" $Y \in \lbrace 1, \dots, B\rbrace$, with marginals $p_X(a) = \sum_b P(a, "
                    r"b)$ and $p_Y(b) = \sum_a P(a, b)$. The conditional entropy $H(X \mid Y) = "
                    r"-\sum P(a, b) \log p(a \mid b)$, with $p(a \mid b) = P(a, b) / p_Y(b)$, is "
                    r"$H(X, Y) - H(Y)$ (it is minus the sum, a sign published notes often lose). "
                    r"So the mutual information $I(X; Y) = H(X) + H(Y) - H(X, Y)$ is $H(X) - H(X "
                    r"\mid Y)$, and it is the KL divergence of the joint from the product of its "
                    r"marginals.",
            category=CATEGORY,
            givens=(marginal_x, marginal_y),
        )
        .then(h_x - h_x_given_y,
              r"$H(Y) - H(X, Y) = -H(X \mid Y)$, with $H(X \mid Y) = -\sum P(a, b) \log p(a \mid "
              r"b)$: $p_Y(b) = \sum_a P(a, b)$, and the logarithm of a quotient of positive terms",
              using=marginal_y)
        .then(-sp.Sum(sp.Sum(P[a, b] * sp.log(px[a]), (b, 1, B)), (a, 1, A)) - h_x_given_y,
              r"$H(X) = -\sum_a \sum_b P(a, b) \log p_X(a)$, since $p_X(a) = \sum_b P(a, b)$",
              using=marginal_x)
        .then(-both(P[a, b] * sp.log(px[a])) - h_x_given_y,
              "exchange the order of the two finite sums (their ranges do not depend on "
              "each other's index)")
        .then(both(P[a, b] * sp.log(P[a, b] / (px[a] * py[b]))),
              r"one sum, and the logarithm of a quotient of positive terms: $\mathrm{KL}(P "
              r"\,\Vert\, p_X p_Y)$")
        .build()
    )
