"""Bound variables are never confused with free ones (issue 13, section 1).

A sum's or product's index is bound: it is never the declared symbol of the same name, a given
never rewrites it, a substitution never lets a sum capture a free symbol of what it puts in,
and a derivative's variable is never rewritten.  One test per fault, each failing before the fix."""

import pytest
import sympy as sp

from derivations.settings import CheckSettings
from derivations.reading import files
from derivations.checker import check
from derivations.kernel import (
    POSITIVE_INTEGER, Context, Given, Relation, RuleError, Verdict, equal_by_normal_form,
    exact_text, in_domain, integer_range, ordered_by_bounds,
)
from derivations.kernel.bounds import BoundsOracle
from derivations.kernel.normal_forms import NORMAL_FORMS
from derivations.reading.expressions import parse_expression
from derivations.documents.notation import to_latex, to_text
from derivations import testing


def _context(**declared):
    ctx = Context()
    for name, kind in declared.items():
        if kind == "sequence":
            ctx.sequence(name)
        elif isinstance(kind, tuple):
            ctx.symbol(name, integer_range(*(ctx.lookup(b).obj if isinstance(b, str) else b
                                              for b in kind)))
        elif kind == "integer":
            ctx.symbol(name, integer_range(sp.S.NegativeInfinity))
        elif kind == "positive integer":
            ctx.symbol(name, POSITIVE_INTEGER)
        else:
            ctx.symbol(name)
    return ctx


def _never_proved(ctx, before, after, givens=()):
    for form in NORMAL_FORMS:
        with pytest.raises(RuleError):
            equal_by_normal_form(ctx, before, after, form, givens)


def _proved_by_some_form(ctx, before, after, givens=()):
    for form in NORMAL_FORMS:
        try:
            return equal_by_normal_form(ctx, before, after, form, givens)
        except RuleError:
            continue
    raise AssertionError(f"{before} = {after} is proved by no normal form")


def test_a_given_about_a_free_symbol_never_rewrites_the_index_of_a_sum():
    ctx = _context(n="positive integer", m="integer", c="real")
    n, m, c = (ctx.lookup(s).obj for s in "nmc")
    total = parse_expression("Sum(c, (m, 1, n))", ctx)
    given = Given("g", c, m)
    _never_proved(ctx, total, n * (n + 1) / 2, [given])
    _proved_by_some_form(ctx, total, n * m, [given])


def test_a_rule_binds_the_indices_of_a_claim_built_from_sympy_objects():
    # The index of this sum is the declared m itself, as a user of the kernel may write it.
    ctx = _context(m="integer", k=(1, "m"))
    m, k = ctx.lookup("m").obj, ctx.lookup("k").obj
    for form in NORMAL_FORMS:
        with pytest.raises(RuleError):
            ordered_by_bounds(ctx, sp.Sum(4 - k, (m, 1, 2)), sp.S(0), Relation.GT, form)
    _proved_by_some_form(ctx, sp.Sum(4 - k, (m, 1, 2)), 8 - 2 * k)


def test_a_declared_bound_names_the_free_symbol_under_a_sum_over_its_name():
    ctx = _context(m="integer", k=(1, "m"))
    before = parse_expression("Sum(4 - k, (m, 1, 2))", ctx)  # 8 - 2k: -4 at m = 9, k = 6
    for form in NORMAL_FORMS:
        with pytest.raises(RuleError):
            ordered_by_bounds(ctx, before, sp.S(0), Relation.GT, form)
    m, k = ctx.lookup("m").obj, ctx.lookup("k").obj
    # The sampler's own check reads the bound m as the free m, too.
    assert in_domain(ctx, k, 6, {m: sp.Integer(9)})
    assert not in_domain(ctx, k, 6, {m: sp.Integer(5)})


def test_a_derivative_by_an_entry_with_a_free_index_is_not_about_the_sum_index():
    ctx = _context(n="positive integer", k="integer", x="sequence")
    before = parse_expression("Derivative(Sum(x[k]**2, (k, 1, n)), x[k])", ctx)
    _never_proved(ctx, before, parse_expression("2*Sum(x[k], (k, 1, n))", ctx))
    bounded = _context(n="positive integer", k=(1, "n"), x="sequence")
    before = parse_expression("Derivative(Sum(x[k]**2, (k, 1, n)), x[k])", bounded)
    _proved_by_some_form(bounded, before, parse_expression("2*x[k]", bounded))


