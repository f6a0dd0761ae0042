"""Independent cross-checks: every catalog closed form that names a loss, evaluated at random
inputs against code nobody here wrote — scipy.stats and scipy.special always, and
torch.nn.functional where PyTorch is installed (those tests skip cleanly without it).

Where a library's convention differs from the derivation (a constant it drops, a mean for a sum,
a distribution it normalises, an approximation it adds), the test says so and checks the exact
relation between the two rather than loosening the comparison.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
import sympy as sp
from scipy import special, stats

from derivations import catalog
from derivations.kernel import Point, evaluate
from derivations.testing import assert_implements

RTOL = 1e-9
ROUNDS = 12


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture
def rng(request):
    """Seeded from the test's name by CRC-32, the same in every process (``hash`` of a string
    is salted per process), so that a failure can be replayed."""
    return np.random.default_rng(zlib.crc32(request.node.name.encode()))


# -- evaluating a derivation's expressions at chosen inputs ------------------------------------
def expression(derivation, which):
    chain = [derivation.start] + [step.expr for step in derivation.steps]
    return chain[{"start": 0, "end": -1}.get(which, which)]


def value_of(derivation, which, values: dict) -> float:
    """The derivation's ``which`` expression ("start", "end" or a step number) at ``values``:
    name -> int (sizes, integer symbols), float, list (a sequence, from index 1), list of lists
    (a rank-2 sequence) or a SymPy Lambda (a declared function).  Givens are not applied: pass
    the values they imply."""
    if isinstance(derivation, str):
        derivation = catalog.get(derivation)
    integers, reals, functions = {}, {}, {}
    for name, value in values.items():
        declaration = derivation.context.lookup(name)
        assert declaration is not None, f"{derivation.id} declares no {name!r}"
        obj = declaration.obj
        if declaration.kind == "function":
            functions[obj] = value
        elif declaration.kind == "sequence":
            rows = np.asarray(value, dtype=float)
            for index in np.ndindex(rows.shape):
                reals[obj[tuple(k + 1 for k in index)]] = sp.Rational(float(rows[index]))
        elif isinstance(value, (int, np.integer)) and declaration.domain.integer:
            integers[obj] = int(value)
        else:
            reals[obj] = sp.Rational(float(value))
    point = Point(integers, reals, functions)
    return float(evaluate(expression(derivation, which), point, 30).real)


def close(got, expected, rtol=RTOL):
    assert got == pytest.approx(expected, rel=rtol, abs=rtol), (got, expected)


def simplex(rng, size):
    """A random distribution with every entry positive."""
    weights = rng.uniform(0.05, 1.0, size)
    return weights / weights.sum()


def model_function():
    """A smooth nonlinear model f(x, theta), as SymPy (for the derivation) and NumPy."""
    a, t = sp.symbols("a t", real=True)
    body = sp.Rational(7, 10) * a * t + sp.sin(t) - sp.Rational(3, 10) * a
    return sp.Lambda((a, t), body), sp.lambdify((a, t), body, "numpy")


# -- regression ---------------------------------------------------------------------------------
def test_gaussian_least_squares_against_scipy_norm():
    def likelihood(theta, sigma, x, y, f):
        means = [f(xi, theta) for xi in x]
        return np.prod(stats.norm.pdf(y, loc=means, scale=sigma))

    def nll(theta, sigma, x, y, f):
        return -np.sum(stats.norm.logpdf(y, loc=[f(xi, theta) for xi in x], scale=sigma))

    def mse(theta, x, y, f):
        return np.mean((np.asarray(y) - [f(xi, theta) for xi in x]) ** 2)

    assert_implements(likelihood, "gaussian-least-squares", expression="start")
    assert_implements(nll, "gaussian-least-squares", expression=4)
    assert_implements(mse, "gaussian-least-squares")


def test_gaussian_least_squares_optimisation_against_scipy_norm():
    """The end, the MSE, is -log L rescaled by 2 sigma^2 / n less the constant
    2 sigma^2 log(sqrt(2 pi) sigma) that the chain drops: differences between two values of
    theta agree exactly."""
    def scaled_nll(theta, sigma, x, y, f):
        means = [f(xi, theta) for xi in x]
        return -2 * sigma**2 / len(x) * np.sum(stats.norm.logpdf(y, loc=means, scale=sigma))

    assert_implements(scaled_nll, "gaussian-least-squares", up_to_constant=True)
    with pytest.raises(AssertionError, match="does not compute"):  # the constant is not dropped
        assert_implements(scaled_nll, "gaussian-least-squares")


def test_laplace_mae_against_scipy_laplace(rng):
    def likelihood(theta, b, x, y, f):
        return np.prod(stats.laplace.pdf(y, loc=[f(xi, theta) for xi in x], scale=b))

    def mae(theta, x, y, f):
        return np.mean(np.abs(np.asarray(y) - [f(xi, theta) for xi in x]))

    assert_implements(likelihood, "laplace-mae", expression="start")
    assert_implements(mae, "laplace-mae")
    # -log L against scipy's logpdf at moderate residuals (see the next test for large ones)
    derivation = catalog.get("laplace-mae")
    f, f_numpy = model_function()
    for _ in range(ROUNDS):
        n = int(rng.integers(1, 7))
        x, y = rng.normal(0, 2, n), rng.normal(0, 3, n)
        theta, b = rng.normal(0, 2), rng.uniform(0.1, 3)
        values = {"n": n, "x": x, "y": y, "theta": theta, "b": b, "f": f}
        nll = -np.sum(stats.laplace.logpdf(y, loc=f_numpy(x, theta), scale=b))
        for which in (3, 4):
            close(value_of(derivation, which, values), nll)


def test_scipy_laplace_logpdf_underflows_where_the_closed_form_does_not():
    """scipy.stats.laplace.logpdf takes the logarithm of the density, so beyond a residual of
    about 745 scales it returns -inf; the derived -log p = log(2b) + |r|/b stays finite (and
    scipy agrees with it wherever scipy is finite)."""
    derivation = catalog.get("laplace-mae")
    a, t = sp.symbols("a t", real=True)
    for residual in (5.0, 700.0, 800.0, 5000.0):
        values = {"n": 1, "x": [0.0], "y": [residual], "theta": 0.0, "b": 1.0,
                  "f": sp.Lambda((a, t), 0 * a)}
        derived = value_of(derivation, 4, values)
        assert derived == pytest.approx(math.log(2) + residual, rel=1e-12)
        scipy_value = -stats.laplace.logpdf(residual, loc=0.0, scale=1.0)
        assert scipy_value == math.inf or scipy_value == pytest.approx(derived, rel=1e-12)


def test_huber_and_smooth_l1_against_scipy_huber(rng):
    """scipy.special.huber(delta, r) takes the threshold first and is the Huber loss with
    r^2/2 inside; Smooth L1 with threshold beta is huber(beta, r) / beta.  scipy puts |r| = delta
    in the quadratic piece and the derivation in the linear one: the pieces agree there."""
    derivation = catalog.get("huber-smoothl1")
    for _ in range(ROUNDS):
        beta = rng.uniform(0.1, 3)
        for r in (rng.normal(0, 2 * beta), beta, -beta, 0.0):
            values = {"r": r, "beta": beta}
            expected = special.huber(beta, r) / beta
            close(value_of(derivation, "start", values), expected)
            close(value_of(derivation, "end", values), expected)
            close(value_of(derivation, 1, values), expected)


def test_gaussian_nll_variance_against_scipy_norm(rng):
    derivation = catalog.get("gaussian-nll-variance")
    for _ in range(ROUNDS):
        n = int(rng.integers(1, 7))
        y, mu = rng.normal(0, 2, n), rng.normal(0, 2, n)
        v = rng.uniform(0.05, 5)
        s = float(np.mean((y - mu) ** 2))
        values = {"n": n, "y": y, "mu": mu, "v": v, "s": s}
        nll = -np.sum(stats.norm.logpdf(y, loc=mu, scale=math.sqrt(v)))
        for which in ("start", 2, 3, 4):
            close(value_of(derivation, which, values), nll)
        at_s = -np.sum(stats.norm.logpdf(y, loc=mu, scale=math.sqrt(s)))
        close(value_of(derivation, "end", values), at_s)
        assert at_s <= nll + 1e-12
        # scipy's own maximum-likelihood fit of the scale (mean fixed) is sqrt(s)
        _, scale = stats.norm.fit(y - mu, floc=0)
        close(scale**2, s, rtol=1e-7)


def test_poisson_nll_against_scipy_poisson(rng):
    derivation = catalog.get("poisson-nll")
    for _ in range(ROUNDS):
        n = int(rng.integers(1, 7))
        y = rng.integers(0, 9, n)
        z = rng.normal(0, 1.5, n)
        rate = np.exp(z)
        values = {"n": n, "y": y, "lambda": rate, "z": z}
        nll = -np.sum(stats.poisson.logpmf(y, rate))
        close(value_of(derivation, "start", values), nll)
        close(value_of(derivation, 2, values), nll)
        close(value_of(derivation, "end", values), nll)
        # log y! is scipy.special.gammaln(y + 1)
        close(value_of(derivation, "end", values),
              np.sum(np.exp(z) - y * z + special.gammaln(y + 1)))


# -- classification -----------------------------------------------------------------------------
def test_bernoulli_bce_against_scipy():
    def nll(y, h):
        return -np.sum(stats.bernoulli.logpmf(np.asarray(y, dtype=int), h))

    def bce(y, h):
        y, h = np.asarray(y), np.asarray(h)
        return -np.sum(special.xlogy(y, h) + special.xlogy(1 - y, 1 - h))

    def stable(y, z):  # log sigmoid(z) by scipy's log_expit, exact where 1 - expit(z) rounds to 0
        y, z = np.asarray(y), np.asarray(z)
        return -np.sum(y * special.log_expit(z) + (1 - y) * special.log_expit(-z))

    def softplus_form(y, z):
        y, z = np.asarray(y), np.asarray(z)
        return np.sum(np.logaddexp(0, z) - y * z)

    assert_implements(nll, "bernoulli-bce", expression="start")
    assert_implements(bce, "bernoulli-bce", expression=2)
    assert_implements(stable, "bernoulli-bce")
    assert_implements(softplus_form, "bernoulli-bce")


def test_categorical_ce_against_scipy():
    def cross_entropy(y, q):
        return -np.sum(special.xlogy(y, q))

    def from_logits(z, j):
        return -special.log_softmax(z)[j - 1]

    def logsumexp_form(z, j):
        return special.logsumexp(z) - z[j - 1]

    def softmax_form(z, j):
        return -np.log(special.softmax(z)[j - 1])

    assert_implements(cross_entropy, "categorical-ce", expression="start")
    assert_implements(cross_entropy, "categorical-ce", expression=2)
    for function in (from_logits, logsumexp_form, softmax_form):
        assert_implements(function, "categorical-ce")


def test_binary_as_softmax_against_scipy():
    def bce(y, z):  # log_expit: 1 - expit(z) rounds to 0 for large z, its logarithm does not
        return -(y * special.log_expit(z) + (1 - y) * special.log_expit(-z))

    def two_class(y, z):
        log_q = special.log_softmax([z, 0.0])
        return -(y * log_q[0] + (1 - y) * log_q[1])

    assert_implements(bce, "binary-as-softmax", expression="start")
    assert_implements(two_class, "binary-as-softmax")
    assert_implements(bce, "binary-as-softmax")


def test_autoregressive_nll_against_scipy(rng):
    derivation = catalog.get("autoregressive-nll")
    for _ in range(ROUNDS):
        m, V = int(rng.integers(1, 6)), int(rng.integers(2, 6))
        logits = rng.normal(0, 2, (m, V))
        q = special.softmax(logits, axis=1)
        w = rng.integers(1, V + 1, m)
        values = {"m": m, "V": V, "q": q, "w": w, "P": q[np.arange(m), w - 1]}
        nll = -np.sum(special.log_softmax(logits, axis=1)[np.arange(m), w - 1])
        for which in ("start", 1, 2, 3, 4, "end"):
            close(value_of(derivation, which, values), nll)
        # the perplexity: exp(mean token NLL), the inverse geometric mean of the probabilities
        perplexity = math.exp(value_of(derivation, "end", values) / m)
        close(perplexity, stats.gmean(values["P"]) ** -1)


def test_label_smoothing_against_scipy(rng):
    derivation = catalog.get("label-smoothing")
    for _ in range(ROUNDS):
        C = int(rng.integers(1, 7))
        z = rng.normal(0, 2, C)
        j, eps = int(rng.integers(1, C + 1)), rng.uniform(0.01, 0.99)
        q = special.softmax(z)
        target = np.full(C, eps / C)
        target[j - 1] += 1 - eps
        values = {"C": C, "j": j, "epsilon": eps, "p": target, "q": q, "z": z}
        expected = -np.sum(special.xlogy(target, q))
        for which in ("start", 1, 2, 3, "end"):
            close(value_of(derivation, which, values), expected)
        close(value_of(derivation, "end", values),
              special.logsumexp(z) - (1 - eps) * z[j - 1] - eps * np.mean(z))


def test_focal_loss_is_cross_entropy_at_gamma_zero_by_scipy(rng):
    derivation = catalog.get("focal-loss")
    for _ in range(ROUNDS):
        p = rng.uniform(0.001, 0.999)
        ce = -stats.bernoulli.logpmf(1, p)
        close(value_of(derivation, "start", {"p": p, "gamma": 0.0}), ce)
        gamma = rng.uniform(0, 5)
        focal = value_of(derivation, "start", {"p": p, "gamma": gamma})
        close(focal, (1 - p) ** gamma * ce)
        assert focal <= value_of(derivation, "end", {"p": p, "gamma": gamma}) + 1e-12


# -- information theory -------------------------------------------------------------------------
def test_ce_kl_entropy_against_scipy(rng):
    """scipy.stats.entropy normalises its arguments; scipy.special.rel_entr and xlogy do not.
    On distributions the three agree with the derivation; off them, kl_div(p, q) =
    rel_entr(p, q) - p + q."""
    derivation = catalog.get("ce-kl-entropy")
    for _ in range(ROUNDS):
        C = int(rng.integers(1, 7))
        p, q = simplex(rng, C), simplex(rng, C)
        values = {"C": C, "p": p, "q": q}
        cross = -np.sum(special.xlogy(p, q))
        close(value_of(derivation, "start", values), cross)
        close(value_of(derivation, 2, values), stats.entropy(p, q) + stats.entropy(p))
        close(value_of(derivation, 2, values), np.sum(special.rel_entr(p, q)) + stats.entropy(p))
        close(np.sum(special.kl_div(p, q)), stats.entropy(p, q))
        raw_p, raw_q = 3 * p, 0.5 * q  # not normalised
        close(np.sum(special.kl_div(raw_p, raw_q)),
              np.sum(special.rel_entr(raw_p, raw_q)) - raw_p.sum() + raw_q.sum())
        assert stats.entropy(raw_p) == pytest.approx(stats.entropy(p))  # scipy normalises


def test_gibbs_inequality_against_scipy(rng):
    def kl(p, q):
        return np.sum(special.rel_entr(p, q))

    assert_implements(kl, "gibbs-inequality", expression="start")
    derivation = catalog.get("gibbs-inequality")
    for _ in range(ROUNDS):
        C = int(rng.integers(1, 7))
        p, q = simplex(rng, C), simplex(rng, C)
        value = value_of(derivation, "start", {"C": C, "p": p, "q": q})
        close(value, stats.entropy(p, q))
        assert value >= 0
    p = simplex(rng, 4)
    close(value_of(derivation, "start", {"C": 4, "p": p, "q": p}), 0.0)


def test_information_identities_against_scipy(rng):
    derivation = catalog.get("information-identities")
    for _ in range(ROUNDS):
        A, B = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        joint = simplex(rng, A * B).reshape(A, B)
        px, py = joint.sum(axis=1), joint.sum(axis=0)
        values = {"A": A, "B": B, "P": joint, "p_X": px, "p_Y": py}
        mutual = stats.entropy(px) + stats.entropy(py) - stats.entropy(joint.ravel())
        conditional = stats.entropy(joint.ravel()) - stats.entropy(py)  # H(X|Y) = H(X,Y) - H(Y)
        close(np.sum(-special.xlogy(joint, joint / py)), conditional)
        for which in ("start", 1, 2, 3, "end"):
            close(value_of(derivation, which, values), mutual)
        close(value_of(derivation, "end", values),
              stats.entropy(joint.ravel(), np.outer(px, py).ravel()))
        close(value_of(derivation, 1, values), stats.entropy(px) - conditional)


def test_joint_entropy_of_independent_variables_against_scipy(rng):
    derivation = catalog.get("joint-entropy-independence")
    for _ in range(ROUNDS):
        A, B = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        p, q = simplex(rng, A), simplex(rng, B)
        values = {"A": A, "B": B, "p": p, "q": q}
        joint = stats.entropy(np.outer(p, q).ravel())
        close(value_of(derivation, "start", values), joint)
        close(value_of(derivation, "end", values), stats.entropy(p) + stats.entropy(q))


def test_entropy_examples_against_scipy():
    coin = catalog.get("entropy-examples")
    h = stats.entropy([0.8, 0.2], base=2)
    close(value_of(coin, "start", {}), h)
    close(value_of(coin, 3, {}), h)
    assert round(h, 4) == 0.7219 and float(expression(coin, "end")) == 0.7219
    assert round(-math.log2(0.8), 3) == 0.322 and round(-math.log2(0.2), 3) == 2.322
    code = catalog.get("entropy-examples-code")
    close(value_of(code, "start", {}), stats.entropy([1 / 2, 1 / 4, 1 / 8, 1 / 8], base=2))
    close(value_of(code, "start", {}), 1.75)
    close(value_of(code, 3, {}), 1.75 * stats.entropy([0.5, 0.5], base=2))
    close(value_of(code, "end", {}), stats.entropy([1, 1, 1, 1], base=2))


def test_entropy_maximum_against_scipy(rng):
    derivation = catalog.get("entropy-maximum")
    for _ in range(ROUNDS):
        C = int(rng.integers(1, 8))
        p = simplex(rng, C)
        entropy = value_of(derivation, "start", {"C": C, "p": p})
        close(entropy, stats.entropy(p))
        bound = value_of(derivation, "end", {"C": C, "p": p})
        close(bound, stats.entropy(np.ones(C)))
        assert entropy <= bound + 1e-12


# -- gradients ----------------------------------------------------------------------------------
def test_softmax_ce_gradient_against_scipy(rng):
    derivation = catalog.get("softmax-ce-gradient")
    for _ in range(ROUNDS):
        C = int(rng.integers(1, 6))
        z = rng.normal(0, 2, C)
        j, k = int(rng.integers(1, C + 1)), int(rng.integers(1, C + 1))
        values = {"C": C, "j": j, "k": k, "z": z, "q": special.softmax(z)}
        expected = special.softmax(z)[k - 1] - (j == k)
        for which in ("start", 2, 3, "end"):
            close(value_of(derivation, which, values), expected)
        # a central difference of scipy's log-softmax agrees to its truncation error
        h = 1e-6
        bump = np.zeros(C)
        bump[k - 1] = h
        up, down = special.log_softmax(z + bump), special.log_softmax(z - bump)
        slope = (down[j - 1] - up[j - 1]) / (2 * h)
        assert slope == pytest.approx(expected, abs=1e-7)


def test_sigmoid_bce_gradient_against_scipy():
    def gradient(theta, x, y):
        return (special.expit(theta * x) - y) * x

    def central_difference(theta, x, y):
        def bce(t):  # log_expit keeps log(1 - p) accurate where p is near 1
            return -(y * special.log_expit(t * x) + (1 - y) * special.log_expit(-t * x))
        h = 1e-6
        return (bce(theta + h) - bce(theta - h)) / (2 * h)

    assert_implements(gradient, "sigmoid-bce-gradient")
    assert_implements(gradient, "sigmoid-bce-gradient", expression="start")
    assert_implements(central_difference, "sigmoid-bce-gradient", expression="start",
                      tolerance=1e-6)


def test_least_squares_gradient_step_on_the_line(rng):
    """For data on y = 2x the derivation's end (with C = sum x^2) is the gradient step computed
    with numpy, and the derivation's start is the same step for any data."""
    derivation = catalog.get("least-squares-gradient")
    for _ in range(ROUNDS):
        n = int(rng.integers(1, 7))
        x = rng.normal(0, 1.5, n)
        a, eta = rng.normal(0, 3), rng.uniform(0.001, 0.5)
        for y in (2 * x, rng.normal(0, 3, n)):
            step = a - eta * (2 * a * np.sum(x**2) - 2 * np.sum(x * y))
            values = {"n": n, "x": x, "y": y, "a": a, "eta": eta, "C": float(np.sum(x**2))}
            close(value_of(derivation, "start", values), step)
        on_line = values | {"y": 2 * x}
        close(value_of(derivation, "end", on_line), value_of(derivation, "start", on_line))
        # numpy's own least-squares fit through the origin finds the minimiser a* = 2
        fitted, *_ = np.linalg.lstsq(x[:, None], 2 * x, rcond=None)
        close(fitted[0], 2.0, rtol=1e-7)


