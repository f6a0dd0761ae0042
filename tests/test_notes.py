"""Lecture notes as input: the LaTeX reader (derivations.reading.latex) and chains in .tex/.md notes
(derivations.reading.notes).  Ground truth of each note is in the note's own prose."""

from pathlib import Path

import pytest
import sympy as sp

from derivations.kernel.definitions import unfold_written
from derivations.kernel.extrema import EXTREMA
from derivations.kernel.matrices import has_matrices
from click.testing import CliRunner

from derivations.cli.main import main
from derivations import catalog
from derivations.reading import files, notes
from derivations.checker import check
from derivations.kernel import POSITIVE, Relation, Verdict, equations_of, integer_range, is_equation
from derivations.reading.latex import Notation, read_equation, read_expression
from derivations.reading.expressions import ExpressionError, parse_expression
from derivations.documents.notation import to_latex
from derivations.reading.sources import InputError
from helpers import scalar_context

NOTES = Path(__file__).parent / "notes"
GOOD = Path(__file__).parent / "derivations" / "good"


def context():
    ctx = scalar_context()
    ctx.symbol("j", integer_range(1, ctx.lookup("n").obj))
    ctx.symbol("a")
    ctx.symbol("b", POSITIVE)
    ctx.symbol("yhat")
    ctx.symbol("xbar")
    ctx.sequence("x")
    ctx.sequence("y")
    ctx.sequence("P", rank=2)
    ctx.function("f", 2)
    return ctx


def alpha(expr):
    """``expr`` with the index of every sum and product renamed by its depth: two expressions
    that differ only in the names or assumptions of bound indices become equal."""
    def walk(node, depth):
        if isinstance(node, (sp.Sum, sp.Product)):
            body, limits = node.function, []
            for number, (index, first, last) in enumerate(node.limits):
                fresh = sp.Symbol(f"_bound{depth}_{number}", integer=True)
                body = body.xreplace({index: fresh})
                limits.append((fresh, walk(first, depth), walk(last, depth)))
            return type(node)(walk(body, depth + 1), *limits)
        if not isinstance(node, sp.Basic) or not node.args:
            return node
        return node.func(*[walk(arg, depth) for arg in node.args])
    return walk(expr, 0)


@pytest.mark.parametrize("latex, python", [
    (r"a b", "a*b"),
    (r"2a\theta", "2*a*theta"),
    (r"\frac{a}{b} + \dfrac{1}{2} - \tfrac{a}{3}", "a/b + 1/2 - a/3"),
    (r"\sum_{i=1}^{n} x_i y_i + 1", "Sum(x[i]*y[i], (i, 1, n)) + 1"),
    (r"\prod_{i=1}^n \left(1 - x_i\right)", "Product(1 - x[i], (i, 1, n))"),
    (r"\log b + \ln b + \log_2 b", "2*log(b) + log(b, 2)"),
    (r"\log 2\pi\sigma^2", "log(2*pi*sigma**2)"),
    (r"\exp(a) + e^{-a} + \exp\{a\}", "2*exp(a) + exp(-a)"),
    (r"\sqrt{b} + \sqrt[3]{b}", "sqrt(b) + b**(1/3)"),
    (r"\Big(a + b\Big)\bigl[a\bigr]", "(a + b)*a"),
    (r"a \cdot b \times 2", "2*a*b"),
    (r"x_i^2 + x_{j} + P_{ij} + P_{i,j} + P_{i j}", "x[i]**2 + x[j] + 3*P[i, j]"),
    (r"x_{i+1}", "x[i + 1]"),
    (r"\frac{\partial}{\partial\theta} \theta^2", "Derivative(theta**2, theta)"),
    (r"\frac{\partial f(x_i, \theta)}{\partial \theta}", "Derivative(f(x[i], theta), theta)"),
    (r"\hat{y} - \bar{x} + \sigma", "yhat - xbar + sigma"),
    (r"|a - b| + \left|a\right|", "Abs(a - b) + Abs(a)"),
    (r"\max(a, b) - \min(a, b, 1)", "Max(a, b) - Min(a, b, 1)"),
    (r"\operatorname{sigmoid}(a) + \operatorname{softplus}(a)", "sigmoid(a) + softplus(a)"),
    (r"\sigma(a)", "sigma*a"),  # sigma is declared here: a product; undeclared, the sigmoid
    (r"\sum_{i=1}^{n} \sum_{j=1}^{n} P_{ij}", "Sum(Sum(P[i, j], (j, 1, n)), (i, 1, n))"),
    (r"-a^2", "-(a**2)"),
    (r"0.731 a", "731*a/1000"),
    (r"\underbrace{a + b}_{\text{two terms}} + 1", "a + b + 1"),
    (r"n! + \delta_{ij}", "factorial(n) + KroneckerDelta(i, j)"),
    (r"\frac12 + \frac ab + \sqrt2\pi + \frac1\sigma", "1/2 + a/b + sqrt(2)*pi + 1/sigma"),
])
def test_latex_reads_as_the_same_expression_as_the_file_syntax(latex, python):
    ctx = context()
    assert alpha(read_expression(latex, ctx)) == alpha(parse_expression(python, ctx))


