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
            summary=r"$C$ classes, true class $j$, model probabilities $q_k > 0$. Label smoothing "
                    r"with $0 < \varepsilon < 1$ trains on the target $p = (1 - \varepsilon) "
                    r"\operatorname{onehot}(j) + \varepsilon/C$. Its cross-entropy $H(p, q)$ is "
                    r"$(1 - \varepsilon) H(\operatorname{onehot}, q) + \frac{\varepsilon}{C} "
                    r"\sum_k (-\log q_k)$, the one-hot loss mixed with the cross-entropy from the "
                    r"uniform distribution; with $q = \operatorname{softmax}(z)$ it is "
                    r"$\operatorname{logsumexp}(z) - (1 - \varepsilon) z_j - \frac{\varepsilon}{C}"
                    r" \sum_k z_k$.",
            category=CATEGORY,
            givens=(smoothed, softmax),
        )
        .then(by="the smoothed target", using=smoothed)
        .then((1 - eps) * -total(sp.KroneckerDelta(k, j) * sp.log(q[k]))
              + eps * total(-sp.log(q[k])) / C,
              r"split the sum: $(1 - \varepsilon) H(\operatorname{onehot}, q) + "
              r"\frac{\varepsilon}{C} \sum_k (-\log q_k)$")
        .then(-(1 - eps) * sp.log(q[j]) - eps * total(sp.log(q[k])) / C,
              r"only the term $k = j$ of the first sum is left ($1 \le j \le C$)")
        .then(by="the model's probabilities are the softmax of its logits", using=softmax)
        .then(sp.log(normaliser) - (1 - eps) * z[j] - eps * total(z[k]) / C,
              r"the logarithm of a quotient of positive terms; the $C$ terms $\log \sum_m e^{z_m}$"
              r" add up with total weight $(1 - \varepsilon) + \varepsilon = 1$")
        .build()
    )
