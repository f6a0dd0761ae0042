"""The Gaussian negative log-likelihood with unknown variance, minimised by the mean squared
residual (entry 14)."""

import sympy as sp

from ..kernel import POSITIVE, POSITIVE_INTEGER, Context, Given, Relation, integer_range
from .pipeline import Pipeline
from .rewrites import log_of_product_as_sum

ID = "gaussian-nll-variance"
CATEGORY = "regression"


def build():
    ctx = Context()
    v = ctx.symbol("v", POSITIVE)
    s = ctx.symbol("s", POSITIVE)
    n = ctx.symbol("n", POSITIVE_INTEGER)
    i = ctx.symbol("i", integer_range(1, n))
    y = ctx.sequence("y")
    mu = ctx.sequence("mu")
    squares = sp.Sum((y[i] - mu[i])**2, (i, 1, n))
    mean_square = Given("mean squared residual", s, squares / n)

    def nll(variance):
        return sp.Sum(sp.log(2 * sp.pi * variance) / 2 + (y[i] - mu[i])**2 / (2 * variance),
                      (i, 1, n))

    density = sp.exp(-(y[i] - mu[i])**2 / (2 * v)) / sp.sqrt(2 * sp.pi * v)
    return (
        Pipeline(
            ID,
            "The Gaussian negative log-likelihood, and the variance that minimises it", ctx,
            -sp.log(sp.Product(density, (i, 1, n))),
            summary=r"Targets $y_i$ with predicted means $\mu_i$ and one unknown variance $v = "
                    r"\sigma^2 > 0$. Each example costs $-\log \mathcal{N}(y; \mu, v) = \frac12 "
                    r"\log(2\pi v) + \frac{(y - \mu)^2}{2v}$. Over $n$ examples, with $s > 0$ the "
                    r"mean squared residual, the negative log-likelihood at $v$ is at least its "
                    r"value at $v = s$ ($\log t \le t - 1$ with $t = s/v$): the maximum-likelihood"
                    r" variance is the mean squared residual.",
            category=CATEGORY,
            givens=(mean_square,),
        )
        .then(log_of_product_as_sum, "the logarithm of a product of positive factors is the "
              "sum of their logarithms")
        .then(nll(v), r"each term: $-\log \mathcal{N}(y; \mu, v) = \frac12 \log(2\pi v) + \frac{(y"
                      r" - \mu)^2}{2v}$")
        .then(n * sp.log(2 * sp.pi * v) / 2 + squares / (2 * v),
              r"split the sum; the constant term appears $n$ times")
        .then(n * sp.log(2 * sp.pi * v) / 2 + n * s / (2 * v),
              r"the sum of squared residuals is $n$ times their mean $s$",
              using=mean_square)
        .then(n * (sp.log(2 * sp.pi * s) + s / v - sp.log(s / v)) / 2,
              r"$\log(2\pi v) = \log(2\pi s) - \log(s/v)$")
        .then(n * (sp.log(2 * sp.pi * s) + 1) / 2,
              r"$t - \log t \ge 1$ for $t = s/v > 0$ ($\log t \le t - 1$), with the positive "
              r"weight $n/2$; equality at $v = s$", relation=Relation.GE)
        .then(n * sp.log(2 * sp.pi * s) / 2 + squares / (2 * s),
              r"$\frac{n}{2} = \frac{n s}{2s}$, and $n s$ is the sum of squared residuals",
              using=mean_square)
        .then(nll(s), r"one sum: the negative log-likelihood at $v = s$")
        .build()
    )
