"""A Bernoulli likelihood gives binary cross-entropy, and with logits its stable form (entry 2)."""

import sympy as sp

from ..kernel import POSITIVE_INTEGER, Context, Given, integer_range, interval, sigmoid, softplus
from .pipeline import Pipeline
from .rewrites import log_of_powers, log_of_product_as_sum

ID = "bernoulli-bce"
CATEGORY = "classification"


def build():
    ctx = Context()
    n = ctx.symbol("n", POSITIVE_INTEGER)
    i = ctx.symbol("i", integer_range(1, n))
    y = ctx.sequence("y", integer_range(0, 1))
    h = ctx.sequence("h", interval(0, 1))
    z = ctx.sequence("z")
    logistic = Given("logistic", h[i], sigmoid(z[i]))
    e = sp.exp(-z[i])

    def per_example(term):
        return -sp.Sum(term, (i, 1, n))

    return (
        Pipeline(
            ID, "A Bernoulli likelihood gives binary cross-entropy", ctx,
            -sp.log(sp.Product(h[i]**y[i] * (1 - h[i])**(1 - y[i]), (i, 1, n))),
            summary=r"Labels $y_i \in \lbrace 0, 1\rbrace$ with $P(y_i = 1 \mid x_i) = h_i$, $0 < "
                    r"h_i < 1$, so $p(y_i \mid x_i) = h_i^{y_i} (1 - h_i)^{1 - y_i}$. The negative"
                    r" log-likelihood is the sum of the binary cross-entropies ($n$ times their "
                    r"mean); with logits, $h_i = \operatorname{sigmoid}(z_i)$, each term is "
                    r"$\operatorname{softplus}(z_i) - y_i z_i$, the stable form.",
            category=CATEGORY,
            givens=(logistic,),
        )
        .then(log_of_product_as_sum, "the logarithm of a product of positive factors is the "
              "sum of their logarithms")
        .then(log_of_powers, "the logarithm of a power of a positive base")
        .then(by="the model's probability is the sigmoid of its logit", using=logistic)
        .then(per_example(y[i] * -sp.log(1 + e) + (1 - y[i]) * sp.log(e / (1 + e))),
              r"$\operatorname{sigmoid}(z) = \frac{1}{1 + e^{-z}}$ and $1 - "
              r"\operatorname{sigmoid}(z) = \frac{e^{-z}}{1 + e^{-z}}$")
        .then(per_example(y[i] * z[i] - z[i] - sp.log(1 + e)),
              r"the logarithm of a quotient of positive terms; $\log e^{-z} = -z$")
        .then(-per_example(sp.log(sp.exp(z[i]) * (1 + e)) - y[i] * z[i]),
              r"$z + \log(1 + e^{-z}) = \log\bigl(e^z (1 + e^{-z})\bigr)$")
        .then(-per_example(sp.log(1 + sp.exp(z[i])) - y[i] * z[i]),
              r"multiply out $e^z (1 + e^{-z}) = e^z + 1$")
        .then(-per_example(softplus(z[i]) - y[i] * z[i]),
              r"$\operatorname{softplus}(z) = \log(1 + e^z)$: the numerically stable form")
        .build()
    )
