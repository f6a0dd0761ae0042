"""The Poisson negative log-likelihood, and with a log link its usual form (entry 15)."""

import sympy as sp

from ..kernel import POSITIVE, POSITIVE_INTEGER, Context, Given, integer_range
from .pipeline import Pipeline
from .rewrites import log_of_product_as_sum

ID = "poisson-nll"
CATEGORY = "regression"


def build():
    ctx = Context()
    n = ctx.symbol("n", POSITIVE_INTEGER)
    i = ctx.symbol("i", integer_range(1, n))
    y = ctx.sequence("y", integer_range(0))
    lam = ctx.sequence("lambda", POSITIVE)
    z = ctx.sequence("z")
    log_link = Given("log link", lam[i], sp.exp(z[i]))

    def total(term):
        return sp.Sum(term, (i, 1, n))

    pmf = lam[i]**y[i] * sp.exp(-lam[i]) / sp.factorial(y[i])
    return (
        Pipeline(
            ID, "The Poisson negative log-likelihood", ctx,
            -sp.log(sp.Product(pmf, (i, 1, n))),
            summary=r"Counts $y_i \in \lbrace 0, 1, 2, \dots\rbrace$ with Poisson rates $\lambda_i"
                    r" > 0$, $P(y) = \lambda^y e^{-\lambda} / y!$. Each example costs $-\log P(y) "
                    r"= \lambda - y \log\lambda + \log y!$; the last term does not depend on the "
                    r"model. With a log link, $\lambda_i = e^{z_i}$, the cost is $e^z - y z + \log"
                    r" y!$.",
            category=CATEGORY,
            givens=(log_link,),
        )
        .then(log_of_product_as_sum, "the logarithm of a product of positive factors is the "
              "sum of their logarithms")
        .then(total(lam[i] - y[i] * sp.log(lam[i]) + sp.log(sp.factorial(y[i]))),
              r"the logarithms of a power, an exponential and a quotient: $-\log P(y) = \lambda - "
              r"y \log\lambda + \log y!$")
        .then(total(sp.exp(z[i]) - y[i] * z[i] + sp.log(sp.factorial(y[i]))),
              r"a log link: the rate is the exponential of the model's output, $\lambda = e^z$, so"
              r" $\log\lambda = z$", using=log_link)
        .build()
    )
