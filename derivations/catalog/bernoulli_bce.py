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
            summary="Labels y_i in {0, 1} with P(y_i = 1 | x_i) = h_i, 0 < h_i < 1, so "
                    "p(y_i | x_i) = h_i^y_i (1 - h_i)^(1 - y_i). The negative log-likelihood is "
                    "the sum of the binary cross-entropies (n times their mean); with logits "
                    "h_i = sigmoid(z_i) each term is softplus(z_i) - y_i z_i, the stable form.",
            category=CATEGORY,
            givens=(logistic,),
        )
        .then(log_of_product_as_sum, "the logarithm of a product of positive factors is the "
              "sum of their logarithms")
        .then(log_of_powers, "the logarithm of a power of a positive base")
        .then(by="the model's probability is the sigmoid of its logit", using=logistic)
        .then(per_example(y[i] * -sp.log(1 + e) + (1 - y[i]) * sp.log(e / (1 + e))),
              "sigmoid(z) = 1/(1 + e^(-z)) and 1 - sigmoid(z) = e^(-z)/(1 + e^(-z))")
        .then(per_example(y[i] * z[i] - z[i] - sp.log(1 + e)),
              "the logarithm of a quotient of positive terms; log e^(-z) = -z")
        .then(-per_example(sp.log(sp.exp(z[i]) * (1 + e)) - y[i] * z[i]),
              "z + log(1 + e^(-z)) = log(e^z (1 + e^(-z)))")
        .then(-per_example(sp.log(1 + sp.exp(z[i])) - y[i] * z[i]),
              "multiply out e^z (1 + e^(-z)) = e^z + 1")
        .then(-per_example(softplus(z[i]) - y[i] * z[i]),
              "softplus(z) = log(1 + e^z): the numerically stable form")
        .build()
    )
