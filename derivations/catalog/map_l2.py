"""A Gaussian prior on the weights turns maximum a posteriori into ridge regression (entry 7)."""

import sympy as sp

from ..kernel import (
    POSITIVE, POSITIVE_INTEGER, Context, Given, Optimization, Relation, Sense, integer_range,
)
from .pipeline import Pipeline
from .rewrites import drop_terms_free_of, log_of_product_as_sum, negate, scale_by, take_log

ID = "map-l2"
CATEGORY = "regularisation"

SAME = Relation.SAME_OPTIMIZERS


def build():
    ctx = Context()
    sigma = ctx.symbol("sigma", POSITIVE)
    tau = ctx.symbol("tau", POSITIVE)
    lam = ctx.symbol("lambda", POSITIVE)
    n = ctx.symbol("n", POSITIVE_INTEGER)
    d = ctx.symbol("d", POSITIVE_INTEGER)
    i = ctx.symbol("i", integer_range(1, n))
    j = ctx.symbol("j", integer_range(1, d))
    theta = ctx.sequence("theta")
    x = ctx.sequence("x", rank=2)
    y = ctx.sequence("y")
    ridge = Given("ridge", lam, sigma**2 / tau**2)
    residual = y[i] - sp.Sum(theta[j] * x[i, j], (j, 1, d))
    likelihood = sp.Product(sp.exp(-residual**2 / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma),
                            (i, 1, n))
    prior = sp.Product(sp.exp(-theta[j]**2 / (2 * tau**2)) / (sp.sqrt(2 * sp.pi) * tau), (j, 1, d))
    squares = sp.Sum(residual**2, (i, 1, n))
    norm = sp.Sum(theta[j]**2, (j, 1, d))
    return (
        Pipeline(
            ID, "A Gaussian prior makes maximum a posteriori ridge regression", ctx,
            likelihood * prior,
            summary=r"A linear model $y_i = \sum_j \theta_j x_{ij} + \varepsilon_i$ with "
                    r"independent Gaussian noise $\mathcal{N}(0, \sigma^2)$, and an independent "
                    r"Gaussian prior $\mathcal{N}(0, \tau^2)$ on each of the $d$ weights. The "
                    r"posterior is likelihood times prior over the evidence $p(\mathrm{data})$, "
                    r"which does not depend on $\theta$; maximising it is minimising the squared "
                    r"error plus $\lambda \Vert\theta\Vert^2$ with $\lambda = \sigma^2/\tau^2$ "
                    r"(ridge regression, weight decay).",
            category=CATEGORY,
            optimization=Optimization((theta,), Sense.MAXIMIZE),
            givens=(ridge,),
        )
        .then(take_log, "the logarithm is strictly increasing", relation=SAME)
        .then(negate, "maximising a function is minimising its negative", relation=SAME,
              sense=Sense.MINIMIZE)
        .then(lambda e: -sp.log(likelihood) - sp.log(prior),
              "the logarithm of a product of two positive factors is the sum of their logarithms")
        .then(log_of_product_as_sum, "the logarithm of a product of positive factors is the sum "
              "of their logarithms")
        .then(n * sp.log(sp.sqrt(2 * sp.pi) * sigma) + squares / (2 * sigma**2)
              + d * sp.log(sp.sqrt(2 * sp.pi) * tau) + norm / (2 * tau**2),
              r"expand each logarithm; the constant terms appear $n$ and $d$ times")
        .then(drop_terms_free_of(theta), r"drop the terms that do not depend on $\theta$",
              relation=SAME)
        .then(scale_by(2 * sigma**2), r"rescale by the positive constant $2\sigma^2$",
              relation=SAME)
        .then(squares + lam * norm, r"write $\lambda = \sigma^2/\tau^2$: ridge regression",
              relation=SAME, using=ridge)
        .build()
    )
