"""The slope of the squared error on y = a x, its zero, and one step of gradient descent
(entry 8)."""

import sympy as sp

from ..kernel import POSITIVE, POSITIVE_INTEGER, Context, Given, integer_range
from .pipeline import Pipeline

ID = "least-squares-gradient"
CATEGORY = "gradients"


def build():
    ctx = Context()
    a = ctx.symbol("a")
    eta = ctx.symbol("eta", POSITIVE)
    C = ctx.symbol("C", POSITIVE)
    n = ctx.symbol("n", POSITIVE_INTEGER)
    i = ctx.symbol("i", integer_range(1, n))
    x = ctx.sequence("x")
    y = ctx.sequence("y")

    def total(term):
        return sp.Sum(term, (i, 1, n))

    sxx, sxy, syy = total(x[i]**2), total(x[i] * y[i]), total(y[i]**2)
    on_line = Given("data on y = 2x", y[i], 2 * x[i])
    curvature = Given("C", C, sxx)
    return (
        Pipeline(
            ID,
            r"Gradient descent on the squared error of $y = a x$", ctx,
            a - eta * sp.Derivative(total((y[i] - a * x[i])**2), a),
            summary=r"Fit $y = a x$ to data $(x_i, y_i)$ by least squares, $L(a) = \sum_i (y_i - a"
                    r" x_i)^2$, with one step of gradient descent $a \leftarrow a - \eta L'(a)$, "
                    r"$\eta > 0$. The loss is $a^2 \sum x_i^2 - 2a \sum x_i y_i + \sum y_i^2$ (not"
                    r" $y^2 + a x^2 - 2axy$, a slip seen in published notes), its slope $2a \sum "
                    r"x_i^2 - 2 \sum x_i y_i$ vanishes at $a^* = \sum x_i y_i / \sum x_i^2$. For "
                    r"data on the line $y = 2x$, with $C = \sum x_i^2 > 0$, $L'(a) = 2Ca - 4C$, so"
                    r" $a^* = 2$, and the step moves $a$ towards 2: its distance to 2 is "
                    r"multiplied by $1 - 2\eta C$.",
            category=CATEGORY,
            givens=(on_line, curvature),
        )
        .then(a - eta * sp.Derivative(a**2 * sxx - 2 * a * sxy + syy, a),
              r"multiply out the square: $(y - a x)^2 = y^2 - 2 a x y + a^2 x^2$, summed term by "
              r"term")
        .then(a - eta * (2 * a * sxx - 2 * sxy),
              r"differentiate the quadratic in $a$: $L'(a) = 2 a \sum x_i^2 - 2 \sum x_i y_i$")
        .then(a - 2 * eta * (a * sxx - sxy),
              r"take out the factor 2: the slope vanishes where $a \sum x_i^2 = \sum x_i y_i$, at "
              r"$a^* = \sum x_i y_i / \sum x_i^2$")
        .then(a - 2 * eta * (a * sxx - 2 * sxx),
              r"for data on the line $y = 2x$, $\sum x_i y_i = 2 \sum x_i^2$", using=on_line)
        .then(a - eta * (2 * C * a - 4 * C),
              r"with $C = \sum x_i^2$: $L'(a) = 2 C a - 4 C$, which vanishes at $a^* = 2$",
              using=curvature)
        .then(2 + (1 - 2 * eta * C) * (a - 2),
              r"the step moves $a$ towards $a^* = 2$: the distance to 2 is multiplied by $1 - "
              r"2\eta C$")
        .build()
    )
