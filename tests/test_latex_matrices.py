"""Vectors and matrices written in LaTeX (derivations.reading.latex): read into exactly the
matrix expressions of the file syntax (derivations.reading.expressions), sizes checked by the
file syntax's own check, and every reading that could mean two things refused at its place."""

from pathlib import Path

import pytest

from derivations.checker import check
from derivations.documents.notation import to_latex
from derivations.kernel import POSITIVE, POSITIVE_INTEGER, REAL, Context, Verdict
from derivations.kernel.matrices import has_matrices
from derivations.reading import files, notes
from derivations.reading.expressions import ExpressionError, parse_expression
from derivations.reading.latex import read_equation, read_expression

HERE = Path(__file__).parent


def context():
    ctx = Context()
    n, d = ctx.symbol("n", POSITIVE_INTEGER), ctx.symbol("d", POSITIVE_INTEGER)
    ctx.symbol("lam", POSITIVE)
    ctx.symbol("c", REAL)
    ctx.matrix("X", n, d)
    ctx.matrix("B", d, d)
    ctx.matrix("A", d, d, "positive definite")
    ctx.matrix("Sigma", d, d, "positive definite")
    for name, size in (("y", n), ("t", n), ("w", d), ("x", d), ("z", d), ("mu", d)):
        ctx.matrix(name, size, 1)
    return ctx


