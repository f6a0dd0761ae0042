"""A Laplace prior on the weights turns maximum a posteriori into the lasso (entry 7)."""

import sympy as sp

from ..kernel import (
    POSITIVE, POSITIVE_INTEGER, Context, Given, Optimization, Relation, Sense, integer_range,
)
from .pipeline import Pipeline
from .rewrites import drop_terms_free_of, log_of_product_as_sum, negate, scale_by, take_log

ID = "map-l1"
CATEGORY = "regularisation"

SAME = Relation.SAME_OPTIMIZERS


def build():
    ctx = Context()
    sigma = ctx.symbol("sigma", POSITIVE)
    b = ctx.symbol("b", POSITIVE)
    lam = ctx.symbol("lambda", POSITIVE)
    n = ctx.symbol("n", POSITIVE_INTEGER)
    d = ctx.symbol("d", POSITIVE_INTEGER)
    i = ctx.symbol("i", integer_range(1, n))
    j = ctx.symbol("j", integer_range(1, d))
    theta = ctx.sequence("theta")
    x = ctx.sequence("x", rank=2)
    y = ctx.sequence("y")
    lasso = Given("lasso", lam, 2 * sigma**2 / b)
    residual = y[i] - sp.Sum(theta[j] * x[i, j], (j, 1, d))
    likelihood = sp.Product(sp.exp(-residual**2 / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma),
                            (i, 1, n))
    prior = sp.Product(sp.exp(-sp.Abs(theta[j]) / b) / (2 * b), (j, 1, d))
    squares = sp.Sum(residual**2, (i, 1, n))
    norm = sp.Sum(sp.Abs(theta[j]), (j, 1, d))
    return (
        Pipeline(
            ID, "A Laplace prior makes maximum a posteriori the lasso", ctx,
            likelihood * prior,
            summary=r"A linear model $y_i = \sum_j \theta_j x_{ij} + \varepsilon_i$ with "
                    r"independent Gaussian noise $\mathcal{N}(0, \sigma^2)$, and an independent "
                    r"$\operatorname{Laplace}(0, b)$ prior, density $\frac{1}{2b} e^{-\lvert "
                    r"t\rvert/b}$, on each of the $d$ weights. Maximising the posterior (the "
                    r"evidence $p(\mathrm{data})$ does not depend on $\theta$) is minimising the "
                    r"squared error plus $\lambda \Vert\theta\Vert_1$ with $\lambda = "
                    r"2\sigma^2/b$: the lasso.",
            category=CATEGORY,
            optimization=Optimization((theta,), Sense.MAXIMIZE),
            givens=(lasso,),
        )
        .then(take_log, "the logarithm is strictly increasing", relation=SAME)
        .then(negate, "maximising a function is minimising its negative", relation=SAME,
              sense=Sense.MINIMIZE)
        .then(lambda e: -sp.log(likelihood) - sp.log(prior),
              "the logarithm of a product of two positive factors is the sum of their logarithms")
        .then(log_of_product_as_sum, "the logarithm of a product of positive factors is the sum "
              "of their logarithms")
        .then(n * sp.log(sp.sqrt(2 * sp.pi) * sigma) + squares / (2 * sigma**2)
              + d * sp.log(2 * b) + norm / b,
              r"expand each logarithm; the constant terms appear $n$ and $d$ times")
        .then(drop_terms_free_of(theta), r"drop the terms that do not depend on $\theta$",
              relation=SAME)
        .then(scale_by(2 * sigma**2), r"rescale by the positive constant $2\sigma^2$",
              relation=SAME)
        .then(squares + lam * norm, r"write $\lambda = 2\sigma^2/b$: the lasso",
              relation=SAME, using=lasso)
        .build()
    )
