"""Vectors and matrices: the reader's sizes, the matrix normal form (never proves a false step,
proves the sound rewrites), and the rules at concrete sizes (checked, never proved)."""

import pytest
import sympy as sp

from derivations.kernel import POSITIVE_INTEGER, Context, Relation, RuleError, Verdict
from derivations.kernel import checked_at_sizes, equal_by_normal_form, refuted_at_sizes
from derivations.kernel.matrices import MatrixPoint
from derivations.reading import files
from derivations.reading.expressions import ExpressionError, parse_equation, parse_expression
from derivations.reading.sources import InputError

FORM = "logs of combined arguments"


@pytest.fixture
def context():
    c = Context()
    d, n = c.symbol("d", POSITIVE_INTEGER), c.symbol("n", POSITIVE_INTEGER)
    for name, rows, columns, structure in (
            ("A", d, d, ""), ("B", d, d, ""), ("C", d, d, ""), ("S", d, d, "symmetric"),
            ("P", d, d, "positive definite"), ("X", n, d, ""), ("w", d, 1, ""), ("x", d, 1, ""),
            ("y", n, 1, "")):
        c.matrix(name, rows, columns, structure)
    return c


def proved(context, before, after):
    read = [parse_expression(text, context) for text in (before, after)]
    try:
        equal_by_normal_form(context, *read, FORM)
    except RuleError:
        return False
    return True


@pytest.mark.parametrize("before, after", [
    ("(A @ B).T", "B.T @ A.T"),
    ("trace(A @ B @ C)", "trace(C @ A @ B)"),
    ("trace(X @ A @ X.T)", "trace(A.T @ X.T @ X)"),
    ("x.T @ S @ w", "w.T @ S @ x"),
    ("inverse(P) @ P @ w", "w"),
    ("inverse(A).T", "inverse(A.T)"),
    ("Derivative(x.T @ A @ x, x)", "(A + A.T) @ x"),
    ("Derivative(norm(y - X @ w)**2 / 2, w)", "X.T @ X @ w - X.T @ y"),
    ("Derivative(log(det(P)), P)", "inverse(P)"),
    ("log(det(2 * P))", "d * log(2) + log(det(P))"),
    ("det(inverse(P) @ P)", "1"),
    ("inverse(X.T @ X) @ (X.T @ X @ w)", "w"),
    ("X.T @ X @ inverse(X.T @ X)", "Identity(d)"),
    ("trace(Identity(d))", "d"),
])
def test_sound_matrix_rewrites_are_proved(context, before, after):
    assert proved(context, before, after)


@pytest.mark.parametrize("before, after", [
    ("A @ B", "B @ A"),
    ("(A @ B).T", "A.T @ B.T"),
    ("trace(A @ B @ C)", "trace(B @ A @ C)"),
    ("A.T", "A"),  # not declared symmetric
    ("x.T @ A @ w", "w.T @ A @ x"),
    ("inverse(A + B)", "inverse(A) + inverse(B)"),
    ("det(A + B)", "det(A) + det(B)"),
    ("det(2 * A)", "2 * det(A)"),
    ("Derivative(x.T @ S @ x, x)", "S @ x"),
    ("Derivative(x.T @ A @ x, x)", "2 * A @ x"),
    ("Derivative(trace(A @ B), A)", "B"),
    ("norm(w)", "w.T @ w"),
    # det(AB + C) and det(A + BC): the same letters, grouped otherwise
    ("det(A @ B + C)", "det(A + B @ C)"),
    ("inverse(X.T @ X) @ X.T", "inverse(X.T @ X) @ X.T @ X"),
    ("inverse(A @ B) @ B @ A", "Identity(d)"),
])
def test_false_matrix_identities_are_never_proved(context, before, after):
    assert not proved(context, before, after)


@pytest.mark.parametrize("text, message", [
    ("X @ y", "dimension mismatch"),
    ("X + w", "dimension mismatch"),
    ("A * B", "write a matrix product with @"),
    ("X.real", "attribute access is not allowed"),
    ("X.T.T.shape", "attribute access is not allowed"),
    ("w + 1", "dimension mismatch"),
    ("log(A)", "applies entry by entry to a vector"),
    ("softmax(A)", "takes a vector"),
    ("Derivative(sigmoid(w), X)", "Jacobian"),
    ("inverse(X)", "square"),
    ("det(w)", "square"),
    ("norm(trace(A))", "takes a vector or matrix"),
    ("X**2", "square"),
    ("Derivative(A, x)", "Jacobian"),
    ("1 / A", "division by a matrix"),
    ("Identity(w)", "needs a size"),
    ("ones(10**6)", "needs a size"),
])
def test_size_errors_are_input_errors(context, text, message):
    with pytest.raises(ExpressionError, match=message):
        parse_expression(text, context)


