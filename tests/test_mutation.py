"""A sample of the mutation test (bench/mutation.py runs it in full): slips planted in correct
steps are never accepted."""

from pathlib import Path

from derivations import catalog
from derivations.reading import files
from derivations.kernel import Verdict
from derivations.mutation import mutate, summary


def test_no_false_mutant_is_accepted():
    derivations = [catalog.get("gaussian-least-squares"), catalog.get("categorical-ce")]
    outcomes = mutate(derivations, per_step=2, seed=7)
    result = summary(outcomes)
    assert result["false mutants"] >= 15
    assert result["false accepts"] == 0, result["accepted"]
    assert result["refuted share of false mutants"] >= 0.9
    assert {o.verdict for o in outcomes if o.false} <= {Verdict.REFUTED, Verdict.UNDECIDED}


def test_no_false_matrix_mutant_is_accepted():
    """Dropped transposes, swapped products and the other slips, in vector and matrix steps."""
    good = Path(__file__).parent / "derivations" / "good"
    derivations = [files.read(good / f"vector-{name}.deriv.yaml")
                   for name in ("least-squares", "softmax-jacobian", "gaussian-log-density")]
    outcomes = mutate(derivations, per_step=2, seed=3)
    result = summary(outcomes)
    assert result["false mutants"] >= 6
    assert result["false accepts"] == 0, result["accepted"]
