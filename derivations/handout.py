"""Lecture handouts: several checked derivations in one document (a LaTeX article with a title
block, a table of contents, a section per derivation and an appendix of how each step was
checked, or the same as GitHub Markdown), and the command's work from targets to files.

Each derivation is rendered by the single-derivation templates (``fragment.tex.j2``,
``derivation.md.j2``) from the context of ``render._context``; the handout templates
(``handout.tex.j2``, ``handout.md.j2``) place those bodies and the appendix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import tex
from .kernel import Verdict
from .render import (
    RenderRefused, _context, _environment, escape_latex, escape_markdown,
)
from .report import Report
from .storage import write_atomically
from .settings import CheckSettings
from .workflow import UsageError, check_all, select

FORMATS = ("latex", "markdown")
TEMPLATES = {"latex": "handout.tex.j2", "markdown": "handout.md.j2"}
BODY_TEMPLATES = {"latex": "fragment.tex.j2", "markdown": "derivation.md.j2"}
SUFFIXES = {"latex": ".tex", "markdown": ".md"}
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
    markdown = fmt == "markdown"
    escape = escape_markdown if markdown else escape_latex
    environment = _environment(fmt, template_dir)
    body_template = environment.get_template(BODY_TEMPLATES[fmt])
    taken: dict = {}
    derivations = []
    for number, report in enumerate(reports, start=1):
        context = _context(report, fmt) | {"handout": True, "number": number, "heading": "##"}
        context["anchor"] = _anchor(f"{number}. {report.derivation.title}", taken)
        context["body"] = body_template.render(context).strip("\n")
        context["seconds"] = f"{sum(s.seconds for s in report.steps):.2f}"
        context["counts"] = ", ".join(f"{report.count(v)} {v.value}" for v in Verdict)
        derivations.append(context)
    taken["appendix"] = 0
    steps = sum(len(r.steps) for r in reports)
    return {
        "title": escape(title), "author": escape(author), "date": escape(date),
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
    return _environment(fmt, template_dir).get_template(TEMPLATES[fmt]).render(context)


# -- the command -------------------------------------------------------------------------------
@dataclass
class Written:
    """What a handout or build wrote, and what it could not (with the reason)."""

    paths: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)


def format_for(output: Path, fmt: str | None) -> str:
    """The format asked for, or the one the output's suffix names (``.md``: Markdown)."""
    if fmt is not None:
        return fmt
    return "markdown" if output.suffix.lower() in (".md", ".markdown") else "latex"


def write_pdf(source: str, path: Path, *, time_limit: float = tex.TIME_LIMIT) -> Path:
    """Compile ``source`` and write the PDF atomically; raises ``tex.TexUnavailable`` or
    ``tex.TexFailed``."""
    write_atomically(path, tex.compile_pdf(source, time_limit=time_limit).pdf)
    return path


def make_handout(targets: tuple[str, ...], everything: bool, *, output: Path, title: str,
                 fmt: str | None = None, author: str = "", date: str = "", pdf: bool = False,
                 template_dir=None, allow_unverified: bool = False,
                 settings: CheckSettings = CheckSettings()) -> Written:
    """``derive handout``: check the targets as ``derive check`` does (recalling verdicts from
    ``settings.cache``, a ``VerdictCache``), write the handout to
    ``output`` and, with ``pdf``, its PDF beside it (``output`` with the suffix ``.pdf``).

    Raises ``UsageError`` for a bad request or an unreadable file (exit code 2),
    ``RenderRefused`` for a derivation that did not pass (exit code 1), ``tex.TexUnavailable``
    and ``tex.TexFailed`` for the PDF (exit code 2)."""
    fmt = format_for(output, fmt)
    if not title.strip():
        raise UsageError("--title must not be empty")
    if pdf and fmt != "latex":
        raise UsageError("--pdf needs the LaTeX format (a .tex output)")
    if pdf and output.suffix.lower() == ".pdf":
        raise UsageError(f"-o names the LaTeX source ({output.with_suffix('.tex')}); "
                         "--pdf writes the PDF beside it")
    if pdf and not tex.available():
        raise tex.TexUnavailable()
    if template_dir is not None and not Path(template_dir).is_dir():
        raise UsageError(f"--template-dir {template_dir}: not a folder")
    reports, errors = check_all(select(targets, everything), settings)
    if errors:
        raise UsageError("cannot read " + "; ".join(str(e) for e in errors))
    text = handout(reports, fmt, title=title, author=author, date=date,
                   allow_unverified=allow_unverified, template_dir=template_dir)
    write_atomically(output, text)
    written = Written([output], reports=reports)
    if pdf:
        written.paths.append(write_pdf(text, output.with_suffix(".pdf")))
    return written
