"""Givens are hypotheses: a point refutes or supports a step only where every given the step
cites holds (a side condition of the kernel's point rules), the sampler builds such points, and
proofs use a given about a sum wherever the sum occurs up to sound rewriting."""

from fractions import Fraction

import pytest
import sympy as sp

from derivations.reading import files
from derivations.checker import check
from derivations.kernel import (
    POSITIVE_INTEGER, Context, Given, Optimization, Point, Relation, RuleError, Sense, Verdict,
    checked_at, equal_by_normal_form, integer_range, interval, order_kept_at, order_reversed_at,
    refuted_at,
)
from derivations.kernel.hypotheses import exact_value, unmet_given


def _normalised():
    ctx = Context()
    big_k = ctx.symbol("K", POSITIVE_INTEGER)
    k = ctx.symbol("k", integer_range(1, big_k))
    q = ctx.sequence("q", interval(0, 1))
    c = ctx.symbol("c")
    given = Given("q normalised", sp.Sum(q[k], (k, 1, big_k)), sp.S.One)
    return ctx, big_k, k, q, c, given


def _read(tmp_path, text: str):
    path = tmp_path / "t.deriv.yaml"
    path.write_text(text, encoding="utf-8")
    return files.read(path)


def test_refuted_at_refuses_a_point_where_a_cited_given_fails():
    """The issue's point: K = 1, q[1] = 0.877 is no case of Σ q = 1."""
    ctx, big_k, k, q, c, given = _normalised()
    point = Point({big_k: 1}, {c: sp.Rational(324, 1000), q[1]: sp.Rational(877, 1000)})
    with pytest.raises(RuleError, match="refuted_at: the point is not a case of the givens"):
        refuted_at(ctx, c, sp.Sum(q[k] ** 2 * c, (k, 1, big_k)), Relation.EQ, point, (given,))
    # where the given holds, the false step is refuted
    point = Point({big_k: 2}, {c: sp.Rational(1, 2), q[1]: sp.Rational(1, 4),
                               q[2]: sp.Rational(3, 4)})
    judgement = refuted_at(ctx, c, sp.Sum(q[k] ** 2 * c, (k, 1, big_k)), Relation.EQ, point,
                           (given,))
    assert judgement.verdict is Verdict.REFUTED


def test_checked_and_order_rules_refuse_points_where_a_cited_given_fails():
    ctx = Context()
    a, b, theta = ctx.symbol("a"), ctx.symbol("b"), ctx.symbol("theta")
    given = Given("sum", a + b, sp.S.One)  # solvable, not a name to substitute
    points = [Point({}, {a: sp.Rational(i, 10), b: sp.Rational(3, 10), theta: sp.S.One})
              for i in range(1, 10)]
    with pytest.raises(RuleError, match="checked_at: the point is not a case"):
        checked_at(ctx, a + b, sp.S.One, Relation.EQ, points, (given,))
    optimization = Optimization((theta,), Sense.MAXIMIZE)
    first = Point({}, {a: sp.Rational(1, 10), b: sp.Rational(1, 10), theta: sp.S.One})
    second = Point({}, {a: sp.Rational(1, 10), b: sp.Rational(1, 10), theta: sp.S(2)})
    # -(a + b - 1) theta ranks the pair opposite to theta, but only where a + b != 1
    with pytest.raises(RuleError, match="order_reversed_at: the point is not a case"):
        order_reversed_at(ctx, theta, -(a + b - 1) * theta + theta, optimization, Sense.MAXIMIZE,
                          Sense.MAXIMIZE, first, second, (given,))
    with pytest.raises(RuleError, match="usable pairs, got 0"):
        order_kept_at(ctx, theta, 2 * theta, optimization, Sense.MAXIMIZE, Sense.MAXIMIZE,
                      [(first, second)] * 8, (given,))


