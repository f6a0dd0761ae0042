"""Handouts: several derivations in one LaTeX or Markdown document (derivations.documents.handout).
Compiling them is test_tex.py's; the command line is test_cli.py's."""

import re
from pathlib import Path

import pytest

from derivations import catalog
from derivations.checker import check
from derivations.documents.handout import handout, handout_context
from derivations.documents.render import RenderRefused, template_context, render
from helpers import optimisation_report
from test_render import assert_sane_latex, make_report

README = Path(__file__).parent.parent / "README.md"


@pytest.fixture(scope="module")
def reports():
    return [check(catalog.get(name)) for name in catalog.ids()]


def test_latex_handout_has_title_block_contents_sections_and_appendix(reports):
    latex = handout(reports, "latex", title="Losses & likelihoods, 50%", author="A. Lecturer",
                    date="Autumn term, week 3")
    assert_sane_latex(latex)
    assert r"\title{Losses \& likelihoods, 50\%}" in latex
    assert r"\author{A. Lecturer}" in latex and r"\date{Autumn term, week 3}" in latex
    assert latex.index(r"\maketitle") < latex.index(r"\tableofcontents") < latex.index(r"\appendix")
    for number, report in enumerate(reports, start=1):
        assert rf"\section{{{report.derivation.title}}}\label{{derivation:{number}}}" in latex
        assert rf"\subsection{{{report.derivation.title}}}" in latex  # in the appendix
        assert rf"Section~\ref{{derivation:{number}}}" in latex
    assert latex.count(r"\begin{align*}") == len(reports)
    assert latex.count(r"\boxed{") == len(reports)
    assert "How each step was checked" in latex
    assert r"\begin{description}" in latex  # the legend of verdicts ...
    assert r"\item[Step 1]" not in latex  # ... while the steps' methods are in the appendix
    rows = re.findall(r"^(\d+) & (\w+) & (.*) \\\\$", latex, re.M)
    assert len(rows) == sum(len(r.steps) for r in reports)
    assert {verdict for _, verdict, _ in rows} <= {"proved", "checked"}
    assert not re.search(r"\d\\,m?s\b", latex), "no step times: they change from run to run"


def test_each_derivation_is_rendered_by_the_single_derivation_templates(reports):
    """The chain of a handout section is the chain of the derivation's own document."""
    latex = handout(reports, "latex", title="T")
    markdown = handout(reports, "markdown", title="T")
    for report in reports:
        article = render(report, "latex")
        chain = article[article.index(r"\begin{align*}"):article.index(r"\end{align*}")]
        assert chain in latex
        page = render(report, "markdown")
        math = page[page.index("$$\n\\begin{aligned}"):page.index("\\end{aligned}\n$$")]
        assert math in markdown


