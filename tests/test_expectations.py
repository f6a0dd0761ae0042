"""Expectations and integrals (issue 17, section 1): laws declared with the symbols, one table
of moments, Jensen's inequality as a rule, integrals by SymPy cross-checked by quadrature.
Each test is a fault the kernel must never commit: a bound variable taken for a free one, a
moment of the wrong law, an unproved concavity, a wrong antiderivative counted as proved."""

import pytest
import sympy as sp
import sympy.stats as stats

from derivations.checker import check
from derivations.kernel import POSITIVE, Context, Relation, RuleError, Verdict
from derivations.kernel import equal_by_normal_form, jensen
from derivations.kernel import expectations
from derivations.kernel.laws import (Arbitrary, Bernoulli, Exponential, Laplace, Normal, Poisson,
                                     Uniform, moment)
from derivations.kernel.substitution import BoundReal, substitute
from derivations.reading import files
from derivations.reading.expressions import ExpressionError, parse_expression
from derivations.documents.notation import to_latex, to_text


def _read(tmp_path, text):
    path = tmp_path / "t.deriv.yaml"
    path.write_text(text)
    return files.read(path)


def _context():
    ctx = Context()
    mu, sigma = ctx.symbol("mu"), ctx.symbol("sigma", POSITIVE)
    ctx.symbol("t")
    ctx.symbol("lam", POSITIVE)
    ctx.random("x", Normal(mu, sigma))
    ctx.random("y", Exponential(ctx.lookup("lam").obj))
    return ctx


# -- the table of moments, against sympy.stats (an independent computation) ----------------------
_POSITIVE = dict(positive=True)
_CASES = [
    (Normal, lambda m, s: stats.Normal("X", m, s), (sp.Symbol("m", real=True), sp.Symbol("s", **_POSITIVE))),
    (Laplace, lambda m, b: stats.Laplace("X", m, b), (sp.Symbol("m", real=True), sp.Symbol("b", **_POSITIVE))),
    (Exponential, lambda r: stats.Exponential("X", r), (sp.Symbol("r", **_POSITIVE),)),
    (Uniform, lambda a, b: stats.Uniform("X", a, b), (sp.Integer(1), sp.Integer(4))),
    (Bernoulli, lambda p: stats.Bernoulli("X", p), (sp.Rational(1, 3),)),
    (Poisson, lambda r: stats.Poisson("X", r), (sp.Symbol("r", **_POSITIVE),)),
]


