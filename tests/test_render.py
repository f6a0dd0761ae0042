import re
from pathlib import Path

import pytest
import sympy as sp

from derivations import catalog
from derivations.checker import check
from derivations.kernel import (
    Context, Point, Relation, Statement, equal_by_normal_form, refuted_at,
    undecided,
)
from derivations.model import Step
from derivations.documents.render import (
    RenderRefused, template_context, builtin_template_dir, escape_latex, escape_markdown, render,
)
from derivations.documents.handout import handout
from derivations.running.workflow import HANDOUT_NAME, HANDOUT_TITLE, SUFFIXES, WEB_PAGE
from helpers import optimisation_report, report_of

# The committed documents, which `derive build output` writes (the README's second command).
OUTPUT = Path(__file__).parent.parent / "output"


def make_report(title="A small chain", summary="", verdicts=("proved",)):
    """a^2 - 1 = (a - 1)(a + 1), then optionally a refuted and an undecided step."""
    ctx = Context()
    a = ctx.symbol("a")
    exprs = {"proved": (a - 1) * (a + 1), "refuted": (a - 1) ** 2, "undecided": a**2 - 2 * a + 1}
    rules = {
        "proved": lambda b, e: equal_by_normal_form(ctx, b, e, "expand"),
        "refuted": lambda b, e: refuted_at(ctx, b, e, Relation.EQ, Point(values={a: sp.Integer(2)})),
        "undecided": lambda b, e: undecided(Statement(ctx, b, e, Relation.EQ), "time limit"),
    }
    start = a**2 - 1
    steps = [Step(exprs[v], by=f"{v} step") for v in verdicts]
    judgements = [rules[v](before, step.expr)
                  for v, before, step in zip(verdicts, [start] + [s.expr for s in steps], steps)]
    return report_of(ctx, start, judgements, steps=steps, title=title, summary=summary)


@pytest.fixture(scope="module")
def catalog_reports():
    return {name: check(catalog.get(name)) for name in catalog.ids()}


# -- escaping ----------------------------------------------------------------------------------
@pytest.mark.parametrize("char, expected", [
    ("\\", r"\textbackslash{}"), ("_", r"\_"), ("%", r"\%"), ("&", r"\&"), ("#", r"\#"),
    ("$", r"\$"), ("{", r"\{"), ("}", r"\}"), ("~", r"\textasciitilde{}"),
    ("^", r"\textasciicircum{}"), ("<", r"\textless{}"), (">", r"\textgreater{}"),
    ("|", r"\textbar{}"), ("θ", r"\ensuremath{\theta}"), ("≤", r"\ensuremath{\le}"),
])
def test_escape_latex_each_special_character(char, expected):
    assert escape_latex(f"a{char}b") == f"a{expected}b"


def test_escape_latex_does_not_escape_its_own_output():
    assert escape_latex(r"\{}_") == r"\textbackslash{}\{\}\_"
    assert escape_latex("plain words, (1 - h) / 2.") == "plain words, (1 - h) / 2."


@pytest.mark.parametrize("char", list("\\`*_[]<>|$~&#"))
def test_escape_markdown_each_special_character(char):
    assert escape_markdown(f"a{char}b") == f"a\\{char}b"


@pytest.mark.parametrize("line, expected", [
    ("- not a list", r"\- not a list"), ("+ no", r"\+ no"), ("===", r"\==="),
    ("1. not numbered", r"1\. not numbered"), ("    not code", "not code"),
    ("# not a heading", r"\# not a heading"), ("a - b", "a - b"),
])
def test_escape_markdown_line_starts(line, expected):
    assert escape_markdown(line) == expected


def test_prose_is_escaped_in_every_format():
    report = make_report(title="50% of a_b & {c}", summary="*not bold* $x$")
    assert r"50\% of a\_b \& \{c\}" in render(report, "latex")
    markdown = render(report, "markdown")
    assert r"# 50% of a\_b \& {c}" in markdown
    assert r"\*not bold\* $x$" in markdown  # $x$ is math (docs/derivation-files.md)


