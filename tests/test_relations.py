import pytest

from derivations.kernel import CompositionError, Relation, compose

R = Relation


@pytest.mark.parametrize("first, second, result", [
    (R.EQ, R.LE, R.LE), (R.LE, R.EQ, R.LE), (R.LE, R.LT, R.LT), (R.LT, R.LE, R.LT),
    (R.GE, R.GE, R.GE), (R.GE, R.GT, R.GT), (R.EQ, R.EQ, R.EQ),
    (R.SAME_OPTIMIZERS, R.EQ, R.SAME_OPTIMIZERS), (R.EQ, R.SAME_OPTIMIZERS, R.SAME_OPTIMIZERS),
    (R.SAME_OPTIMIZERS, R.SAME_OPTIMIZERS, R.SAME_OPTIMIZERS),
])
def test_relations_compose(first, second, result):
    assert compose(first, second) is result


@pytest.mark.parametrize("first, second", [
    (R.LE, R.GE), (R.LT, R.GT), (R.GE, R.LT), (R.LE, R.SAME_OPTIMIZERS), (R.SAME_OPTIMIZERS, R.GT),
])
def test_impossible_composition_names_both_relations(first, second):
    with pytest.raises(CompositionError) as error:
        compose(first, second)
    assert f"'{first.value}'" in str(error.value) and f"'{second.value}'" in str(error.value)