# -- regularisation -----------------------------------------------------------------------------
def _linear_data(rng):
    n, d = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    return n, d, rng.normal(0, 1, (n, d)), rng.normal(0, 2, n)


@pytest.mark.parametrize("name, prior", [
    ("map-l2", lambda theta, scale: stats.norm.logpdf(theta, 0, scale)),
    ("map-l1", lambda theta, scale: stats.laplace.logpdf(theta, 0, scale)),
])
def test_map_against_scipy_priors(rng, name, prior):
    """The start is likelihood x prior; the end (squared error + lambda * penalty) differs from
    -log posterior by the factor 2 sigma^2 and a constant free of theta."""
    derivation = catalog.get(name)
    for _ in range(ROUNDS):
        n, d, X, y = _linear_data(rng)
        sigma, scale = rng.uniform(0.3, 2), rng.uniform(0.3, 2)
        lam = sigma**2 / scale**2 if name == "map-l2" else 2 * sigma**2 / scale
        scale_name = "tau" if name == "map-l2" else "b"

        def log_posterior(theta, X=X, y=y, sigma=sigma, scale=scale):
            return (np.sum(stats.norm.logpdf(y, loc=X @ theta, scale=sigma))
                    + np.sum(prior(theta, scale)))

        thetas = rng.normal(0, 1, (2, d))
        ends = []
        for theta in thetas:
            values = {"n": n, "d": d, "x": X, "y": y, "theta": theta, "sigma": sigma,
                      scale_name: scale, "lambda": lam}
            close(value_of(derivation, "start", values), math.exp(log_posterior(theta)))
            close(value_of(derivation, 4, values), -log_posterior(theta))
            ends.append(value_of(derivation, "end", values))
            penalty = theta @ theta if name == "map-l2" else np.abs(theta).sum()
            close(ends[-1], np.sum((y - X @ theta) ** 2) + lam * penalty)
        close(ends[0] - ends[1],
              -2 * sigma**2 * (log_posterior(thetas[0]) - log_posterior(thetas[1])))


