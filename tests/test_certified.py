"""Numbers are certified, or they decide nothing: a bound or a sign used in a proof, and the
values of a counterexample, come from outward-rounded interval arithmetic (or exact rational
arithmetic); two precisions that agree are evidence at most.  Each test is a fault that was
there before: a false step proved or checked, or a true one refuted."""

import sympy as sp
import pytest

from derivations.kernel import (
    Context, Optimization, Point, Relation, RuleError, Sense, Verdict, checked_at,
    order_reversed_at, ordered_by_bounds, refuted_at, rounds_to, same_optimizers_by_monotone_map,
)
from derivations.kernel.bounds import BoundsOracle
from derivations.kernel.numeric import enclose, _ends

i = sp.Symbol("i", integer=True)
# SymPy's evalf sums this by Euler-Maclaurin and says about 0; term by term it is 1.7726372...
GAUSSIAN_COMB = sp.Sum(sp.exp(-(i - 40)**2), (i, 1, 80))
# log(exp(300) + 1) - 300 = exp(-300) + O(exp(-600)): lost at 50 and at 90 digits alike, so
# this is about 1, where 40 and 80 digits (and an interval at 50) both say 0.
HIDDEN_ONE = (sp.log(sp.exp(300) + 1) - 300) * sp.exp(300)


def test_a_sum_that_evalf_gets_wrong_is_bounded_term_by_term():
    low, high = _ends(enclose(GAUSSIAN_COMB, Point(), 30))
    assert 1.7726 < low <= high < 1.7727
    bounds = BoundsOracle(Context()).bounds(GAUSSIAN_COMB - 1)
    assert bounds.positive
    with pytest.raises(RuleError, match="^ordered_by_bounds"):
        ordered_by_bounds(Context(), GAUSSIAN_COMB, sp.S(1), Relation.LT, "as written")
    refuted = refuted_at(Context(), GAUSSIAN_COMB, sp.S(1), Relation.LT, Point())
    assert refuted.verdict is Verdict.REFUTED


def test_a_negative_scale_that_evalf_calls_positive_proves_no_same_optimizers_step():
    ctx = Context()
    theta = ctx.symbol("theta")
    scale = 1 - GAUSSIAN_COMB  # about -0.77; evalf says about +1
    old = (theta - 1)**2
    with pytest.raises(RuleError, match="sense must be maximize"):
        same_optimizers_by_monotone_map(ctx, old, scale * old, Optimization((theta,), Sense.MINIMIZE),
                                        Sense.MINIMIZE, Sense.MINIMIZE, scale, False, "expand")


def test_two_precisions_that_agree_never_prove_an_approx_step():
    # 1, since exp(-300) > 0; an interval cannot tell the condition, 40 and 80 digits say 0.
    hidden = sp.Piecewise((1, sp.log(sp.exp(300) + 1) - 300 > 0), (0, True))
    with pytest.raises(RuleError, match="^rounds_to: .*no certified enclosure"):
        rounds_to(Context(), hidden, sp.Rational(0), 1)
    with pytest.raises(RuleError, match="^rounds_to"):  # true: never refuted either
        rounds_to(Context(), hidden, sp.Rational(1), 1)


def test_an_approx_step_hiding_cancellation_is_refuted_at_more_digits():
    refuted = rounds_to(Context(), HIDDEN_ONE, sp.Rational(0), 1)
    assert refuted.verdict is Verdict.REFUTED
    assert rounds_to(Context(), HIDDEN_ONE, sp.Rational(1), 1).verdict is Verdict.PROVED


@pytest.mark.parametrize("below", [False, True])
def test_approx_compares_exactly_near_the_rounding_boundary(below):
    # 0.72185 exactly is the boundary between 0.7218 and 0.7219; a 10**-44 step either side
    # is far below a double's rounding of the boundary but within an interval's precision.
    nudge = sp.exp(-100)
    value = sp.Rational(72185, 100000) + (-nudge if below else nudge)
    right, wrong = (sp.Rational(7218, 10000), sp.Rational(7219, 10000))[:: 1 if below else -1]
    assert rounds_to(Context(), value, right, 4).verdict is Verdict.PROVED
    assert rounds_to(Context(), value, wrong, 4).verdict is Verdict.REFUTED
    with pytest.raises(RuleError, match="rounding boundary"):
        rounds_to(Context(), sp.Rational(72185, 100000), right, 4)


def test_the_approx_refutation_says_the_decimals_in_a_sentence():
    refuted = rounds_to(Context(), sp.log(2), sp.Rational(7219, 10000), 4)
    assert refuted.right == "0.7219" and "7219/10000" not in refuted.method
    assert "which does not round to 0.7219" in refuted.method


def test_a_case_split_decided_by_rounding_refutes_nothing():
    ctx = Context()
    x = ctx.symbol("x")
    # The condition holds (its left side is about exp(-300) > 0); at 40 and 80 digits it is 0.
    split = sp.Piecewise((x, sp.log(sp.exp(300) + 1) - 300 > 0), (x + 1, True))
    with pytest.raises(RuleError, match="^refuted_at"):
        refuted_at(ctx, split, x, Relation.EQ, Point(values={x: sp.Rational(1, 2)}))


