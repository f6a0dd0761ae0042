"""The checker's verdicts on whole steps, right and wrong, including the corpus of slips people make."""

import sympy as sp
import pytest

from derivations.settings import CheckSettings
from derivations.checker import check
from derivations.model import DerivationError
from derivations.kernel import (
    NEGATIVE, POSITIVE, POSITIVE_INTEGER, Context, Optimization, Relation, Sense, Verdict,
    integer_range, interval,
)
from derivations.model import Derivation, Step

SAME = Relation.SAME_OPTIMIZERS


def verdicts(ctx, start, steps, optimization=None, timeout=5.0):
    report = check(Derivation("t", "t", ctx, start, tuple(steps), optimization=optimization),
                   CheckSettings(timeout=timeout))
    return report, [s.verdict for s in report.steps]


def test_log_of_a_square_is_refuted_for_real_x_and_proved_for_positive_x():
    real = Context()
    x = real.symbol("x")
    report, found = verdicts(real, sp.log(x**2), [Step(2 * sp.log(x))])
    assert found == [Verdict.REFUTED]
    assert float(report.steps[0].judgement.counterexample["x"]) < 0
    positive = Context()
    x = positive.symbol("x", POSITIVE)
    assert verdicts(positive, sp.log(x**2), [Step(2 * sp.log(x))])[1] == [Verdict.PROVED]


def test_wrong_normaliser_is_refuted_with_every_value(regression):
    r = regression
    n, sigma, i, residual = r["n"], r["sigma"], r["i"], r["residual"]
    density = sp.exp(-residual**2 / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)
    start = -sp.log(sp.Product(density, (i, 1, n)))
    steps = [
        Step(-sp.Sum(sp.log(density), (i, 1, n))),
        Step(n * sp.log(sp.sqrt(2 * sp.pi * sigma)) + sp.Sum(residual**2, (i, 1, n)) / (2 * sigma**2)),
    ]
    report, found = verdicts(r["ctx"], start, steps)
    assert found == [Verdict.PROVED, Verdict.REFUTED]
    judgement = report.steps[1].judgement
    size = int(judgement.counterexample["n"])
    expected = {"n", "sigma", "theta"} | {f"{s}[{k}]" for s in "xy" for k in range(1, size + 1)}
    assert set(judgement.counterexample) == expected
    assert judgement.left != judgement.right
    # A step false everywhere is refuted at small values, which a person can redo by hand.
    assert all(abs(float(value)) <= 5 for value in judgement.counterexample.values())


def test_same_optimizers_refuses_a_dropped_theta_term_and_an_unflipped_sign(regression):
    r = regression
    squares = sp.Sum(r["residual"]**2, (r["i"], 1, r["n"]))
    opt = Optimization((r["theta"],), Sense.MINIMIZE)
    dropped = verdicts(r["ctx"], squares + r["theta"]**2, [Step(squares, SAME)], opt)
    assert dropped[1] == [Verdict.REFUTED]
    assert " vs " in dropped[0].steps[0].judgement.counterexample["theta"]
    assert verdicts(r["ctx"], squares, [Step(-squares, SAME)], opt)[1] == [Verdict.REFUTED]
    flipped = verdicts(r["ctx"], squares, [Step(-squares, SAME, sense=Sense.MAXIMIZE)], opt)
    assert flipped[1] == [Verdict.PROVED]


def test_same_optimizers_proves_a_positive_rescaling_and_a_dropped_constant(regression):
    r = regression
    squares = sp.Sum(r["residual"]**2, (r["i"], 1, r["n"]))
    opt = Optimization((r["theta"],), Sense.MINIMIZE)
    steps = [Step(squares / (2 * r["sigma"]**2) + r["n"] * sp.log(r["sigma"]), SAME),
             Step(squares / (2 * r["sigma"]**2), SAME), Step(squares / r["n"], SAME)]
    assert verdicts(r["ctx"], squares, steps, opt)[1] == [Verdict.PROVED] * 3


def test_inequalities_are_proved_or_refuted():
    ctx = Context()
    a = ctx.symbol("a", POSITIVE)
    assert verdicts(ctx, a, [Step(a + 1, Relation.LE), Step(a + 2, Relation.LT)])[1] == [Verdict.PROVED] * 2
    assert verdicts(ctx, a, [Step(a + 1, Relation.GE)])[1] == [Verdict.REFUTED]


def test_an_inequality_false_only_far_from_the_sampled_integers_is_refuted_by_the_search():
    """Integers without bounds are drawn within about 12 of 0; the search walks them out."""
    ctx = Context()
    j = ctx.symbol("j", integer_range(-sp.oo, sp.oo))
    report, found = verdicts(ctx, j, [Step(sp.Integer(20), Relation.LE)])
    assert found == [Verdict.REFUTED]
    assert int(report.steps[0].judgement.counterexample["j"]) > 20


def test_a_step_on_which_sympy_spins_ends_undecided_within_the_limit():
    ctx = Context()
    w = ctx.symbol("w")
    spin = sum(sp.tanh(w + k) - (sp.exp(2 * (w + k)) - 1) / (sp.exp(2 * (w + k)) + 1) for k in range(5))
    report, found = verdicts(ctx, spin, [Step(sp.S(0))], timeout=0.3)
    assert found == [Verdict.UNDECIDED]
    assert "time limit" in report.steps[0].judgement.method
    assert report.steps[0].seconds < 1.0


