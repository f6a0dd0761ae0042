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
            r"The gradient of binary cross-entropy through a sigmoid is $(\hat{y} - y)\, x$",
            ctx,
            sp.Derivative(-(y * sp.log(h) + (1 - y) * sp.log(1 - h)), theta),
            summary=r"Logistic regression on one example: input $x$, label $y \in [0, 1]$ (0 or 1,"
                    r" or a soft label), prediction $\hat{y} = \operatorname{sigmoid}(\theta x)$. "
                    r"The derivative of the binary cross-entropy with respect to $\theta$ is "
                    r"$(\operatorname{sigmoid}(\theta x) - y)\, x$: the error of the prediction "
                    r"times the input. Over a data set the gradient is the sum of these terms.",
            category=CATEGORY,
        )
        .then(-(y * (1 - h) * x - (1 - y) * h * x),
              r"the chain rule: $(\log \operatorname{sigmoid})'(z) = 1 - "
              r"\operatorname{sigmoid}(z)$, $(\log(1 - \operatorname{sigmoid}))'(z) = "
              r"-\operatorname{sigmoid}(z)$, and $\partial z / \partial\theta = x$ for $z = \theta"
              r" x$")
        .then((h - y) * x, "multiply out: the prediction minus the label, times the input")
        .build()
    )
