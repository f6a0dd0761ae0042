"""Laplace noise makes maximum likelihood the mean absolute error (catalog entry 6)."""

import sympy as sp

from ..kernel import (
    POSITIVE, POSITIVE_INTEGER, Context, Optimization, Relation, Sense, integer_range,
)
from .pipeline import Pipeline
from .rewrites import drop_terms_free_of, log_of_product_as_sum, negate, scale_by, take_log

ID = "laplace-mae"
CATEGORY = "regression"

SAME = Relation.SAME_OPTIMIZERS


def build():
    ctx = Context()
    theta = ctx.symbol("theta")
    b = ctx.symbol("b", POSITIVE)
    n = ctx.symbol("n", POSITIVE_INTEGER)
    i = ctx.symbol("i", integer_range(1, n))
    x = ctx.sequence("x")
    y = ctx.sequence("y")
    f = ctx.function("f", 2)
    residual = y[i] - f(x[i], theta)
    density = sp.exp(-sp.Abs(residual) / b) / (2 * b)
    return (
        Pipeline(
            ID, "Laplace noise makes maximum likelihood the mean absolute error",
            ctx, sp.Product(density, (i, 1, n)),
            summary=r"Regression $y_i = f(x_i, \theta) + \varepsilon_i$, with independent "
                    r"$\operatorname{Laplace}(0, b)$ noise of known scale $b > 0$, density "
                    r"$\frac{1}{2b} e^{-\lvert\varepsilon\rvert/b}$. Maximising the likelihood of "
                    r"$\theta$ is minimising the sum of absolute residuals, so the mean absolute "
                    r"error (MAE).",
            category=CATEGORY,
            optimization=Optimization((theta,), Sense.MAXIMIZE),
        )
        .then(take_log, "the logarithm is strictly increasing", relation=SAME)
        .then(negate, "maximising a function is minimising its negative", relation=SAME,
              sense=Sense.MINIMIZE)
        .then(log_of_product_as_sum, "the logarithm of a product of positive factors is the sum "
              "of their logarithms")
        .then(n * sp.log(2 * b) + sp.Sum(sp.Abs(residual), (i, 1, n)) / b,
              r"expand each logarithm; the constant term $\log(2b)$ appears $n$ times")
        .then(drop_terms_free_of(theta), r"drop the term that does not depend on $\theta$",
              relation=SAME)
        .then(scale_by(b / n), r"rescale by the positive constant $b/n$: the mean absolute error",
              relation=SAME)
        .build()
    )