def test_numeric_evidence_is_checked_never_proved():
    ctx = Context()
    w = ctx.symbol("w")
    identity = sp.tanh(w) - (sp.exp(2 * w) - 1) / (sp.exp(2 * w) + 1)
    found = verdicts(ctx, identity * sp.exp(identity), [Step(sp.S(0))], timeout=10)[1]
    assert found in ([Verdict.CHECKED], [Verdict.PROVED])
    assert found != [Verdict.REFUTED]


def test_shape_errors_are_input_errors():
    ctx = Context()
    a = ctx.symbol("a")
    with pytest.raises(DerivationError, match="cannot compose '<=' with '>='"):
        verdicts(ctx, a, [Step(a, Relation.LE), Step(a, Relation.GE)])
    with pytest.raises(DerivationError, match="needs an optimisation chain"):
        verdicts(ctx, a, [Step(a, SAME)])
    with pytest.raises(DerivationError, match="at least one step"):
        verdicts(ctx, a, [])


# -- the corpus of slips: each must be refuted at the named step, never merely undecided -------
def _dropped_square():
    ctx = Context()
    a, x, y = ctx.symbol("a"), ctx.symbol("x"), ctx.symbol("y")
    # A slip seen in published notes: (y - a x)^2 expanded as y^2 + a x^2 - 2 a x y.
    return ctx, (y - a * x)**2, [Step(y**2 - 2 * a * x * y + a**2 * x**2), Step(y**2 + a * x**2 - 2 * a * x * y)], 2


def _lost_factor_n():
    ctx = Context()
    sigma = ctx.symbol("sigma", POSITIVE)
    n = ctx.symbol("n", POSITIVE_INTEGER)
    i = ctx.symbol("i", integer_range(1, n))
    return ctx, sp.Sum(sp.log(sigma), (i, 1, n)), [Step(n * sp.log(sigma)), Step(sp.log(sigma))], 2


def _n_inside_the_log():
    ctx = Context()
    sigma = ctx.symbol("sigma", POSITIVE)
    n = ctx.symbol("n", POSITIVE_INTEGER)
    i = ctx.symbol("i", integer_range(1, n))
    return ctx, sp.Sum(sp.log(sigma), (i, 1, n)), [Step(sp.log(n * sigma))], 1


def _conditional_entropy_sign():
    ctx = Context()
    C = ctx.symbol("C", POSITIVE_INTEGER)
    a = ctx.symbol("a", integer_range(1, C))
    b = ctx.symbol("b", integer_range(1, C))
    P = ctx.sequence("P", interval(0, 1), rank=2)
    Q = ctx.sequence("Q", interval(0, 1))
    joint = -sp.Sum(sp.Sum(P[a, b] * sp.log(P[a, b] / Q[b]), (a, 1, C)), (b, 1, C))
    right = -sp.Sum(sp.Sum(P[a, b] * sp.log(P[a, b]), (a, 1, C)), (b, 1, C)) + \
        sp.Sum(sp.Sum(P[a, b] * sp.log(Q[b]), (a, 1, C)), (b, 1, C))
    wrong = -sp.Sum(sp.Sum(P[a, b] * sp.log(P[a, b]), (a, 1, C)), (b, 1, C)) - \
        sp.Sum(sp.Sum(P[a, b] * sp.log(Q[b]), (a, 1, C)), (b, 1, C))
    return ctx, joint, [Step(right), Step(wrong)], 2


def _log_square_real():
    ctx = Context()
    x = ctx.symbol("x")
    return ctx, sp.log(x**2) + 1, [Step(2 * sp.log(x) + 1)], 1


def _ge_for_le():
    ctx = Context()
    t = ctx.symbol("t", POSITIVE)
    return ctx, sp.log(t), [Step(t - 1, Relation.GE)], 1


def _wrong_sign_in_bce():
    ctx = Context()
    h = ctx.symbol("h", interval(0, 1))
    y = ctx.symbol("y", integer_range(0, 1))
    return ctx, -sp.log(h**y * (1 - h)**(1 - y)), [Step(-y * sp.log(h) + (1 - y) * sp.log(1 - h))], 1


def _negative_variable_log():
    ctx = Context()
    x = ctx.symbol("x", NEGATIVE)
    return ctx, sp.log(x**3), [Step(3 * sp.log(x))], 1


@pytest.mark.parametrize("case", [_dropped_square, _lost_factor_n, _n_inside_the_log,
                                  _conditional_entropy_sign, _log_square_real, _ge_for_le,
                                  _wrong_sign_in_bce, _negative_variable_log],
                         ids=lambda c: c.__name__.strip("_"))
def test_slips_are_refuted_at_the_right_step(case):
    ctx, start, steps, wrong_step = case()
    report, found = verdicts(ctx, start, steps)
    assert found[wrong_step - 1] is Verdict.REFUTED, found
    assert all(v is Verdict.PROVED for v in found[: wrong_step - 1])
    judgement = report.steps[wrong_step - 1].judgement
    assert judgement.counterexample and judgement.left and judgement.right