def test_superscript_indices_only_where_declared():
    ctx = context()
    assert read_expression("y^{(i)}", ctx, Notation(superscript_index=frozenset({"y"}))) == \
        ctx.lookup("y").obj[ctx.lookup("i").obj]
    with pytest.raises(ExpressionError, match="sequence"):
        read_expression("y^{(i)}", ctx)  # without the notation, y is a sequence with no index


def test_a_sum_index_is_bound_not_the_free_symbol():
    ctx = context()
    value = read_expression(r"i + \sum_{i=1}^{n} i", ctx)
    free_i = ctx.lookup("i").obj
    inner = next(iter(value.atoms(sp.Sum)))
    assert inner.variables[0] != free_i and free_i in value.free_symbols


@pytest.mark.parametrize("latex, message, column", [
    (r"\input{/etc/passwd}", r"\\input is refused", 0),
    (r"a + \write18{rm -rf /}", r"\\write is refused", 4),
    (r"\catcode`\^=7 a", r"\\catcode is refused", 0),
    (r"a + \myexp{a}", r"unknown command \\myexp: did you mean \\exp\?", 4),
    (r"\exp^{(a)}", r"write \\exp\(...\) or e\^\{...\}", 4),
    (r"\frac{a}{b", r"this '\{' is never closed", 8),
    (r"(a + b", r"expected '\)'", 6),
    (r"a + c", r"undeclared name 'c'", 4),
    (r"a^{1001}", "exponent is larger than 1000", 1),
    ("1" * 41, "more than 40 digits", 0),
    ("{" * 61 + "a" + "}" * 61, "nested deeper than 60", 60),
    ("a+" * 2600 + "a", "longer than 5000", 0),
    (r"x + 1", "is a sequence", 0),
    (r"a^23", r"write \^\{23\}", 2),
    (r"\frac{a}{0}", "division by zero", 8),
    (r"\frac1.5", "decimal argument in braces", 5),
    (r"\log 0", "not positive", 0),
    (r"\sum_{a=1}^{n} a", "must be declared as an integer", 6),
    (r"\begin{cases} a & \text{if } a > 0 \\ b \end{cases}", "a row of cases is 'value & condition'",
     40),
    (r"\begin{cases} a & 0 < a < 1 \end{cases}", "one comparison per condition", 24),
    (r"\begin{cases} a & \text{if } a \end{cases}", "one comparison, such as x > 0", 31),
    (r"\begin{cases} a & \text{unless } a > 0 \end{cases}", r"found \\text\{unless\}", 18),
    (r"\begin{cases} a & \text{otherwise} \\ b & a > 0 \end{cases}", "must be its last row", 38),
    (r"\begin{matrix} a \end{matrix}", r"\\begin\{matrix\} is not read", 0),
    (r"\begin{cases} a & a > 0 \end{array}", r"closed by \\end\{cases\}", 24),
    (r"\begin{cases} a & a > 0", "rows of cases are separated by", 23),
    (r"\begin{cases} a & \text{if}\end{cases}", "an expression is missing here", 27),
    (r"\begin{cases}\end{cases}", "an expression is missing here", 13),
    (r"\begin{cases} a & 1 > 2 \end{cases}", "never true", 20),
])
def test_bad_latex_is_an_error_at_its_column(latex, message, column):
    with pytest.raises(ExpressionError, match=message) as caught:
        read_expression(latex, context())
    assert caught.value.column == column