# -- torch.nn.functional ------------------------------------------------------------------------
def _t(torch, values, dtype=None):
    return torch.tensor(np.asarray(values), dtype=dtype or torch.float64)


def test_torch_mse_and_l1_losses(torch):
    F = torch.nn.functional

    def mse(theta, x, y, f):
        means = [f(xi, theta) for xi in x]
        return F.mse_loss(_t(torch, means), _t(torch, y), reduction="mean").item()

    def l1(theta, x, y, f):
        means = [f(xi, theta) for xi in x]
        return F.l1_loss(_t(torch, means), _t(torch, y), reduction="mean").item()

    assert_implements(mse, "gaussian-least-squares")
    assert_implements(l1, "laplace-mae")


def test_torch_binary_cross_entropy(torch):
    F = torch.nn.functional

    def bce(y, h):
        return F.binary_cross_entropy(_t(torch, h), _t(torch, y), reduction="sum").item()

    def with_logits(y, z):
        return F.binary_cross_entropy_with_logits(_t(torch, z), _t(torch, y),
                                                  reduction="sum").item()

    assert_implements(bce, "bernoulli-bce", expression="start")
    assert_implements(with_logits, "bernoulli-bce")

    def one(y, z):
        return F.binary_cross_entropy_with_logits(_t(torch, [z]), _t(torch, [y])).item()

    def two_class(y, z):  # cross_entropy with class probabilities as the target
        return F.cross_entropy(_t(torch, [[z, 0.0]]), _t(torch, [[y, 1 - y]])).item()

    assert_implements(one, "binary-as-softmax", expression="start")
    assert_implements(two_class, "binary-as-softmax")


