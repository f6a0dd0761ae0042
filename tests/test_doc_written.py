"""Documents print a file's expressions as the author wrote them (issue 18 §2), while the
checker works on the canonical form: ``Step.display`` and ``Derivation.start_display`` reach
only the printers."""
import dataclasses
from pathlib import Path

import pytest
import sympy as sp

from derivations.checker import check
from derivations.documents.layout import break_lines
from derivations.documents.notation import written_latex
from derivations.documents.render import render
from derivations.kernel.context import POSITIVE, POSITIVE_INTEGER, Context
from derivations.reading import files
from derivations.reading.expressions import parse_equation

GOOD = Path(__file__).parent / "derivations" / "good"

GAUSSIAN = """\
title: A Gaussian density, two ways
symbols:
  x: real
  mu: real
  sigma: positive
given:
  half: s = (x + mu)/2
start: 1/(sqrt(2*pi)*sigma)*exp(-(x - mu)**2/(2*sigma**2))
steps:
  - expr: exp(-(x - mu)**2/(2*sigma**2))/(sqrt(2*pi)*sigma)
    by: the same, divided
"""


def _read(tmp_path, text, name="written.deriv.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return files.read(path)


def _chain(*exprs, start="x", symbols="x: real\n  y: real\n  h: real in (0, 1)\n  z: real"):
    steps = "".join(f"  - expr: {e}\n" for e in exprs)
    return f"title: T\nsymbols:\n  {symbols}\nstart: {start}\nsteps:\n{steps}"


def test_the_gaussian_density_prints_as_written(tmp_path):
    text = GAUSSIAN.replace("given:\n  half: s = (x + mu)/2\n", "")
    latex = render(check(_read(tmp_path, text)), "latex")
    assert r"\frac{1}{\sqrt{2 \pi} \sigma} \exp\left(- \frac{\left(x - \mu\right)^{2}}" \
           r"{2 \sigma^{2}}\right)" in latex
    assert r"\frac{\exp\left(- \frac{\left(x - \mu\right)^{2}}{2 \sigma^{2}}\right)}" \
           r"{\sqrt{2 \pi} \sigma}" in latex


@pytest.mark.parametrize("written, printed", [
    ("h**y*(1 - h)**(1 - y)", r"h^{y} \left(1 - h\right)^{1 - y}"),
    ("(1 - h)**(1 - y)*h**y", r"\left(1 - h\right)^{1 - y} h^{y}"),
    ("2*(x - 1)", r"2 \left(x - 1\right)"),
    ("(x + y)/2", r"\frac{x + y}{2}"),
    ("x/2 + y/2", r"\frac{x}{2} + \frac{y}{2}"),
    ("y - x", "y - x"),
    ("-(x + y)", r"- \left(x + y\right)"),
    ("x - (y - z)", r"x - \left(y - z\right)"),
    ("x*(-y)", r"x \left(- y\right)"),
    ("2*3*x", r"2 \cdot 3 x"),
    ("x**-1 + y", r"\frac{1}{x} + y"),
    ("Sum(x - z, (k, 1, 3))", r"\sum_{k=1}^{3} \left(x - z\right)"),
])
def test_a_step_prints_in_the_order_and_grouping_written(written, printed):
    context = Context()
    for name in ("x", "y", "z"):
        context.symbol(name)
    context.symbol("h", POSITIVE)
    context.symbol("k", POSITIVE_INTEGER)
    canonical = parse_equation(written, context)
    shown = written_latex(canonical, parse_equation(written, context, display=True))
    assert shown == printed
    # SymPy's canonical form, as printed before, already reads so for these; not the others
    assert (written_latex(canonical) == printed) == (written in (
        "h**y*(1 - h)**(1 - y)", "x/2 + y/2", "y - x", "Sum(x - z, (k, 1, 3))"))


def test_a_file_step_is_rendered_as_written_but_checked_as_before(tmp_path):
    derivation = _read(tmp_path, _chain("2*(x - 1)", "(1 - h)**(1 - y)*h**y - h**y*(1 - h)**(1 - y)"
                                        " + 2*x - 2", start="2*x - 2"))
    context = derivation.context
    for step, text in zip(derivation.steps, ("2*(x - 1)", "(1 - h)**(1 - y)*h**y - "
                                             "h**y*(1 - h)**(1 - y) + 2*x - 2")):
        assert step.expr == parse_equation(text, context)  # what the checker sees
        assert step.display is not None and step.display != step.expr
    report = check(derivation)
    stripped = dataclasses.replace(derivation, start_display=None, steps=tuple(
        dataclasses.replace(s, display=None) for s in derivation.steps))
    assert stripped == derivation  # the display form takes no part in equality or hashing
    assert [s.verdict for s in check(stripped).steps] == [s.verdict for s in report.steps]
    latex = render(report, "latex")
    assert r"&= 2 \left(x - 1\right)" in latex
    assert r"\left(1 - h\right)^{1 - y} h^{y} - h^{y} \left(1 - h\right)^{1 - y} + 2 x - 2" in latex
    markdown = render(report, "markdown")
    assert r"2 \left(x - 1\right)" in markdown


def test_givens_print_as_written(tmp_path):
    text = GAUSSIAN.replace("  sigma: positive\n", "  sigma: positive\n  s: real\n")
    latex = render(check(_read(tmp_path, text)), "latex")
    assert r"s = \frac{x + \mu}{2}" in latex


def test_an_authors_latex_field_wins_over_the_written_form(tmp_path):
    text = _chain("2*(x - 1)", start="2*x - 2").replace(
        "  - expr: 2*(x - 1)\n", "  - expr: 2*(x - 1)\n    latex: 2(x-1)\n")
    assert "&= 2(x-1)" in render(check(_read(tmp_path, text)), "latex")


def test_a_long_written_expression_is_still_broken_into_lines():
    context = Context()
    x = [context.symbol(f"x{i}") for i in range(12)]
    text = " + ".join(f"(x{i} - x{i + 1})**2/(2*x{i}**2 + 1)" for i in range(11))
    tex = written_latex(parse_equation(text, context), parse_equation(text, context, display=True))
    lines = break_lines(tex)
    assert len(lines) > 1
    assert "".join(lines).replace("{}", "").replace(" ", "") == tex.replace(" ", "")


def test_every_good_file_has_a_display_form_that_prints():
    for path in sorted(GOOD.glob("*.deriv.yaml")):
        for derivation in files.read_all(path):
            for step in derivation.steps:
                if step.display is not None:
                    assert written_latex(step.expr, step.display)
            assert derivation.start_display is None or written_latex(
                derivation.start, derivation.start_display)


def test_an_expectation_keeps_its_body_as_written():
    """Binding the random variable rebuilds the body: it must not fall back to SymPy's order."""
    derivation = files.read(GOOD / "gaussian-entropy.deriv.yaml")
    start = written_latex(derivation.start, derivation.start_display)
    assert start.endswith(r"\left[\log\left(\frac{\exp\left(- \frac{\left(x - \mu\right)^{2}}"
                          r"{2 \sigma^{2}}\right)}{\sqrt{2 \pi \sigma^{2}}}\right)\right]")
    step = derivation.steps[0]
    assert written_latex(step.expr, step.display).endswith(
        r"\left[\frac{\log\left(2 \pi \sigma^{2}\right)}{2} + \frac{\left(x - \mu\right)^{2}}"
        r"{2 \sigma^{2}}\right]")
