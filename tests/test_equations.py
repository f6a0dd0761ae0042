"""The rules about equations, attacked directly: each false claim a rule must refuse, and the
composition of relations between equations (Lean's calc)."""

import pytest
import sympy as sp

from derivations import kernel
from derivations.kernel import (
    POSITIVE, REAL, CompositionError, Context, Optimization, Relation, RuleError, Sense, Verdict,
    compose, interval,
)
from derivations.kernel.numeric import Point

I, T, B = Relation.IFF, Relation.IMPLIES, Relation.IMPLIED_BY


def context(**domains):
    found = Context()
    symbols = [found.symbol(name, domain) for name, domain in domains.items()]
    return found, symbols


def test_relations_compose_like_calc():
    assert compose(I, T) is T and compose(T, I) is T and compose(B, I) is B
    assert compose(Relation.OPTIMIZED_WHERE, I) is Relation.OPTIMIZED_WHERE
    assert compose(Relation.OPTIMIZED_WHERE, T) is Relation.OPTIMIZERS_SATISFY
    for first, second in ((T, B), (B, T), (Relation.OPTIMIZED_WHERE, B), (I, Relation.EQ),
                          (Relation.LE, I)):
        if second is Relation.EQ:
            continue  # '=' after an equation is refused by the shape check, not here
        with pytest.raises(CompositionError):
            compose(first, second)


def test_a_factor_that_may_be_zero_gives_implies_only():
    ctx, (x, y, z) = context(x=REAL, y=REAL, z=REAL)
    before, after = sp.Eq(y, z, evaluate=False), sp.Eq(x * y, x * z, evaluate=False)
    with pytest.raises(RuleError, match="equivalent_by_factor"):
        kernel.equivalent_by_factor(ctx, after, before, [x], [0], "expand")
    proved = kernel.implies_by_factor(ctx, before, after, T, [x], [0], "expand")
    assert proved.verdict is Verdict.PROVED
    with pytest.raises(RuleError, match="implies_by_factor"):  # the converse
        kernel.implies_by_factor(ctx, before, after, B, [1 / x], [0], "expand")


def test_an_undefined_conclusion_is_not_implied():
    ctx, (x, y) = context(x=REAL, y=REAL)
    before = sp.Eq(y, 1, evaluate=False)
    after = sp.Eq(1 / x + y, 1 / x + 1, evaluate=False)
    with pytest.raises(RuleError, match="may lack a value"):
        kernel.implies_by_factor(ctx, before, after, T, [1], [0], "expand")


def test_log_of_both_sides_needs_positive_sides():
    ctx, (x, y) = context(x=REAL, y=REAL)
    with pytest.raises(RuleError, match="equivalent_by_injective_map"):
        kernel.equivalent_by_injective_map(ctx, sp.Eq(x, y, evaluate=False),
                                           sp.Eq(sp.log(x), sp.log(y), evaluate=False), "log",
                                           "expand")
    ctx, (x, y) = context(x=POSITIVE, y=POSITIVE)
    assert kernel.equivalent_by_injective_map(
        ctx, sp.Eq(x, y, evaluate=False), sp.Eq(sp.log(x), sp.log(y), evaluate=False), "log",
        "expand").verdict is Verdict.PROVED


def test_a_wrong_linear_solve_is_refused_and_refuted_exactly():
    ctx, (mu,) = context(mu=REAL)
    before, after = sp.Eq(2 * mu + 4, 0, evaluate=False), sp.Eq(mu, 2, evaluate=False)
    with pytest.raises(RuleError):
        kernel.equivalent_by_factor(ctx, before, after, [2], [0], "expand")
    refuted = kernel.equation_refuted_at(ctx, before, after, I, Point({}, {mu: sp.Integer(-2)}))
    assert refuted.verdict is Verdict.REFUTED
    with pytest.raises(RuleError):  # neither holds at mu = 0: no counterexample there
        kernel.equation_refuted_at(ctx, before, after, I, Point({}, {mu: sp.Integer(0)}))


def test_a_stationary_point_is_the_maximiser_only_of_a_unimodal_objective():
    ctx, (mu,) = context(mu=REAL)
    over = Optimization((mu,), Sense.MAXIMIZE)
    convex = mu**2
    equation = sp.Eq(2 * mu, 0, evaluate=False)
    with pytest.raises(RuleError, match="optimized_where_by_sign_change"):
        kernel.optimized_where_by_sign_change(ctx, convex, equation, over, Sense.MAXIMIZE, 1,
                                              2 * mu, 1, "expand")
    weak = kernel.optimizers_satisfy_stationarity(ctx, convex, equation, over, Sense.MAXIMIZE,
                                                  1, "expand")
    assert weak.relation is Relation.OPTIMIZERS_SATISFY
    concave = -mu**2
    proved = kernel.optimized_where_by_sign_change(
        ctx, concave, sp.Eq(mu, 0, evaluate=False), over, Sense.MAXIMIZE, 2, -mu, -1, "expand")
    assert proved.relation is Relation.OPTIMIZED_WHERE


