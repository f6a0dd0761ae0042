"""Fuzzing the input handling with Hypothesis: generated expressions and YAML documents through
the parser, the reader and `derive check` raise only their own input errors, never anything
else, and never hang.  CI runs a sample; DERIVATIONS_FUZZ_EXAMPLES=10000 runs the full fuzz."""

import os
import time

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derivations.cli.main import main
from derivations.reading import files
from derivations.reading.sources import InputError
from derivations.reading.expressions import ExpressionError, parse_expression
from helpers import scalar_context

EXAMPLES = int(os.environ.get("DERIVATIONS_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 150,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def context():
    ctx = scalar_context()
    ctx.sequence("x")
    ctx.function("f", 2)
    return ctx


ATOMS = st.sampled_from(["theta", "sigma", "n", "i", "x[i]", "x[1]", "f(x[i], theta)", "pi", "E",
                         "0", "1", "2", "0.5", "10**9", "9**9**9", "__import__", "x.y", "''",
                         "lambda: 0", "[1]", "{}", "...", "True", "None", "1e999", "-0"])
CALLS = ["log", "exp", "sqrt", "Abs", "sign", "sigmoid", "softplus", "factorial", "Max", "Min",
         "KroneckerDelta", "Sum", "Product", "Derivative", "Piecewise", "eval", "open", "getattr"]


def _combine(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**", "//", "%", "@", "<", "and"]),
                  children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(CALLS), st.lists(children, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(children, children).map(lambda t: f"Sum({t[0]}, (i, {t[1]}, n))"),
        st.tuples(children, children).map(lambda t: f"Piecewise(({t[0]}, {t[1]} < 1), (0, True))"),
        children.map(lambda c: f"-{c}"),
    )


EXPRESSIONS = st.one_of(st.recursive(ATOMS, _combine, max_leaves=12),
                        st.text(alphabet="xni()[],.+-*/ 0123456789eE_'\"\\:{}", max_size=60),
                        st.text(max_size=40))


@FUZZ
@given(EXPRESSIONS)
def test_the_parser_builds_an_expression_or_says_what_is_wrong(text):
    started = time.perf_counter()
    try:
        parse_expression(text, context())
    except ExpressionError as error:
        assert str(error)
    assert time.perf_counter() - started < 1.0


VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=20), EXPRESSIONS),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(max_size=8), children, max_size=3)),
    max_leaves=10)
KEYS = st.sampled_from(files.TOP_KEYS + files.STEP_KEYS + ("stepz", "over", "sense", "x"))
DOCUMENTS = st.one_of(
    st.dictionaries(KEYS, VALUES, max_size=8),
    st.fixed_dictionaries({
        "title": st.text(max_size=10),
        "symbols": st.dictionaries(st.sampled_from(["x", "n", "i", "p", "theta", "_x", "log"]),
                                   st.sampled_from(["real", "positive", "positive integer",
                                                    "integer", "real sequence", "in (0, 1)",
                                                    "integer in [1, n]", "function of 2 arguments",
                                                    "rael", "sequence in (0, q)"]), max_size=4),
        "start": EXPRESSIONS,
        "steps": st.lists(st.fixed_dictionaries(
            {"expr": EXPRESSIONS},
            optional={"relation": st.sampled_from(["=", "<=", ">", "approx", "same optimizers",
                                                   "=="]),
                      "using": st.lists(st.text(max_size=4), max_size=2),
                      "sense": st.sampled_from(["maximize", "minimize", "up"])}), max_size=3),
    }),
)


@FUZZ
@given(DOCUMENTS)
def test_the_reader_reads_a_document_or_names_the_error(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("fuzz") / "f.deriv.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    try:
        files.read(path)
    except InputError as error:
        assert str(error).startswith(str(path))


@settings(max_examples=max(EXAMPLES // 10, 15), deadline=None, derandomize=EXAMPLES <= 150,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(DOCUMENTS)
def test_derive_check_exits_0_1_or_2_with_a_message(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("fuzz") / "f.deriv.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--timeout", "1", str(path)])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.output