# -- cases, logarithms with a base, subscripted names: what the printer writes ---------------
def test_cases_read_as_a_piecewise_expression():
    ctx = context()
    a, b = ctx.lookup("a").obj, ctx.lookup("b").obj
    assert read_expression(r"\begin{cases} a & \text{if } a > 0 \\ -a & \text{otherwise} "
                           r"\end{cases} + 1", ctx) == sp.Piecewise((a, a > 0), (-a, True)) + 1
    assert read_expression(r"\left\{\begin{cases} a^2, & \text{for}\: a \le 1 \\ b & a \geq b \\"
                           r"\end{cases}\right\}", ctx) == sp.Piecewise((a**2, a <= 1), (b, a >= b))
    assert read_expression(r"\begin{cases} 1 & a = 0 \\ 0 & a \neq 0 \end{cases}", ctx) == \
        sp.Piecewise((1, sp.Eq(a, 0)), (0, sp.Ne(a, 0)))


def test_a_logarithm_with_a_base_is_printed_and_read_as_log_with_a_subscript():
    ctx = context()
    b = ctx.lookup("b").obj
    kept = sp.log(b, 2, evaluate=False)
    assert to_latex(kept) == r"\log_{2}\left(b\right)"
    assert read_expression(to_latex(kept), ctx) == parse_expression("log(b, 2)", ctx)


@pytest.mark.parametrize("name", ["p_X", "z1", "sigma2", "alpha_t", "u_hat", "xdot", "thetahat",
                                  "x__2", "w_ij"])
def test_a_declared_name_reads_back_as_the_printer_writes_it(name):
    ctx = context()
    ctx.symbol("c")
    scalar, entry = ctx.symbol(name), ctx.sequence(name + "s" if "_" not in name else name + "q")
    i = ctx.lookup("i").obj
    assert read_expression(to_latex(scalar), ctx) == scalar
    assert read_expression(to_latex(entry[i]), ctx) == entry[i]
    assert read_expression(to_latex(2 * scalar * entry[i] + ctx.lookup("c").obj), ctx) == \
        2 * scalar * entry[i] + ctx.lookup("c").obj


def test_a_subscripted_name_reads_without_braces_as_people_write_it():
    ctx = context()
    p_x, q_y = ctx.sequence("p_X"), ctx.symbol("q_Y")
    f_1 = ctx.function("f_1", 1)
    i = ctx.lookup("i").obj
    assert read_expression(r"{p_X}_i + q_Y + f_1(q_{Y})", ctx) == p_x[i] + q_y + f_1(q_y)


def test_cases_in_a_row_of_notes_keep_their_own_rows(tmp_path):
    note = tmp_path / "n.tex"
    note.write_text("% derive: T\n% symbols: {a: real}\n\\begin{align*}\n"
                    "\\begin{cases} a & \\text{if } a > 0 \\\\ -a & \\text{otherwise} \\end{cases}"
                    " &= \\left|a\\right| \\\\\n"
                    "  &= \\begin{cases}\n    -a, & a < 0 \\\\\n    a, & \\text{otherwise}\n"
                    "  \\end{cases} \\\\\n  &= a\n\\end{align*}\n")
    [derivation] = notes.read(note)
    a = derivation.context.lookup("a").obj
    assert derivation.start == sp.Piecewise((a, a > 0), (-a, True))
    assert [s.expr for s in derivation.steps] == [sp.Abs(a), sp.Piecewise((-a, a < 0), (a, True)), a]
    report = check(derivation)
    assert verdicts(report)[-1] is Verdict.REFUTED and report.steps[-1].step.line == 9


