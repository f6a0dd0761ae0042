"""What ``derive check`` prints about a checked derivation, as plain data: the verdicts, both
sides of a refuted step as text, the counts.  A summary can be kept in the verdict cache and
printed again without SymPy."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .verdicts import Verdict

VERDICTS = tuple(v.value for v in Verdict)


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
    recalled_whole: bool = False  # read back from the verdict cache, the file not even read

    def passed(self, strict: bool = False) -> bool:
        return all(Verdict(s.verdict).passes(strict) for s in self.steps)

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
        """The same summary, marked as recalled from the cache, every step with it."""
        from dataclasses import replace

        return replace(self, steps=tuple(replace(s, cached=True) for s in self.steps),
                       recalled_whole=True)


def _text(step) -> str:
    """A step's expression as text; the decimal as written for an ``approx`` step."""
    from .kernel.numeric import fixed_decimal
    from .documents.notation import to_text

    if step.relation.value == "approx" and step.decimals is not None and step.expr.is_Rational:
        return fixed_decimal(step.expr, step.decimals)
    return to_text(step.expr)


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
    from .documents.notation import to_text

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
            right_text=_text(step.step) if refuted else None,
            consistent_with=step.consistent_with))
        previous = step.step.expr
    derivation = report.derivation
    return Summary(derivation.source, derivation.id, derivation.title, tuple(steps))