# (LaTeX as a textbook writes it, the same in the file syntax)
TEXTBOOK = [
    (r"X^\top X \mathbf{w}", "X.T @ X @ w"),
    (r"\mathbf{X}^T\mathbf{X}\mathbf{w} - \mathbf{X}^{\mathsf{T}}\mathbf{y}", "X.T @ X @ w - X.T @ y"),
    (r"X^\intercal \boldsymbol{y}", "X.T @ y"),
    (r"\bm{w}^{T} \bm{w}", "w.T @ w"),
    (r"\mathbf{w}^{\top} \mathbf{w} + c", "w.T @ w + c"),
    (r"\|\mathbf{y} - X\mathbf{w}\|^2", "norm(y - X @ w)**2"),
    (r"\lVert \mathbf{y} - X\mathbf{w} \rVert_2^2", "norm(y - X @ w)**2"),
    (r"\left\| w \right\|_{2}", "norm(w)"),
    (r"\Vert w \Vert^2_2", "norm(w)**2"),
    (r"\nabla_{\mathbf{w}} \frac{1}{2}\|\mathbf{y} - X\mathbf{w}\|^2", "Derivative(norm(y - X @ w)**2 / 2, w)"),
    (r"\nabla_\mathbf{w} \left(lam \|w\|^2\right)", "Derivative(lam * norm(w)**2, w)"),
    (r"\frac{\partial}{\partial \mathbf{w}} \frac{1}{2}\|\mathbf{y} - X\mathbf{w}\|^2",
     "Derivative(norm(y - X @ w)**2 / 2, w)"),
    (r"\frac{\partial \mathbf{w}^\top A \mathbf{w}}{\partial \mathbf{w}}", "Derivative(w.T @ A @ w, w)"),
    (r"-X^\top(\mathbf{y} - X\mathbf{w})", "-X.T @ (y - X @ w)"),
    (r"(X^\top X + lam I)^{-1} X^\top \mathbf{y}", "inverse(X.T @ X + lam * Identity(d)) @ X.T @ y"),
    (r"(X^\top X + lam \mathbf{I})\mathbf{w}", "(X.T @ X + lam * Identity(d)) @ w"),
    (r"(X^\top X + lam I_d)\mathbf{w}", "(X.T @ X + lam * Identity(d)) @ w"),
    (r"X^\top X\mathbf{w} + lam I \mathbf{w}", "X.T @ X @ w + lam * Identity(d) @ w"),
    (r"\mathbf{w}^\top I", "w.T @ Identity(d)"),
    (r"\operatorname{tr}(A B)", "trace(A @ B)"),
    (r"\mathrm{tr}\left(A\right)", "trace(A)"),
    (r"\operatorname{tr}(\mathbf{x}\mathbf{x}^\top)", "trace(x @ x.T)"),
    (r"\det A", "det(A)"),
    (r"\log\det(2\pi\Sigma)", "log(det(2*pi*Sigma))"),
    (r"\ln|\boldsymbol{\Sigma}|", "log(det(Sigma))"),
    (r"|2\pi\Sigma|", "det(2*pi*Sigma)"),
    (r"|\Sigma^{-1}|", "det(inverse(Sigma))"),
    (r"|\mathbf{w}^\top\mathbf{x}|", "Abs(w.T @ x)"),
    (r"\sigma(X\mathbf{w})", "sigmoid(X @ w)"),
    (r"X^\top(\sigma(X\mathbf{w}) - \mathbf{t})", "X.T @ (sigmoid(X @ w) - t)"),
    (r"\operatorname{diag}(\mathbf{z})", "diag(z)"),
    (r"\mathrm{softmax}(\mathbf{z})", "softmax(z)"),
    (r"\operatorname{diag}(\mathrm{softmax}(\mathbf{z})) - \mathrm{softmax}(\mathbf{z})\mathrm{softmax}(\mathbf{z})^\top",
     "diag(softmax(z)) - softmax(z) @ softmax(z).T"),
    (r"\frac{\partial \operatorname{softmax}(\mathbf{z})}{\partial \mathbf{z}}", "Derivative(softmax(z), z)"),
    (r"-\mathbf{t}^\top \log \sigma(X\mathbf{w}) - (\mathbf{1} - \mathbf{t})^\top \log(\mathbf{1} - \sigma(X\mathbf{w}))",
     "-(t.T @ log(sigmoid(X @ w)) + (ones(n) - t).T @ log(ones(n) - sigmoid(X @ w)))"),
    (r"\mathbf{1}^\top \mathbf{t}", "ones(n).T @ t"),
    (r"\mathbf{1}_n^\top \mathbf{t}", "ones(n).T @ t"),
    (r"(\mathbf{x} - \boldsymbol{\mu})^\top \Sigma^{-1} (\mathbf{x} - \boldsymbol{\mu})",
     "(x - mu).T @ inverse(Sigma) @ (x - mu)"),
    (r"\mathbf{x}^\top\mathbf{z}\,\mathbf{w}", "(x.T @ z) * w"),  # a 1 by 1 product is a scalar
    (r"\mathbf{w}^\top\mathbf{x}\mathbf{x}^\top\mathbf{w}", "w.T @ x @ x.T @ w"),
    (r"c \cdot \mathbf{w}", "c * w"),
    (r"\frac{X^\top \mathbf{y}}{2}", "X.T @ y / 2"),
    (r"\frac{1}{2} \mathbf{w}^\top A \mathbf{w}", "1 / 2 * w.T @ A @ w"),  # left to right, as written
    (r"\sqrt{\mathbf{w}}", "sqrt(w)"),
    (r"\exp(\mathbf{z})", "exp(z)"),
    (r"B^2", "B**2"),
    (r"X^{\mathrm{T}} \mathbf{y} + \operatorname{Tr}(B) \mathbf{w}", "X.T @ y + trace(B) * w"),
    (r"\boldsymbol{1}_{n}^{\top} \mathbf{y} \, \mathbf{I}_d \mathbf{w}", "(ones(n).T @ y) * Identity(d) @ w"),
    (r"lam \cdot -I + B", "-lam * Identity(d) + B"),
    (r"(\mathbf{x}^\top \mathbf{w})^2", "(x.T @ w)**2"),
    (r"\mathbf{x}^\top \mathbf{w}^2", None),  # refused below: w^2 of a vector
]


@pytest.mark.parametrize("tex, written", TEXTBOOK, ids=[t for t, _ in TEXTBOOK])
def test_textbook_notation_reads_as_the_file_syntax(tex, written):
    ctx = context()
    if written is None:
        with pytest.raises(ExpressionError, match="a power needs a square matrix"):
            read_expression(tex, ctx)
        return
    assert read_expression(tex, ctx) == parse_expression(written, ctx)