def test_an_optimum_at_the_end_of_a_closed_domain_is_not_stationary():
    ctx, (mu,) = context(mu=interval(0, 1, lower_open=False, upper_open=False))
    over = Optimization((mu,), Sense.MAXIMIZE)
    with pytest.raises(RuleError, match="open interval"):
        kernel.optimized_where_by_sign_change(ctx, -(mu - 2)**2, sp.Eq(mu, 2, evaluate=False),
                                              over, Sense.MAXIMIZE, 2, 2 - mu, -1, "expand")


def lagrange_context(entries):
    ctx = Context()
    size = ctx.symbol("K", kernel.POSITIVE_INTEGER)
    ctx.symbol("k", kernel.integer_range(-sp.oo))
    index = ctx.symbol("j", kernel.Domain(True, sp.S(1), size, False, False))
    counts = ctx.sequence("m", POSITIVE)
    p = ctx.sequence("p", entries)
    multiplier = ctx.symbol("lambda", REAL)
    k = sp.Symbol("k", integer=True)
    return ctx, size, index, counts, p, multiplier, k


def test_the_lagrange_rule_needs_concavity_an_open_domain_and_a_free_multiplier():
    ctx, K, j, m, p, lam, k = lagrange_context(interval(0, 1))
    over = Optimization((p,), Sense.MAXIMIZE)
    constraint = sp.Eq(sp.Sum(p[k], (k, 1, K)), 1, evaluate=False)
    objective = sp.Sum(m[k] * sp.log(p[k]), (k, 1, K))
    stationary = sp.Eq(m[j] / p[j] + lam, 0, evaluate=False)
    system = sp.And(stationary, constraint)
    proved = kernel.optimized_where_by_lagrange(ctx, objective, system, over, Sense.MAXIMIZE,
                                                lam, 1, "logs and sums")
    assert proved.verdict is Verdict.PROVED
    with pytest.raises(RuleError, match="not proved positive"):  # concave: no minimiser
        kernel.optimized_where_by_lagrange(ctx, objective, system,
                                           Optimization((p,), Sense.MINIMIZE), Sense.MINIMIZE,
                                           lam, 1, "logs and sums")
    convex = sp.Sum(p[k]**2, (k, 1, K))
    with pytest.raises(RuleError, match="not proved negative"):
        kernel.optimized_where_by_lagrange(
            ctx, convex, sp.And(sp.Eq(2 * p[j] + lam, 0, evaluate=False), constraint), over,
            Sense.MAXIMIZE, lam, 1, "logs and sums")
    with pytest.raises(RuleError, match="named by the equations alone"):
        kernel.optimized_where_by_lagrange(ctx, objective + lam, system, over, Sense.MAXIMIZE,
                                           lam, 1, "logs and sums")
    ctx, K, j, m, p, lam, k = lagrange_context(interval(0, 1, lower_open=False))
    with pytest.raises(RuleError, match="open interval"):
        kernel.optimized_where_by_lagrange(
            ctx, sp.Sum(m[k] * sp.log(p[k]), (k, 1, K)),
            sp.And(sp.Eq(m[j] / p[j] + lam, 0, evaluate=False),
                   sp.Eq(sp.Sum(p[k], (k, 1, K)), 1, evaluate=False)),
            Optimization((p,), Sense.MAXIMIZE), Sense.MAXIMIZE, lam, 1, "logs and sums")


def test_an_equation_with_an_index_holds_only_if_it_holds_for_every_index():
    ctx, K, j, m, p, lam, k = lagrange_context(REAL)
    half = sp.Eq(p[j], sp.Rational(1, 2), evaluate=False)
    point = Point({K: 2, j: 1}, {p[1]: sp.Rational(1, 2), p[2]: sp.Rational(1, 3)})
    assert kernel.holds_at(ctx, half, point) is False  # p[2] = 1/3, though j = 1 here
    both = sp.And(half, sp.Eq(p[1], sp.Rational(1, 2), evaluate=False))
    with pytest.raises(RuleError):  # no point where the first holds and the second fails
        kernel.equation_refuted_at(ctx, half, both, I, point)


def test_summing_over_an_index_needs_the_sum_over_its_whole_range():
    ctx, K, j, m, p, lam, k = lagrange_context(REAL)
    one = sp.Eq(p[j], 1, evaluate=False)
    good = sp.And(one, sp.Eq(sp.Sum(p[k], (k, 1, K)), K, evaluate=False))
    assert kernel.equivalent_by_summing(ctx, one, good, 0, j, "logs and sums").verdict \
        is Verdict.PROVED
    bad = sp.And(one, sp.Eq(sp.Sum(p[k], (k, 1, K)), K + 1, evaluate=False))
    with pytest.raises(RuleError, match="equivalent_by_summing"):
        kernel.equivalent_by_summing(ctx, one, bad, 0, j, "logs and sums")
