"""The assertion helpers for symbolic unit tests: what they accept, and what their failures say."""

import pytest
import sympy as sp

from derivations.testing import assert_bound, assert_equal, assert_gradient, assert_same_optimizers

x = sp.Symbol("x", real=True)
p = sp.Symbol("p", positive=True)
theta = sp.Symbol("theta", real=True)
n = sp.Symbol("n", integer=True, positive=True)
i = sp.Symbol("i", integer=True)
X, Y = sp.IndexedBase("x"), sp.IndexedBase("y")


def test_assert_equal_proves_and_refutes_with_a_counterexample():
    assert_equal(sp.log(p**2), 2 * sp.log(p), strict=True)
    with pytest.raises(AssertionError) as failure:
        assert_equal(sp.log(x**2), 2 * sp.log(x))
    message = str(failure.value)
    assert "is not true (refuted)" in message
    assert "step 1 refuted: left" in message and "at x=-" in message


def test_assumptions_can_be_named():
    assert_equal(sp.log(x**2), 2 * sp.log(x), assumptions={"x": "positive"}, strict=True)
    assert_equal(sp.log(1 - x), -sp.log(1 / (1 - x)), assumptions={x: (0, 1)}, strict=True)


def test_strict_refuses_numeric_evidence():
    cauchy = (sp.Sum(X[i], (i, 1, n))**2, n * sp.Sum(X[i]**2, (i, 1, n)))
    assert_bound(cauchy[0], "<=", cauchy[1])
    with pytest.raises(AssertionError, match=r"is not proved \(checked\)"):
        assert_bound(cauchy[0], "<=", cauchy[1], strict=True)


def test_assert_bound_refutes_the_wrong_direction():
    assert_bound(sp.log(p), "<=", p - 1, strict=True)
    with pytest.raises(AssertionError, match="refuted"):
        assert_bound(sp.log(p), ">=", p - 1)


def test_assert_gradient_of_least_squares():
    loss = sp.Sum((Y[i] - theta * X[i])**2, (i, 1, n))
    assert_gradient(loss, theta, -2 * sp.Sum(X[i] * (Y[i] - theta * X[i]), (i, 1, n)), strict=True)
    with pytest.raises(AssertionError) as failure:  # the factor 2 forgotten
        assert_gradient(loss, theta, -sp.Sum(X[i] * (Y[i] - theta * X[i]), (i, 1, n)))
    assert "refuted" in str(failure.value) and "x[1]=" in str(failure.value)


def test_assert_same_optimizers():
    sigma = sp.Symbol("sigma", positive=True)
    squares = sp.Sum((Y[i] - theta * X[i])**2, (i, 1, n))
    assert_same_optimizers(squares / (2 * sigma**2) + n * sp.log(sigma), squares / n, [theta],
                           strict=True)
    assert_same_optimizers(-squares, squares, [theta], sense="maximize", g_sense="minimize",
                           strict=True)
    with pytest.raises(AssertionError) as failure:
        assert_same_optimizers(squares + theta**2, squares, [theta])
    assert "refuted" in str(failure.value) and "theta=" in str(failure.value)


def test_a_numeric_loss_is_checked_against_its_derivation():
    import math

    from derivations.testing import assert_implements

    def bce_with_logits(y, z):  # the stable form, summed
        return sum(max(v, 0) - t * v + math.log1p(math.exp(-abs(v))) for t, v in zip(y, z))

    assert_implements(bce_with_logits, "bernoulli-bce")

    def mse(y, x, f, theta):
        return sum((t - f(u, theta))**2 for t, u in zip(y, x)) / len(y)

    assert_implements(mse, "gaussian-least-squares")

    def gaussian_nll(y, x, f, theta, sigma):  # -log L, constants included
        return sum((t - f(u, theta))**2 / (2 * sigma**2) + math.log(math.sqrt(2 * math.pi) * sigma)
                   for t, u in zip(y, x))

    assert_implements(gaussian_nll, "gaussian-least-squares", expression=3)

    def mse_plus_constant(y, x, f, theta):
        return mse(y, x, f, theta) + 7.5

    assert_implements(mse_plus_constant, "gaussian-least-squares", up_to_constant=True)
    with pytest.raises(AssertionError, match="the value is"):
        assert_implements(mse_plus_constant, "gaussian-least-squares")

    def wrong_bce(y, z):  # a sign slip
        return sum(math.log1p(math.exp(v)) + t * v for t, v in zip(y, z))

    with pytest.raises(AssertionError, match="does not compute the end of bernoulli-bce: the value is"):
        assert_implements(wrong_bce, "bernoulli-bce")