def test_torch_cross_entropy_and_nll_loss(torch):
    F = torch.nn.functional

    def cross_entropy(z, j):
        return F.cross_entropy(_t(torch, [z]), torch.tensor([j - 1])).item()

    def nll(z, j):
        return F.nll_loss(F.log_softmax(_t(torch, [z]), dim=1), torch.tensor([j - 1])).item()

    assert_implements(cross_entropy, "categorical-ce")
    assert_implements(nll, "categorical-ce")


def test_torch_autoregressive_cross_entropy_and_perplexity(torch, rng):
    F = torch.nn.functional
    derivation = catalog.get("autoregressive-nll")
    for _ in range(ROUNDS):
        m, V = int(rng.integers(1, 6)), int(rng.integers(2, 6))
        logits = rng.normal(0, 2, (m, V))
        w = rng.integers(1, V + 1, m)
        q = special.softmax(logits, axis=1)
        values = {"m": m, "V": V, "q": q, "w": w, "P": q[np.arange(m), w - 1]}
        summed = F.cross_entropy(_t(torch, logits), torch.tensor(w - 1), reduction="sum").item()
        close(value_of(derivation, 3, values), summed)
        mean = F.cross_entropy(_t(torch, logits), torch.tensor(w - 1)).item()  # the default mean
        close(math.exp(value_of(derivation, "end", values) / m), math.exp(mean))


