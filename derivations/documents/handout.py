"""Lecture handouts: several checked derivations in one document (a LaTeX article with a title
block, a table of contents, a section per derivation and an appendix of how each step was
checked, or the same as GitHub Markdown), and its PDF.  ``derive handout``'s work from
targets to files is ``running.workflow.make_handout``.

Each derivation is rendered by the single-derivation templates (``fragment.tex.j2``,
``derivation.md.j2``) from the context of ``render.template_context``; the handout templates
(``handout.tex.j2``, ``handout.md.j2``) place those bodies and the appendix.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import tex
from ..kernel import Verdict
from .render import (
    RenderRefused, render_template, template_context, template_environment, writers,
)
from ..report import Report
from ..storage import write_atomically

FORMATS = ("latex", "markdown", "html")
TEMPLATES = {"latex": "handout.tex.j2", "markdown": "handout.md.j2", "html": "handout.html.j2"}
BODY_TEMPLATES = {"latex": "fragment.tex.j2", "markdown": "derivation.md.j2",
                  "html": "section.html.j2"}
SUFFIXES = {"latex": ".tex", "markdown": ".md", "html": ".html"}
VERDICT_WORDS = {
    Verdict.PROVED: "an exact symbolic argument under the declared assumptions",
    Verdict.CHECKED: "no proof found, but the relation held at many random points at 40 digits",
    Verdict.REFUTED: "a counterexample, given in the appendix",
    Verdict.UNDECIDED: "neither, within the time limit",
}


def _anchor(text: str, taken: dict) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens, and
    ``-1``, ``-2`` ... after a repeat."""
    slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
    count = taken.get(slug, 0)
    taken[slug] = count + 1
    return slug if count == 0 else f"{slug}-{count}"


def _refuse_unverified(reports: list[Report]) -> None:
    failing = [f"{r.derivation.source} (" + ", ".join(
        f"step {s.index} is {s.verdict.value}" for s in r.steps if not s.verdict.passes()) + ")"
        for r in reports if not r.passed()]
    if failing:
        raise RenderRefused("not every derivation passed: " + "; ".join(failing) +
                            "; make the handout with --allow-unverified (allow_unverified=True) "
                            "to include them with these steps marked")


def handout_context(reports: list[Report], fmt: str, *, title: str, author: str = "",
                    date: str = "", template_dir=None) -> dict:
    """Every name a handout template receives (see the README, "Templates")."""
    escape, prose = writers(fmt)
    environment = template_environment(fmt, template_dir)
    taken: dict = {}
    derivations = []
    for number, report in enumerate(reports, start=1):
        context = template_context(report, fmt) | {"handout": True, "number": number,
                                                    "heading": "##"}
        context["anchor"] = _anchor(f"{number}. {report.derivation.title}", taken)
        context["body"] = render_template(environment, BODY_TEMPLATES[fmt], context).strip("\n")
        context["counts"] = ", ".join(f"{report.count(v)} {v.value}" for v in Verdict)
        derivations.append(context)
    taken["appendix"] = 0
    steps = sum(len(r.steps) for r in reports)
    return {
        "title": prose(title), "author": escape(author), "date": escape(date),
        "derivations": derivations,
        "unverified": [d["title"] for d in derivations if not d["passed"]],
        "summary": f"{len(reports)} derivation{'s' if len(reports) != 1 else ''}, {steps} steps: "
                   + ", ".join(f"{sum(r.count(v) for r in reports)} {v.value}" for v in Verdict),
        "verdicts": [{"name": v.value, "meaning": VERDICT_WORDS[v]} for v in Verdict],
        "appendix_anchor": _anchor("Appendix: how each step was checked", taken),
    }


def handout(reports: list[Report], fmt: str, *, title: str, author: str = "", date: str = "",
            allow_unverified: bool = False, template_dir=None) -> str:
    """One document holding every report's derivation, in order; a derivation that did not pass
    only with ``allow_unverified``, and then with its unverified steps marked."""
    if fmt not in TEMPLATES:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(TEMPLATES)}")
    if not reports:
        raise ValueError("a handout needs at least one derivation")
    if not allow_unverified:
        _refuse_unverified(reports)
    context = handout_context(reports, fmt, title=title, author=author, date=date,
                              template_dir=template_dir)
    return render_template(template_environment(fmt, template_dir), TEMPLATES[fmt], context)


def write_pdf(source: str, path: Path, *, time_limit: float = tex.TIME_LIMIT,
              reports: list[Report] = (), epoch: int | None = None) -> Path:
    """Compile ``source`` and write the PDF atomically; raises ``tex.TexUnavailable`` or
    ``tex.TexFailed``, the latter naming the derivation file and step whose ``latex`` display
    field the error is in, when it is in one of ``reports``' fields."""
    try:
        compiled = tex.compile_pdf(source, time_limit=time_limit, epoch=epoch)
    except tex.TexFailed as failed:
        places = author_displays_at(failed, source, reports)
        if not places:
            raise
        raise tex.TexFailed(f"{places[0]}; TeX's message follows", failed.lines,
                            failed.log) from None
    write_atomically(path, compiled.pdf)
    return path


_DISPLAY_START = re.compile(r"\\begin\{(align|equation|gather|multline)\*?\}|\\\[|\$\$")


def author_displays_at(failed: tex.TexFailed, source: str, reports: list[Report]) -> list[str]:
    """Where the author's LaTeX that broke the compilation is written: ``file:line: step k:
    its latex: field`` for each ``latex`` display field written in the display (or line) the
    engine stopped in, the nearest first.  TeX names the end of a display, so the display is
    read back to its start."""
    fields = [(step.latex, f"{r.derivation.source}:{step.line}: step {index}")
              if step.line else (step.latex, f"{r.derivation.source}: step {index}")
              for r in reports for index, step in enumerate(r.derivation.steps, start=1)
              if step.latex]
    fields += [(r.derivation.start_latex, f"{r.derivation.source}: start")
               for r in reports if r.derivation.start_latex]
    lines = source.splitlines()
    places = []
    for entry in failed.lines:
        found = re.match(r"line (\d+):", entry)
        if not found:
            continue
        end = int(found.group(1))
        start = end
        while start > 1 and not _DISPLAY_START.search(lines[start - 1]) and end - start < 200:
            start -= 1
        for number in range(end, start - 1, -1):
            for text, place in fields:
                if 0 < number <= len(lines) and text in lines[number - 1]:
                    message = f"{place}: its latex: field does not compile: {text}"
                    if message not in places:
                        places.append(message)
    return places
