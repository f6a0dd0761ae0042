"""Each core derivation is proved step by step, and states what it proves."""

import pytest

from derivations import catalog
from derivations.checker import check
from derivations.kernel import Relation, Sense, Verdict

CORE = ["gaussian-least-squares", "bernoulli-bce", "categorical-ce", "ce-kl-entropy"]


@pytest.fixture(scope="module")
def reports():
    return {name: check(catalog.get(name)) for name in CORE}


@pytest.mark.parametrize("name", CORE)
def test_every_step_is_proved(reports, name):
    report = reports[name]
    assert [s.verdict for s in report.steps] == [Verdict.PROVED] * len(report.steps)
    assert report.passed(strict=True)


def test_gaussian_likelihood_is_maximised_where_the_mse_is_minimised(reports):
    report = reports["gaussian-least-squares"]
    assert report.relation is Relation.SAME_OPTIMIZERS
    assert report.derivation.optimization.sense is Sense.MAXIMIZE
    assert report.chain.sense is Sense.MINIMIZE


def test_cross_entropy_and_kl_share_their_minimisers(reports):
    report = reports["ce-kl-entropy"]
    assert report.relation is Relation.SAME_OPTIMIZERS and report.chain.sense is Sense.MINIMIZE
    assert Relation.EQ in [s.step.relation for s in report.steps]


@pytest.mark.parametrize("name", ["bernoulli-bce", "categorical-ce"])
def test_identity_chains_are_equalities(reports, name):
    assert reports[name].relation is Relation.EQ


def test_unknown_ids_suggest_the_nearest():
    with pytest.raises(catalog.UnknownDerivation, match="did you mean 'bernoulli-bce'"):
        catalog.get("bernoulli-bc")


def test_a_corrupted_catalog_step_is_refuted(reports):
    """The catalog goes through the same checker: a slip planted in a built-in derivation is caught."""
    import dataclasses

    import sympy as sp

    derivation = catalog.get("gaussian-least-squares")
    steps = list(derivation.steps)
    n = derivation.context.lookup("n").obj
    sigma = derivation.context.lookup("sigma").obj
    wrong = steps[3].expr.subs(sp.log(sp.sqrt(2 * sp.pi) * sigma), sp.log(sp.sqrt(2 * sp.pi * sigma)))
    assert wrong != steps[3].expr and wrong.has(n)
    steps[3] = dataclasses.replace(steps[3], expr=wrong)
    report = check(dataclasses.replace(derivation, steps=tuple(steps)))
    assert report.steps[3].verdict is Verdict.REFUTED