@pytest.mark.parametrize("name, written, otherwise", [
    ("x1", r"a + x_{1}", r"x\[1\]"),  # x_{1}: also the entry x[1] of the sequence x
    ("a__2", r"a + a^{2}", r"a\*\*2"),  # a^{2}: also the square of a
    ("e__2", r"a + e^{2}", r"exp\(2\)"),  # e^{2}: also e squared, e undeclared
    ("ab_i", r"a + ab_{i}", r"a\*b_i"),  # ab_{i}: also a times the declared b_i
    ("delta_ij", r"a + \delta_{ij}", r"KroneckerDelta\(i, j\)"),
])
def test_a_name_printed_like_something_else_is_refused_as_ambiguous(name, written, otherwise):
    ctx = context()
    ctx.symbol(name)
    ctx.symbol("b_i")
    with pytest.raises(ExpressionError, match=f"ambiguous: .* name '{name}' .* reads as "
                                              f"{otherwise}") as caught:
        read_expression(written, ctx)
    assert caught.value.column == 4


# -- notes files ---------------------------------------------------------------------------------
def verdicts(report):
    return [s.judgement.verdict for s in report.steps]


@pytest.mark.parametrize("name, note", [
    ("gaussian-least-squares", "gaussian-least-squares.tex"),
    ("bernoulli-bce", "bernoulli-bce.md"),
    ("categorical-ce", "categorical-ce.tex"),
    ("ce-kl-entropy", "ce-kl-entropy.tex"),
])
def test_the_core_derivations_written_as_notes_get_the_catalog_verdicts(name, note):
    [derivation] = notes.read(NOTES / note)
    assert verdicts(check(derivation)) == verdicts(check(catalog.get(name)))
    assert [s.relation for s in derivation.steps] == [s.relation for s in catalog.get(name).steps]


def test_a_lecture_with_two_chains_refutes_the_slip_at_its_line():
    proved, slipped = (check(d) for d in notes.read(NOTES / "lecture.tex"))
    assert verdicts(proved) == [Verdict.PROVED, Verdict.PROVED]
    assert verdicts(slipped) == [Verdict.PROVED, Verdict.REFUTED, Verdict.PROVED]
    lines = (NOTES / "lecture.tex").read_text().splitlines()
    wrong = slipped.steps[1].step
    assert "a^2 + b^2 &&" in lines[wrong.line - 1]
    assert wrong.by == "expand (wrong: the cross term is missing)"
    assert proved.steps[1].step.relation is Relation.GE


def test_a_blog_post_reads_prose_reasons_superscript_indices_and_arg_max():
    [derivation] = notes.read(NOTES / "map-blog.md")
    report = check(derivation)
    assert verdicts(report) == [Verdict.PROVED] * 4
    first, *_, last = derivation.steps
    assert first.relation is Relation.SAME_OPTIMIZERS
    assert first.by.startswith("The logarithm is increasing")
    assert last.sense is not None and last.sense.value == "minimize"
    assert "y^{(i)}" not in str(derivation.start) and "y[i]" in str(derivation.start)


def test_a_definition_is_used_by_later_rows():
    [derivation] = notes.read(NOTES / "gaussian-least-squares.tex")
    assert isinstance(derivation.start, sp.Product)  # L(theta) = prod ...: the chain starts there
    assert derivation.steps[0].expr == sp.log(derivation.start)  # \log L(\theta)
    assert derivation.steps[0].line == 12


def test_a_definition_must_be_applied_to_its_own_arguments(tmp_path):
    note = tmp_path / "n.tex"
    note.write_text("% derive: T\n% symbols: {a: real, b: real}\n\\begin{align*}\n"
                    "L(a) &= a^2 \\\\\n  &= L(b)\n\\end{align*}\n")
    [error] = notes.read(note)
    assert isinstance(error, InputError) and (error.line, error.column) == (5, 6)
    assert "defined for (a)" in error.message


@pytest.mark.parametrize("name, line, column, message", [
    ("unbalanced-braces.tex", 5, 14, "never closed"),
    ("unknown-macro.md", 7, 7, r"unknown command \myexp"),
    ("wrong-restatement.tex", 5, 1, "restates x^{2} + y^{2}, but the chain is at"),
])
def test_broken_notes_are_input_errors_at_their_place(name, line, column, message):
    first = notes.read(NOTES / "broken" / name)[0]
    assert isinstance(first, InputError)
    assert (first.line, first.column) == (line, column)
    assert message in first.message