# -- refusing and marking ----------------------------------------------------------------------
def test_a_chain_that_did_not_pass_is_refused():
    report = make_report(verdicts=("proved", "refuted", "undecided"))
    for fmt in ("latex", "latex-fragment", "markdown"):
        with pytest.raises(RenderRefused, match="step 2 is refuted, step 3 is undecided"):
            render(report, fmt)


def test_allow_unverified_marks_each_unverified_step():
    report = make_report(verdicts=("proved", "refuted", "undecided"))
    latex = render(report, "latex", allow_unverified=True)
    assert "Warning: this derivation did not pass" in latex
    lines = [line for line in latex.splitlines() if line.strip().startswith("&=")]
    assert [r"\checkmark" in lines[0], "REFUTED" in lines[1], "UNDECIDED" in lines[2]] == [True] * 3
    assert r"\item[Step 2] \textbf{REFUTED}: " in latex
    assert "left 3.0, right 1.0 at a = 2" in latex  # the counterexample is shown
    assert r"\boxed" not in latex and "not established" in latex
    markdown = render(report, "markdown", allow_unverified=True)
    assert "| **REFUTED** |" in markdown and "| **UNDECIDED** |" in markdown
    assert "Unverified steps: 2 (refuted), 3 (undecided)" in markdown
    assert "## Conclusion (not established)" in markdown


def test_a_passing_chain_has_no_warning_and_checkmarks():
    latex = render(make_report(verdicts=("proved",)), "latex")
    assert "Warning" not in latex and "REFUTED" not in latex
    assert r"\checkmark" in latex


def test_same_optimizers_step_says_what_it_keeps_and_the_new_sense():
    report = optimisation_report()
    latex = render(report, "latex")
    assert (r"&\Leftrightarrow \left(\theta - b\right)^{2} \tag*{\ensuremath{\checkmark}\quad{(}1{)}}"
            "\n  \\\\*\n"
            r"  &\qquad \parbox[t]{0.8\linewidth}{\small\raggedright negate; same optimisers over "
            r"$\theta$; now minimise}") in latex
    assert r"\boxed{\operatorname*{arg\,max}_{\theta}" in latex
    markdown = render(report, "markdown")
    assert "| ⇔ same optimisers | negate; same optimisers over $\\theta$; now minimise |" in markdown


def test_an_approx_step_renders_with_approx():
    from derivations.reading import files

    path = Path(__file__).parent / "derivations" / "good" / "entropy-bits.deriv.yaml"
    report = check(files.read(path))
    assert r"&\approx 0.7219 \tag*{" in render(report, "latex")
    assert r"&\approx 0.7219 && \text{(1)}" in render(report, "markdown")


def test_each_step_has_its_reason_under_it_and_its_verdict_in_its_tag(catalog_reports):
    latex = render(catalog_reports["bernoulli-bce"], "latex")
    step = latex[latex.index("&= - \\sum"):]
    first, reason = step.splitlines()[0], step.splitlines()[2]
    assert first.endswith(r"\tag*{\ensuremath{\checkmark}\quad{(}1{)}}")
    assert reason.startswith(r"  &\qquad \parbox[t]{0.8\linewidth}{\small\raggedright the logarithm")


def test_unknown_format_is_an_error():
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        render(make_report(), "pdf")


def test_templates_receive_only_ready_strings():
    def plain(value):
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or type(value) in (str, int, bool)

    for fmt in ("latex", "markdown"):
        assert plain(template_context(optimisation_report(), fmt))
        assert plain(template_context(make_report(verdicts=("proved", "refuted")), fmt))


# -- templates -------------------------------------------------------------------------------
def test_builtin_templates_are_found():
    assert (builtin_template_dir() / "fragment.tex.j2").is_file()


def test_user_template_dir_overrides_a_builtin_template(tmp_path):
    (tmp_path / "fragment.tex.j2").write_text("CUSTOM ((( title ))) ((( steps | length )))\n")
    (tmp_path / "derivation.md.j2").write_text("custom {{ title }}\n")
    report = make_report()
    latex = render(report, "latex", template_dir=tmp_path)
    assert r"\documentclass[11pt]{article}" in latex  # the built-in article ...
    assert "CUSTOM A small chain 1" in latex and r"\begin{align*}" not in latex  # ... includes it
    assert render(report, "markdown", template_dir=tmp_path) == "custom A small chain\n"
    assert r"\begin{align*}" in render(report, "latex")


