"""A one-hot categorical model gives cross-entropy, and with logits logsumexp minus the logit (entry 3)."""

import sympy as sp

from ..kernel import POSITIVE, POSITIVE_INTEGER, REAL, Context, Given, integer_range
from .pipeline import Pipeline
from .rewrites import log_of_powers, log_of_product_as_sum

ID = "categorical-ce"
CATEGORY = "classification"


def build():
    ctx = Context()
    C = ctx.symbol("C", POSITIVE_INTEGER)
    k = ctx.symbol("k", integer_range(1, C))
    m = ctx.symbol("m", integer_range(1, C))
    j = ctx.symbol("j", integer_range(1, C))
    y = ctx.sequence("y", REAL)
    q = ctx.sequence("q", POSITIVE)
    z = ctx.sequence("z", REAL)
    onehot = Given("onehot", y[k], sp.KroneckerDelta(k, j))
    softmax = Given("softmax", q[k], sp.exp(z[k]) / sp.Sum(sp.exp(z[m]), (m, 1, C)))
    return (
        Pipeline(
            ID, "A one-hot categorical model gives cross-entropy", ctx,
            -sp.log(sp.Product(q[k]**y[k], (k, 1, C))),
            summary=r"$C$ classes, a one-hot target $y_k = \delta_{kj}$ for the true class $j$, "
                    r"and model probabilities $q_k > 0$. The negative log-likelihood of one "
                    r"example, $-\log \prod_k q_k^{y_k}$, is the cross-entropy $H(y, q) = -\sum_k "
                    r"y_k \log q_k = -\log q_j$; with $q = \operatorname{softmax}(z)$ it is "
                    r"$\operatorname{logsumexp}(z) - z_j$. Over a data set the negative "
                    r"log-likelihood is the sum of these terms.",
            category=CATEGORY,
            givens=(onehot, softmax),
        )
        .then(log_of_product_as_sum, "the logarithm of a product of positive factors is the "
              "sum of their logarithms")
        .then(log_of_powers, r"the logarithm of a power of a positive base: $H(y, q)$")
        .then(by=r"the target is one-hot at class $j$", using=onehot)
        .then(-sp.log(q[j]), r"only the term $k = j$ is left ($1 \le j \le C$)")
        .then(by="the model's probabilities are the softmax of its logits", using=softmax)
        .then(sp.log(sp.Sum(sp.exp(z[m]), (m, 1, C))) - z[j],
              r"the logarithm of a quotient of positive terms: $\operatorname{logsumexp}(z) - z_j$")
        .build()
    )