def test_derivations_and_reports_display_themselves_in_notebooks():
    from derivations import catalog
    from derivations.checker import check

    derivation = catalog.get("ce-kl-entropy")
    shown = derivation._repr_markdown_()
    assert shown == check(derivation)._repr_markdown_()
    assert shown.startswith("# Cross-entropy is KL divergence plus entropy") and "$$" in shown


def test_assert_implements_reads_a_file_and_takes_a_mean_or_scaled_loss():
    import math
    from pathlib import Path

    from derivations.testing import assert_implements

    def cross_entropy(p, q):
        return -sum(a * math.log(b) for a, b in zip(p, q))

    path = Path(__file__).parent / "derivations" / "good" / "ce-kl-entropy.deriv.yaml"
    assert_implements(cross_entropy, path)
    assert_implements(cross_entropy, str(path), expression="start")

    def mean_bce(y, z):
        return sum(max(v, 0) - t * v + math.log1p(math.exp(-abs(v)))
                   for t, v in zip(y, z)) / len(y)

    assert_implements(mean_bce, "bernoulli-bce", scale=1 / sp.Symbol("n"))
    with pytest.raises(AssertionError, match="the value is"):
        assert_implements(mean_bce, "bernoulli-bce")
    with pytest.raises(AssertionError, match=r"the end times 2 of bernoulli-bce"):
        assert_implements(mean_bce, "bernoulli-bce", scale=2)
    with pytest.raises(ValueError, match="m is not declared in bernoulli-bce; it declares n"):
        assert_implements(mean_bce, "bernoulli-bce", scale=1 / sp.Symbol("m"))
    with pytest.raises(TypeError, match="never|SymPy expression"):
        assert_implements(mean_bce, "bernoulli-bce", scale="1/n")


def test_assert_implements_says_which_names_it_has_and_which_expressions():
    from derivations.testing import assert_implements

    def loss(labels, logits):
        return 0.0

    with pytest.raises(ValueError) as failure:
        assert_implements(loss, "bernoulli-bce")
    message = str(failure.value)
    assert "loss takes labels, logits, which bernoulli-bce does not declare" in message
    assert "it declares n, i, y, h, z" in message

    def bce(y, z):
        return 0.0

    for bad in ("middle", 0, 9, -1, True, 2.0):
        with pytest.raises(ValueError, match=r"use 'start', 'end' or a step number from 1 to 8"):
            assert_implements(bce, "bernoulli-bce", expression=bad)


def test_a_failing_helper_shows_the_users_line_not_the_library(pytester):
    pytester.makepyfile(test_user="""
        import sympy as sp
        from derivations.testing import assert_equal, assert_gradient, assert_implements

        x = sp.Symbol("x", real=True)

        def test_gradient():
            assert_gradient(x**3, x, 2 * x**2)  # the user's slip

        def test_equal():
            assert_equal(sp.log(x**2), 2 * sp.log(x))

        def test_implements():
            assert_implements(lambda y, z: 0.0, "bernoulli-bce")
    """)
    result = pytester.runpytest("-p", "no:derivations")
    result.assert_outcomes(failed=3)
    output = result.stdout.str()
    assert "assert_gradient(x**3, x, 2 * x**2)  # the user's slip" in output
    assert "is not true (refuted)" in output
    assert "derivations/testing.py" not in output and "def _verify" not in output
    assert len(output.splitlines()) < 90  # three failures, each a few lines


def test_a_counterexample_shown_to_a_user_satisfies_the_givens():
    """bernoulli-bce assumes h_i = sigmoid(z_i): a loss written with h is the closed form in z
    at every point where that holds, and a wrong one is shown such a point, never h = 0.936
    beside z = 105."""
    import math
    import re

    from derivations.testing import assert_implements

    def bce_from_probabilities(y, h):
        return -sum(t * math.log(p) + (1 - t) * math.log(1 - p) for t, p in zip(y, h))

    # h = sigmoid(z) rounds to 1.0 - 3e-16 at z = 36: log(1 - h) in floats is only roughly right
    assert_implements(bce_from_probabilities, "bernoulli-bce", tolerance=1e-2)

    def off_by_one(y, h, z):
        return bce_from_probabilities(y, h) + 1

    with pytest.raises(AssertionError) as caught:
        assert_implements(off_by_one, "bernoulli-bce", tolerance=1e-2)
    shown = dict(re.findall(r"([hz]\[\d+\])=([-\d./e]+)", str(caught.value)))
    assert "h[1]" in shown and "z[1]" in shown
    z = float(sum(map(__import__("fractions").Fraction, [shown["z[1]"]])))
    assert abs(float(shown["h[1]"]) - 1 / (1 + math.exp(-z))) < 1e-9
