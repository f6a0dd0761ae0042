"""Binary cross-entropy is two-class cross-entropy: sigmoid(z) = softmax([z, 0])_1 (entry 11)."""

import sympy as sp

from ..kernel import Context, interval, sigmoid
from .pipeline import Pipeline

ID = "binary-as-softmax"
CATEGORY = "classification"


def build():
    ctx = Context()
    z = ctx.symbol("z")
    y = ctx.symbol("y", interval(0, 1, lower_open=False, upper_open=False))
    e = sp.exp(-z)
    stretched = sp.exp(z) * (1 + e)  # e^z (1 + e^-z), kept unexpanded
    return (
        Pipeline(
            ID, "Binary cross-entropy is two-class cross-entropy", ctx,
            -(y * sp.log(sigmoid(z)) + (1 - y) * sp.log(1 - sigmoid(z))),
            summary=r"A logit $z$ and a label $y \in [0, 1]$. The sigmoid is the first softmax "
                    r"probability of the two logits $(z, 0)$: $\operatorname{sigmoid}(z) = e^z / "
                    r"(e^z + e^0) = \operatorname{softmax}(z, 0)_1$, and $1 - "
                    r"\operatorname{sigmoid}(z) = \operatorname{softmax}(z, 0)_2$. So binary "
                    r"cross-entropy with $p = \operatorname{sigmoid}(z)$ is the cross-entropy "
                    r"between the target $(y, 1 - y)$ and the softmax of $(z, 0)$: a binary "
                    r"classifier is a two-class softmax classifier with one logit fixed at 0.",
            category=CATEGORY,
        )
        .then(-(y * sp.log(1 / (1 + e)) + (1 - y) * sp.log(e / (1 + e))),
              r"$\operatorname{sigmoid}(z) = \frac{1}{1 + e^{-z}}$ and $1 - "
              r"\operatorname{sigmoid}(z) = \frac{e^{-z}}{1 + e^{-z}}$")
        .then(-(y * (z - sp.log(stretched)) - (1 - y) * sp.log(stretched)),
              r"the logarithm of a quotient of positive terms, with $\log(1 + e^{-z}) = "
              r"\log\bigl(e^z (1 + e^{-z})\bigr) - z$")
        .then(-(y * (z - sp.log(sp.exp(z) + 1)) - (1 - y) * sp.log(sp.exp(z) + 1)),
              r"multiply out $e^z (1 + e^{-z}) = e^z + 1$")
        .then(-(y * sp.log(sp.exp(z) / (sp.exp(z) + 1)) + (1 - y) * sp.log(1 / (sp.exp(z) + 1))),
              r"the logarithm of a quotient of positive terms: $\frac{e^z}{e^z + e^0}$ and "
              r"$\frac{e^0}{e^z + e^0} = \frac{1}{e^z + 1}$ are $\operatorname{softmax}(z, 0)_1$ "
              r"and $\operatorname{softmax}(z, 0)_2$, so this is the cross-entropy of the target "
              r"$(y, 1 - y)$ and $\operatorname{softmax}(z, 0)$")
        .build()
    )