@pytest.mark.parametrize("law, variable, parameters", _CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_the_table_of_moments_agrees_with_sympy_stats(law, variable, parameters):
    X = variable(*parameters)
    for k in range(5):
        assert sp.simplify(moment(law(*parameters), k) - stats.E(X ** k)) == 0, (law, k)


# -- reading -------------------------------------------------------------------------------------
def test_an_expectation_binds_its_random_variable():
    ctx = _context()
    x = ctx.lookup("x").obj
    expr = parse_expression("E(x) - x", ctx)
    assert x in expr.free_symbols  # the free x is the value outside the average
    (mean,) = expr.atoms(expectations.Expectation)
    assert x not in mean.free_symbols
    # a given x = 3 rewrites the free x only
    assert substitute(expr, {x: 3}).atoms(expectations.Expectation) == {mean}


def test_an_integral_binds_its_variable_and_substitution_avoids_capture():
    ctx = _context()
    t, mu = ctx.lookup("t").obj, ctx.lookup("mu").obj
    expr = parse_expression("Integral(t*mu, (t, 0, 1))", ctx)
    (variable,) = [v for v, *_ in expr.limits]
    assert isinstance(variable, BoundReal) and t not in expr.free_symbols
    moved = substitute(expr, {mu: t})  # the free t put in is not captured by the integral
    assert t in moved.free_symbols
    assert sp.integrate(moved.function, moved.limits[0]) == t / 2


@pytest.mark.parametrize("text, message", [
    ("E(mu)", "averages over a random variable"),
    ("E(mu, t)", "a declared random variable"),
    ("Integral(x, (x, 0, 1))", "variable of an integral"),
    ("Integral(t, (t, 0))", "limits are written"),
    ("oo", "undeclared name .oo."),
])
def test_malformed_expectations_and_integrals_are_input_errors(text, message):
    with pytest.raises(ExpressionError, match=message):
        parse_expression(text, _context())


@pytest.mark.parametrize("declaration, message", [
    ("x: 'Normal(mu, s)'", "is a law only if s is positive"),
    ("x: 'Normal(mu)'", "takes 2 parameter"),
    ("x: 'Gaussian(mu, s)'", "unknown law"),
    ("x: 'Bernoulli(s)'", r"Bernoulli\(s\) is a law only if"),
    ("x: 'Normal(x, 1)'", "undeclared"),
    # weights bounded below by a symbol of unknown sign: said so, not "cannot determine truth"
    ("q: 'sequence in [s, 1]'\n  x: 'Categorical(q, 3)'", "weights of Categorical"),
])
def test_a_law_must_be_proved_a_law(tmp_path, declaration, message):
    text = f"title: t\nsymbols:\n  mu: real\n  s: real\n  {declaration}\nstart: mu\nsteps:\n  - expr: mu\n"
    with pytest.raises(files.InputError, match=message):
        _read(tmp_path, text)


def test_a_law_cut_at_its_comma_by_yaml_says_so(tmp_path):
    with pytest.raises(files.InputError, match="cut at its comma"):
        _read(tmp_path, "title: t\nsymbols: {mu: real, x: Normal(mu, 1)}\nstart: mu\n"
                        "steps:\n  - expr: mu\n")


def test_expectations_print_as_textbooks_write_them():
    ctx = _context()
    expr = parse_expression("E((x - mu)**2)", ctx)
    assert to_text(expr) == "E((-mu + x)**2)"
    assert r"\mathbb{E}_{x \sim \mathcal{N}\left(\mu, \sigma^{2}\right)}" in to_latex(expr)
    assert to_text(parse_expression("E(mu, x)", ctx)) == "E(mu, x)"  # re-readable as written


# -- rules ---------------------------------------------------------------------------------------
def _prove(ctx, before, after, form="expectations"):
    return equal_by_normal_form(ctx, parse_expression(before, ctx), parse_expression(after, ctx),
                                form)


@pytest.mark.parametrize("before, after", [
    ("E(x**2)", "mu**2 + sigma**2"),
    ("E((x - mu)**2)", "sigma**2"),
    ("Var(x)", "sigma**2"),
    ("E(3*x + mu)", "4*mu"),
    ("E(y**2)", "2/lam**2"),
    ("E(x*y)", "mu/lam"),  # independent
])
def test_true_moments_are_proved(before, after):
    assert _prove(_context(), before, after).verdict is Verdict.PROVED


@pytest.mark.parametrize("before, after", [
    ("E(x**2)", "mu**2"),
    ("E(x)", "x"),
    ("E(y**2)", "1/lam**2"),
    ("E(x*E(x))", "E(x**2)"),
    ("E(log(y))", "log(E(y))"),
])
def test_false_moments_are_not_proved(before, after):
    with pytest.raises(RuleError, match="equal_by_normal_form"):
        _prove(_context(), before, after)


def test_jensen_needs_concavity_proved_on_the_support():
    ctx = _context()
    read = lambda text: parse_expression(text, ctx)  # noqa: E731
    assert jensen(ctx, read("E(log(y))"), read("log(E(y))"), Relation.LE).verdict is Verdict.PROVED
    with pytest.raises(RuleError, match="jensen"):  # the wrong way round
        jensen(ctx, read("E(log(y))"), read("log(E(y))"), Relation.GE)
    # u = x^2 + 1 >= 1 for x ~ N: log is concave there
    assert jensen(ctx, read("E(log(x**2 + 1))"), read("log(E(x**2 + 1))"),
                  Relation.LE).verdict is Verdict.PROVED
    with pytest.raises(RuleError, match="jensen"):  # x + 10 may be <= 0, where log is not
        jensen(ctx, read("E(log(x + 10))"), read("log(E(x + 10))"), Relation.LE)
    with pytest.raises(RuleError, match="kink"):  # |t| is convex, yet each piece has phi'' = 0
        jensen(ctx, read("E(Piecewise((-x, x < 0), (x, True)))"),
               read("Piecewise((-E(x), E(x) < 0), (E(x), True))"), Relation.LE)
    with pytest.raises(RuleError, match="jensen"):  # the mean under another law
        jensen(ctx, read("E(log(y))"), read("log(E(x**2 + 1))"), Relation.LE)


def test_a_wrong_antiderivative_is_never_counted(monkeypatch):
    """SymPy's integral is trusted only once quadrature agrees: a wrong value is refused."""
    ctx = _context()
    before = parse_expression("Integral(exp(-lam*t), (t, 0, oo))", ctx)
    lam = ctx.lookup("lam").obj
    assert equal_by_normal_form(ctx, before, 1 / lam, "integrals").verdict is Verdict.PROVED
    expectations.closed_form.cache_clear()
    monkeypatch.setattr(sp, "integrate", lambda *args, **kwargs: 2 / lam)
    with pytest.raises(RuleError):
        equal_by_normal_form(ctx, before, 2 / lam, "integrals")
    expectations.closed_form.cache_clear()


def test_an_integral_with_a_condition_is_refused():
    ctx = Context()
    ctx.symbol("t")
    a = ctx.symbol("a")  # real, not proved positive: the integral converges only for a > 0
    before = parse_expression("Integral(exp(-a*t), (t, 0, oo))", ctx)
    with pytest.raises(RuleError):
        equal_by_normal_form(ctx, before, 1 / a, "integrals")


def test_quadrature_alone_never_refutes(tmp_path):
    """A divergent integral has no value: undecided, never refuted or proved."""
    derivation = _read(tmp_path, "title: t\nsymbols: {t: real}\nstart: 1\nsteps:\n"
                                 "  - expr: Integral(1/t, (t, 1, oo))\n")
    (step,) = check(derivation).steps
    assert step.judgement.verdict is Verdict.UNDECIDED


def test_a_random_variable_is_shown_with_its_law(tmp_path):
    from derivations.documents.notation import assumptions_latex
    from derivations.documents.terminal import show_lines
    derivation = _read(tmp_path, "title: t\nsymbols:\n  mu: real\n  x: Normal(mu, 1)\n"
                                 "  e: random\nstart: E(x + e)\nsteps:\n  - expr: mu + E(e)\n")
    lines = show_lines(check(derivation))
    assert "  x: Normal(mu, 1)" in lines and "  e: random" in lines
    assumptions = assumptions_latex(derivation.context)
    assert r"x \sim \mathcal{N}\left(\mu, 1\right)" in assumptions
    assert r"e \text{ random}" in assumptions  # a backslash, not a tab, before "text"


def test_latex_expectations_read_back_with_the_declared_law_only():
    from derivations.reading.latex import read_expression
    ctx = _context()
    ctx.random("e", Arbitrary("e"))
    for text in ("E((x - mu)**2) + E(e*y)", "Var(x)", "E(mu, x)"):
        expr = parse_expression(text, ctx)
        assert read_expression(to_latex(expr), ctx) == expr
    with pytest.raises(ExpressionError, match="declared with the law"):  # N(0, 1) is not x's law
        read_expression(r"\mathbb{E}_{x \sim \mathcal{N}\left(0, 1\right)}\left[x\right]", ctx)
    with pytest.raises(ExpressionError, match="declared with the law"):  # e's law is unknown
        read_expression(r"\mathbb{E}_{e \sim \mathcal{N}\left(0, 1\right)}\left[e\right]", ctx)
    with pytest.raises(ExpressionError, match="declared random variable"):
        read_expression(r"\mathbb{E}_{\mu}\left[\mu\right]", ctx)


def test_no_false_mutant_of_the_expectation_targets_is_accepted():
    """Slips planted in the good files of issue 17 (bench/mutation.py runs them in full)."""
    from pathlib import Path
    from derivations.mutation import mutate, summary
    good = Path(__file__).parent / "derivations" / "good"
    derivations = [files.read(good / f"{name}.deriv.yaml")
                   for name in ("gaussian-entropy", "gaussian-kl", "jensen-log")]
    result = summary(mutate(derivations, per_step=2, seed=5))
    assert result["false mutants"] >= 8
    assert result["false accepts"] == 0, result["accepted"]


@pytest.mark.parametrize("domain, verdict", [(None, None), (POSITIVE, Verdict.PROVED)])
def test_an_integral_with_a_pole_inside_for_some_parameters_is_refused(domain, verdict):
    """SymPy's value 1/a - 1/(a + 1) takes an antiderivative at the ends; for -1 < a < 0 the
    pole t = -a lies inside (0, 1), the integral is +oo and that value negative."""
    ctx = Context()
    ctx.symbol("t")
    a = ctx.symbol("a", domain) if domain else ctx.symbol("a")
    before = parse_expression("Integral(1/(t + a)**2, (t, 0, 1))", ctx)
    if verdict is None:
        with pytest.raises(RuleError):
            equal_by_normal_form(ctx, before, 1 / a - 1 / (a + 1), "integrals")
    else:
        assert equal_by_normal_form(ctx, before, 1 / a - 1 / (a + 1), "integrals").verdict \
            is verdict


def test_an_integral_that_diverges_where_the_other_side_has_a_value_is_no_evidence(tmp_path):
    """Points where quadrature finds no value were skipped, and the points left agreed: a
    step false for -1 < a < 0 came out checked."""
    derivation = _read(tmp_path, "title: t\nsymbols: {a: real, t: real}\n"
                                 "start: Integral(1/(t + a)**2, (t, 0, 1))\nsteps:\n"
                                 "  - expr: 1/(a*(a + 1))\n")
    (step,) = check(derivation).steps
    assert step.judgement.verdict is Verdict.UNDECIDED
    assert "does not settle" in step.judgement.method


def test_an_integral_is_cross_checked_at_a_negative_value_of_a_real_parameter():
    """SymPy's closed forms are likelier wrong for negative parameters: a real one is tried
    on both sides of 0, a positive one only where it is declared."""
    ctx = Context()
    a, b = ctx.symbol("a"), ctx.symbol("b", POSITIVE)
    points = expectations._trial_points({a, b}, ctx)
    assert any(p.values[a] < 0 for p in points) and any(p.values[a] > 0 for p in points)
    assert all(p.values[b] > 0 for p in points)