# (LaTeX, what the error says, its column)
REFUSED = [
    (r"X \mathbf{y}", "the columns of the left (d) must equal the rows of the right (n)", 2),
    (r"\mathbf{w} + 1", "dimension mismatch", 11),
    (r"\mathbf{w}\mathbf{w}", "dimension mismatch", 10),
    (r"X^\top X + I_n", "dimension mismatch", 9),
    (r"\mathbf{w} \cdot \mathbf{x}", r"a dot product as \mathbf{x}^\top", 11),
    (r"X^\top \times X", "read no way", 7),
    (r"|\mathbf{w}|", "ambiguous", 0),
    (r"|B|", "ambiguous", 0),  # det B or |det B|: B is not positive definite
    (r"|A - B|", "ambiguous", 0),
    (r"I", "the size of I is not known", 0),
    (r"\mathbf{1} + \mathbf{1}", r"the size of \mathbf{1} is not known", 0),
    (r"\mathbf{1}^\top", r"the size of \mathbf{1} is not known", 0),
    (r"\operatorname{diag}(I)", "the size of I is not known", 20),
    (r"\sigma(I)", "the size of I is not known", 7),
    (r"\|I\|", "the size of I is not known", 2),
    (r"\frac{I}{\mathbf{w}}", "division by a matrix", 8),
    (r"\frac{I}{2}", "the size of I is not known", 6),
    (r"I_{10^{9}}", "I_{d} needs a size", 0),
    (r"\operatorname{tr}(X)", "trace needs a square matrix", 0),
    (r"\det \mathbf{w}", "det needs a square matrix", 0),
    (r"X^{-1}", "inverse needs a square matrix", 1),
    (r"w^2", "a power needs a square matrix", 1),
    (r"\frac{1}{\mathbf{w}}", "division by a matrix", 8),
    (r"\nabla_{c} c^2", r"\nabla_{...} takes a declared vector or matrix", 7),
    (r"\nabla_{\mathbf{w}} \mathbf{w}", "the Jacobian", 0),
    (r"\frac{\partial \mathbf{w}}{\partial c}", "the Jacobian", 0),
    (r"\|X\|", "Frobenius norm only", 0),
    (r"\|w\|_1", "and the Frobenius norm", 5),
    (r"\|X\|_2", "Frobenius norm only", 0),
    (r"\|w", "to close the norm", 3),
    (r"\log_2(\mathbf{w})", "with a base of a vector", 0),
    (r"\mathbf{w}!", "factorial of a matrix", 10),
    (r"c^{\top}", r"only a matrix or a vector has a transpose ^\top", 1),
    (r"\mathbf{w}^\top\mathbf{w} + \mathbf{w}", "dimension mismatch", 26),
    (r"\max(\mathbf{w}, c)", r"\max of a vector or matrix", 0),
]


def test_T_after_a_scalar_product_is_refused_when_T_is_a_declared_symbol():
    ctx = context()
    assert read_expression(r"(\mathbf{x}^\top\mathbf{w})^T", ctx) == parse_expression("x.T @ w", ctx)
    ctx.symbol("T", POSITIVE)
    with pytest.raises(ExpressionError, match="a power or a transpose"):
        read_expression(r"(\mathbf{x}^\top\mathbf{w})^T", ctx)
    assert read_expression(r"(\mathbf{x}^\top\mathbf{w})^{(T)}", ctx) == \
        parse_expression("(x.T @ w)**T", ctx)
    assert read_expression(r"X^T \mathbf{y}", ctx) == parse_expression("X.T @ y", ctx)
    assert read_expression(r"c^T", ctx) == parse_expression("c**T", ctx)


@pytest.mark.parametrize("tex, problem, column", REFUSED, ids=[t for t, _, _ in REFUSED])
def test_what_cannot_be_read_one_way_is_an_input_error_at_its_place(tex, problem, column):
    with pytest.raises(ExpressionError) as caught:
        read_expression(tex, context())
    assert problem in caught.value.message
    if column is not None:
        assert caught.value.column == column


def _matrix_expressions():
    """Every vector or matrix expression of the example files, good, bad and attacks."""
    for path in sorted((HERE / "derivations").glob("*/*.deriv.yaml")):
        if "of size" not in path.read_text():
            continue
        try:
            chains = files.read_all(path)
        except Exception:  # an attack that is an input error: nothing to print
            continue
        for chain in chains:
            for expr in [chain.start] + [s.expr for s in chain.steps]:
                if has_matrices(expr):
                    yield path.name, chain.context, expr


