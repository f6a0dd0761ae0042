"""Reports assembled from kernel judgements, as the checker assembles them, for tests that
need a report of a particular shape without running the checker."""

from derivations.kernel import (
    POSITIVE, POSITIVE_INTEGER, Chain, Context, Optimization, Relation, Sense, integer_range,
    same_optimizers_by_monotone_map,
)
from derivations.model import Derivation, Step
from derivations.report import Report, StepReport


def report_of(ctx, start, judgements, optimization=None, steps=None, title="T", summary="",
              givens=()):
    steps = steps or [Step(j.after, j.relation, sense=j.sense) for j in judgements]
    chain = Chain(ctx, start, optimization, givens)
    reports = []
    for index, (step, judgement) in enumerate(zip(steps, judgements), start=1):
        chain.extend(judgement)
        reports.append(StepReport(index, step, judgement, 0.0))
    derivation = Derivation("t", title, ctx, start, tuple(steps), summary=summary,
                            optimization=optimization, givens={g.name: g for g in givens})
    return Report(derivation, tuple(reports), chain)


def optimisation_report():
    """maximise -(theta - b)^2 ⇔ minimise (theta - b)^2."""
    ctx = Context()
    t, b = ctx.symbol("theta"), ctx.symbol("b")
    optimization = Optimization((t,), Sense.MAXIMIZE)
    start, end = -(t - b) ** 2, (t - b) ** 2
    judgement = same_optimizers_by_monotone_map(ctx, start, end, optimization, Sense.MAXIMIZE,
                                                Sense.MINIMIZE, -1, False, "expand")
    step = Step(end, Relation.SAME_OPTIMIZERS, "negate", Sense.MINIMIZE)
    return report_of(ctx, start, [judgement], optimization, steps=[step], title="Opt")


def scalar_context():
    """A context with theta, sigma > 0, a size n and an index i in [1, n]: the start of the
    contexts that expression readers are tested in."""
    ctx = Context()
    ctx.symbol("theta")
    ctx.symbol("sigma", POSITIVE)
    n = ctx.symbol("n", POSITIVE_INTEGER)
    ctx.symbol("i", integer_range(1, n))
    return ctx
