"""Math in prose, the author's notation and the web page's MathML: `$...$` in a title, summary
or reason is typeset in every format and held to what a `latex:` field may hold; expressions print
as a textbook prints them; nothing in a formula can become markup in a web page."""

import re
from pathlib import Path

import pytest
import sympy as sp

from derivations import catalog
from derivations.documents.handout import handout
from derivations.documents.notation import to_latex, to_mathml
from derivations.documents.render import (
    prose_html, prose_latex, prose_markdown, render, template_context,
)
from derivations.errors import InputError
from derivations.reading import files
from derivations.running.workflow import HANDOUT_TITLE, check_all, select

FILE = """title: 'Variance $\\sigma^2$ of $x$'
summary: 'Costs $5 and $6; the noise has variance $\\sigma^2 > 0$ and 50% \\$ signs.'
symbols:
  sigma: positive
  x: real
start: sigma**2 + sigma**2
steps:
  - expr: 2*sigma**2
    by: 'collect: $\\sigma^2 + \\sigma^2 = 2\\sigma^2$'
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("prose") / "prose.deriv.yaml"
    path.write_text(FILE, encoding="utf-8")
    reports, errors = check_all(select((str(path),), False))
    assert not errors
    return reports[0]


def test_math_in_prose_is_typeset_in_latex_markdown_and_html(report):
    latex = render(report, "latex")
    assert r"\title{Variance $\sigma^2$ of $x$}" in latex
    assert r"collect: $\sigma^2 + \sigma^2 = 2\sigma^2$" in latex
    assert r"Costs \$5 and \$6" in latex  # money, not math (Pandoc's rule)
    assert r"50\% \$ signs" in latex
    markdown = render(report, "markdown")
    assert markdown.startswith("# Variance $\\sigma^2$ of $x$\n")
    assert r"Costs \$5 and \$6; the noise has variance $\sigma^2 > 0$" in markdown
    page = render(report, "html")
    title = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert title.startswith("Variance <math") and "<msup>" in title and "$" not in title
    assert re.search(r"<title>Variance σ.?2 of x</title>", page), page[:400]


def test_prose_math_is_kept_as_written_in_the_terminal(report):
    from derivations.documents.terminal import show_lines

    assert show_lines(report)[0] == "Variance $\\sigma^2$ of $x$"


@pytest.mark.parametrize("field, text", [
    ("title", r"$\input{/etc/passwd}$"), ("summary", r"see $\write18{rm -rf ~}$"),
    ("by", r"$\def\x{y} x$"), ("title", r"$\csname x\endcsname$"), ("summary", r"$\href{javascript:alert(1)}{x}$"),
    ("by", r"$^^5cinput{a}$"), ("title", r"unbalanced $\frac{1}{2$"),
    # TeX loops for ever (the PDF build hung to its time limit), a JavaScript action in the
    # PDF, the document cut short
    ("title", r"$\loop\iftrue\repeat$"), ("summary", r"$x\ifnum1=1 y\fi$"),
    ("by", r"$\pdfannot{/A<</S/JavaScript/JS(app.alert(1))>>}x$"),
    ("summary", r"$\latelua{os.exit()}$"), ("title", r"$x \end{document}$"),
])
def test_a_dangerous_formula_in_prose_is_an_input_error_at_its_line(tmp_path, field, text):
    lines = {"title": "title: t", "summary": "summary: s", "by": "    by: b"}
    source = ("title: t\nsummary: s\nsymbols:\n  x: real\nstart: x\nsteps:\n  - expr: x\n"
              "    by: b\n").replace(lines[field], f"{lines[field].split(':')[0]}: '{text}'")
    path = tmp_path / "bad.deriv.yaml"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(InputError) as error:
        files.read(path)
    assert f"{field}: in $" in str(error.value) and error.value.line is not None


def test_the_symbol_iff_is_still_a_formula():
    assert files.latex_problem(r"a \iff b \begin{pmatrix} 1 \\ 2 \end{pmatrix}") is None


def test_a_dangerous_formula_from_the_api_is_printed_as_text_never_as_latex():
    text = r"a $\input{/etc/passwd}$ and $\immediate\write18{x}$ b"
    assert prose_latex(text) == (r"a \$\textbackslash{}input\{/etc/passwd\}\$ and "
                                 r"\$\textbackslash{}immediate\textbackslash{}write18\{x\}\$ b")
    assert prose_markdown(text) == r"a \$\\input{/etc/passwd}\$ and \$\\immediate\\write18{x}\$ b"
    assert "<math" not in prose_html(text)


def test_mathml_keeps_nothing_that_could_run_or_link():
    page = to_mathml(r"\text{<script>alert(1)</script>} \href{javascript:alert(1)}{x} "
                     r"\style{background:url(http://evil)}{y} a < b & c")
    assert "<script" not in page and "javascript" not in page and "url(" not in page
    assert "&lt;script&gt;" in page and "&amp;" in page and "href" not in page


def test_the_catalog_prose_has_no_ascii_math():
    """Titles, summaries and reasons of the catalog write their math as $...$."""
    prose_math = re.compile(r"\^|\*\*|\bsigma\b|\btheta\b|>=|<=|\|\||\b[a-z]_[a-z0-9]\b|\blog2\b")
    for identifier in catalog.ids():
        derivation = catalog.get(identifier)
        for text in [derivation.title, derivation.summary, *(s.by for s in derivation.steps)]:
            outside = files.MATH_IN_PROSE.sub("", text)
            assert not prose_math.search(outside), (identifier, outside)


def test_the_appendix_writes_methods_in_math(tmp_path):
    reports, _ = check_all(select(("gaussian-least-squares",), False))
    text = handout(reports, "markdown", title=HANDOUT_TITLE)
    appendix = text[text.index("## Appendix"):]
    assert r"$a = \frac{2 \sigma^{2}}{n}$" in appendix
    assert "sigma**2" not in appendix and "a*old" not in appendix


def test_the_gaussian_density_prints_as_a_textbook_prints_it():
    sigma, x = sp.symbols("sigma x", positive=True)
    density = sp.exp(-x**2 / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)
    assert to_latex(density).startswith(r"\frac{1}{\sqrt{2 \pi} \sigma} \exp")
    assert to_latex(sp.log(sp.sqrt(2 * sp.pi) * sigma)) == r"\log\left(\sqrt{2 \pi} \sigma\right)"
    b = sp.Symbol("b", positive=True)
    assert to_latex(sp.exp(-x / b) / (2 * b)) == r"\frac{1}{2 b} \exp\left(- \frac{x}{b}\right)"
    assert to_latex(sp.exp(x) / (1 + sp.exp(x))) == r"\frac{e^{x}}{e^{x} + 1}"
    assert to_latex(sp.sqrt(2) / 2) == r"\frac{1}{\sqrt{2}}"


def test_a_power_of_a_plain_base_comes_before_a_power_of_a_sum():
    h, y = sp.symbols("h y")
    assert to_latex(h**y * (1 - h)**(1 - y)) == r"h^{y} \left(1 - h\right)^{1 - y}"


def test_assumption_lists_use_the_chains_own_index_names():
    reports, _ = check_all(select(("map-l2",), False))
    assumptions = template_context(reports[0], "latex")["assumptions"]
    assert r"\theta_{j} \in \mathbb{R}" in assumptions and r"x_{i j} \in \mathbb{R}" in assumptions
    assert r"\theta_{i} \in \mathbb{R}" not in assumptions


@pytest.mark.parametrize("title", [
    "</title><script>alert(1)</script>",
    "$\\text{</title><script>alert(1)</script>}$",
    "$\\unicode{<script>}$ &lt;b&gt;",
])
def test_the_page_title_of_a_web_page_is_escaped_text(tmp_path, title):
    """``striptags`` unescapes the prose's entities: the page's <title> must escape them again,
    or a title closes the element and opens a script."""
    path = tmp_path / "hostile.deriv.yaml"
    path.write_text(f"title: {title!r}\nsymbols:\n  x: real\nstart: x + x\nsteps:\n"
                    "  - expr: 2*x\n", encoding="utf-8")
    reports, errors = check_all(select((str(path),), False))
    assert not errors
    page = render(reports[0], "html")
    head = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<" not in head and "<script" not in page and "&lt;" in head, head


def test_a_formula_in_markdown_holds_no_html(tmp_path):
    """A Markdown renderer without math support passes a tag on as HTML: in prose and in a
    ``latex:`` display, a ``<`` that could open one is written ``\\lt``."""
    path = tmp_path / "hostile.deriv.yaml"
    path.write_text("title: '$\\text{<script>alert(1)</script>}$'\nsymbols:\n  x: real\n"
                    "start: x + x\nsteps:\n  - expr: 2*x\n"
                    "    latex: '2x \\text{<img src=x onerror=alert(1)>}'\n", encoding="utf-8")
    reports, errors = check_all(select((str(path),), False))
    assert not errors
    page = render(reports[0], "markdown")
    assert "<script" not in page and "<img" not in page, page
    assert r"\lt script>" in page and r"\lt img" in page
