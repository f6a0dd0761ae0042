"""Each primitive rule: what it accepts, and that it refuses with its own name."""

import sympy as sp
import pytest

from derivations.kernel import (
    NEGATIVE, POSITIVE, POSITIVE_INTEGER, Chain, ChainError, Context, Given, Judgement,
    Optimization, Point, Relation, RuleError, Sense, Statement, Verdict, checked_at,
    equal_by_normal_form,
    integer_range, interval, order_reversed_at, ordered_by_bounds, refuted_at,
    same_optimizers_by_monotone_map, undecided,
)
from derivations.kernel.bounds import BoundsOracle


def test_a_judgement_cannot_be_made_outside_the_kernel():
    with pytest.raises(TypeError):
        Judgement(sp.S(1), sp.S(1), Relation.EQ, Verdict.PROVED, "forged", "forged")


def test_equal_by_normal_form_proves_and_refuses_by_name():
    ctx = Context()
    a, b = ctx.symbol("a"), ctx.symbol("b")
    assert equal_by_normal_form(ctx, (a + b)**2, a**2 + 2*a*b + b**2, "expand").verdict is Verdict.PROVED
    with pytest.raises(RuleError, match="^equal_by_normal_form:"):
        equal_by_normal_form(ctx, (a + b)**2, a**2 + b**2, "expand")
    with pytest.raises(RuleError, match="no normal form"):
        equal_by_normal_form(ctx, a, a, "magic")


def test_log_of_square_is_split_only_for_positive_bases():
    real, positive = Context(), Context()
    x, p = real.symbol("x"), positive.symbol("x", POSITIVE)
    from derivations.kernel.normal_forms import NORMAL_FORMS

    for form in NORMAL_FORMS:  # every form, the new ones too: none rewrites with force=True
        with pytest.raises(RuleError):
            equal_by_normal_form(real, sp.log(x**2), 2 * sp.log(x), form)
    assert equal_by_normal_form(positive, sp.log(p**2), 2 * sp.log(p), "logs and sums").verdict is Verdict.PROVED


def test_no_normal_form_folds_a_case_split_out_of_the_sum_that_binds_its_index():
    """Σ_j Σ_k [j <= 1 ? x : y] over k <= m, j <= n against k <= n, j <= m differ by
    (m - n)(x - y); SymPy's piecewise_fold, inside simplify too, would call them equal."""
    from derivations.kernel.normal_forms import NORMAL_FORMS

    ctx = Context()
    x, y = ctx.symbol("x"), ctx.symbol("y")
    n, m = ctx.symbol("n", POSITIVE_INTEGER), ctx.symbol("m", POSITIVE_INTEGER)
    j, k = ctx.symbol("j", integer_range(-sp.oo, sp.oo)), ctx.symbol("k", integer_range(-sp.oo, sp.oo))
    case = sp.Piecewise((x, j <= 1), (y, True))
    left, right = sp.Sum(case, (k, 1, m), (j, 1, n)), sp.Sum(case, (k, 1, n), (j, 1, m))
    for form in NORMAL_FORMS:
        with pytest.raises(RuleError):
            equal_by_normal_form(ctx, left, right, form)
        with pytest.raises(RuleError):
            ordered_by_bounds(ctx, left, right, Relation.LE, form)


def test_sums_are_linear_and_deltas_pick_one_term():
    ctx = Context()
    C = ctx.symbol("C", POSITIVE_INTEGER)
    k = ctx.symbol("k", integer_range(1, C))
    j = ctx.symbol("j", integer_range(1, C))
    q = ctx.sequence("q", POSITIVE)
    lhs = sp.Sum(2 * q[k] + 3, (k, 1, C))
    assert equal_by_normal_form(ctx, lhs, 2 * sp.Sum(q[k], (k, 1, C)) + 3 * C, "logs and sums")
    picked = sp.Sum(sp.KroneckerDelta(k, j) * sp.log(q[k]), (k, 1, C))
    assert equal_by_normal_form(ctx, picked, sp.log(q[j]), "logs and sums")


