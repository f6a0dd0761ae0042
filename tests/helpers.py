"""Reports assembled from kernel judgements, as the checker assembles them, for tests that
need a report of a particular shape without running the checker."""

from derivations.kernel import Chain
from derivations.model import Derivation, Step
from derivations.report import Report, StepReport


def report_of(ctx, start, judgements, optimization=None, steps=None, title="T", summary=""):
    steps = steps or [Step(j.after, j.relation, sense=j.sense) for j in judgements]
    chain = Chain(ctx, start, optimization)
    reports = []
    for index, (step, judgement) in enumerate(zip(steps, judgements), start=1):
        chain.extend(judgement)
        reports.append(StepReport(index, step, judgement, 0.0))
    derivation = Derivation("t", title, ctx, start, tuple(steps), summary=summary,
                            optimization=optimization)
    return Report(derivation, tuple(reports), chain)
