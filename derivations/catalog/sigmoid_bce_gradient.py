"""The gradient of binary cross-entropy through a sigmoid is (prediction - label) times input
(entry 8)."""

import sympy as sp

from ..kernel import Context, interval, sigmoid
from .pipeline import Pipeline

ID = "sigmoid-bce-gradient"
CATEGORY = "gradients"


def build():
    ctx = Context()
    theta = ctx.symbol("theta")
    x = ctx.symbol("x")
    y = ctx.symbol("y", interval(0, 1, lower_open=False, upper_open=False))
    h = sigmoid(theta * x)
    return (
        Pipeline(
            ID,
            "The gradient of binary cross-entropy through a sigmoid is (prediction - label) x",
            ctx,
            sp.Derivative(-(y * sp.log(h) + (1 - y) * sp.log(1 - h)), theta),
            summary="Logistic regression on one example: input x, label y in [0, 1] (0 or 1, or "
                    "a soft label), prediction sigmoid(theta x). The derivative of the binary "
                    "cross-entropy with respect to theta is (sigmoid(theta x) - y) x: the error "
                    "of the prediction times the input. Over a data set the gradient is the sum "
                    "of these terms.",
            category=CATEGORY,
        )
        .then(-(y * (1 - h) * x - (1 - y) * h * x),
              "the chain rule: (log sigmoid)'(z) = 1 - sigmoid(z), "
              "(log(1 - sigmoid))'(z) = -sigmoid(z), and dz/dtheta = x for z = theta x")
        .then((h - y) * x, "multiply out: the prediction minus the label, times the input")
        .build()
    )