def test_one_by_one_products_are_scalars(context):
    value = parse_expression("w.T @ w + 1", context)
    assert not isinstance(value, sp.MatrixExpr)


def _point(d, **matrices):
    return MatrixPoint({sp.Symbol("d", integer=True, positive=True): d,
                        sp.Symbol("n", integer=True, positive=True): 1},
                       {k: sp.ImmutableMatrix(v) for k, v in matrices.items()}, {})


def test_refutation_at_concrete_sizes_needs_declared_structure(context):
    before, after = (parse_expression(t, context) for t in ("P.T", "P"))
    # A non-symmetric matrix for a positive definite P: not a point of the domain.
    with pytest.raises(RuleError, match="not positive definite"):
        refuted_at_sizes(context, before, after, Relation.EQ, _point(2, P=[[1, 1], [0, 1]]))
    with pytest.raises(RuleError, match="not positive definite"):
        refuted_at_sizes(context, before, after, Relation.EQ, _point(2, P=[[-1, 0], [0, 1]]))


def test_a_false_step_is_refuted_with_its_matrices(context):
    before, after = (parse_expression(t, context) for t in ("A @ B", "B @ A"))
    judgement = refuted_at_sizes(context, before, after, Relation.EQ,
                                 _point(2, A=[[0, 1], [0, 0]], B=[[0, 0], [1, 0]]))
    assert judgement.verdict is Verdict.REFUTED
    assert judgement.counterexample["A"] == "[[0, 1], [0, 0]]"
    with pytest.raises(RuleError):  # at d = 1 the two agree: no refutation there
        refuted_at_sizes(context, before, after, Relation.EQ, _point(1, A=[[2]], B=[[3]]))


def test_agreement_at_concrete_sizes_is_checked_never_proved(context):
    before, after = (parse_expression(t, context) for t in ("A @ B", "B @ A"))
    points = [_point(1, A=[[k]], B=[[k + 1]]) for k in range(1, 9)]
    judgement = checked_at_sizes(context, before, after, Relation.EQ, points)
    assert judgement.verdict is Verdict.CHECKED
    with pytest.raises(RuleError, match="distinct"):
        checked_at_sizes(context, before, after, Relation.EQ, points[:1] * 8)


@pytest.fixture
def vectors():
    c = Context()
    n, d = c.symbol("n", POSITIVE_INTEGER), c.symbol("d", POSITIVE_INTEGER)
    for name, rows, columns in (("X", n, d), ("t", n, 1), ("u", n, 1), ("v", n, 1),
                                ("w", d, 1), ("z", n, 1)):
        c.matrix(name, rows, columns)
    return c


LOSS = "-(t.T @ log(sigmoid(X @ w)) + (ones(n) - t).T @ log(ones(n) - sigmoid(X @ w)))"


@pytest.mark.parametrize("before, after", [
    (f"Derivative({LOSS}, w)", "X.T @ (sigmoid(X @ w) - t)"),
    (f"Derivative({LOSS}, w)", "X.T @ sigmoid(X @ w) - X.T @ t"),
    ("Derivative(softmax(z), z)", "diag(softmax(z)) - softmax(z) @ softmax(z).T"),
    ("ones(n) - sigmoid(X @ w)", "sigmoid(-1 * X @ w)"),
    ("diag(u) @ v", "diag(v) @ u"),
    ("softmax(z).T @ ones(n)", "1"),
    ("u.T @ diag(v) @ ones(n)", "u.T @ v"),
    ("Derivative(ones(n).T @ exp(u), u)", "exp(u)"),
])
def test_entrywise_identities_are_proved(vectors, before, after):
    assert proved(vectors, before, after)


