"""The negative log-likelihood of a sequence is a sum of per-token cross-entropies (entry 5)."""

import sympy as sp

from ..kernel import POSITIVE_INTEGER, Context, Given, integer_range, interval
from .pipeline import Pipeline
from .rewrites import log_of_product_as_sum

ID = "autoregressive-nll"
CATEGORY = "classification"


def build():
    ctx = Context()
    m = ctx.symbol("m", POSITIVE_INTEGER)
    V = ctx.symbol("V", POSITIVE_INTEGER)
    t = ctx.symbol("t", integer_range(1, m))
    k = ctx.symbol("k", integer_range(1, V))
    P = ctx.sequence("P", interval(0, 1))
    w = ctx.sequence("w", integer_range(1, V))
    q = ctx.sequence("q", interval(0, 1), rank=2)
    model = Given("next-token model", P[t], q[t, w[t]])
    token_nll = -sp.Sum(sp.log(q[t, w[t]]), (t, 1, m))
    return (
        Pipeline(
            ID,
            "The negative log-likelihood of a sequence is a sum of token cross-entropies", ctx,
            -sp.log(sp.Product(P[t], (t, 1, m))),
            summary=r"A sequence $w_1, \dots, w_m$ of tokens from a vocabulary of $V$, and the "
                    r"chain rule $p(w_1, \dots, w_m) = \prod_t P(w_t \mid w_{<t})$ with each "
                    r"factor $P_t \in (0, 1)$. A next-token model gives at step $t$ the "
                    r"distribution $q_t$ over the vocabulary, so $P_t = q_{t, w_t}$. The negative "
                    r"log-likelihood is the sum over positions of the cross-entropy between the "
                    r"one-hot next token and $q_t$, and it is $m$ times the logarithm of the "
                    r"perplexity, the exponential of the mean negative log-likelihood per token.",
            category=CATEGORY,
            givens=(model,),
        )
        .then(log_of_product_as_sum, "the logarithm of a product of positive factors is the sum "
              "of their logarithms")
        .then(by="the model's probability of the observed next token", using=model)
        .then(sp.Sum(-sp.Sum(sp.KroneckerDelta(k, w[t]) * sp.log(q[t, k]), (k, 1, V)), (t, 1, m)),
              r"$-\log q_{t, w_t}$ is the cross-entropy $H(\operatorname{onehot}(w_t), q_t)$: only"
              r" the term $k = w_t$ of the inner sum is left ($1 \le w_t \le V$)")
        .then(m * sp.log(sp.exp(token_nll / m, evaluate=False), evaluate=False),
              r"$m$ times the logarithm of the perplexity, the exponential of the mean negative "
              r"log-likelihood per token")
        .then(m * sp.log(sp.Product(q[t, w[t]], (t, 1, m))**(-1 / m)),
              "the perplexity is the inverse geometric mean of the probabilities of the tokens")
        .build()
    )