def test_nested_sums_over_independent_ranges_are_exchanged_and_no_others():
    ctx = Context()
    A, B = ctx.symbol("A", POSITIVE_INTEGER), ctx.symbol("B", POSITIVE_INTEGER)
    a, b = ctx.symbol("a", integer_range(1, A)), ctx.symbol("b", integer_range(1, B))
    P, q = ctx.sequence("P", POSITIVE, rank=2), ctx.sequence("q", POSITIVE)
    term = P[a, b] * sp.log(q[a])
    rows_first = sp.Sum(sp.Sum(term, (b, 1, B)), (a, 1, A))
    for columns_first in (sp.Sum(sp.Sum(term, (a, 1, A)), (b, 1, B)), sp.Sum(term, (a, 1, A), (b, 1, B))):
        # (not "logs and sums": it first pulls log q[a] out of the inner sum of one side only)
        assert equal_by_normal_form(ctx, rows_first, columns_first, "expand").verdict is Verdict.PROVED
    # Infinite series are not exchanged: sum_i sum_j (d_ij - d_i,j+1) is 1, the other order 0.
    i_, j_ = ctx.symbol("i_", POSITIVE_INTEGER), ctx.symbol("j_", POSITIVE_INTEGER)
    telescoping = sp.KroneckerDelta(i_, j_) - sp.KroneckerDelta(i_, j_ + 1)
    for form in ("expand", "logs and sums", "rational functions"):
        with pytest.raises(RuleError):
            equal_by_normal_form(ctx, sp.Sum(sp.Sum(telescoping, (j_, 1, sp.oo)), (i_, 1, sp.oo)),
                                 sp.Sum(sp.Sum(telescoping, (i_, 1, sp.oo)), (j_, 1, sp.oo)), form)
    # A triangle: the inner range depends on the outer index, so the order is not free.
    n = ctx.symbol("n", POSITIVE_INTEGER)
    i, j = ctx.symbol("i", integer_range(1, n)), ctx.symbol("j", integer_range(1, n))
    x = ctx.sequence("x")
    triangle = sp.Sum(sp.Sum(x[j] * j, (j, 1, i)), (i, 1, n))
    naive = sp.Sum(sp.Sum(x[j] * j, (i, 1, j)), (j, 1, n))  # wrong: the range of i is j..n
    for form in ("expand", "logs and sums"):
        with pytest.raises(RuleError):
            equal_by_normal_form(ctx, triangle, naive, form)


def test_delta_is_not_summed_out_when_the_index_may_lie_outside_the_range():
    ctx = Context()
    C = ctx.symbol("C", POSITIVE_INTEGER)
    k = ctx.symbol("k", integer_range(1, C))
    j = ctx.symbol("j", integer_range(0, C))  # j = 0 is outside 1..C
    q = ctx.sequence("q", POSITIVE)
    with pytest.raises(RuleError):
        equal_by_normal_form(ctx, sp.Sum(sp.KroneckerDelta(k, j) * q[k], (k, 1, C)), q[j], "logs and sums")


def test_bounds_oracle_knows_open_intervals_and_sums():
    ctx = Context()
    n = ctx.symbol("n", POSITIVE_INTEGER)
    i = ctx.symbol("i", integer_range(1, n))
    h = ctx.sequence("h", interval(0, 1))
    oracle = BoundsOracle(ctx)
    assert oracle.is_positive(1 - h[i])
    assert oracle.is_positive(sp.Sum(sp.exp(h[i]), (i, 1, n)))
    assert oracle.is_negative(sp.log(h[i]))
    assert not oracle.is_positive(h[i] - sp.Rational(1, 2))


