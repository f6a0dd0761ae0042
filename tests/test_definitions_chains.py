"""Issue 15: definitions (``define:``), several chains per file with lemmas weighed by their
chain, and the notation lecturers use (``ln``, Max/Min over a range, special functions, finite
sets, the slips that get a fix)."""

import dataclasses
from pathlib import Path

import pytest
import sympy as sp

from derivations.checker import check
from derivations.kernel import (
    Chain, ChainError, Context, Given, Relation, RuleError, Statement, Verdict, from_lemmas,
    undecided,
)
from derivations.kernel.definitions import ln, unfold_written
from derivations.kernel.extrema import MaxOver
from derivations.reading import files
from derivations.reading.expressions import ExpressionError, parse_expression
from derivations.reading.sources import InputError

GOOD = Path(__file__).parent / "derivations" / "good"


def read_text(tmp_path, text):
    path = tmp_path / "t.deriv.yaml"
    path.write_text(text, encoding="utf-8")
    return files.read_all(path)


# -- definitions ---------------------------------------------------------------------------------
DEFINED = """title: t
symbols:
  K: positive integer
  k: integer
  x: real
  p: positive sequence
  q: positive sequence
define:
  H(r): -Sum(r[k]*log(r[k]), (k, 1, K))
  KL(r, s): Sum(r[k]*log(r[k]/s[k]), (k, 1, K))
  sq(x): x**2 + 1
start: {start}
steps:
  - expr: 0
"""


@pytest.mark.parametrize("start, message, column", [
    ("KL(p)", "KL takes 2 argument(s), not 1: write KL(r, s)", 8),
    ("H(x)", "argument 1 of H is a sequence", 10),
    ("H(p[1])", "argument 1 of H is a sequence", 10),
    ("sq(p)", "'p' is a sequence", 11),
    ("H", "'H' is a defined function: call it, such as H(r)", 8),
])
def test_a_definition_used_wrongly_is_an_input_error_at_its_place(tmp_path, start, message,
                                                                   column):
    with pytest.raises(InputError) as caught:
        read_text(tmp_path, DEFINED.format(start=start))
    assert message in caught.value.message
    assert (caught.value.line, caught.value.column) == (12, column)


def test_a_definition_is_folded_for_display_and_unfolded_for_the_kernel(tmp_path):
    (derivation,) = read_text(tmp_path, DEFINED.format(start="sq(x) + H(p)"))
    assert str(derivation.start) == "H(p) + sq(x)"
    statement = Statement(derivation.context, derivation.start, sp.S(0), Relation.EQ)
    x = derivation.context.lookup("x").obj
    assert statement.before.has(sp.Sum) and statement.before.has(x**2)
    assert "sq" not in str(statement.before) and "H(" not in str(statement.before)


def test_a_parameter_is_fresh_not_the_declared_symbol_of_its_name(tmp_path):
    (derivation,) = read_text(tmp_path, DEFINED.format(start="sq(x + 1)"))
    x = derivation.context.lookup("x").obj
    assert sp.expand(unfold_written(derivation.start) - ((x + 1)**2 + 1)) == 0


@pytest.mark.parametrize("define, message", [
    ("  F(m): m*F(m - 1)", "'F' is used in its own definition"),
    ("  A(y): B(y)\n  B(y): A(y)", "uses 'B', defined after it"),
    ("  x: 1", "'x' is already a declared or built-in name"),
    ("  log(y): y", "'log' is already a declared or built-in name"),
    ("  f(y, y): y", "the parameters are distinct names"),
])
def test_definitions_that_cannot_be_unfolded_are_refused(tmp_path, define, message):
    text = f"title: t\nsymbols:\n  x: real\ndefine:\n{define}\nstart: x\nsteps:\n  - expr: x\n"
    with pytest.raises(InputError) as caught:
        read_text(tmp_path, text)
    assert message in caught.value.message and caught.value.line


# -- chains and lemmas ---------------------------------------------------------------------------
TWO_CHAINS = """title: t
symbols:
  x: real
chains:
  - id: first
    start: (x + 1)**2
    steps:
      - expr: {first}
  - id: second
    start: x + 1
    steps:
      - expr: 1 + x
        using: [first]
"""


@pytest.mark.parametrize("first, verdict", [
    ("x**2 + 2*x + 1", Verdict.PROVED),      # an established lemma: the step keeps its verdict
    ("x**2 + 1", Verdict.UNDECIDED),         # a refuted lemma: a step proved from it is not
])
def test_a_step_citing_a_chain_is_worth_at_most_that_chain(tmp_path, first, verdict):
    chains = read_text(tmp_path, TWO_CHAINS.format(first=first))
    assert [d.id for d in chains] == ["t.first", "t.second"]
    report = check(chains[1])
    assert report.steps[0].verdict is verdict
    if verdict is Verdict.UNDECIDED:
        assert "chain 'first', which is not established" in report.steps[0].judgement.method
        assert not report.chain.passed


def test_a_chain_refuses_a_judgement_on_a_lemma_not_weighed_against_it(tmp_path):
    chains = read_text(tmp_path, TWO_CHAINS.format(first="x**2 + 1"))
    first = check(chains[0]).chain
    second = chains[1]
    lemma = first.conclusion("first")
    statement = Statement(second.context, second.start, second.steps[0].expr, Relation.EQ,
                          (lemma,))
    chain = Chain(second.context, second.start, None, (), {"first": first})
    with pytest.raises(ChainError, match="from_lemmas"):
        chain.extend(undecided(statement, "not weighed"))