def test_a_template_using_an_unknown_name_fails(tmp_path):
    (tmp_path / "derivation.md.j2").write_text("{{ no_such_name }}\n")
    with pytest.raises(Exception, match="no_such_name"):
        render(make_report(), "markdown", template_dir=tmp_path)


# -- whole documents ---------------------------------------------------------------------------
def assert_sane_latex(text: str) -> None:
    depth = 0
    for char in re.sub(r"\\[^a-zA-Z]", "", text):  # drop \\ \{ \} \, \$ ...
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, "a } closes nothing"
    assert depth == 0, "unbalanced braces"
    stack = []
    for kind, name in re.findall(r"\\(begin|end)\{([a-z]+\*?)\}", text):
        if kind == "begin":
            stack.append(name)
        else:
            assert stack and stack.pop() == name, f"\\end{{{name}}} does not close its \\begin"
    assert not stack
    assert re.sub(r"\\.", "", text).count("$") % 2 == 0


def test_sanity_check_catches_broken_latex():
    for broken in (r"\begin{align*} x", r"{a", r"a}{", r"\begin{a}\end{b}", r"$x"):
        with pytest.raises(AssertionError):
            assert_sane_latex(broken)


def test_documents_are_structurally_sound(catalog_reports):
    reports = [*catalog_reports.values(), optimisation_report(),
               make_report(title="x_1 {y} \\ z", verdicts=("proved", "refuted", "undecided"))]
    for report in reports:
        latex = render(report, "latex", allow_unverified=True)
        assert_sane_latex(latex)
        assert latex.startswith(r"\documentclass[11pt]{article}") and latex.endswith("\\end{document}\n")
        assert latex.count(r"\begin{align*}") == 1
        fragment = render(report, "latex-fragment", allow_unverified=True)
        assert_sane_latex(fragment)
        assert r"\documentclass" not in fragment and r"\section*{" in fragment
        markdown = render(report, "markdown", allow_unverified=True)
        blocks = markdown.split("$$\n")
        assert len(blocks) % 2 == 1, "unpaired $$"
        assert all("\n\n" not in math for math in blocks[1::2]), "a blank line ends GitHub math"
        assert "| step | relation | justification | verdict | method |" in markdown


def test_rendering_is_deterministic(catalog_reports):
    report = catalog_reports["bernoulli-bce"]
    assert render(report, "latex") == render(report, "latex")
    assert "0.5" not in render(make_report(), "markdown")  # no timings


@pytest.mark.parametrize("fmt", sorted(SUFFIXES))
@pytest.mark.parametrize("name", catalog.ids())
def test_catalog_documents_match_the_output_folder(catalog_reports, name, fmt):
    """output/ holds what the renderer makes now: a change to a document fails here until it
    is written on purpose with `derive build output` and the diff reviewed."""
    path = OUTPUT / f"{name}{SUFFIXES[fmt]}"
    assert path.is_file(), f"{path} is missing: run derive build output"
    assert render(catalog_reports[name], fmt) == path.read_text(encoding="utf-8"), \
        f"output/{path.name} is stale: run derive build output, then review the diff"


def test_the_output_folder_holds_the_current_handout(catalog_reports):
    """The handout in output/ (LaTeX, Markdown and the web page index.html) is byte for byte
    what `derive build output` makes now (test_tex checks that output/handout.pdf is its PDF,
    test_doc_browser that index.html renders)."""
    reports = [catalog_reports[name] for name in catalog.ids()]
    for fmt, name in [*((f, f"{HANDOUT_NAME}{s}") for f, s in SUFFIXES.items()),
                      ("html", WEB_PAGE)]:
        committed = (OUTPUT / name).read_text(encoding="utf-8")
        assert committed == handout(reports, fmt, title=HANDOUT_TITLE), \
            f"output/{name} is stale: run derive build output, then review the diff"
