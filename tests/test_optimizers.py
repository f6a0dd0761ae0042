"""The monotone-map rule needs both objectives defined at the same points, and sums follow the
lecturers' convention (an empty or reversed range sums to 0): a test per fault."""

import pytest
import sympy as sp

from derivations.kernel import (
    POSITIVE, POSITIVE_INTEGER, Context, EvaluationError, Optimization, Point, Relation,
    RuleError, Sense, Verdict, equal_by_normal_form, evaluate, integer_range, order_kept_at,
    same_optimizers_by_monotone_map,
)
from derivations.kernel.normal_forms import NORMAL_FORMS
from derivations.kernel.numeric import expand_finite


def _objective():
    ctx = Context()
    theta, c, s = ctx.symbol("theta"), ctx.symbol("c"), ctx.symbol("s", POSITIVE)
    return ctx, theta, c, s, Optimization((theta,), Sense.MAXIMIZE)


def _rule(ctx, old, new, opt, scale=1, form="rational functions"):
    return same_optimizers_by_monotone_map(ctx, old, new, opt, Sense.MAXIMIZE, Sense.MAXIMIZE,
                                           scale, False, form)


HOLES = [
    # A removable hole at the old maximiser theta = 1: the new objective has no maximiser.
    lambda theta, c: (theta**2 - 1) / (theta - 1) - theta - 1,
    lambda theta, c: sp.Mul(theta - 1, sp.Pow(theta - 1, -1), evaluate=False) - 1,
    # A hole in a parameter: at c = 1 the new objective is undefined for every theta.
    lambda theta, c: (c**2 - 1) / ((c - 1) * (c + 1)) - 1,
]


@pytest.mark.parametrize("hole", HOLES)
def test_a_removable_hole_in_the_new_objective_is_no_monotone_map(hole):
    ctx, theta, c, s, opt = _objective()
    old = -(theta - 1)**2
    new = old + hole(theta, c)
    assert NORMAL_FORMS["rational functions"](new - old, None) == 0  # cancel hides the hole
    with pytest.raises(RuleError, match="undefined where the other one is defined"):
        _rule(ctx, old, new, opt)
    with pytest.raises(RuleError, match="undefined where the other one is defined"):
        _rule(ctx, new, old, opt)  # a hole in the old objective: the same fault reversed


def test_a_hole_is_not_evidence_either():
    ctx, theta, c, s, opt = _objective()
    old = -(theta - 1)**2
    new = old + HOLES[0](theta, c)
    with pytest.raises(RuleError, match="undefined"):
        order_kept_at(ctx, old, new, opt, Sense.MAXIMIZE, Sense.MAXIMIZE, [])


def test_requirements_proved_or_shared_keep_the_proof():
    ctx, theta, c, s, opt = _objective()
    old = -(theta - 1)**2 / s + 1 / c + sp.log(s)
    # s > 0 proves every divisor and logarithm; 1/c is shared: both are undefined at c = 0.
    assert _rule(ctx, old, 2 * old + sp.sqrt(s), opt, scale=2, form="expand").verdict \
        is Verdict.PROVED
    with pytest.raises(RuleError, match="c != 0"):
        _rule(ctx, -(theta - 1)**2, -(theta - 1)**2 + (c**2 - c) / c - c + 1, opt, form="expand")


def _sum_context():
    ctx = Context()
    n = ctx.symbol("n", POSITIVE_INTEGER)
    i = ctx.symbol("i", integer_range(sp.S.NegativeInfinity))
    return ctx, n, i


@pytest.mark.parametrize("form", sorted(NORMAL_FORMS))
def test_no_normal_form_counts_a_range_that_may_be_reversed(form):
    ctx, n, i = _sum_context()
    x = ctx.symbol("x")
    # False at n = 1, 2 (an empty range sums to 0); Karr's convention would make them true.
    for before, after in [(sp.Sum(1, (i, 3, n)), n - 2), (sp.Sum(x, (i, 3, n)), x * (n - 2)),
                          (sp.Product(2, (i, 3, n)), 2**(n - 2))]:
        with pytest.raises(RuleError):
            equal_by_normal_form(ctx, before, after, form)


def test_a_range_proved_not_reversed_is_counted():
    ctx, n, i = _sum_context()
    m = ctx.symbol("m", integer_range(2))
    assert equal_by_normal_form(ctx, sp.Sum(1, (i, 3, m)), m - 2, "logs and sums").verdict \
        is Verdict.PROVED  # m = 2 gives the empty range and 0 on both sides
    assert equal_by_normal_form(ctx, sp.Sum(1, (i, 1, n)), n, "logs and sums").verdict \
        is Verdict.PROVED


def test_a_reversed_range_evaluates_to_the_empty_sum_and_product():
    ctx, n, i = _sum_context()
    x = ctx.symbol("x")
    at = Point(integers={n: 1}, values={x: sp.Integer(3)})
    assert evaluate(sp.Sum(x, (i, 3, n)), at, 20) == 0
    assert evaluate(sp.Product(x, (i, 3, n)), at, 20) == 1
    assert expand_finite(sp.Sum(x, (i, 3, 1))) == 0
    assert expand_finite(sp.Product(x, (i, 5, 1))) == 1


def test_a_series_or_a_case_split_without_otherwise_may_be_undefined():
    ctx, theta, c, s, opt = _objective()
    k = ctx.symbol("k", integer_range(1))
    old = -(theta - 1)**2
    series = sp.Sum(c**k / k, (k, 1, sp.oo))  # diverges at c = 1
    with pytest.raises(RuleError, match="finite range"):
        _rule(ctx, old, old + series, opt, form="expand")
    cases = sp.Piecewise((sp.S(1), c > 0))  # no piece applies at c <= 0
    with pytest.raises(RuleError, match="otherwise"):
        _rule(ctx, old, old + cases, opt, form="expand")
    assert _rule(ctx, old, old + sp.Piecewise((c, c > 0), (-c, True)), opt,
                 form="expand").verdict is Verdict.PROVED  # with 'otherwise', always defined



def test_a_hole_that_a_given_cancels_as_it_is_applied_still_counts():
    from derivations.kernel import Given

    ctx, theta, c, s, opt = _objective()
    old = -(theta - 1)**2
    new = old + (theta - 1) / c - 1  # with c = theta - 1, SymPy builds 1 from (theta - 1)/c
    given = Given("g", c, theta - 1)
    with pytest.raises(RuleError, match="theta - 1 != 0"):
        order_kept_at(ctx, old, new, opt, Sense.MAXIMIZE, Sense.MAXIMIZE, [], (given,))