def test_from_lemmas_refuses_a_given_that_is_not_the_chain_s_conclusion(tmp_path):
    chains = read_text(tmp_path, TWO_CHAINS.format(first="x**2 + 2*x + 1"))
    first = check(chains[0]).chain
    x = chains[0].context.lookup("x").obj
    forged = Given("first", (x + 1)**2, x**2)  # not what chain 'first' concludes
    statement = Statement(chains[1].context, chains[1].start, chains[1].steps[0].expr,
                          Relation.EQ, (forged,))
    with pytest.raises(RuleError, match="not what that chain concludes"):
        from_lemmas(undecided(statement, "x"), {"first": first})


def test_only_a_chain_of_equalities_is_cited(tmp_path):
    text = TWO_CHAINS.format(first="x**2 + 2*x + 1").replace(
        "      - expr: x**2 + 2*x + 1", "      - expr: x**2 + 2*x\n        relation: '>='")
    with pytest.raises(InputError, match="only a chain of equalities"):
        read_text(tmp_path, text)


def test_the_lecture_file_proves_each_of_its_chains():
    chains = files.read_all(GOOD / "lecture-least-squares.deriv.yaml")
    known: dict = {}
    reports = [check(d, known=known) for d in chains]
    assert [r.derivation.chain for r in reports] == ["loss", "gradient", "estimator"]
    assert all(r.passed(strict=True) for r in reports)
    assert files.read(GOOD / "lecture-least-squares.deriv.yaml").chain == "estimator"
    assert reports[-1].derivation.steps[-1].expr.lhs.name == "w"  # ends in the estimator w = ...


def test_the_estimator_is_not_proved_through_a_wrong_gradient(tmp_path):
    """The lecture with a slip in its gradient chain: the estimator's step that cites the
    gradient is not proved, whatever it says."""
    text = (GOOD / "lecture-least-squares.deriv.yaml").read_text().replace(
        "      - expr: 2*w*Sxx - 2*Sxt\n", "      - expr: 3*w*Sxx - 2*Sxt\n")
    path = tmp_path / "lecture.deriv.yaml"
    path.write_text(text)
    known: dict = {}
    reports = [check(d, known=known) for d in files.read_all(path)]
    assert reports[1].steps[1].verdict is Verdict.REFUTED
    cites = [s for s in reports[2].steps if "gradient" in s.step.using]
    assert cites and all(s.verdict is not Verdict.PROVED for s in cites)


# -- notation ------------------------------------------------------------------------------------
def context():
    ctx = Context()
    for name in ("x", "n", "p", "a"):
        ctx.symbol(name)
    ctx.symbol("K", __import__("derivations.kernel", fromlist=["POSITIVE_INTEGER"]).POSITIVE_INTEGER)
    ctx.symbol("k", __import__("derivations.kernel", fromlist=["integer_range"]).integer_range(-100))
    ctx.sequence("y")
    return ctx


@pytest.mark.parametrize("text, message", [
    ("x^2", "write ** for powers"),
    ("e**x", "use E (or exp"),
    ("n p", "write the product with *, such as n*p"),
    ("Sum(y[j], (j, 1, n))", "declare j: integer"),
    ("Max(y[k], (k, 3, 1))", "empty range"),
    ("2**sqrt(2)", "an exponent must be a plain number"),
])
def test_common_slips_get_a_fix(text, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace("*", r"\*")):
        parse_expression(text, context())


def test_ln_is_log_for_the_kernel_and_ln_when_printed():
    expr = parse_expression("ln(x)", context())
    assert isinstance(expr, ln) and unfold_written(expr) == sp.log(context().lookup("x").obj)
    from derivations.documents.notation import to_latex
    assert to_latex(expr).startswith(r"\ln")


def test_max_over_a_range_is_bound_and_never_evaluated():
    expr = parse_expression("Max(y[k], (k, 1, 3)) + Max(1, sqrt(2))", context())
    (over,) = expr.atoms(MaxOver)
    (index, _, _), = over.limits
    assert index != context().lookup("k").obj  # a bound index, not the declared k
    assert expr.has(sp.Max)  # Max(1, sqrt(2)) kept as written, not folded by evalf
    assert str(over) == "Max(y[k], (k, 1, 3))"


def test_irrational_and_symbolic_exponents_of_a_symbol():
    assert parse_expression("x**log(2) + x**a", context()).has(sp.log)


def test_a_finite_set_is_a_range_of_integers(tmp_path):
    text = "title: t\nsymbols:\n  t: in {0, 1}\nstart: t\nsteps:\n  - expr: t\n"
    (derivation,) = read_text(tmp_path, text)
    domain = derivation.context.lookup("t").domain
    assert domain.integer and (domain.lower, domain.upper) == (0, 1)
    with pytest.raises(InputError, match="has gaps"):
        read_text(tmp_path, text.replace("{0, 1}", "{0, 2}"))


def test_a_title_with_a_colon_is_told_to_be_quoted(tmp_path):
    with pytest.raises(InputError, match="quote the text"):
        read_text(tmp_path, "title: MLE: the mean\nsymbols:\n  x: real\nstart: x\nsteps:\n"
                            "  - expr: x\n")