def test_a_power_with_a_symbolic_exponent_is_bounded_only_when_both_signs_allow():
    from derivations.kernel import NONNEGATIVE, REAL

    ctx = Context()
    p, big = ctx.symbol("p", interval(0, 1)), ctx.symbol("big", interval(1, 5))
    gamma, any_real = ctx.symbol("gamma", NONNEGATIVE), ctx.symbol("t", REAL)
    oracle = BoundsOracle(ctx)
    assert oracle.bounds(1 - (1 - p)**gamma).nonnegative  # (1 - p)^gamma is in (0, 1]
    assert oracle.bounds(big**gamma - 1).nonnegative
    assert not oracle.bounds(1 - (1 - p)**any_real).nonnegative  # a negative power exceeds 1
    assert not oracle.bounds(1 - (2 * p)**gamma).nonnegative  # 2p may exceed 1
    ce = -sp.log(p)
    focal = ce - (1 - (1 - p)**gamma) * ce  # the difference stays a product of signed factors
    assert ordered_by_bounds(ctx, focal, ce, Relation.LE, "as written").verdict is Verdict.PROVED
    for form in ("as written", "expand"):
        with pytest.raises(RuleError):  # false for t < 0
            ordered_by_bounds(ctx, ce - (1 - (1 - p)**any_real) * ce, ce, Relation.LE, form)
    with pytest.raises(RuleError):  # expanded, the two terms have opposite signs
        ordered_by_bounds(ctx, focal, ce, Relation.LE, "expand")


def test_ordered_by_bounds():
    ctx = Context()
    a = ctx.symbol("a", POSITIVE)
    assert ordered_by_bounds(ctx, a, a + 1, Relation.LT, "expand").verdict is Verdict.PROVED
    with pytest.raises(RuleError, match="^ordered_by_bounds:"):
        ordered_by_bounds(ctx, a, a + 1, Relation.GE, "expand")


def _objective():
    ctx = Context()
    theta, s = ctx.symbol("theta"), ctx.symbol("s", POSITIVE)
    return ctx, theta, s, Optimization((theta,), Sense.MINIMIZE)


def test_monotone_map_flips_the_sense_exactly_for_a_negative_scale():
    ctx, theta, s, opt = _objective()
    old = (theta - 1)**2
    rule = same_optimizers_by_monotone_map
    assert rule(ctx, old, -old, opt, Sense.MINIMIZE, Sense.MAXIMIZE, -1, False, "expand").verdict is Verdict.PROVED
    with pytest.raises(RuleError, match="^same_optimizers_by_monotone_map: the sense must be maximize"):
        rule(ctx, old, -old, opt, Sense.MINIMIZE, Sense.MINIMIZE, -1, False, "expand")
    assert rule(ctx, old, s * old + 3, opt, Sense.MINIMIZE, Sense.MINIMIZE, s, False, "expand")


def test_monotone_map_side_conditions():
    ctx, theta, s, opt = _objective()
    old = (theta - 1)**2
    rule = same_optimizers_by_monotone_map
    with pytest.raises(RuleError, match="scale must not depend"):
        rule(ctx, old, theta * old, opt, Sense.MINIMIZE, Sense.MINIMIZE, theta, False, "expand")
    with pytest.raises(RuleError, match="new - a\\*old depends on the optimised variables"):
        rule(ctx, old, old + theta, opt, Sense.MINIMIZE, Sense.MINIMIZE, 1, False, "expand")
    with pytest.raises(RuleError, match="sign of the scale"):
        rule(ctx, old, old, opt, Sense.MINIMIZE, Sense.MINIMIZE, 0, False, "expand")
    with pytest.raises(RuleError, match="proved positive"):
        rule(ctx, old, sp.log(old), opt, Sense.MINIMIZE, Sense.MINIMIZE, 1, True, "expand")
    with pytest.raises(RuleError, match="not that map"):
        rule(ctx, old, 2 * old, opt, Sense.MINIMIZE, Sense.MINIMIZE, 1, False, "expand")
    # A given that makes a term undefined: SymPy folds 1/0 and everything beside it into zoo.
    c = ctx.symbol("c")
    undefined = Given("c is 0", c, sp.S(0))
    for new in (old + 1 / c, old + c * sp.log(c)):
        with pytest.raises(RuleError, match="undefined"):
            rule(ctx, old, new, opt, Sense.MINIMIZE, Sense.MINIMIZE, 1, False, "expand", (undefined,))