def test_torch_kl_div(torch, rng):
    """F.kl_div takes the log of the model's q as input and the target p, pointwise:
    sum p (log p - input); reduction "batchmean" would divide by the batch size."""
    F = torch.nn.functional
    for name, which in (("ce-kl-entropy", 2), ("gibbs-inequality", "start")):
        derivation = catalog.get(name)
        for _ in range(ROUNDS):
            C = int(rng.integers(1, 7))
            p, q = simplex(rng, C), simplex(rng, C)
            kl = F.kl_div(_t(torch, np.log(q)), _t(torch, p), reduction="sum").item()
            value = value_of(derivation, which, {"C": C, "p": p, "q": q})
            close(value - (stats.entropy(p) if name == "ce-kl-entropy" else 0.0), kl)


def test_torch_huber_and_smooth_l1(torch, rng):
    """huber_loss(delta) is scipy's huber(delta, r); smooth_l1_loss(beta) is it divided by beta."""
    F = torch.nn.functional
    derivation = catalog.get("huber-smoothl1")
    zero = _t(torch, [0.0])
    for _ in range(ROUNDS):
        beta = rng.uniform(0.1, 3)
        for r in (rng.normal(0, 2 * beta), beta, -beta):
            values = {"r": r, "beta": beta}
            smooth = F.smooth_l1_loss(_t(torch, [r]), zero, beta=beta).item()
            huber = F.huber_loss(_t(torch, [r]), zero, delta=beta).item()
            close(value_of(derivation, "start", values), smooth)
            close(value_of(derivation, "end", values), huber / beta)
            close(huber, special.huber(beta, r))


