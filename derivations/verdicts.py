"""The four verdicts, what "passing" means, and how each verdict is marked in every output,
said once.  Imports nothing, so a run printed from the verdict cache needs no SymPy."""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class Verdict(str, Enum):
    PROVED = "proved"
    CHECKED = "checked"
    REFUTED = "refuted"
    UNDECIDED = "undecided"

    def passes(self, strict: bool = False) -> bool:
        """Proved always passes; checked (numeric evidence) only when not ``strict``."""
        return self is Verdict.PROVED or (self is Verdict.CHECKED and not strict)


class Marks(NamedTuple):
    """One verdict's mark in each output."""

    terminal: str  # derive show
    markdown: str  # Markdown prose (the table of steps)
    latex: str  # LaTeX text, such as an equation tag
    math: str  # inside formulas: \textbf works in math mode in LaTeX and in MathJax (GitHub)


MARKS = {
    Verdict.PROVED: Marks("✓ proved", "✓ proved", r"\ensuremath{\checkmark}", r"\checkmark"),
    Verdict.CHECKED: Marks("≈ checked", "checked numerically", r"\textit{checked numerically}",
                           r"\text{checked numerically}"),
    Verdict.REFUTED: Marks("✗ REFUTED", "**REFUTED**", r"\textbf{REFUTED}", r"\textbf{REFUTED}"),
    Verdict.UNDECIDED: Marks("? UNDECIDED", "**UNDECIDED**", r"\textbf{UNDECIDED}",
                             r"\textbf{UNDECIDED}"),
}