@pytest.mark.parametrize("before, after", [
    (f"Derivative({LOSS}, w)", "X.T @ (sigmoid(X @ w) + t)"),
    (f"Derivative({LOSS}, w)", "X.T @ (t - sigmoid(X @ w))"),
    ("Derivative(softmax(z), z)", "diag(softmax(z)) - softmax(z).T @ softmax(z) * Identity(n)"),
    ("Derivative(softmax(z), z)", "diag(softmax(z))"),
    # the normaliser Σ_j exp(z_j) binds its own entries: softmax is not exp(z_i)/(n exp(z_i))
    ("softmax(z)", "ones(n) / n"),
    ("Derivative(softmax(z), z)", "0 * diag(z)"),
    ("diag(u) @ v", "u"),
    ("u.T @ diag(v) @ ones(n)", "u.T @ ones(n)"),
    ("sigmoid(X @ w)", "ones(n) - sigmoid(X @ w)"),
    ("exp(u + v)", "exp(u) + exp(v)"),
    ("softmax(z).T @ ones(n)", "1 * n"),
])
def test_false_entrywise_identities_are_never_proved(vectors, before, after):
    assert not proved(vectors, before, after)


@pytest.mark.parametrize("declaration, message", [
    ("S: symmetric matrix of size n by d", "is square"),
    ("X: real matrix of size k by d", "bounds name an undeclared symbol"),
    ("X: real matrix of size x by d", "must be a whole number"),
    ("w: real vector of size 0", "must be a whole number"),
    ("w: real vector of size 100000", "must be a whole number"),
    ("w: real vector of size d by 2", "a vector has one size"),
    ("w: vector d", "a matrix is declared as"),
])
def test_matrix_declarations_are_checked_where_written(tmp_path, declaration, message):
    path = tmp_path / "t.deriv.yaml"
    path.write_text("title: t\nsymbols:\n  n: positive integer\n  d: positive integer\n"
                    f"  x: real\n  {declaration}\nstart: x\nsteps:\n  - expr: x\n")
    with pytest.raises(InputError, match=message) as error:
        files.read(path)
    assert error.value.line == 6


def test_a_step_of_another_size_is_an_input_error_with_its_place(tmp_path):
    path = tmp_path / "t.deriv.yaml"
    path.write_text("title: t\nsymbols:\n  n: positive integer\n  d: positive integer\n"
                    "  X: real matrix of size n by d\n  w: real vector of size d\n"
                    "start: X.T @ X @ w\nsteps:\n  - expr: X @ w\n")
    with pytest.raises(InputError, match="dimension mismatch: step 1 is a vector of size n, but"
                                         " the expression before it is a vector of size d"):
        files.read(path)


def test_the_terminal_text_of_a_vector_step_reads_back_to_the_same_expression():
    from pathlib import Path

    from derivations.documents.notation import to_text

    good = Path(__file__).parent / "derivations" / "good"
    for path in sorted(good.glob("vector-*.deriv.yaml")):
        derivation = files.read(path)
        for expr in [derivation.start] + [s.expr for s in derivation.steps]:
            text = to_text(expr)
            if isinstance(expr, sp.Equality):  # the terminal writes an equation with one '='
                text = text.replace(" = ", " == ")
            assert parse_equation(text, derivation.context) == expr, text


@pytest.mark.parametrize("text, latex", [
    ("X.T @ y", r"X^{\top} \boldsymbol{y}"),
    ("norm(w)**2", r"\left\| \boldsymbol{w} \right\|^{2}"),
    ("Derivative(w.T @ w, w)", r"\nabla_{\boldsymbol{w}} \left(\boldsymbol{w}^{\top} \boldsymbol{w}\right)"),
    ("inverse(P) @ w", r"P^{-1} \boldsymbol{w}"),
    ("det(P)", r"\det\left(P\right)"),
])
def test_vectors_are_bold_and_matrices_upright_in_latex(context, text, latex):
    from derivations.documents.notation import to_latex

    assert to_latex(parse_expression(text, context)) == latex


# -- equations between matrices -----------------------------------------------------------------
@pytest.fixture
def ranked():
    """Matrices with what the equation rules need of them: full column rank, invertible."""
    c = Context()
    d, n = c.symbol("d", POSITIVE_INTEGER), c.symbol("n", POSITIVE_INTEGER)
    c.symbol("lam", kernel_domain("positive"))
    c.symbol("t", kernel_domain("real"))
    for name, rows, columns, structure in (
            ("F", n, d, "full column rank"), ("X", n, d, ""), ("B", d, d, "invertible"),
            ("A", d, d, ""), ("S", d, d, "symmetric"), ("P", d, d, "positive definite"),
            ("w", d, 1, ""), ("v", d, 1, ""), ("y", n, 1, ""), ("u", n, 1, "")):
        c.matrix(name, rows, columns, structure)
    return c