def test_a_broken_chain_does_not_stop_the_others():
    broken, good = notes.read(NOTES / "broken" / "unbalanced-braces.tex")
    assert isinstance(broken, InputError)
    assert verdicts(check(good)) == [Verdict.PROVED]


@pytest.mark.parametrize("row", [r"\input{secret.tex}", r"\write18{touch /tmp/x}",
                                 r"\catcode`\@=11", r"\immediate\write18{ls}", r"\def\x{1}"])
def test_hostile_latex_is_refused_never_run(tmp_path, row):
    note = tmp_path / "n.tex"
    note.write_text(f"% derive: T\n% symbols: {{a: real}}\n\\begin{{align*}}\na &= {row}\n\\end{{align*}}\n")
    [error] = notes.read(note)
    assert isinstance(error, InputError) and "refused" in error.message and error.line == 4


def test_a_million_nested_braces_are_refused(tmp_path):
    note = tmp_path / "n.tex"
    note.write_text("% derive: T\n% symbols: {a: real}\n\\begin{align*}\na &= "
                    + "{" * 10**6 + "a" + "}" * 10**6 + "\n\\end{align*}\n")
    [error] = notes.read(note)
    assert isinstance(error, InputError) and "longer than" in error.message


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    note = tmp_path / "big.md"
    with note.open("wb") as handle:
        handle.truncate(50 * 10**6)  # 50 MB, sparse: nothing is written
    with pytest.raises(InputError, match="larger than"):
        notes.read(note)


def test_a_file_without_a_marked_chain_says_how_to_mark_one(tmp_path):
    note = tmp_path / "n.md"
    note.write_text("# Notes\n$$ a = b $$\n")
    with pytest.raises(InputError, match="no chain is marked"):
        notes.read(note)


