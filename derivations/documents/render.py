"""Checked derivations as documents (LaTeX article or fragment, GitHub Markdown) through Jinja2.

Everything mathematical is turned into strings here, so a template (built-in or the user's) only
places ready text: it never sees a SymPy object and cannot reach the checker.
"""

from __future__ import annotations

import html
import importlib.resources
import re
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from sympy.printing.latex import translate
from sympy.printing.pretty.pretty_symbology import greek_unicode

from ..errors import InputError, NotVerified, UsageError
from ..reading.files import MATH_IN_PROSE, latex_problem
from ..kernel import Relation, Verdict
from .layout import CONTINUATION, LINE_WIDTH, break_lines, width
from .notation import (
    RELATION_LATEX, assumptions_latex, conclusion_latex, conclusion_sides, definition_latex,
    step_latex, to_latex, to_mathml, written_latex,
)
from ..verdicts import MARKS

if TYPE_CHECKING:
    from ..report import Report

TEMPLATES = {"latex": "article.tex.j2", "latex-fragment": "fragment.tex.j2",
             "markdown": "derivation.md.j2", "html": "derivation.html.j2"}


class RenderRefused(NotVerified):
    """A document was asked for a chain that did not pass, without ``allow_unverified``."""


# -- escaping prose ----------------------------------------------------------------------------
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    # in the default OT1 encoding these three would print as other glyphs (¡, ¿, —)
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}
# pdflatex stops at Unicode it has no definition for; authors write θ, σ, ≤ in prose.
_LATEX_UNICODE = {char: translate(name) for name, char in greek_unicode.items()} | {
    "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "≈": r"\approx", "⇔": r"\Leftrightarrow",
    "→": r"\to", "·": r"\cdot", "×": r"\times", "−": "-", "‖": r"\|", "∑": r"\sum",
    "∏": r"\prod", "√": r"\surd", "∞": r"\infty", "∈": r"\in", "∂": r"\partial", "∇": r"\nabla",
}
_LATEX_ESCAPES = _LATEX_SPECIAL | {c: r"\ensuremath{%s}" % t for c, t in _LATEX_UNICODE.items()}
_LATEX_PATTERN = re.compile("|".join(map(re.escape, _LATEX_ESCAPES)))


def escape_latex(text: str) -> str:
    """Prose as LaTeX text: every special character printed literally."""
    return _LATEX_PATTERN.sub(lambda m: _LATEX_ESCAPES[m.group()], text)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~&#])")


def escape_markdown(text: str) -> str:
    """Prose as Markdown text: no emphasis, links, HTML, math, lists or code blocks by accident."""
    lines = []
    for line in text.splitlines():
        line = _MARKDOWN_SPECIAL.sub(r"\\\1", line.strip())  # stripped: no indented code block
        line = re.sub(r"^([-+=])", r"\\\1", line)  # not a list item or a heading underline
        lines.append(re.sub(r"^(\d+)([.)])", r"\1\\\2", line))  # not a numbered list
    return "\n".join(lines)


# -- prose with math -------------------------------------------------------------------------
def _prose(text: str, escape, math) -> str:
    """Prose whose ``$...$`` formulas are typeset by ``math`` and the rest escaped by
    ``escape``.  A formula that ``latex_problem`` refuses (a file or definition primitive from
    input that was never read by the file reader: the catalog, the Python API) is neutralised:
    printed as the text it is."""
    formulas: list[str] = []

    def hold(found):
        formula = " ".join(found.group(1).split())
        if latex_problem(formula):
            return found.group(0)
        formulas.append(math(formula))
        return f"\x00{len(formulas) - 1}\x00"

    held = MATH_IN_PROSE.sub(hold, text.replace("\x00", "")).replace("\\$", "$")  # \$: a dollar
    return re.sub("\x00(\\d+)\x00", lambda found: formulas[int(found.group(1))], escape(held))


def prose_latex(text: str) -> str:
    """Prose as LaTeX: ``$...$`` kept as math, everything else escaped."""
    return _prose(text, escape_latex, lambda formula: f"${formula}$")


def markdown_math(tex: str) -> str:
    """A formula for Markdown, with a ``<`` that could open an HTML tag (``<script``, ``</``,
    ``<!``) written ``\\lt``: a Markdown renderer without math support passes tags on as HTML
    (``\\text{<script>}``)."""
    return _TAG_OPENING.sub(r"\\lt ", tex)


_TAG_OPENING = re.compile(r"<(?=[A-Za-z/!?])")


def prose_markdown(text: str) -> str:
    """Prose as Markdown: ``$...$`` kept as math (GitHub's and KaTeX's inline math), the rest
    escaped."""
    return _prose(text, escape_markdown, lambda formula: f"${markdown_math(formula)}$")