def kernel_domain(word):
    from derivations.kernel import POSITIVE, REAL
    return {"positive": POSITIVE, "real": REAL}[word]


@pytest.mark.parametrize("text, injective", [
    ("F", True), ("F.T", False), ("X", False), ("F.T @ F", True), ("X.T @ X", False),
    ("X.T @ X + lam * Identity(d)", True), ("X.T @ X + t * Identity(d)", False),
    ("B", True), ("B.T", True), ("F @ B", True), ("S", False), ("S + Identity(d)", False),
    ("S @ S + Identity(d)", True), ("P", True), ("F.T @ F - P", False), ("-2 * P", True),
    ("inverse(A)", True), ("A", False), ("A.T @ P @ A + lam * Identity(d)", True),
    ("A + A.T", False), ("t * Identity(d)", False),
])
def test_injective_factors_are_exactly_the_proved_ones(ranked, text, injective):
    from derivations.kernel.matrices import Lowering

    matrix = parse_expression(text, ranked)
    assert Lowering(ranked).injective(matrix) is injective


@pytest.mark.parametrize("before, after, holds", [
    ("(X.T @ X + lam * Identity(d)) @ inverse(X.T @ X + lam * Identity(d)) @ w", "w", True),
    ("inverse(X.T @ X + lam * Identity(d)) @ (X.T @ X @ w + lam * w)", "w", True),
    ("y.T @ X @ inverse(A + B) @ (A @ w + B @ w)", "y.T @ X @ w", True),
    ("inverse(X.T @ X + lam * Identity(d)) @ X.T @ X @ w", "w", False),
    ("inverse(A + B) @ (A @ w + 2 * B @ w)", "w", False),
])
def test_a_product_with_the_inverse_of_a_sum_is_gathered_back(ranked, before, after, holds):
    assert proved(ranked, before, after) is holds


def equation_verdict(context, before, after, relation="iff", *, sense=None):
    """The checker's verdict on one step between two equations of ``context``."""
    from derivations.checker import check
    from derivations.model import Derivation, Step
    from derivations.kernel import Optimization, Sense
    from derivations.settings import CheckSettings

    optimization = None
    if sense is not None:
        optimization = Optimization((context.lookup("w").obj,), Sense(sense))
    start = parse_equation(before, context)
    step = Step(parse_equation(after, context), Relation(relation))
    report = check(Derivation("t", "t", context, start, (step,), optimization=optimization),
                   CheckSettings(cache=None))
    return report.steps[0].verdict


@pytest.mark.parametrize("before, after, relation, verdict", [
    ("F.T @ F @ w == F.T @ y", "w == inverse(F.T @ F) @ F.T @ y", "iff", Verdict.PROVED),
    ("X.T @ X @ w == X.T @ y", "w == inverse(X.T @ X) @ X.T @ y", "iff", Verdict.REFUTED),
    ("F @ w == F @ v", "w == v", "iff", Verdict.PROVED),
    ("F.T @ y == F.T @ u", "y == u", "iff", Verdict.REFUTED),
    ("F @ w == y", "F.T @ F @ w == F.T @ y", "implies", Verdict.PROVED),
    ("F.T @ F @ w == F.T @ y", "F @ w == y", "implies", Verdict.REFUTED),
    ("B @ w == v", "w == inverse(B) @ v", "iff", Verdict.PROVED),
    ("A @ w == v", "w == inverse(A) @ v", "iff", Verdict.REFUTED),  # at a singular A
    ("w == inverse(B) @ v", "v.T @ w == v.T @ inverse(B) @ v", "implies", Verdict.PROVED),
    ("(X.T @ X + lam * Identity(d)) @ w == X.T @ y",
     "w == inverse(X.T @ X + lam * Identity(d)) @ X.T @ y", "iff", Verdict.PROVED),
])
def test_equations_between_matrices(ranked, before, after, relation, verdict):
    assert equation_verdict(ranked, before, after, relation) is verdict