def test_refuted_at_confirms_the_point_itself():
    ctx = Context()
    x = ctx.symbol("x")
    bad = Point(values={x: sp.Rational(-37, 100)})
    judgement = refuted_at(ctx, sp.log(x**2), 2 * sp.log(x), Relation.EQ, bad)
    assert judgement.verdict is Verdict.REFUTED and judgement.counterexample == {"x": "-0.37"}
    with pytest.raises(RuleError, match="does not certainly fail"):
        refuted_at(ctx, sp.log(x**2), 2 * sp.log(x), Relation.EQ, Point(values={x: sp.Rational(37, 100)}))


def test_points_outside_the_declared_domain_are_refused():
    ctx = Context()
    x = ctx.symbol("x", NEGATIVE)
    with pytest.raises(RuleError, match="outside its declared domain"):
        refuted_at(ctx, x, x + 1, Relation.EQ, Point(values={x: sp.Rational(1, 2)}))


def test_checked_needs_enough_distinct_points():
    ctx = Context()
    x = ctx.symbol("x")
    few = [Point(values={x: sp.Rational(k, 7)}) for k in range(3)]
    with pytest.raises(RuleError, match="at least"):
        checked_at(ctx, sp.sin(x)**2 + sp.cos(x)**2, sp.S(1), Relation.EQ, few)
    many = [Point(values={x: sp.Rational(k, 7)}) for k in range(1, 9)]
    assert checked_at(ctx, sp.sin(x)**2 + sp.cos(x)**2, sp.S(1), Relation.EQ, many).verdict is Verdict.CHECKED


def test_order_reversal_needs_points_that_differ_only_in_the_optimised_variables():
    ctx, theta, s, opt = _objective()
    first = Point(values={theta: sp.Rational(1, 2), s: sp.Rational(1, 3)})
    second = Point(values={theta: sp.Rational(3, 2), s: sp.Rational(2, 3)})
    with pytest.raises(RuleError, match="differ only"):
        order_reversed_at(ctx, theta, -theta, opt, Sense.MINIMIZE, Sense.MINIMIZE, first, second)
    second = Point(values={theta: sp.Rational(3, 2), s: sp.Rational(1, 3)})
    reversed_ = order_reversed_at(ctx, theta, -theta, opt, Sense.MINIMIZE, Sense.MINIMIZE, first, second)
    assert reversed_.verdict is Verdict.REFUTED and reversed_.counterexample["theta"] == "0.5 vs 1.5"


def test_givens_apply_to_every_entry_of_a_sequence():
    ctx = Context()
    C = ctx.symbol("C", POSITIVE_INTEGER)
    k = ctx.symbol("k", integer_range(1, C))
    j = ctx.symbol("j", integer_range(1, C))
    y = ctx.sequence("y")
    onehot = Given("onehot", y[k], sp.KroneckerDelta(k, j))
    assert onehot.apply(y[j] + sp.Sum(y[k], (k, 1, C))) == 1 + sp.Sum(sp.KroneckerDelta(k, j), (k, 1, C))


def test_chain_extends_only_from_its_end_and_composes():
    ctx = Context()
    a = ctx.symbol("a", POSITIVE)
    chain = Chain(ctx, a)
    with pytest.raises(ChainError):
        chain.extend(ordered_by_bounds(ctx, a + 1, a + 2, Relation.LE, "expand"))
    chain.extend(ordered_by_bounds(ctx, a, a + 1, Relation.LE, "expand"))
    chain.extend(undecided(Statement(ctx, a + 1, a + 3, Relation.LT), "test"))
    assert chain.relation is Relation.LT and not chain.passed
    with pytest.raises(ChainError, match="optimisation chain"):
        Chain(ctx, a).extend(undecided(Statement(ctx, a, a, Relation.SAME_OPTIMIZERS), "test"))


