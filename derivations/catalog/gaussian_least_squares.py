"""Gaussian noise makes maximum likelihood least squares (catalog entry 1)."""

import sympy as sp

from ..kernel import POSITIVE, POSITIVE_INTEGER, Context, Optimization, Relation, Sense, integer_range
from .pipeline import Pipeline
from .rewrites import drop_terms_free_of, log_of_product_as_sum, negate, scale_by, take_log

ID = "gaussian-least-squares"
CATEGORY = "regression"

SAME = Relation.SAME_OPTIMIZERS


def build():
    ctx = Context()
    theta = ctx.symbol("theta")
    sigma = ctx.symbol("sigma", POSITIVE)
    n = ctx.symbol("n", POSITIVE_INTEGER)
    i = ctx.symbol("i", integer_range(1, n))
    x = ctx.sequence("x")
    y = ctx.sequence("y")
    f = ctx.function("f", 2)
    residual = y[i] - f(x[i], theta)
    density = sp.exp(-residual**2 / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)
    squares = sp.Sum(residual**2, (i, 1, n))
    return (
        Pipeline(
            ID, "Gaussian noise makes maximum likelihood least squares",
            ctx, sp.Product(density, (i, 1, n)),
            summary=r"Regression $y_i = f(x_i, \theta) + \varepsilon_i$, with independent Gaussian"
                    r" noise $\varepsilon_i$ of known standard deviation $\sigma > 0$. Maximising "
                    r"the likelihood of $\theta$ is minimising the mean squared error.",
            category=CATEGORY,
            optimization=Optimization((theta,), Sense.MAXIMIZE),
        )
        .then(take_log, "the logarithm is strictly increasing", relation=SAME)
        .then(negate, "maximising a function is minimising its negative", relation=SAME,
              sense=Sense.MINIMIZE)
        .then(log_of_product_as_sum, "the logarithm of a product of positive factors is the sum "
              "of their logarithms")
        .then(n * sp.log(sp.sqrt(2 * sp.pi) * sigma) + squares / (2 * sigma**2),
              r"expand each logarithm; the constant term appears $n$ times")
        .then(drop_terms_free_of(theta), r"drop the term that does not depend on $\theta$",
              relation=SAME)
        .then(scale_by(2 * sigma**2 / n), r"rescale by the positive constant $2\sigma^2/n$: the "
                                          r"mean squared error", relation=SAME)
        .build()
    )