def test_the_sign_of_an_interval_around_zero_is_every_sign_it_may_have():
    ctx = Context()
    x = ctx.symbol("x")
    zero = sp.Max(x, 0) + sp.Min(x, 0) - x  # 0 for every x; its enclosure holds -1e-50 and 1e-50
    point = Point(values={x: sp.Rational(731, 1000)})
    low, high = _ends(enclose(sp.sign(zero), point, 40))
    assert low <= 0 <= high
    with pytest.raises(RuleError, match="^refuted_at"):
        refuted_at(ctx, sp.sign(zero), sp.S(0), Relation.EQ, point)


def test_a_narrow_overlap_is_not_an_order():
    ctx = Context()
    y = ctx.symbol("y")
    points = [Point(values={y: sp.Rational(k, 7)}) for k in range(1, 10)]
    with pytest.raises(RuleError, match="^checked_at"):
        checked_at(ctx, y + sp.exp(-280), y, Relation.LE, points)
    refuted = refuted_at(ctx, y + sp.exp(-280), y, Relation.LE, points[0])
    assert refuted.verdict is Verdict.REFUTED and "difference" in refuted.method
    with pytest.raises(RuleError, match="^checked_at"):
        checked_at(ctx, y + sp.exp(-280), y, Relation.EQ, points)


def test_an_exact_tie_is_decided_exactly():
    ctx = Context()
    x = ctx.symbol("x")
    points = [Point(values={x: sp.Rational(k, 7)}) for k in range(4, 13)]  # all above 1/2
    assert checked_at(ctx, sp.Max(x, sp.Rational(1, 2)), x, Relation.GE, points).verdict \
        is Verdict.CHECKED
    with pytest.raises(RuleError, match="^refuted_at"):
        refuted_at(ctx, sp.Max(x, sp.Rational(1, 2)), x, Relation.GE, points[0])
    assert refuted_at(ctx, sp.Max(x, sp.Rational(1, 2)), x, Relation.GT, points[0]).verdict \
        is Verdict.REFUTED


def test_a_reversed_order_needs_certified_values():
    ctx = Context()
    theta = ctx.symbol("theta")
    opt = Optimization((theta,), Sense.MINIMIZE)
    first, second = (Point(values={theta: sp.Rational(v, 10)}) for v in (2, 3))
    # Both objectives are theta, but the second through a case split that 40 and 80 digits
    # decide by rounding (its condition is about exp(-300) > 0): only intervals may refute.
    split = sp.Piecewise((theta, sp.log(sp.exp(300) + 1) - 300 > 0), (-theta, True))
    with pytest.raises(RuleError, match="^order_reversed_at"):
        order_reversed_at(ctx, theta, split, opt, Sense.MINIMIZE, Sense.MINIMIZE, first, second)


def test_sympy_compares_a_finite_sum_by_its_terms_when_it_builds_an_expression():
    # Max, Min and relations between numbers are decided by evalf as they are built (the
    # parser builds them so): Max(1.77..., 1) must not become 1.
    assert sp.Max(GAUSSIAN_COMB, 1) == GAUSSIAN_COMB
    assert (GAUSSIAN_COMB > 1) is sp.true
    x = sp.Symbol("x")
    assert sp.Piecewise((x, GAUSSIAN_COMB > 1), (x + 1, True)) == x


def test_a_complex_value_is_refuted_by_a_certified_box():
    ctx = Context()
    x = ctx.symbol("x")
    at = Point(values={x: sp.Rational(-37, 100)})
    refuted = refuted_at(ctx, sp.log(x**2), 2 * sp.log(x), Relation.EQ, at)  # 2*pi*i apart
    assert refuted.method == "counterexample (interval arithmetic)"
    # a logarithm of a sum of logarithms: the sum is negative here, its logarithm complex
    z = ctx.sequence("z")
    m = sp.Symbol("m", integer=True)
    values = {z[1]: sp.Rational(1, 5), z[2]: sp.Rational(3, 10)}
    inner = sp.Sum(sp.log(z[m]), (m, 1, 2))
    assert refuted_at(ctx, sp.log(inner), sp.log(-inner), Relation.EQ,
                      Point(values=values)).method == "counterexample (interval arithmetic)"


def test_sympy_compares_closed_sums_and_products_in_the_lecturers_convention():
    """Max, Min and case splits are evaluated as SymPy builds them: an empty (reversed) range is
    a sum of 0 and a product of 1, never Karr's -9 or 1/8."""
    i = sp.Symbol("i", integer=True)
    assert float(sp.Max(sp.Sum(i, (i, 5, 1)), -5)) == 0  # the empty sum is chosen
    assert float(sp.Max(sp.Product(2, (i, 5, 1)), sp.Rational(1, 2))) == 1
    assert sp.Min(sp.Sum(1, (i, 5, 1)), -1) == -1


def test_too_many_terms_to_write_out_is_an_evaluation_error():
    from derivations.kernel.numeric import EvaluationError, expand_finite

    i, x = sp.Symbol("i", integer=True), sp.IndexedBase("x")
    with pytest.raises(EvaluationError, match="terms to write out"):
        expand_finite(sp.Sum(x[i], (i, 1, 30_000)))


def test_the_sign_of_a_closed_number_comes_from_its_enclosure_never_from_sympy_evalf():
    """erf has no interval version here: SymPy's assumptions would read its sign off evalf."""
    bounds = BoundsOracle(Context()).bounds(sp.erf(1) - sp.Rational(1, 2))
    assert not (bounds.positive or bounds.negative)