def prose_html(text: str) -> str:
    """Prose as HTML: ``$...$`` as inline MathML, the rest escaped."""
    return _prose(text, escape_html, to_mathml)


def escape_html(text: str) -> str:
    return html.escape(text, quote=False)


def writers(fmt: str):
    """The format's ``(escape, prose)``: plain text escaped, and prose with its math."""
    if fmt == "markdown":
        return escape_markdown, prose_markdown
    if fmt == "html":
        return escape_html, prose_html
    return escape_latex, prose_latex


def formula_writer(fmt: str):
    """A formula (LaTeX, as the printer or the author wrote it) as the format places it:
    LaTeX as it is, or MathML for a web page; ``display`` for a block of its own."""
    if fmt == "html":
        return lambda tex, display=False: to_mathml(tex, display)
    if fmt == "markdown":
        return lambda tex, display=False: markdown_math(tex)
    return lambda tex, display=False: tex


# -- what the templates receive ----------------------------------------------------------------
_SENSE_WORD = {"maximize": "maximise", "minimize": "minimise"}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _method(judgement) -> str:
    """How the step was decided; for a refuted step, the values that show it."""
    if judgement.verdict is not Verdict.REFUTED or judgement.relation is Relation.APPROX:
        return judgement.method  # an approx step's method says the value in a sentence
    at = ", ".join(f"{k} = {v}" for k, v in (judgement.counterexample or {}).items())
    return f"{judgement.method}: left {judgement.left}, right {judgement.right} at {at}"


def _justification(by: str, over: str | None, notes: list[str]) -> str:
    """The author's words, what a same-optimizers step keeps (``over``, inline math of the
    format) and further notes, as escaped prose (a table cell, or a paragraph under the
    step)."""
    return "; ".join(filter(None, [by, over and f"same optimisers over {over}", *notes]))


def _lines(tex: str, breakable: bool) -> list[str]:
    """A formula as display lines (see ``layout``); the author's own LaTeX stays whole."""
    return break_lines(tex) if breakable else [tex]


def _conclusion_rows(report: Report) -> list[str]:
    """The conclusion as rows of an ``aligned`` block: one row when it fits on a line, else the
    left side, then the relation and the right side, each broken like a step."""
    (left, left_breakable), relation, (right, right_breakable) = conclusion_sides(report)
    whole = f"{left} {relation} {right}"
    if width(whole) <= LINE_WIDTH:
        return [whole]
    left_lines, right_lines = _lines(left, left_breakable), _lines(right, right_breakable)
    return ["& " + left_lines[0], *(f"&{CONTINUATION}{line}" for line in left_lines[1:]),
            f"&{relation} {right_lines[0]}", *(f"&{CONTINUATION}{line}" for line in right_lines[1:])]


def _steps(report: Report, fmt: str) -> list[dict]:
    markdown = fmt == "markdown"
    escape, prose = writers(fmt)
    math = formula_writer(fmt)
    optimization = report.derivation.optimization
    over = ", ".join(to_latex(v) for v in optimization.over) if optimization else ""
    over = (math(over) if fmt == "html" else f"${over}$") if over else ""
    sense = optimization.sense if optimization else None
    steps = []
    for entry in report.steps:
        step, verdict = entry.step, entry.verdict
        same, notes = step.relation is Relation.SAME_OPTIMIZERS, []
        if same:
            new = entry.judgement.sense or step.sense or sense
            if new is not sense:
                notes.append(f"now {_SENSE_WORD[new.value]}")
            sense = new
        if step.using:
            notes.append("using " + ", ".join(escape(name) for name in step.using))
        by = prose(_one_line(step.by))
        words = "⇔ same optimisers" if same else step.relation.symbol  # safe in Markdown
        tex = step_latex(step) or written_latex(step.expr, step.display)
        steps.append({
            "index": entry.index,
            "relation": math(RELATION_LATEX[step.relation]),
            "relation_text": words if markdown or fmt == "html" else escape_latex(words),
            "expr": math(tex, True),
            "lines": [math(tex, True)] if fmt == "html" else
            [math(line) for line in _lines(tex, step_latex(step) is None)],
            "by": by,
            "justification": _justification(by, over if same else None, notes),
            "verdict": verdict.value,
            "passed": verdict.passes(),
            "mark": {"markdown": MARKS[verdict].markdown, "html": escape_html(MARKS[verdict].terminal)}
            .get(fmt, MARKS[verdict].latex),
            "math_mark": math(MARKS[verdict].math),
            "method": prose(_one_line(_method(entry.judgement))),
        })
    return steps