@pytest.mark.parametrize("objective, equation, sense, verdict", [
    ("norm(y - F @ w)**2 / 2", "F.T @ F @ w == F.T @ y", "minimize", Verdict.PROVED),
    ("w.T @ P @ w / 2 - v.T @ w", "P @ w == v", "minimize", Verdict.PROVED),
    ("-(w.T @ P @ w) / 2 + v.T @ w", "w == inverse(P) @ v", "maximize", Verdict.PROVED),
    ("norm(y - F @ w)**2 / 2", "F.T @ F @ w == F.T @ y", "maximize", Verdict.UNDECIDED),
    ("w.T @ S @ w / 2 - v.T @ w", "S @ w == v", "minimize", Verdict.UNDECIDED),
    ("norm(y - F @ w)", "F.T @ F @ w == F.T @ y", "minimize", Verdict.UNDECIDED),
    ("log(w.T @ w)", "w == 0", "minimize", Verdict.UNDECIDED),
])
def test_optimizing_over_a_vector_needs_convexity(ranked, objective, equation, sense, verdict):
    from derivations.checker import check
    from derivations.model import Derivation, Step
    from derivations.kernel import Optimization, Sense
    from derivations.settings import CheckSettings

    optimization = Optimization((ranked.lookup("w").obj,), Sense(sense))
    step = Step(parse_equation(equation, ranked), Relation.OPTIMIZED_WHERE)
    report = check(Derivation("t", "t", ranked, parse_expression(objective, ranked), (step,),
                              optimization=optimization), CheckSettings(cache=None))
    assert report.steps[0].verdict is verdict


def test_a_singular_inverse_means_the_equation_fails_at_that_point(ranked):
    from derivations.kernel import holds_at

    equation = parse_equation("w == inverse(A) @ v", ranked)
    singular = sp.ImmutableMatrix([[1, 2], [2, 4]])
    point = MatrixPoint({ranked.lookup("d").obj: 2, ranked.lookup("n").obj: 1},
                        {"A": singular, "w": sp.ImmutableMatrix([1, 0]),
                         "v": sp.ImmutableMatrix([1, 2])}, {})
    assert holds_at(ranked, equation, point) is False
    regular = MatrixPoint(point.sizes, {**point.matrices, "A": sp.ImmutableMatrix([[1, 0], [0, 2]]),
                                        "v": sp.ImmutableMatrix([1, 0])}, {})
    assert holds_at(ranked, equation, regular) is True


@pytest.mark.parametrize("text, message", [
    ("w == y", "the two sides of the equation are a vector of size d and a vector of size n"),
    ("X @ w == 1", "needs two sides of one size"),
])
def test_an_equation_between_matrices_of_different_sizes_is_an_input_error(ranked, text, message):
    with pytest.raises(ExpressionError, match=message):
        parse_equation(text, ranked)


def test_zero_on_one_side_of_a_matrix_equation_is_the_zero_matrix(ranked):
    equation = parse_equation("Derivative(w.T @ w, w) == 0", ranked)
    assert equation.rhs == sp.ZeroMatrix(ranked.lookup("d").obj, 1)


@pytest.mark.parametrize("spec, problem", [
    ("real vector of size d with full column rank", "a vector has one size"),
    ("invertible matrix of size n by d", "is square"),
    ("symmetric matrix of size d with full column rank", "says nothing more"),
])
def test_matrix_structures_are_declared_once_and_where_they_fit(tmp_path, spec, problem):
    path = tmp_path / "s.deriv.yaml"
    path.write_text(f"title: t\nsymbols:\n  n: positive integer\n  d: positive integer\n"
                    f"  M: {spec}\nstart: d\nsteps:\n  - expr: d\n")
    with pytest.raises(InputError, match=problem):
        files.read(path)


def test_rules_written_for_scalar_equations_refuse_equations_between_matrices(ranked):
    from derivations.kernel import (equivalent_by_combination, equivalent_by_injective_map,
                                    equivalent_by_substitution, equivalent_by_summing)

    before = sp.And(parse_equation("F @ w == y", ranked), parse_equation("B @ w == v", ranked))
    after = sp.And(parse_equation("F @ w == y", ranked), parse_equation("B @ w + w == v + w", ranked))
    attempts = [
        lambda: equivalent_by_combination(ranked, before, after, 1, 0, 1, FORM),
        lambda: equivalent_by_substitution(ranked, before, after, 0, (0, 1), FORM),
        lambda: equivalent_by_summing(ranked, before, after, 0, sp.Symbol("i"), FORM),
        lambda: equivalent_by_injective_map(ranked, before, after, "exp", FORM),
    ]
    for attempt in attempts:
        with pytest.raises(RuleError, match="between scalars, not matrices"):
            attempt()