def test_ordered_by_lemma_needs_nonnegative_weights_and_positive_arguments():
    from derivations.kernel import REAL, ordered_by_lemma

    for weights, proved in ((POSITIVE, True), (REAL, False)):
        ctx = Context()
        C = ctx.symbol("C", POSITIVE_INTEGER)
        k = ctx.symbol("k", integer_range(1, C))
        p, q = ctx.sequence("p", weights), ctx.sequence("q", POSITIVE)
        before = sp.Sum(p[k] * sp.log(q[k]), (k, 1, C))
        after = sp.Sum(p[k] * (q[k] - 1), (k, 1, C))
        if proved:
            assert ordered_by_lemma(ctx, before, after, Relation.LE).verdict is Verdict.PROVED
        else:
            with pytest.raises(RuleError, match="^ordered_by_lemma:"):
                ordered_by_lemma(ctx, before, after, Relation.LE)


def test_a_given_cannot_capture_the_index_it_is_applied_at():
    ctx = Context()
    C = ctx.symbol("C", POSITIVE_INTEGER)
    k = ctx.symbol("k", integer_range(1, C))
    m = ctx.symbol("m", integer_range(1, C))
    a, q = ctx.sequence("a", POSITIVE, rank=2), ctx.sequence("q", POSITIVE)
    row_sum = Given("rows", q[k], sp.Sum(a[k, m], (m, 1, C)))
    applied = row_sum.apply(sp.Sum(q[m], (m, 1, C)))
    # q[m] is the sum over a second index of a[m, that index], never a[m, m]
    assert not applied.has(a[m, m])
    assert equal_by_normal_form(ctx, applied, sp.Sum(sp.Sum(a[k, m], (m, 1, C)), (k, 1, C)), "logs and sums")


def test_a_given_does_not_let_a_sum_capture_its_free_symbols():
    ctx = Context()
    n = ctx.symbol("n", POSITIVE_INTEGER)
    j = ctx.symbol("j")
    x, y = ctx.sequence("x"), ctx.sequence("y")
    k = ctx.symbol("k", integer_range(1, n))
    shifted = Given("shifted", y[k], x[k] + j)
    applied = shifted.apply(sp.Sum(y[k], (k, 1, n)))
    assert equal_by_normal_form(ctx, applied, sp.Sum(x[k], (k, 1, n)) + n * j, "logs and sums")
    fixed = Given("fixed", j, sp.Integer(2))
    own = sp.Sum(x[j] + j, (j, 1, n))  # the sum is over its own index, not the free j
    kept = fixed.apply(own)
    assert not kept.has(sp.Integer(2)) and kept == own


def test_a_record_becomes_a_judgement_again_only_as_a_named_rule_on_its_own_statement():
    from derivations.kernel import received, recalled

    ctx = Context()
    x = ctx.symbol("x")
    before, after = (x + 1)**2, x**2 + 2*x + 1
    statement = Statement(ctx, before, after, Relation.EQ)
    judgement = equal_by_normal_form(ctx, before, after, "expand")
    record = judgement.signed_record()
    again = received(statement, record)
    assert (again.verdict, again.rule, again.method) == (Verdict.PROVED, "equal_by_normal_form", "expand")
    cache_key = b"k" * 32
    assert recalled(statement, judgement.signed_record(cache_key), cache_key).recalled
    for bad in ({**record, "rule": "forged"}, {**record, "rule": "received"},
                {**record, "verdict": "certain"}, {k: v for k, v in record.items() if k != "method"},
                judgement.record()):  # unsigned: anyone could have written it
        with pytest.raises(RuleError, match="^received"):
            received(statement, bad)
    for other in (Statement(ctx, before, x**2 + 2*x + 2, Relation.EQ),
                  Statement(ctx, before, after, Relation.LE)):
        with pytest.raises(RuleError, match="another statement"):
            received(other, record)
    with pytest.raises(RuleError, match="never recalled"):
        recalled(statement, undecided(statement, "no time").signed_record(cache_key), cache_key)


