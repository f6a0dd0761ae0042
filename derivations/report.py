"""The result of checking a derivation: one judgement per step, with timings, and the conclusion."""

from __future__ import annotations

from dataclasses import dataclass

from .kernel import Chain, Judgement, Relation, Verdict
from .model import Derivation, Step


@dataclass(frozen=True)
class StepReport:
    index: int  # from 1
    step: Step
    judgement: Judgement
    seconds: float
    # For a refuted step after a refuted one: the step (0: the start) whose expression, the last
    # that stands, this step's expression follows from; the slip is in the steps between.
    consistent_with: int | None = None

    @property
    def verdict(self) -> Verdict:
        return self.judgement.verdict


@dataclass(frozen=True)
class Report:
    derivation: Derivation
    steps: tuple[StepReport, ...]
    chain: Chain

    @property
    def relation(self) -> Relation:
        """What the whole chain establishes between the start and the last expression."""
        return self.chain.relation

    def passed(self, strict: bool = False) -> bool:
        return all(s.verdict.passes(strict) for s in self.steps)

    def count(self, verdict: Verdict) -> int:
        return sum(1 for s in self.steps if s.verdict is verdict)

    @property
    def first_failure(self) -> StepReport | None:
        return next((s for s in self.steps if s.verdict in (Verdict.REFUTED, Verdict.UNDECIDED)), None)

    def _repr_markdown_(self) -> str:
        """Jupyter shows a report as its Markdown document, unverified steps marked."""
        from .documents.render import render

        return render(self, "markdown", allow_unverified=True)
