from dataclasses import replace

import pytest
import sympy as sp

from derivations.kernel import (
    NONNEGATIVE, POSITIVE, POSITIVE_INTEGER, Context, Relation, equal_by_normal_form, integer_range, interval, ordered_by_bounds,
    sigmoid, softplus,
)
from helpers import optimisation_report, report_of
from derivations.documents.notation import (
    assumptions_latex, conclusion_latex, conclusion_text, domain_latex, to_latex, to_text,
)

x, P = sp.IndexedBase("x"), sp.IndexedBase("P")
i, j, k, n = sp.symbols("i j k n", integer=True)
theta, y, z = sp.symbols("theta y z", real=True)


@pytest.mark.parametrize("expr, expected", [
    (x[i], "x_{i}"),
    (P[i, j], "P_{i j}"),
    (P[1, 2], "P_{1, 2}"),  # numbers need the comma: P_{12} would be one index
    (sp.IndexedBase("x_0")[i], "{x_{0}}_{i}"),  # no double subscript
    (sp.Sum(x[i], (i, 1, n)), r"\sum_{i=1}^{n} x_{i}"),
    (sp.Sum(x[i] + y, (i, 1, n)), r"\sum_{i=1}^{n} \left(y + x_{i}\right)"),
    (sp.Sum(-x[i], (i, 1, n)), r"\sum_{i=1}^{n} \left(- x_{i}\right)"),
    (sp.Sum(x[i] * x[j], (i, 1, n), (j, 1, k)), r"\sum_{j=1}^{k} \sum_{i=1}^{n} x_{i} x_{j}"),
    (sp.Product(1 + x[i], (i, 1, n)), r"\prod_{i=1}^{n} \left(x_{i} + 1\right)"),
    (sp.Symbol("theta"), r"\theta"),
    (sp.Symbol("sigma") ** 2, r"\sigma^{2}"),
    (sp.Symbol("yhat"), r"\hat{y}"),
    (sp.log(z), r"\log\left(z\right)"),
    (sp.log(z) ** 2, r"\log\left(z\right)^{2}"),
    (sp.KroneckerDelta(k, j, evaluate=False), r"\delta_{k j}"),
    (sigmoid(z), r"\operatorname{sigmoid}\left(z\right)"),
    (softplus(x[i]), r"\operatorname{softplus}\left(x_{i}\right)"),
    (sp.Function("f")(x[i], theta), r"f\left(x_{i}, \theta\right)"),
    (sp.exp(z), "e^{z}"),
    (sp.exp(-z**2 / 2), r"\exp\left(- \frac{z^{2}}{2}\right)"),
    # ML word order: plain factors before functions, a positive term first
    (y * sp.log(z), r"y \log\left(z\right)"),
    (-y * sp.log(x[i]), r"- y \log\left(x_{i}\right)"),
    (y - sp.Function("f")(theta), r"y - f\left(\theta\right)"),
])
def test_ml_latex_notation(expr, expected):
    assert to_latex(expr) == expected


def test_text_is_one_line_in_file_syntax():
    assert to_text(sp.Sum(x[i] ** 2, (i, 1, n)) / n) == "Sum(x[i]**2, (i, 1, n))/n"
    assert to_text(sp.log(P[i, j])) == "log(P[i, j])"


def test_assumptions_state_every_declaration():
    ctx = Context()
    ctx.symbol("sigma", POSITIVE)
    ctx.symbol("w", NONNEGATIVE)
    ctx.symbol("theta")
    C = ctx.symbol("C", POSITIVE_INTEGER)
    ctx.symbol("j", integer_range(1, C))
    ctx.sequence("x")
    ctx.sequence("h", interval(0, 1))
    ctx.sequence("y", integer_range(0, 1))
    ctx.sequence("P", interval(0, 1, lower_open=False), rank=2)
    ctx.function("f", 2)
    ctx.function("g", 1)
    assert assumptions_latex(ctx) == [
        r"\sigma > 0", r"w \geq 0", r"\theta \in \mathbb{R}", r"C \in \mathbb{Z}_{\geq 1}",
        r"j \in \lbrace 1, \dots, C\rbrace", r"x_{i} \in \mathbb{R}", "0 < h_{i} < 1",
        r"y_{i} \in \lbrace 0, 1\rbrace", r"0 \leq P_{i j} < 1",
        r"f \colon \mathbb{R}^{2} \to \mathbb{R}", r"g \colon \mathbb{R} \to \mathbb{R}",
    ]


def test_open_integer_bounds_are_tightened():
    from derivations.kernel import Domain
    assert domain_latex("m", Domain(integer=True, lower=sp.S(0))) == r"m \in \mathbb{Z}_{\geq 1}"
    assert domain_latex("m", Domain(integer=True, upper=sp.S(0))) == r"m \in \mathbb{Z}_{\leq -1}"


def test_conclusion_of_an_optimisation_chain_names_both_senses():
    report = optimisation_report()
    assert conclusion_latex(report) == (
        r"\operatorname*{arg\,max}_{\theta} \left(- \left(\theta - b\right)^{2}\right) = "
        r"\operatorname*{arg\,min}_{\theta} \left(\theta - b\right)^{2}")
    assert conclusion_text(report) == "argmax_theta (-(-b + theta)**2) = argmin_theta (-b + theta)**2"


def test_conclusion_of_an_identity_chain_composes_the_relations():
    ctx = Context()
    a = ctx.symbol("a")
    first = equal_by_normal_form(ctx, (a + 1) ** 2, a**2 + 2 * a + 1, "expand")
    second = ordered_by_bounds(ctx, a**2 + 2 * a + 1, a**2 + 2 * a + 2, Relation.LT, "expand")
    report = report_of(ctx, (a + 1) ** 2, [first, second])
    assert conclusion_latex(report) == r"\left(a + 1\right)^{2} < a^{2} + 2 a + 2"
    assert conclusion_text(report) == "(a + 1)**2 < a**2 + 2*a + 2"


def test_conclusion_uses_the_display_overrides():
    ctx = Context()
    a = ctx.symbol("a")
    report = report_of(ctx, 2 * a, [equal_by_normal_form(ctx, 2 * a, a + a, "expand")])
    assert conclusion_latex(report) == "2 a = 2 a"  # a + a evaluates to 2 a
    step = replace(report.derivation.steps[0], latex="a + a")
    derivation = replace(report.derivation, start_latex=r"2\,a", steps=(step,))
    report = replace(report, derivation=derivation, steps=(replace(report.steps[0], step=step),))
    assert conclusion_latex(report) == r"2\,a = a + a"