# -- forging a verdict through the Python API: each must be refused --------------------------------
def test_a_copy_of_a_judgement_with_another_verdict_is_refused():
    import dataclasses

    ctx = Context()
    x = ctx.symbol("x")
    judgement = undecided(Statement(ctx, x, x + 1, Relation.EQ), "no time")
    with pytest.raises(TypeError, match="kernel rule"):
        dataclasses.replace(judgement, verdict=Verdict.PROVED)
    with pytest.raises(TypeError, match="kernel rule"):
        dataclasses.replace(judgement, statement=Statement(ctx, x, x, Relation.EQ))
    altered = undecided(Statement(ctx, x, x + 1, Relation.EQ), "no time")
    object.__setattr__(altered, "verdict", Verdict.PROVED)  # altered in place, past the dataclass
    with pytest.raises(ChainError, match="unaltered"):
        Chain(ctx, x).extend(altered)
    proved = equal_by_normal_form(ctx, x, x, "expand")
    object.__setattr__(proved.statement, "after", x + 1)
    with pytest.raises(ChainError, match="unaltered"):
        Chain(ctx, x).extend(proved)


def test_a_hand_made_record_is_never_recalled():
    from derivations.kernel import recalled

    ctx = Context()
    x = ctx.symbol("x")
    statement = Statement(ctx, x, x + 1, Relation.EQ)
    made = {"claim": statement.digest(), "verdict": "proved", "rule": "equal_by_normal_form",
            "method": "expand", "counterexample": None, "left": None, "right": None}
    for record in (made, {**made, "signature": "0" * 64}, {"verdict": "proved"}, "proved", None):
        with pytest.raises(RuleError, match="^recalled"):
            recalled(statement, record, b"k" * 32)
    # A genuine record of another claim, signed with the cache's key, is not this claim's.
    true = equal_by_normal_form(ctx, x + 1, 1 + x, "expand").signed_record(b"k" * 32)
    with pytest.raises(RuleError, match="another statement"):
        recalled(statement, true, b"k" * 32)


def test_a_judgement_for_a_minimising_step_does_not_extend_a_maximising_chain():
    ctx = Context()
    theta, other = ctx.symbol("theta"), ctx.symbol("b")
    before, after = (theta - 1)**2, -(theta - 1)**2
    minimising = Optimization((theta,), Sense.MINIMIZE)
    judgement = same_optimizers_by_monotone_map(ctx, before, after, minimising, Sense.MINIMIZE,
                                                Sense.MAXIMIZE, -1, False, "expand")
    Chain(ctx, before, minimising).extend(judgement)
    with pytest.raises(ChainError, match="minimize"):  # argmax (θ−1)² = argmax −(θ−1)² is false
        Chain(ctx, before, Optimization((theta,), Sense.MAXIMIZE)).extend(judgement)
    with pytest.raises(ChainError, match="optimised variables"):
        Chain(ctx, before, Optimization((other,), Sense.MINIMIZE)).extend(judgement)


def test_a_judgement_under_other_declarations_or_givens_does_not_extend_a_chain():
    narrow, wide = Context(), Context()
    p = narrow.symbol("p", interval(0, 1))
    wide.symbol("p", POSITIVE)
    made = ordered_by_bounds(narrow, p, sp.S(1), Relation.LT, "expand")  # true for p in (0, 1)
    Chain(narrow, p).extend(made)
    with pytest.raises(ChainError, match="declarations"):  # false for p = 2
        Chain(wide, p).extend(made)
    ctx = Context()
    a, b = ctx.symbol("a"), ctx.symbol("b")
    given = Given("b is a", b, a)
    cited = equal_by_normal_form(ctx, a, b, "expand", givens=(given,))
    Chain(ctx, a, givens=(given,)).extend(cited)
    for givens in ((), (Given("b is a", b, 2 * a),)):
        with pytest.raises(ChainError, match="givens"):
            Chain(ctx, a, givens=givens).extend(cited)