def test_a_substituted_given_must_put_its_name_inside_its_domain():
    """p = 2 with p in (0, 1) has no case: no point refutes a step that cites it."""
    ctx = Context()
    p, x = ctx.symbol("p", interval(0, 1)), ctx.symbol("x")
    given = Given("impossible", p, sp.S(2))
    point = Point({}, {x: sp.Rational(1, 2)})
    with pytest.raises(RuleError, match="outside its declared domain"):
        refuted_at(ctx, p * x, sp.S.Zero, Relation.EQ, point, (given,))
    inside = Given("possible", p, x / 2)
    assert refuted_at(ctx, p * x, sp.S.Zero, Relation.EQ, point, (inside,)).verdict \
        is Verdict.REFUTED


def test_a_given_with_no_exact_value_at_the_point_is_not_shown_to_hold():
    ctx = Context()
    a, b = ctx.symbol("a"), ctx.symbol("b", interval(0, sp.oo))
    given = Given("log", sp.log(b) + a, sp.S.Zero)
    point = Point({}, {a: sp.Rational(1, 3), b: sp.Rational(1, 2)})
    assert "cannot be shown to hold" in unmet_given(ctx, point, (given,), (a,))
    assert exact_value(sp.Rational(1, 3) + a * a, point) == Fraction(4, 9)


def test_a_given_about_a_sum_is_used_up_to_constants_pulled_out_and_sums_split():
    ctx, big_k, k, q, c, given = _normalised()
    j = sp.Symbol("j", integer=True)
    x = ctx.sequence("x")
    after = sp.Sum(q[j] * c + q[j] * x[j], (j, 1, big_k))
    judgement = equal_by_normal_form(ctx, c + sp.Sum(q[k] * x[k], (k, 1, big_k)), after,
                                     "expand", (given,))
    assert judgement.verdict is Verdict.PROVED
    with pytest.raises(RuleError):  # the given says nothing about Σ q²
        equal_by_normal_form(ctx, c, sp.Sum(q[k] ** 2 * c, (k, 1, big_k)), "expand", (given,))
    with pytest.raises(RuleError):  # nor about a sum over another range
        equal_by_normal_form(ctx, c, sp.Sum(q[k] * c, (k, 2, big_k)), "expand", (given,))


ISSUE = """\
title: constants come out of a normalised average
symbols: {K: positive integer, k: integer, q: "sequence in (0, 1)", c: real}
given:
  q normalised: Sum(q[k], (k, 1, K)) = 1
start: c
steps:
  - expr: Sum(q[k]*c, (k, 1, K))
    using: [q normalised]
    by: the weights sum to one
"""


def test_the_issue_step_is_proved(tmp_path):
    report = check(_read(tmp_path, ISSUE))
    assert report.steps[0].verdict is Verdict.PROVED


def test_the_elbo_style_step_is_proved(tmp_path):
    text = """\
title: log p(x) as an average over a distribution q
symbols: {K: positive integer, k: integer, q: "sequence in (0, 1)", x: real, p: function of 1 argument}
given:
  q normalised: Sum(q[k], (k, 1, K)) = 1
start: log(p(x)**2 + 1)
steps:
  - expr: Sum(q[k]*log(p(x)**2 + 1), (k, 1, K))
    using: [q normalised]
    by: the weights sum to one
"""
    assert check(_read(tmp_path, text)).steps[0].verdict is Verdict.PROVED


def test_a_false_step_is_refuted_only_at_a_point_where_the_given_holds(tmp_path):
    report = check(_read(tmp_path, ISSUE.replace("Sum(q[k]*c,", "Sum(q[k]**2*c,")))
    step = report.steps[0]
    assert step.verdict is Verdict.REFUTED
    shown = step.judgement.counterexample
    entries = [Fraction(v) for name, v in shown.items() if name.startswith("q[")]
    assert len(entries) == int(shown["K"]) and sum(entries) == 1
    assert all(0 < e < 1 for e in entries)


def test_a_step_whose_given_no_point_satisfies_is_not_refuted(tmp_path):
    text = """\
title: a given that contradicts a domain
symbols: {p: "in (0, 1)", x: real}
given:
  impossible: p = 2
start: p*x
steps:
  - expr: 0
    using: [impossible]
    by: vacuous
"""
    step = check(_read(tmp_path, text)).steps[0]
    assert step.verdict is Verdict.UNDECIDED
    assert "impossible" in step.judgement.method