def test_derive_check_takes_notes_and_one_chain_of_them():
    runner = CliRunner()
    result = runner.invoke(main, ["check", "--no-cache", str(NOTES / "lecture.tex")])
    assert result.exit_code == 1 and "refuted" in result.output and "lecture.tex:19" in result.output
    result = runner.invoke(main, ["check", "--no-cache", str(NOTES / "lecture.tex") + "#1"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["check", "--no-cache", str(NOTES / "lecture.tex") + "#3"])
    assert result.exit_code == 2 and "has 2 chain(s)" in result.output


# -- round trip ----------------------------------------------------------------------------------
def _expressions():
    derivations = [catalog.get(name) for name in catalog.ids()]
    derivations += [files.read(path) for path in sorted(GOOD.glob("*.deriv.yaml"))]
    for derivation in derivations:
        for expr in [derivation.start] + [s.expr for s in derivation.steps] + \
                [sp.Eq(g.lhs, g.rhs, evaluate=False) for g in derivation.givens.values()]:
            # What a file's definitions stand for (the notes have no definitions), without
            # the notation the LaTeX reader does not read yet (max over a range, binomial,
            # Gamma); an equation is written lhs = rhs: each side reads back (between matrices,
            # the whole equation: 0 is the zero matrix of the other side's size).
            expr = unfold_written(expr)
            sides = [s for e in equations_of(expr) for s in (e.lhs, e.rhs)] \
                if is_equation(expr) and not has_matrices(expr) else [expr]
            for side in sides:
                if not side.has(*EXTREMA, sp.binomial, sp.gamma):
                    yield derivation, side


def test_what_the_renderer_writes_reads_back_to_the_same_expression():
    read, failures = 0, []
    for derivation, expr in _expressions():
        tex = to_latex(expr)
        try:
            back = read_equation(tex, derivation.context)
        except ExpressionError as exc:
            failures.append((derivation.id, tex, str(exc)))
            continue
        # SymPy evaluates as the reader builds (2 (y - a x) distributed, log_2(1/2) = -1), while
        # the catalog keeps some worked numbers unevaluated: the same expression up to evaluation
        if not (alpha(back) == alpha(expr) or sp.expand(alpha(back)) == sp.expand(alpha(expr))):
            failures.append((derivation.id, tex, f"read back as {back}"))
        read += 1
    assert read >= 348 and not failures, "\n".join(map(str, failures))  # 348 at this commit


# -- latex: as the input of a step in a derivation file -----------------------------------------
def test_a_step_written_in_latex_alone_is_read_from_it(tmp_path):
    path = tmp_path / "t.deriv.yaml"
    path.write_text("title: t\nsymbols: {a: real, b: real}\nstart: (a + b)**2\nsteps:\n"
                    "  - latex: 'a^2 + 2ab + b^2'\n  - latex: 'a^2 + b^2'\n")
    report = check(files.read(path))
    assert verdicts(report) == [Verdict.PROVED, Verdict.REFUTED]
    assert report.steps[1].step.line == 6


def test_a_latex_step_error_is_at_its_column(tmp_path):
    path = tmp_path / "t.deriv.yaml"
    path.write_text("title: t\nsymbols: {a: real}\nstart: a\nsteps:\n  - latex: 'a + \\input{x}'\n")
    with pytest.raises(InputError, match="refused") as caught:
        files.read(path)
    assert (caught.value.line, caught.value.column) == (5, 16)


# -- annotated notes -----------------------------------------------------------------------------
def test_annotated_latex_marks_each_row_and_reads_back_to_the_same_verdicts(tmp_path):
    out = tmp_path / "annotated.tex"
    result = CliRunner().invoke(main, ["check", "--no-cache", str(NOTES / "lecture.tex"),
                                       "--annotate", str(out)])
    assert result.exit_code == 1 and out.exists(), result.output
    lines = out.read_text().splitlines()
    assert lines[18].startswith(r"\tag*{\text{$\times$ at a = ") and "a^2 + b^2 &&" in lines[18]
    assert lines[17].startswith(r"\tag*{\text{$\surd$}}")
    again = [check(d) for d in notes.read(out)]
    assert [verdicts(r) for r in again] == [[Verdict.PROVED] * 2,
                                           [Verdict.PROVED, Verdict.REFUTED, Verdict.PROVED]]


def test_annotated_markdown_numbers_the_counterexamples(tmp_path):
    note, out = tmp_path / "n.md", tmp_path / "out.md"
    note.write_text("<!-- derive\ntitle: T\nsymbols: {a: real, b: real}\n-->\n\n"
                    "$$\n(a + b)^2 = a^2 + b^2\n$$\n")
    result = CliRunner().invoke(main, ["check", "--no-cache", str(note), "--annotate", str(out)])
    assert result.exit_code == 1, result.output
    text = out.read_text()
    assert r"\tag*{\text{✗ [1]}} (a + b)^2 = a^2 + b^2" in text
    assert "1. Line 7, T, step 1: refuted at a = " in text


def test_annotate_takes_one_notes_file_and_a_matching_suffix(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["check", "bernoulli-bce", "--annotate", str(tmp_path / "o.tex")])
    assert result.exit_code == 2 and "one notes file" in result.output
    result = runner.invoke(main, ["check", str(NOTES / "map-blog.md"), "--annotate",
                                  str(tmp_path / "o.tex")])
    assert result.exit_code == 2 and "Markdown note as .md" in result.output


@pytest.mark.skipif(not __import__("derivations.documents.tex").documents.tex.available(), reason="no TeX engine")
def test_annotated_pdf_compiles(tmp_path):
    out = tmp_path / "annotated.pdf"
    result = CliRunner().invoke(main, ["check", str(NOTES / "lecture.tex"), "--annotate", str(out)])
    assert result.exit_code == 1 and out.read_bytes().startswith(b"%PDF"), result.output


def test_a_row_without_a_relation_continues_the_row_above():
    [derivation] = notes.read(NOTES / "continued-rows.tex")
    a, b, c = (derivation.context.lookup(n).obj for n in "abc")
    first, second = derivation.steps
    assert first.expr == 2 * a**2 + 2 * b**2 + c and first.by == "expand both squares"
    assert first.line == 5 and second.line == 7
    assert verdicts(check(derivation)) == [Verdict.PROVED, Verdict.PROVED]
