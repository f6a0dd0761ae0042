"""What ``derive check`` prints about a checked derivation, as plain data: the verdicts, both
sides of a refuted step as text, the counts.  A summary can be kept in the verdict cache and
printed again without SymPy."""

from __future__ import annotations

from dataclasses import asdict, dataclass

VERDICTS = ("proved", "checked", "refuted", "undecided")
PASSING = ("proved", "checked")


@dataclass(frozen=True)
class StepSummary:
    index: int  # from 1
    line: int | None
    relation: str  # the relation's value: "=", "<=", "same optimizers", ...
    verdict: str
    method: str
    seconds: float
    cached: bool = False
    counterexample: dict | None = None
    left: str | None = None  # the two values at the counterexample
    right: str | None = None
    left_text: str | None = None  # the two sides of a refuted step, as text
    right_text: str | None = None
    consistent_with: int | None = None  # a refuted step that holds from this step (0: start)


@dataclass(frozen=True)
class Summary:
    source: str  # the file's path, or the built-in id
    id: str
    title: str
    steps: tuple[StepSummary, ...]

    def passed(self, strict: bool = False) -> bool:
        allowed = ("proved",) if strict else PASSING
        return all(s.verdict in allowed for s in self.steps)

    def count(self, verdict: str) -> int:
        return sum(1 for s in self.steps if s.verdict == verdict)

    @property
    def decided(self) -> bool:
        """No step undecided: a summary worth keeping (more time might decide one)."""
        return not self.count("undecided")

    def as_data(self) -> dict:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict) -> Summary:
        return cls(**{**data, "steps": tuple(StepSummary(**s) for s in data["steps"])})

    def recalled(self) -> Summary:
        """The same summary, every step marked as recalled from the cache."""
        from dataclasses import replace

        return replace(self, steps=tuple(replace(s, cached=True) for s in self.steps))


def consistency_text(step: StepSummary) -> str | None:
    """What a refuted step that holds from an earlier expression says: where the slip is."""
    if step.consistent_with is None:
        return None
    since = "the start" if step.consistent_with == 0 else f"step {step.consistent_with}"
    first, last = step.consistent_with + 1, step.index - 1
    wrong = f"only step {first} is wrong" if first == last else \
        f"the slip is in steps {first} to {last}"
    return f"consistent with {since}: {wrong}"


def summarize(report) -> Summary:
    """The summary of a ``Report``."""
    from .printing import to_text

    steps, previous = [], report.derivation.start
    for step in report.steps:
        judgement = step.judgement
        refuted = judgement.verdict.value == "refuted"
        steps.append(StepSummary(
            index=step.index, line=step.step.line, relation=step.step.relation.value,
            verdict=judgement.verdict.value, method=judgement.method, seconds=step.seconds,
            cached=judgement.recalled, counterexample=judgement.counterexample,
            left=judgement.left, right=judgement.right,
            left_text=to_text(previous) if refuted else None,
            right_text=to_text(step.step.expr) if refuted else None,
            consistent_with=step.consistent_with))
        previous = step.step.expr
    derivation = report.derivation
    return Summary(derivation.source, derivation.id, derivation.title, tuple(steps))