def template_context(report: Report, fmt: str) -> dict:
    """Every name a template (built-in or a user's) can use: strings, numbers, lists and dicts."""
    escape, prose = writers(fmt)
    math = formula_writer(fmt)
    derivation = report.derivation
    optimization = derivation.optimization
    start = derivation.start_latex or written_latex(derivation.start, derivation.start_display)
    return {
        "id": derivation.id,
        "standalone": fmt == "latex",
        "title": prose(derivation.title),
        "summary": prose(derivation.summary.strip()),
        # the file's definitions, each once, listed with the assumptions: H(p) = ...
        "assumptions": [math(a) for a in assumptions_latex(
            derivation.context, [derivation.start, *(s.expr for s in derivation.steps)])
            + [definition_latex(d) for d in derivation.definitions]],
        "givens": [{"name": escape(g.name), "latex": math(" = ".join(
            written_latex(side, shown) for side, shown in
            zip((g.lhs, g.rhs), derivation.givens_display.get(name, (None, None)))))}
            for name, g in derivation.givens.items()],
        "optimization": optimization and {
            "over": math(", ".join(to_latex(v) for v in optimization.over)),
            "sense": _SENSE_WORD[optimization.sense.value],
            "final_sense": _SENSE_WORD[report.chain.sense.value],
        },
        "start": math(start, True),
        "start_lines": [math(start, True)] if fmt == "html" else
        [math(line) for line in _lines(start, derivation.start_latex is None)],
        "steps": _steps(report, fmt),
        "conclusion": math(conclusion_latex(report), True),
        "conclusion_rows": [math(conclusion_latex(report), True)] if fmt == "html" else
        [math(row) for row in _conclusion_rows(report)],
        "passed": report.passed(),
        "unverified": [f"{s.index} ({s.verdict.value})" for s in report.steps
                       if not s.verdict.passes()],
        # set by a handout: the derivation's number in it, and that it is part of one
        "handout": False,
        "number": None,
        "heading": "#",  # Markdown: the level of the derivation's own heading
    }


# -- templates -------------------------------------------------------------------------------
def builtin_template_dir() -> Path:
    """The folder of the package ``derivations.templates`` (the repository's ``templates/``,
    installed inside the package)."""
    return Path(str(importlib.resources.files("derivations.templates")))


def template_names() -> list[str]:
    """The names a user's template may have: those of the built-in templates."""
    return sorted(p.name for p in builtin_template_dir().glob("*.j2"))


def _check_template_dir(template_dir) -> None:
    """A user's template whose name no document uses would be ignored without a word: refused,
    with the names that are used."""
    known = template_names()
    stray = sorted(p.name for p in Path(template_dir).glob("*.j2") if p.name not in known)
    if stray:
        raise UsageError(f"--template-dir {template_dir}: {', '.join(stray)} is not the name of "
                         f"a template, so it would never be used; the templates are "
                         f"{', '.join(known)}")


def template_environment(fmt: str, template_dir) -> jinja2.Environment:
    """The Jinja environment of ``fmt``: the user's ``template_dir`` first, then the built-in
    templates."""
    if template_dir is not None:
        _check_template_dir(template_dir)
    folders = ([str(template_dir)] if template_dir is not None else []) + [str(builtin_template_dir())]
    # TeX is full of {% and {{; these delimiters never occur in it.
    delimiters = dict(block_start_string="((*", block_end_string="*))",
                      variable_start_string="(((", variable_end_string=")))",
                      comment_start_string="((=", comment_end_string="=))") if fmt not in (
        "markdown", "html") else {}
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(f) for f in folders]),
        autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined, **delimiters,
    )


def render_template(environment: jinja2.Environment, name: str, context: dict) -> str:
    """``name`` rendered with ``context``; a template that does not parse, names an unknown
    variable or fails while rendering is an ``InputError`` at its file and line."""
    try:
        return environment.get_template(name).render(context)
    except jinja2.TemplateError as exc:
        path = getattr(exc, "filename", None)
        line = getattr(exc, "lineno", None)
        if path is None:  # raised while rendering: the template's frame in the traceback
            import traceback

            frames = [f for f in traceback.extract_tb(exc.__traceback__)
                      if f.filename.endswith(".j2")]
            if frames:
                path, line = frames[-1].filename, frames[-1].lineno
        raise InputError(path or name, f"template: {exc.message or exc}", line,
                         1 if line else None) from None


def render(report: Report, fmt: str, *, allow_unverified: bool = False, template_dir=None) -> str:
    """The document for ``report``; a chain that did not pass only with ``allow_unverified``,
    and then with every unverified step marked."""
    if fmt not in TEMPLATES:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(TEMPLATES)}")
    if not report.passed() and not allow_unverified:
        failing = ", ".join(f"step {s.index} is {s.verdict.value}" for s in report.steps
                            if not s.verdict.passes())
        raise RenderRefused(f"{report.derivation.source} did not pass ({failing}); "
                            "render it with --allow-unverified (allow_unverified=True) to mark these "
                            "steps in the document")
    return render_template(template_environment(fmt, template_dir), TEMPLATES[fmt],
                           template_context(report, fmt))