def test_a_solution_that_is_not_stationary_refutes_optimized_where(ranked):
    from derivations.kernel import Optimization, Sense, not_optimizers_at

    d, n = ranked.lookup("d").obj, ranked.lookup("n").obj
    objective = parse_expression("norm(y - F @ w)**2 / 2", ranked)
    wrong = parse_equation("w == F.T @ y", ranked)
    right = parse_equation("F.T @ F @ w == F.T @ y", ranked)
    over = Optimization((ranked.lookup("w").obj,), Sense.MINIMIZE)
    F, y = sp.ImmutableMatrix([[1], [1]]), sp.ImmutableMatrix([[1], [0]])
    at = MatrixPoint({d: 1, n: 2}, {"F": F, "y": y, "w": sp.ImmutableMatrix([[1]])}, {})
    judgement = not_optimizers_at(ranked, objective, wrong, over, Sense.MINIMIZE, at)
    assert judgement.verdict is Verdict.REFUTED
    # the true claim's solution w = 1/2 is stationary: nothing to refute there
    stationary = MatrixPoint(at.sizes, {**at.matrices, "w": sp.ImmutableMatrix([[sp.Rational(1, 2)]])}, {})
    with pytest.raises(RuleError, match="not certainly nonzero"):
        not_optimizers_at(ranked, objective, right, over, Sense.MINIMIZE, stationary)
    # a point where the claimed equation does not hold refutes nothing
    with pytest.raises(RuleError, match="does not certainly hold"):
        not_optimizers_at(ranked, objective, wrong, over, Sense.MINIMIZE, stationary)


def test_an_objective_with_a_kink_is_never_refuted_by_its_derivative():
    from derivations.kernel import REAL, Optimization, Point, Sense, not_optimizers_at

    c = Context()
    x = c.symbol("x", REAL)
    objective, equation = sp.Abs(x - 1) + x / 2, sp.Eq(x, 1)  # minimal at x = 1, slope 1/2 beside
    with pytest.raises(RuleError, match="differentiable"):
        not_optimizers_at(c, objective, equation, Optimization((x,), Sense.MINIMIZE),
                          Sense.MINIMIZE, Point({}, {x: sp.Integer(1)}))


def test_a_counterexample_at_concrete_sizes_must_satisfy_the_cited_givens():
    from derivations.kernel import POSITIVE, Given

    c = Context()
    d = c.symbol("d", POSITIVE_INTEGER)
    sigma = c.symbol("sigma", POSITIVE)
    c.matrix("Sigma", d, d, "positive definite")
    c.matrix("x", d, 1)
    given = Given("g", parse_expression("Sigma", c), parse_expression("sigma**2 * Identity(d)", c))
    before, after = parse_expression("x.T @ Sigma @ x", c), parse_expression("sigma**2 * norm(x)**2", c)
    x = sp.ImmutableMatrix([[1]])
    off = MatrixPoint({d: 1}, {"Sigma": sp.ImmutableMatrix([[2]]), "x": x}, {sigma: sp.Integer(1)})
    with pytest.raises(RuleError, match="does not hold exactly"):
        refuted_at_sizes(c, before, after, Relation.EQ, off, (given,))
    assert refuted_at_sizes(c, before, after, Relation.EQ, off).verdict is Verdict.REFUTED
    on = MatrixPoint({d: 1}, {"Sigma": sp.ImmutableMatrix([[4]]), "x": x}, {sigma: sp.Integer(2)})
    with pytest.raises(RuleError, match="no entry certainly differs"):
        refuted_at_sizes(c, before, after, Relation.EQ, on, (given,))


def test_an_inverse_with_another_exponent_is_refused_by_every_rule(ranked):
    """SymPy's Inverse(A, -2) is A⁻¹ to its own products and A⁻² to evaluation: no rule takes
    it (a mutant built it, and A·(w - Inverse(A, -2)·b) was proved equal to A·w - b)."""
    from derivations.kernel import equivalent_by_factor

    A, w, b = (ranked.lookup(name).obj for name in ("B", "w", "v"))
    solved = sp.MatMul(sp.Inverse(A, -2), b)  # as a mutation builds it: its arguments kept
    assert isinstance(solved.args[0], sp.Inverse) and solved.args[0].args[1] == -2
    with pytest.raises(RuleError, match="exponent other than -1"):
        equal_by_normal_form(ranked, sp.MatMul(A, solved), b, FORM)
    with pytest.raises(RuleError, match="exponent other than -1"):
        equivalent_by_factor(ranked, sp.Eq(A * w, b), sp.Eq(w, solved), [A], [0], FORM)
