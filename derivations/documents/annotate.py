"""Notes written back with each checked row marked: ``derive check notes.tex --annotate OUT``.

The notes are copied as they are; a ``\\tag*{...}`` is put at the start of the line where each
checked row begins (✓ proved, ≈ checked, ✗ refuted, ? undecided), and a refuted row's
counterexample is written out: in a LaTeX note inside its tag, in a Markdown note as a numbered
note at the end.  ``OUT.pdf`` compiles the annotated LaTeX with the safe settings of handouts
(``derivations.documents.tex``).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..storage import write_atomically

LATEX_MARKS = {"proved": r"\surd", "checked": r"\approx", "refuted": r"\times", "undecided": "?"}
TEXT_MARKS = {"proved": "✓", "checked": "≈", "refuted": "✗", "undecided": "?"}
SUFFIXES = (".tex", ".md", ".pdf")


def _counterexample(step) -> str:
    values = ", ".join(f"{name} = {value}" for name, value in (step.counterexample or {}).items())
    return f"at {values}: left {step.left}, right {step.right}"


def _escape(text: str) -> str:
    """Plain text for inside ``\\text{...}``: the characters TeX would read as commands."""
    special = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "^": r"\^{}",
               "%": r"\%", "#": r"\#", "&": r"\&", "$": r"\$", "~": r"\~{}"}
    return "".join(special.get(char, char) for char in text)


def annotated(text: str, summaries, markdown: bool) -> str:
    """``text`` (the notes) with the verdicts of ``summaries`` (one per chain) marked."""
    marks: dict[int, list[str]] = {}  # line -> marks of the steps whose rows start there
    notes: list[str] = []
    for summary in summaries:
        for step in summary.steps:
            if step.line is None:
                continue
            if markdown:
                mark = TEXT_MARKS[step.verdict]
                if step.verdict == "refuted":
                    notes.append(f"{len(notes) + 1}. Line {step.line}, {summary.title}, step "
                                 f"{step.index}: refuted {_counterexample(step)}.")
                    mark += f" [{len(notes)}]"
                marks.setdefault(step.line, []).append(r"\text{%s}" % mark)
            else:
                mark = "$%s$" % LATEX_MARKS[step.verdict]
                if step.verdict == "refuted":
                    mark += " " + _escape(_counterexample(step))
                marks.setdefault(step.line, []).append(r"\text{%s}" % mark)
    lines = text.split("\n")
    for line, found in marks.items():
        if 1 <= line <= len(lines):
            lines[line - 1] = r"\tag*{%s} " % r"\ ".join(found) + lines[line - 1]
    if notes:
        lines += ["", "**Counterexamples** (from `derive check --annotate`):", "", *notes, ""]
    return "\n".join(lines)


def _document(source: str) -> str:
    """A LaTeX note as a whole document (a fragment is wrapped) with the packages tags need."""
    if r"\documentclass" in source:
        return source.replace(r"\begin{document}", "\\usepackage{amsmath}\n\\begin{document}", 1)
    return ("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n" + source
            + "\n\\end{document}\n")


def write(notes_path: str, summaries, output: Path) -> Path:
    """Write the annotated notes to ``output`` (.tex, .md, or .pdf from a LaTeX note)."""
    from . import tex

    suffix = output.suffix.lower()
    markdown = notes_path.lower().endswith(".md")
    if suffix not in SUFFIXES:
        raise UsageError(f"--annotate writes {', '.join(SUFFIXES)}, not {output.name}")
    if markdown and suffix != ".md" or not markdown and suffix == ".md":
        raise UsageError(f"--annotate writes a Markdown note as .md and a LaTeX note as .tex "
                         f"or .pdf, not {output.name}")
    text = Path(notes_path).read_text(encoding="utf-8")
    result = annotated(text, summaries, markdown)
    if suffix == ".pdf":
        write_atomically(output, tex.compile_pdf(_document(result)).pdf)
    else:
        write_atomically(output, result)
    return output