def test_a_chain_cannot_be_added_to_but_through_extend():
    ctx = Context()
    x = ctx.symbol("x")
    chain = Chain(ctx, x)
    with pytest.raises(AttributeError):
        chain.judgements.append(undecided(Statement(ctx, x, x, Relation.EQ), "test"))
    with pytest.raises(AttributeError):
        chain.relation = Relation.LT
    with pytest.raises(AttributeError):  # the conclusion would be read under wider declarations
        chain.context = Context()


def test_exact_text_tells_apart_what_sympy_holds_different_and_nothing_else():
    from derivations.kernel import exact_text, sigmoid

    x, y = sp.Symbol("x"), sp.Symbol("y")
    positive_x = sp.Symbol("x", positive=True)
    f, g = sp.Function("f"), sp.Function("f", real=True)
    i = sp.Symbol("i", integer=True)
    different = [
        x + 1, x + sp.Float(1.0), x + sp.Float(1.0, 30), positive_x + 1, x + sp.Rational(1, 2),
        sp.Dummy("x") + 1, f(x), g(x), sp.Function("sigmoid")(x), sigmoid(x),
        sp.Sum(x, (i, 1, y)), sp.Product(x, (i, 1, y)), sp.log(x), sp.log(x, 2), (x, 1), 1,
        f(), g(), sp.IndexedBase(x)[i], sp.IndexedBase(x, positive=True)[i], (x,), sp.Tuple(x),
    ]
    texts = [exact_text(e) for e in different]
    assert len(set(texts)) == len(texts)
    # The same expression, however it was built, is written the same way.
    assert exact_text(y * x + 1) == exact_text(sp.Add(1, sp.Mul(x, y)))
    assert exact_text(sp.Sum(x**2, (i, 1, y))) == exact_text(sp.Sum(sp.Pow(x, 2), (i, 1, y)))


def test_a_subclass_can_neither_vouch_for_itself_nor_answer_a_rule():
    ctx = Context()
    a, b = ctx.symbol("a"), ctx.symbol("b")

    class Vouching(Judgement):
        sealed = True

    fake = object.__new__(Vouching)
    made = equal_by_normal_form(ctx, a, a, "expand")
    for name in ("statement", "verdict", "rule", "method", "counterexample", "left", "right",
                 "seal"):
        object.__setattr__(fake, name, getattr(made, name))
    object.__setattr__(fake, "statement", Statement(ctx, a, b, Relation.EQ))
    with pytest.raises(ChainError, match="kernel rule"):
        Chain(ctx, a).extend(fake)

    class Erasing(Given):  # "a = a", applied as if it made every difference 0
        def apply(self, expr):
            return sp.S(0)

    with pytest.raises(TypeError, match="kernel Givens"):
        equal_by_normal_form(ctx, a, b, "expand", givens=(Erasing("trivial", a, a),))

    class Lying(Context):
        pass

    lying = Lying()
    x = lying.symbol("x")
    with pytest.raises(TypeError, match="kernel Context"):
        equal_by_normal_form(lying, x, x, "expand")


def test_a_substitution_with_nothing_to_differentiate_is_no_value_not_a_recursion():
    """``Subs(x**2, x, y)`` (what a chain rule can leave) once looped between the evaluator's
    derivative branch and itself until Python's recursion limit."""
    from derivations.kernel.numeric import EvaluationError, Point, evaluate
    x, y = sp.symbols("x y", real=True)
    point = Point()
    point.values[y] = sp.Rational(3)
    with pytest.raises(EvaluationError):
        evaluate(sp.Subs(x**2, x, y), point, 30)