def test_what_the_renderer_writes_of_a_matrix_reads_back_to_the_very_same_expression():
    read, failures = 0, []
    for name, ctx, expr in _matrix_expressions():
        tex = to_latex(expr)
        try:
            back = read_equation(tex, ctx)
        except ExpressionError as exc:
            failures.append((name, tex, str(exc)))
            continue
        if back != expr:
            failures.append((name, tex, f"read back as {back}"))
        read += 1
    assert read >= 141 and not failures, "\n".join(map(str, failures))  # 141 at this commit


def test_a_power_of_a_scalar_product_is_printed_in_brackets():
    """x^T w^2 would be a vector squared: the printer brackets (x^T w)^2, so it reads back."""
    ctx = context()
    square = parse_expression("(x.T @ w)**2", ctx)
    assert to_latex(square) == r"\left(\boldsymbol{x}^{\top} \boldsymbol{w}\right)^{2}"
    assert read_expression(to_latex(square), ctx) == square


def test_bold_names_with_a_subscript_read_as_the_printer_writes_them():
    ctx = Context()
    d = ctx.symbol("d", POSITIVE_INTEGER)
    ctx.matrix("x_1", d, 1)
    ctx.matrix("A_0", d, d)
    quadratic = parse_expression("x_1.T @ A_0 @ x_1", ctx)
    assert read_expression(to_latex(quadratic), ctx) == quadratic
    assert read_expression(r"\mathbf{x}_1^\top A_0 \bm{x}_{1}", ctx) == quadratic


def test_a_note_declares_vectors_and_matrices_in_its_header():
    logistic, gaussian = (check(d) for d in notes.read(HERE / "notes" / "vectors.tex"))
    assert [s.verdict for s in logistic.steps] == [Verdict.PROVED] * 2
    assert [s.verdict for s in gaussian.steps] == [Verdict.PROVED] * 2 + [Verdict.REFUTED]
    assert gaussian.steps[2].step.line == 35


def test_a_latex_step_with_a_size_mismatch_is_an_input_error_at_its_line_and_column(tmp_path):
    path = tmp_path / "t.deriv.yaml"
    path.write_text("title: t\nsymbols:\n  n: positive integer\n  d: positive integer\n"
                    "  X: real matrix of size n by d\n  w: real vector of size d\n"
                    "start: X @ w\nsteps:\n  - latex: 'X^\\top \\mathbf{w}'\n")
    from derivations.reading.sources import InputError
    with pytest.raises(InputError, match="dimension mismatch") as caught:
        files.read(path)
    assert (caught.value.line, caught.value.column) == (9, 19)  # at the factor that does not fit


@pytest.mark.parametrize("latex, written", [
    (r"X^\top X \mathbf{w} = X^\top \mathbf{y}", "X.T @ X @ w == X.T @ y"),
    (r"\mathbf{w} = (X^\top X + c I)^{-1} X^\top \mathbf{y}",
     "w == inverse(X.T @ X + c * Identity(d)) @ X.T @ y"),
    (r"\nabla_{\mathbf{w}} \frac{1}{2}\|\mathbf{y} - X\mathbf{w}\|^2 = 0",
     "Derivative(norm(y - X @ w)**2 / 2, w) == 0"),
])
def test_an_equation_between_matrices_reads_as_the_file_syntax_does(latex, written):
    from derivations.reading.expressions import parse_equation
    from derivations.reading.latex import read_equation

    assert read_equation(latex, context()) == parse_equation(written, context())


def test_an_equation_between_matrices_of_two_sizes_is_refused_at_its_equals_sign():
    from derivations.reading.latex import read_equation

    with pytest.raises(ExpressionError, match="the two sides of the equation") as raised:
        read_equation(r"\mathbf{w} = \mathbf{y}", context())
    assert raised.value.column == len(r"\mathbf{w} ")


def test_the_frobenius_norm_of_a_matrix_is_read_with_its_subscript_only():
    ctx = context()
    frobenius = parse_expression("norm(X)**2", ctx)
    for written in (r"\|X\|_F^2", r"\|X\|^2_F", r"\lVert X \rVert_{F}^{2}", r"\|X\|_{\mathrm{F}}^2"):
        assert read_expression(written, ctx) == frobenius, written
    assert read_expression(to_latex(frobenius), ctx) == frobenius
    for ambiguous in (r"\|X\|^2", r"\|X\|_2"):
        with pytest.raises(ExpressionError, match="Frobenius norm only"):
            read_expression(ambiguous, ctx)