def test_torch_gaussian_nll_loss(torch, rng):
    """gaussian_nll_loss(full=False), the default, drops log(2 pi)/2 per example and averages;
    with full=True and reduction="sum" it is the derivation's negative log-likelihood."""
    F = torch.nn.functional
    derivation = catalog.get("gaussian-nll-variance")
    for _ in range(ROUNDS):
        n = int(rng.integers(1, 7))
        y, mu, v = rng.normal(0, 2, n), rng.normal(0, 2, n), rng.uniform(0.05, 5)
        values = {"n": n, "y": y, "mu": mu, "v": v, "s": float(np.mean((y - mu) ** 2))}
        nll = value_of(derivation, 2, values)
        var = _t(torch, np.full(n, v))
        full = F.gaussian_nll_loss(_t(torch, mu), _t(torch, y), var, full=True, reduction="sum")
        close(nll, full.item())
        default = F.gaussian_nll_loss(_t(torch, mu), _t(torch, y), var).item()
        close(nll, n * default + n * math.log(2 * math.pi) / 2)


def test_torch_poisson_nll_loss(torch, rng):
    """poisson_nll_loss(log_input=True) is e^z - y z: it drops log y!.  full=True adds
    Stirling's approximation y log y - y + log(2 pi y)/2 for y > 1, not log y! itself."""
    F = torch.nn.functional
    derivation = catalog.get("poisson-nll")
    for _ in range(ROUNDS):
        n = int(rng.integers(1, 7))
        y, z = rng.integers(0, 9, n), rng.normal(0, 1.5, n)
        values = {"n": n, "y": y, "z": z, "lambda": np.exp(z)}
        nll = value_of(derivation, "end", values)
        dropped = F.poisson_nll_loss(_t(torch, z), _t(torch, y), reduction="sum").item()
        close(nll, dropped + np.sum(special.gammaln(y + 1)))
        full = F.poisson_nll_loss(_t(torch, z), _t(torch, y), full=True, reduction="sum").item()
        big = np.maximum(y, 1)
        stirling = np.where(y > 1, special.xlogy(y, y) - y + 0.5 * np.log(2 * np.pi * big), 0)
        close(full, dropped + np.sum(stirling))
        assert abs(full - nll) <= 0.1 * n  # Stirling's error is below 1/(12 y) per term


