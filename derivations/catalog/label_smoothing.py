"""Label smoothing mixes the one-hot cross-entropy with the uniform one (entry 16)."""

import sympy as sp

from ..kernel import POSITIVE, POSITIVE_INTEGER, Context, Given, integer_range, interval
from .pipeline import Pipeline

ID = "label-smoothing"
CATEGORY = "classification"


def build():
    ctx = Context()
    C = ctx.symbol("C", POSITIVE_INTEGER)
    j = ctx.symbol("j", integer_range(1, C))
    k = ctx.symbol("k", integer_range(1, C))
    m = ctx.symbol("m", integer_range(1, C))
    eps = ctx.symbol("epsilon", interval(0, 1))
    p = ctx.sequence("p", POSITIVE)
    q = ctx.sequence("q", POSITIVE)
    z = ctx.sequence("z")

    def total(term):
        return sp.Sum(term, (k, 1, C))

    normaliser = sp.Sum(sp.exp(z[m]), (m, 1, C))
    smoothed = Given("smoothed target", p[k], (1 - eps) * sp.KroneckerDelta(k, j) + eps / C)
    softmax = Given("softmax", q[k], sp.exp(z[k]) / normaliser)
    return (
        Pipeline(
            ID, "Label smoothing mixes one-hot and uniform cross-entropy", ctx,
            -total(p[k] * sp.log(q[k])),
            summary="C classes, true class j, model probabilities q_k > 0. Label smoothing with "
                    "0 < epsilon < 1 trains on the target p = (1 - epsilon) onehot(j) + "
                    "epsilon/C. Its cross-entropy H(p, q) is (1 - epsilon) H(onehot, q) + "
                    "epsilon (1/C) sum_k -log q_k, the one-hot loss mixed with the cross-entropy "
                    "from the uniform distribution; with q = softmax(z) it is logsumexp(z) - "
                    "(1 - epsilon) z_j - (epsilon/C) sum_k z_k.",
            category=CATEGORY,
            givens=(smoothed, softmax),
        )
        .then(by="the smoothed target", using=smoothed)
        .then((1 - eps) * -total(sp.KroneckerDelta(k, j) * sp.log(q[k]))
              + eps * total(-sp.log(q[k])) / C,
              "split the sum: (1 - epsilon) H(onehot, q) + epsilon (1/C) sum_k -log q_k")
        .then(-(1 - eps) * sp.log(q[j]) - eps * total(sp.log(q[k])) / C,
              "only the term k = j of the first sum is left (1 <= j <= C)")
        .then(by="the model's probabilities are the softmax of its logits", using=softmax)
        .then(sp.log(normaliser) - (1 - eps) * z[j] - eps * total(z[k]) / C,
              "the logarithm of a quotient of positive terms; the C terms log sum_m e^(z_m) "
              "add up with total weight (1 - epsilon) + epsilon = 1")
        .build()
    )