def test_a_delta_pick_never_lets_an_inner_sum_capture_the_picked_index():
    # Σ_i δ(i, j) Σ_j' exp(x[i] y[j']) = Σ_j' exp(x[j] y[j']) for a free j in the range of i,
    # not Σ_j' exp(x[j'] y[j']).
    ctx = _context(n="positive integer", i="integer", j=(-2, "n"), k="integer",
                   x="sequence", y="sequence")
    before = parse_expression(
        "Sum(KroneckerDelta(i, j)*Sum(exp(x[i]*y[j]), (j, 1, n)), (i, -2, n))", ctx)
    _never_proved(ctx, before, parse_expression("Sum(exp(x[j]*y[j]), (j, 1, n))", ctx))
    _proved_by_some_form(ctx, before, parse_expression("Sum(exp(x[j]*y[k]), (k, 1, n))", ctx))


def test_a_given_never_rewrites_the_variable_of_a_derivative():
    ctx = _context(theta="real", x="real")
    theta, x = ctx.lookup("theta").obj, ctx.lookup("x").obj
    given = Given("t", theta, x)
    before = parse_expression("Derivative(theta**2*x, theta)", ctx)
    _never_proved(ctx, before, 3 * x**2, [given])
    _proved_by_some_form(ctx, before, 2 * x**2, [given])
    # A given whose right side mentions the variable is not substituted under it either:
    # d/dθ (c θ) with c = θ is c, that is θ; not d/dθ θ² = 2θ.
    c = ctx.symbol("c")
    before = sp.Derivative(c * theta, theta)
    _never_proved(ctx, before, 2 * theta, [Given("c is theta", c, theta)])
    _proved_by_some_form(ctx, before, theta, [Given("c is theta", c, theta)])


def test_a_given_reaches_only_the_point_of_a_derivative_it_cannot_carry_out():
    # ∂/∂θ (f(θ)·x) = x·f'(θ); with θ = x that is x·f'(x), never d/dx (f(x)·x).
    ctx = _context(theta="real", x="real")
    theta, x = ctx.lookup("theta").obj, ctx.lookup("x").obj
    f = ctx.function("f", 1)
    given = Given("t", theta, x)
    before = sp.Derivative(f(theta) * x, theta)
    _never_proved(ctx, before, f(x) + x * sp.Derivative(f(x), x), [given])
    _proved_by_some_form(ctx, before, x * sp.Derivative(f(x), x), [given])


def test_a_pattern_given_matches_only_where_its_repeated_indices_agree():
    ctx = _context(i="integer", j="integer", k="integer", P="sequence")
    diagonal = Given("zero diagonal", parse_expression("P[k, k]", ctx), sp.S(0))
    P = ctx.lookup("P").obj
    i, j = ctx.lookup("i").obj, ctx.lookup("j").obj
    assert diagonal.apply(P[1, 2]) == P[1, 2]
    assert diagonal.apply(P[i, j]) == P[i, j]
    assert diagonal.apply(P[2, 2]) == 0
    assert diagonal.apply(P[j, j]) == 0
    _never_proved(ctx, P[1, 2], sp.S(0), [diagonal])


def test_a_pattern_given_with_a_sum_on_the_right_is_renamed_apart_from_the_entry():
    # y[k] = Σ_j x[k, j]; the entry y[j] under a sum over j is Σ_j' x[j, j'].
    ctx = _context(n="positive integer", j="integer", k="integer", x="sequence", y="sequence")
    given = Given("row sums", parse_expression("y[k]", ctx),
                  parse_expression("Sum(x[k, j], (j, 1, n))", ctx))
    before = parse_expression("Sum(y[j], (j, 1, n))", ctx)
    _never_proved(ctx, before, parse_expression("n*Sum(x[j, j], (j, 1, n))", ctx), [given])
    _proved_by_some_form(
        ctx, before, parse_expression("Sum(Sum(x[k, j], (j, 1, n)), (k, 1, n))", ctx), [given])