def test_torch_label_smoothing(torch, rng):
    F = torch.nn.functional
    derivation = catalog.get("label-smoothing")
    for _ in range(ROUNDS):
        C = int(rng.integers(1, 7))
        z = rng.normal(0, 2, C)
        j, eps = int(rng.integers(1, C + 1)), rng.uniform(0.01, 0.99)
        values = {"C": C, "j": j, "epsilon": eps, "z": z}
        smoothed = F.cross_entropy(_t(torch, [z]), torch.tensor([j - 1]), label_smoothing=eps)
        close(value_of(derivation, "end", values), smoothed.item())


def test_torch_focal_loss_at_gamma_zero_is_cross_entropy(torch, rng):
    F = torch.nn.functional
    derivation = catalog.get("focal-loss")
    for _ in range(ROUNDS):
        p = rng.uniform(0.001, 0.999)
        ce = F.binary_cross_entropy(_t(torch, [p]), _t(torch, [1.0])).item()
        close(value_of(derivation, "start", {"p": p, "gamma": 0.0}), ce)
        close(value_of(derivation, "end", {"p": p, "gamma": rng.uniform(0, 5)}), ce)


def test_torch_autograd_gradients(torch, rng):
    F = torch.nn.functional
    softmax_ce = catalog.get("softmax-ce-gradient")
    sigmoid_bce = catalog.get("sigmoid-bce-gradient")
    least_squares = catalog.get("least-squares-gradient")
    for _ in range(ROUNDS):
        C = int(rng.integers(1, 6))
        z = _t(torch, rng.normal(0, 2, C)).requires_grad_()
        j = int(rng.integers(1, C + 1))
        F.cross_entropy(z[None], torch.tensor([j - 1])).backward()
        for k in range(1, C + 1):
            values = {"C": C, "j": j, "k": k, "z": z.detach().numpy(),
                      "q": special.softmax(z.detach().numpy())}
            close(value_of(softmax_ce, "start", values), z.grad[k - 1].item())
            close(value_of(softmax_ce, "end", values), z.grad[k - 1].item())

        theta = _t(torch, rng.normal(0, 2)).requires_grad_()
        x, y = rng.normal(0, 2), float(rng.integers(0, 2))
        F.binary_cross_entropy_with_logits(theta * x, _t(torch, y)).backward()
        values = {"theta": theta.item(), "x": x, "y": y}
        close(value_of(sigmoid_bce, "start", values), theta.grad.item())
        close(value_of(sigmoid_bce, "end", values), theta.grad.item())

        n = int(rng.integers(1, 6))
        xs = rng.normal(0, 1.5, n)
        a = _t(torch, rng.normal(0, 3)).requires_grad_()
        eta = rng.uniform(0.001, 0.5)
        F.mse_loss(a * _t(torch, xs), _t(torch, 2 * xs), reduction="sum").backward()
        values = {"n": n, "x": xs, "y": 2 * xs, "a": a.item(), "eta": eta,
                  "C": float(np.sum(xs**2))}
        stepped = a.item() - eta * a.grad.item()
        close(value_of(least_squares, "start", values), stepped)
        close(value_of(least_squares, "end", values), stepped)


def test_torch_map_penalties(torch, rng):
    """Ridge is the squared error plus lambda ||theta||^2 (what weight decay adds to the
    gradient, 2 lambda theta), the lasso plus lambda ||theta||_1."""
    F = torch.nn.functional
    for name in ("map-l2", "map-l1"):
        derivation = catalog.get(name)
        for _ in range(ROUNDS):
            n, d, X, y = _linear_data(rng)
            theta = rng.normal(0, 1, d)
            lam = rng.uniform(0.01, 3)
            values = {"n": n, "d": d, "x": X, "y": y, "theta": theta, "lambda": lam}
            t = _t(torch, theta).requires_grad_()
            squared = F.mse_loss(_t(torch, X) @ t, _t(torch, y), reduction="sum")
            penalty = t.pow(2).sum() if name == "map-l2" else t.abs().sum()
            loss = squared + lam * penalty
            close(value_of(derivation, "end", values), loss.item())
            if name == "map-l2":
                loss.backward()
                residual_grad = -2 * X.T @ (y - X @ theta)
                np.testing.assert_allclose(t.grad.numpy(), residual_grad + 2 * lam * theta,
                                           rtol=1e-9, atol=1e-9)
