"""Equations between vectors and matrices: a declaration no matrix satisfies is refused, the
search for a matrix factor never stops on a scalar it cannot read as one matrix, and a
counterexample is searched for by solving linear equations only."""

import pytest
import sympy as sp

from derivations.checker import EquationTactic, _as_matrix, claims
from derivations.kernel import POSITIVE_INTEGER, Context, ContextError, Verdict
from derivations.kernel.matrices import MatrixFormError
from derivations.reading import files
from derivations.reading.expressions import parse_expression
from derivations.settings import CheckSettings
from derivations.checker import check


def _read(text: str):
    return files.read("inline.deriv.yaml", text.encode())


def test_a_full_column_rank_matrix_wider_than_tall_is_refused():
    # no real 2 by 3 matrix has full column rank: every statement about one would hold vacuously
    with pytest.raises(ContextError, match="at least as many rows"):
        Context().matrix("X", 2, 3, "full column rank")


def test_a_full_column_rank_matrix_at_least_as_tall_as_wide_is_declared():
    context = Context()
    n = context.symbol("n", POSITIVE_INTEGER)
    context.matrix("X", 3, 2, "full column rank")
    context.matrix("Y", 2, 2, "full column rank")
    context.matrix("Z", n, 3, "full column rank")  # n ≥ 3 is then understood
    assert context.structure_of(context.lookup("X").obj) == "full column rank"


def test_a_product_of_two_traces_is_not_read_as_one_matrix():
    context = Context()
    d = context.symbol("d", POSITIVE_INTEGER)
    for name in ("b", "c", "w"):
        context.matrix(name, d, 1)
    product = parse_expression("(b.T @ w) * (c.T @ w)", context)
    with pytest.raises(MatrixFormError):
        _as_matrix(product)


FALSE_IMPLICATION = """
title: a product of two 1 by 1 products after solving A w = b
symbols:
  d: positive integer
  A: invertible matrix of size d
  b: real vector of size d
  c: real vector of size d
  w: real vector of size d
start: A @ w == b
steps:
  - expr: (b.T @ w) * (c.T @ w) == b.T @ c
    relation: implies
"""


def test_a_step_with_a_product_of_traces_is_refuted_not_abandoned():
    # false: at d = 1, A = 10, b = 2, c = -3 the premise gives w = 1/5, and then
    # (b w)(c w) = (2/5)(-3/5) = -6/25, not b c = -6
    report = check(_read(FALSE_IMPLICATION), CheckSettings(timeout=30))
    assert report.steps[0].verdict is Verdict.REFUTED, report.steps[0].judgement.method


NORMAL_EQUATIONS = """
title: the normal equations are not Mw = y
symbols:
  n: positive integer
  d: positive integer
  M: real matrix of size n by d
  y: real vector of size n
  w: real vector of size d
start: M @ w == y
steps:
  - expr: M.T @ M @ w == M.T @ y
    relation: iff
"""


def test_the_premise_is_solved_only_where_it_is_linear(monkeypatch):
    """Solving M.T @ M @ w == M.T @ y for M's entries is a polynomial system, which SymPy
    may not solve within any time: the counterexample search solves linear systems only
    (``sp.linsolve`` of their matrix form), never with ``sp.solve``."""
    derivation = _read(NORMAL_EQUATIONS)
    claim, = list(claims(derivation))
    tactic = EquationTactic(derivation, claim)

    def refused(*args, **options):
        raise AssertionError("sp.solve was handed a system at concrete sizes")

    monkeypatch.setattr(sp, "solve", refused)
    refutation = tactic._refutation()
    assert refutation is not None and refutation.verdict is Verdict.REFUTED


MULTIPLIED_BY_AN_INVERTIBLE = """
title: both sides multiplied by the transpose of an invertible matrix
symbols:
  d: positive integer
  B: invertible matrix of size d
  b: real vector of size d
  w: real vector of size d
start: B @ w == b
steps:
  - expr: B.T @ B @ w == B.T @ b
    relation: iff
"""


def test_both_sides_multiplied_by_an_invertible_matrix_is_proved():
    # d_new = Bᵀ·d_old, so d_old = (Bᵀ)⁻¹·d_new with (Bᵀ)⁻¹ injective
    report = check(_read(MULTIPLIED_BY_AN_INVERTIBLE), CheckSettings(timeout=30))
    assert report.steps[0].verdict is Verdict.PROVED, report.steps[0].judgement.method


L1_STATIONARY = """
title: the l1 penalty has no gradient at 0
symbols:
  d: positive integer
  b: real vector of size d
  w: real vector of size d
optimize: {over: [w], sense: minimize}
start: ones(d).T @ Abs(w) - b.T @ w
steps:
  - expr: Derivative(ones(d).T @ Abs(w) - b.T @ w, w) == 0
    relation: optimizers satisfy
"""


@pytest.mark.parametrize("relation", ["optimizers satisfy", "optimized where"])
def test_an_entrywise_kink_is_not_differentiable(relation):
    # false: d = 1, b = 1/2: |w| - w/2 >= |w|/2 is least at w = 0, where it has no derivative
    # (SymPy's sign(0) - 1/2 = -1/2 is not 0 either); Abs(w) is Abs(_e0) at each entry of w
    text = L1_STATIONARY.replace("optimizers satisfy", relation)
    report = check(_read(text), CheckSettings(timeout=30))
    assert report.steps[0].verdict is not Verdict.PROVED
    assert "Abs" in report.steps[0].judgement.method


def test_nested_inverses_are_lowered_once_each(monkeypatch):
    """The matrix of an inverse is lowered for each word it is in and each trace rotation
    checked for semidefiniteness: without remembering, nested inverses multiplied the work
    (five levels: 34,055 collections, 70 s at seven)."""
    from derivations.kernel.matrices import Lowering

    context = Context()
    d, n = context.symbol("d", POSITIVE_INTEGER), context.symbol("n", POSITIVE_INTEGER)
    context.matrix("P", d, d, "positive definite")
    context.matrix("M", n, d)
    nested = "P"
    for _ in range(5):
        nested = f"inverse(Identity(d) + M.T @ M @ {nested} @ M.T @ M)"
    expr = parse_expression(f"trace({nested} @ P @ {nested}.T)", context)
    collected = []
    original = Lowering.collect
    monkeypatch.setattr(Lowering, "collect",
                        lambda self, terms: collected.append(1) or original(self, terms))
    lowered = Lowering(context).scalar(expr)
    assert lowered.is_nonnegative  # Q P Qᵀ with P positive definite
    assert len(collected) < 200