def test_a_bound_index_is_never_the_declared_symbol_yet_reads_the_same():
    from derivations.kernel.substitution import BoundIndex

    ctx = _context(n="positive integer", k="integer", x="sequence")
    k = ctx.lookup("k").obj
    total = parse_expression("Sum(x[k], (k, 1, n))", ctx)
    (index,) = [limit[0] for limit in total.limits]
    assert isinstance(index, BoundIndex) and index != k and k not in total.free_symbols
    # Two readings of the same text are the same expression, with the same exact text.
    assert parse_expression("Sum(x[k], (k, 1, n))", ctx) == total
    assert exact_text(parse_expression("Sum(x[k], (k, 1, n))", ctx)) == exact_text(total)
    assert exact_text(total) != exact_text(sp.Sum(ctx.lookup("x").obj[k], (k, 1, ctx.lookup("n").obj)))
    # Printed as written.
    assert to_text(total) == to_text(sp.Sum(ctx.lookup("x").obj[k], (k, 1, ctx.lookup("n").obj)))
    assert to_latex(total) == to_latex(sp.Sum(ctx.lookup("x").obj[k], (k, 1, ctx.lookup("n").obj)))
    # Sums over the same name nested in each other have distinct indices.
    nested = parse_expression("Sum(Sum(x[k], (k, 1, k)), (k, 1, n))", ctx)
    (inner, _, last), (outer, _, _) = nested.limits  # SymPy keeps nested sums as one
    assert outer != inner and last == outer


def test_substitution_renames_a_binder_that_would_capture_and_never_rewrites_one():
    from derivations.kernel.substitution import alpha_key, substitute

    ctx = _context(n="positive integer", j="integer", x="sequence")
    j, n = ctx.lookup("j").obj, ctx.lookup("n").obj
    total = parse_expression("Sum(x[j]*n, (j, 1, n))", ctx)
    index = total.limits[0][0]
    # The free j put in for n must stay free: the sum's index is renamed.
    moved = substitute(total, {n: j})
    assert j in moved.free_symbols
    assert moved.limits[0][0] != j and moved.limits[0][2] == j
    # The bound index itself is never a key's occurrence.
    assert alpha_key(substitute(total, {index: sp.S(3)})) == alpha_key(total)


def test_the_python_api_binds_the_indices_of_user_sums():
    m, n = sp.symbols("m n", integer=True, positive=True)
    c = sp.Symbol("c", real=True)
    expr = sp.Sum(c, (m, 1, n)) + m  # the sum's m is bound, the added m is free
    from derivations.kernel.substitution import bind_indices

    bound = bind_indices(expr)
    assert m in bound.free_symbols and bound != expr
    # k in [1, m] is about the free m, not the index of Σ_{m=1}^{2} (4 - k) = 8 - 2k.
    k, m = sp.Symbol("k", integer=True), sp.Symbol("m", integer=True)
    assumptions = {"m": "integer", "k": integer_range(1, m)}
    with pytest.raises(AssertionError):
        testing.assert_bound(sp.Sum(4 - k, (m, 1, 2)), ">", 0, assumptions, strict=True)
    testing.assert_equal(sp.Sum(4 - k, (m, 1, 2)), 8 - 2 * k, assumptions, strict=True)


def _checked(text: str):
    return check(files.read("t.deriv.yaml", text.encode()), CheckSettings(timeout=10.0))


def test_the_issue_file_with_a_given_about_the_index_name_is_not_proved():
    report = _checked("""title: t
symbols: {n: positive integer, m: integer, c: real}
given: {g: c = m}
start: Sum(c, (m, 1, n))
steps:
  - expr: n*(n + 1)/2
    using: [g]
""")
    assert report.steps[0].verdict in (Verdict.REFUTED, Verdict.UNDECIDED)


def test_the_sampler_gives_a_value_to_a_bound_written_only_as_a_sum_index():
    from derivations.sampling import Sampler

    ctx = _context(m="integer", k=(1, "m"))
    m, k = ctx.lookup("m").obj, ctx.lookup("k").obj
    expr = parse_expression("Sum(4 - k, (m, 1, 2))", ctx)  # the only m written is bound
    for attempt in range(8):
        point = Sampler(ctx, attempt).point([expr], attempt)
        assert m in point.integers and k in point.integers
        if point.integers[m] >= 1:
            assert 1 <= point.integers[k] <= point.integers[m]
