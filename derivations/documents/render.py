"""Checked derivations as documents (LaTeX article or fragment, GitHub Markdown) through Jinja2.

Everything mathematical is turned into strings here, so a template (built-in or the user's) only
places ready text: it never sees a SymPy object and cannot reach the checker.
"""

from __future__ import annotations

import importlib.resources
import re
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from sympy.printing.latex import translate
from sympy.printing.pretty.pretty_symbology import greek_unicode

from ..errors import NotVerified
from ..kernel import Relation, Verdict
from .layout import CONTINUATION, LINE_WIDTH, break_lines, width
from .notation import (
    RELATION_LATEX, assumptions_latex, definition_latex, conclusion_latex, conclusion_sides, step_latex, to_latex,
)
from ..verdicts import MARKS

if TYPE_CHECKING:
    from ..report import Report

TEMPLATES = {"latex": "article.tex.j2", "latex-fragment": "fragment.tex.j2",
             "markdown": "derivation.md.j2"}


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
    """The author's words, what a same-optimizers step keeps (``over``, LaTeX) and further
    notes, as escaped prose with inline math (a table cell, or a paragraph under the step)."""
    return "; ".join(filter(None, [by, over and f"same optimisers over ${over}$", *notes]))


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


def _seconds(seconds: float) -> str:
    """A step's time as a person reads it: 0.8 ms, 45.1 ms, 1.24 s."""
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _steps(report: Report, markdown: bool) -> list[dict]:
    escape = escape_markdown if markdown else escape_latex
    optimization = report.derivation.optimization
    over = ", ".join(to_latex(v) for v in optimization.over) if optimization else ""
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
        by = escape(_one_line(step.by))
        words = "⇔ same optimisers" if same else step.relation.symbol  # safe in Markdown
        steps.append({
            "index": entry.index,
            "relation": RELATION_LATEX[step.relation],
            "relation_text": words if markdown else escape_latex(words),
            "expr": step_latex(step) or to_latex(step.expr),
            "lines": _lines(step_latex(step) or to_latex(step.expr), step_latex(step) is None),
            "by": by,
            "justification": _justification(by, over if same else None, notes),
            "verdict": verdict.value,
            "passed": verdict.passes(),
            "mark": MARKS[verdict].markdown if markdown else MARKS[verdict].latex,
            "math_mark": MARKS[verdict].math,
            "method": escape(_one_line(_method(entry.judgement))),
            "time": _seconds(entry.seconds).replace(" ", " " if markdown else r"\,"),
        })
    return steps


def template_context(report: Report, fmt: str) -> dict:
    """Every name a template (built-in or a user's) can use: strings, numbers, lists and dicts."""
    markdown = fmt == "markdown"
    escape = escape_markdown if markdown else escape_latex
    derivation = report.derivation
    optimization = derivation.optimization
    return {
        "id": derivation.id,
        "standalone": fmt == "latex",
        "title": escape(derivation.title),
        "summary": escape(derivation.summary.strip()),
        # the file's definitions, each once, listed with the assumptions: H(p) = ...
        "assumptions": assumptions_latex(derivation.context)
        + [definition_latex(d) for d in derivation.definitions],
        "givens": [{"name": escape(g.name), "latex": f"{to_latex(g.lhs)} = {to_latex(g.rhs)}"}
                   for g in derivation.givens.values()],
        "optimization": optimization and {
            "over": ", ".join(to_latex(v) for v in optimization.over),
            "sense": _SENSE_WORD[optimization.sense.value],
            "final_sense": _SENSE_WORD[report.chain.sense.value],
        },
        "start": derivation.start_latex or to_latex(derivation.start),
        "start_lines": _lines(derivation.start_latex or to_latex(derivation.start),
                              derivation.start_latex is None),
        "steps": _steps(report, markdown),
        "conclusion": conclusion_latex(report),
        "conclusion_rows": _conclusion_rows(report),
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


def template_environment(fmt: str, template_dir) -> jinja2.Environment:
    """The Jinja environment of ``fmt``: the user's ``template_dir`` first, then the built-in
    templates."""
    folders = ([str(template_dir)] if template_dir is not None else []) + [str(builtin_template_dir())]
    # TeX is full of {% and {{; these delimiters never occur in it.
    delimiters = dict(block_start_string="((*", block_end_string="*))",
                      variable_start_string="(((", variable_end_string=")))",
                      comment_start_string="((=", comment_end_string="=))") if fmt != "markdown" else {}
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(f) for f in folders]),
        autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined, **delimiters,
    )


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
    return template_environment(fmt, template_dir).get_template(TEMPLATES[fmt]).render(
        template_context(report, fmt))
