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
            summary="A logit z and a label y in [0, 1]. The sigmoid is the first softmax "
                    "probability of the two logits [z, 0]: sigmoid(z) = e^z / (e^z + e^0) = "
                    "softmax([z, 0])_1, and 1 - sigmoid(z) = softmax([z, 0])_2. So binary "
                    "cross-entropy with p = sigmoid(z) is the cross-entropy between the target "
                    "(y, 1 - y) and the softmax of [z, 0]: a binary classifier is a two-class "
                    "softmax classifier with one logit fixed at 0.",
            category=CATEGORY,
        )
        .then(-(y * sp.log(1 / (1 + e)) + (1 - y) * sp.log(e / (1 + e))),
              "sigmoid(z) = 1/(1 + e^(-z)) and 1 - sigmoid(z) = e^(-z)/(1 + e^(-z))")
        .then(-(y * (z - sp.log(stretched)) - (1 - y) * sp.log(stretched)),
              "the logarithm of a quotient of positive terms, with "
              "log(1 + e^(-z)) = log(e^z (1 + e^(-z))) - z")
        .then(-(y * (z - sp.log(sp.exp(z) + 1)) - (1 - y) * sp.log(sp.exp(z) + 1)),
              "multiply out e^z (1 + e^(-z)) = e^z + 1")
        .then(-(y * sp.log(sp.exp(z) / (sp.exp(z) + 1)) + (1 - y) * sp.log(1 / (sp.exp(z) + 1))),
              "the logarithm of a quotient of positive terms: e^z/(e^z + e^0) and "
              "e^0/(e^z + e^0) = 1/(e^z + 1) are softmax([z, 0])_1 and softmax([z, 0])_2, so "
              "this is the cross-entropy of the target (y, 1 - y) and softmax([z, 0])")
        .build()
    )