def _github_slug(heading: str) -> str:
    """GitHub's heading ids, from the text the heading shows (escapes undone)."""
    text = re.sub(r"\\(.)", r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def test_markdown_handout_links_its_contents_to_its_headings(reports):
    markdown = handout(reports, "markdown", title="Losses from likelihoods", author="A. Lecturer",
                       date="2025")
    assert markdown.startswith("# Losses from likelihoods\n\n*A. Lecturer* · 2025\n")
    headings = re.findall(r"^(#+) (.*)$", markdown, re.M)
    assert headings[0] == ("#", "Losses from likelihoods")
    seen, slugs = {}, set()
    for _, text in headings:
        slug = _github_slug(text)
        slugs.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
        seen[slug] = seen.get(slug, 0) + 1
    links = re.findall(r"^\d+\. \[.*\]\(#(.*)\)$", markdown, re.M)
    assert len(links) == len(reports) + 1 and set(links) <= slugs
    for number, report in enumerate(reports, start=1):
        assert ("##", f"{number}. {report.derivation.title}") in headings
    assert ("###", "Assumptions") in headings and ("##", "Appendix: how each step was checked") in headings
    assert "| step | verdict | method |" in markdown


# Everything our Markdown math uses; GitHub's MathJax knows all of them.
GITHUB_MATHJAX = {
    r"\begin", r"\end", r"\left", r"\right", r"\frac", r"\sqrt", r"\sum", r"\prod", r"\log",
    r"\exp", r"\operatorname", r"\operatorname*", r"\mathbb", r"\mathrm", r"\text", r"\textbf",
    r"\boxed", r"\vphantom", r"\checkmark", r"\qquad", r"\quad", r"\partial", r"\delta",
    r"\in", r"\le", r"\ge", r"\leq", r"\geq", r"\approx", r"\Leftrightarrow", r"\lbrace",
    r"\rbrace", r"\dots", r"\colon", r"\to", r"\theta", r"\sigma", r"\pi", r"\|", r"\,",
    r"\;", r"\\", r"\:", r"\beta", r"\cdot", r"\epsilon", r"\eta", r"\gamma", r"\lambda",
    r"\mu", r"\tau",
    # in the catalog's prose ($...$ in titles, summaries, reasons and methods)
    r"\varepsilon", r"\lvert", r"\rvert", r"\Vert", r"\mid", r"\hat", r"\ldots",
    r"\leftarrow", r"\bigl", r"\bigr", r"\mathcal",
    r"\lt",  # a "<" that could open an HTML tag
}


def test_markdown_math_renders_on_github(reports):
    markdown = handout([*reports, optimisation_report()], "markdown", title="T")
    blocks = markdown.split("$$\n")
    assert len(blocks) % 2 == 1, "unpaired $$"
    math = blocks[1::2] + re.findall(r"(?<!\$)\$([^$\n]+)\$(?!\$)", "".join(blocks[::2]))
    assert all("\n\n" not in m for m in math), "a blank line ends GitHub math"
    used = {c for m in math for c in re.findall(r"\\(?:[a-zA-Z]+\*?|.)", m)}
    assert used <= GITHUB_MATHJAX, used - GITHUB_MATHJAX
    assert "align*" not in markdown and r"\tag" not in markdown


def test_a_derivation_that_did_not_pass_is_refused_or_marked():
    good, bad = make_report(title="Good"), make_report(title="Bad", verdicts=("proved", "refuted"))
    with pytest.raises(RenderRefused, match=r"t \(step 2 is refuted\).*--allow-unverified"):
        handout([good, bad], "latex", title="T")
    latex = handout([good, bad], "latex", title="T", allow_unverified=True)
    assert "Warning: not every derivation in this handout passed:" in latex
    assert r"2 & \textbf{REFUTED} & " in latex and "not established" in latex
    markdown = handout([good, bad], "markdown", title="T", allow_unverified=True)
    assert "| 2 | **REFUTED** |" in markdown and "**Warning: not every derivation" in markdown


def test_prose_is_escaped_in_both_formats():
    report = make_report(title="a_b {c}", summary="$x$ & 100% and $5 or \\$6")
    latex = handout([report], "latex", title="T_1 #2", author="O'Neil & Co", date="~now")
    assert r"\title{T\_1 \#2}" in latex and r"\author{O'Neil \& Co}" in latex
    assert r"\date{\textasciitilde{}now}" in latex and r"\section{a\_b \{c\}}" in latex
    assert r"$x$ \& 100\% and \$5 or \$6" in latex  # $x$ is math, the rest text
    markdown = handout([report], "markdown", title="T_1 *2*", author="<b>me</b>", date="")
    assert r"# T\_1 \*2\*" in markdown and r"*\<b\>me\</b\>*" in markdown
    assert r"$x$ \& 100% and \$5 or \$6" in markdown


def test_a_users_templates_come_first_in_handouts(tmp_path, reports):
    (tmp_path / "handout.tex.j2").write_text(
        "((( title ))): ((* for d in derivations *))[((( d.number ))) ((( d.body )))]((* endfor *))\n")
    (tmp_path / "fragment.tex.j2").write_text("((( id ))) has ((( steps | length ))) steps")
    latex = handout(reports[:2], "latex", title="Mine", template_dir=tmp_path)
    first, second = (r.derivation for r in reports[:2])
    assert latex == (f"Mine: [1 {first.id} has {len(first.steps)} steps]"
                     f"[2 {second.id} has {len(second.steps)} steps]")
    markdown = handout(reports[:1], "markdown", title="Mine", template_dir=tmp_path)
    assert markdown.startswith("# Mine\n")  # no Markdown template there: the built-in one


def test_the_readme_documents_every_template_variable(reports):
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Templates"):]
    section = section[:section.index("\n## ", 1)]
    documented = set(re.findall(r"`([a-z_]+)`", section))
    context = handout_context(reports[:1], "latex", title="T")
    derivation = context["derivations"][0]
    step = derivation["steps"][0]
    given = next(d["givens"][0] for d in map(lambda r: template_context(r, "latex"), reports) if d["givens"])
    optimization = template_context(optimisation_report(), "latex")["optimization"]
    names = {*context, *derivation, *step, *template_context(reports[0], "markdown"), *given,
             *optimization, *context["verdicts"][0]}
    assert names <= documented, sorted(names - documented)
