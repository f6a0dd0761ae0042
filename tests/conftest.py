import pytest

from derivations.kernel import POSITIVE, POSITIVE_INTEGER, Context, integer_range


@pytest.fixture
def regression():
    """A context for Gaussian regression: theta, sigma > 0, n, i, x[i], y[i]."""
    ctx = Context()
    names = dict(
        theta=ctx.symbol("theta"), sigma=ctx.symbol("sigma", POSITIVE),
        n=ctx.symbol("n", POSITIVE_INTEGER),
    )
    names["i"] = ctx.symbol("i", integer_range(1, names["n"]))
    names["x"], names["y"] = ctx.sequence("x"), ctx.sequence("y")
    names["ctx"] = ctx
    names["residual"] = names["y"][names["i"]] - names["theta"] * names["x"][names["i"]]
    return names


@pytest.fixture(autouse=True)
def _private_verdict_cache(tmp_path_factory, monkeypatch):
    """The CLI caches verdicts under the user's cache folder: tests use one of their own."""
    monkeypatch.setenv("DERIVATIONS_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "verdicts"))
