"""The gradient of softmax cross-entropy is softmax minus the one-hot target (entry 8)."""

import sympy as sp

from ..kernel import POSITIVE, POSITIVE_INTEGER, Context, Given, integer_range
from .pipeline import Pipeline

ID = "softmax-ce-gradient"
CATEGORY = "gradients"


def build():
    ctx = Context()
    C = ctx.symbol("C", POSITIVE_INTEGER)
    j = ctx.symbol("j", integer_range(1, C))
    k = ctx.symbol("k", integer_range(1, C))
    m = ctx.symbol("m", integer_range(1, C))
    z = ctx.sequence("z")
    q = ctx.sequence("q", POSITIVE)
    total = sp.Sum(sp.exp(z[m]), (m, 1, C))
    softmax = Given("softmax", q[k], sp.exp(z[k]) / total)
    return (
        Pipeline(
            ID,
            "The gradient of softmax cross-entropy is softmax minus the one-hot target", ctx,
            sp.Derivative(-sp.log(sp.exp(z[j]) / total), z[k]),
            summary=r"$C$ classes, logits $z$, true class $j$. The cross-entropy loss of "
                    r"$\operatorname{softmax}(z)$ is $-\log \operatorname{softmax}(z)_j$; its "
                    r"partial derivative with respect to the logit $z_k$ is "
                    r"$\operatorname{softmax}(z)_k - \delta_{kj}$, the predicted probability minus"
                    r" the one-hot target.",
            category=CATEGORY,
            givens=(softmax,),
        )
        .then(sp.Derivative(sp.log(total) - z[j], z[k]),
              r"the logarithm of a quotient of positive terms: $\operatorname{logsumexp}(z) - z_j$")
        .then(sp.Sum(sp.exp(z[m]) * sp.KroneckerDelta(m, k), (m, 1, C)) / total
              - sp.KroneckerDelta(j, k),
              r"the chain rule for the logarithm; $\partial z_m / \partial z_k = \delta_{mk}$")
        .then(sp.exp(z[k]) / total - sp.KroneckerDelta(j, k),
              r"only the term $m = k$ of the sum is left ($1 \le k \le C$)")
        .then(q[k] - sp.KroneckerDelta(j, k),
              r"$\operatorname{softmax}(z)_k = q_k$: the predicted probability minus the one-hot "
              r"target",
              using=softmax)
        .build()
    )
