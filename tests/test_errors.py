"""One error tree, one exit code per kind (0 passed, 1 failed, 2 input or usage, 3 internal), and
nothing crashes or hangs: a test per fault of issue 13 section 5."""

import sympy as sp
import pytest
from click.testing import CliRunner

from cli.main import main
from derivations.settings import CheckSettings
from derivations import checker, errors
from derivations.reading import files
from derivations.running.cache import VerdictCache
from derivations.checker import check_step, claims
from derivations.model import DerivationError
from derivations.kernel import REAL, Context, ContextError, Given, Relation, Verdict
from derivations.model import Derivation, Step
from derivations.reading.expressions import ExpressionError, UndeclaredName, parse_expression
from derivations.documents.render import RenderRefused
from derivations.reading.sources import InputError, UsageError
from derivations.documents.tex import TexFailed, TexUnavailable
from derivations.timelimit import StepTimeout

GOOD = """title: good
symbols: {x: real}
start: x + x
steps:
  - expr: 2*x
"""


def _write(tmp_path, text: str, name: str = "f.deriv.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _run(*args):
    return CliRunner().invoke(main, ["check", "--no-cache", "--jobs", "1", *args])


@pytest.mark.parametrize("kind, code", [
    (InputError, 2), (ExpressionError, 2), (UndeclaredName, 2), (DerivationError, 2),
    (ContextError, 2), (TexFailed, 2), (UsageError, 2), (TexUnavailable, 2),
    (RenderRefused, 1), (errors.InternalError, 3)])
def test_every_error_is_in_the_tree_and_knows_its_exit_code(kind, code):
    assert issubclass(kind, errors.DerivationsError) and kind.exit_code == code


def test_exit_0_when_every_step_passes(tmp_path):
    assert _run(_write(tmp_path, GOOD)).exit_code == 0


def test_exit_1_when_a_step_is_refuted(tmp_path):
    result = _run(_write(tmp_path, GOOD.replace("2*x", "3*x")))
    assert result.exit_code == 1 and "refuted" in result.output


def test_exit_2_for_an_input_error_with_its_place(tmp_path):
    path = _write(tmp_path, GOOD.replace("2*x", "2*y"))
    result = _run(path)
    assert result.exit_code == 2 and f"{path}:5:" in result.output
    assert "undeclared name 'y'" in result.output


def test_exit_2_for_a_usage_error():
    assert _run("--all", "bernoulli-bce").exit_code == 2


def test_exit_3_for_an_internal_error_never_1(tmp_path, monkeypatch):
    def broken(self, relation):
        raise KeyError("a bug")

    monkeypatch.setattr(checker._StepTactic, "value_relation", broken)
    result = _run(_write(tmp_path, GOOD))
    assert result.exit_code == 3
    assert "internal error" in result.output and "please report" in result.output


def test_exit_3_for_an_internal_error_in_a_worker_process(tmp_path, monkeypatch):
    def broken(self, relation):
        raise KeyError("a bug")

    monkeypatch.setattr(checker._StepTactic, "value_relation", broken)  # forked workers too
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    result = _run("--jobs", "2", _write(first, GOOD), _write(second, GOOD))
    assert result.exit_code == 3
    assert "internal error" in result.output and "please report" in result.output


def test_render_of_a_failing_chain_exits_1(tmp_path):
    result = CliRunner().invoke(main, ["render", "--no-cache",
                                       _write(tmp_path, GOOD.replace("2*x", "3*x"))])
    assert result.exit_code == 1 and "--allow-unverified" in result.output


def test_a_bound_waits_for_a_later_symbol_by_the_type_of_the_error():
    context = Context()
    with pytest.raises(UndeclaredName):
        parse_expression("later + 1", context)
    with pytest.raises(ExpressionError) as caught:
        parse_expression("1 +", context)
    assert not isinstance(caught.value, UndeclaredName)


# -- nothing crashes, nothing hangs ------------------------------------------------------------
def _derivation(using=()):
    context = Context()
    x = context.symbol("x")
    givens = {"g": Given("g", x, sp.Integer(3))}
    return Derivation("d", "d", context, 2 * x, (Step(x + x, Relation.EQ, using=using),),
                      givens=givens)


@pytest.mark.parametrize("failure", [StepTimeout(), OverflowError("too big")])
def test_givens_are_applied_inside_the_time_limit_and_the_error_handling(monkeypatch, failure):
    derivation = _derivation(using=("g",))

    def failing(expr, givens):
        raise failure

    monkeypatch.setattr(checker.kernel, "apply_givens", failing)
    (claim,) = claims(derivation)
    judgement = check_step(derivation, claim, CheckSettings())
    assert judgement.verdict is Verdict.UNDECIDED


def test_a_bug_in_a_step_is_an_internal_error(monkeypatch):
    derivation = _derivation()

    def broken(self, relation):
        raise AttributeError("a bug")

    monkeypatch.setattr(checker._StepTactic, "value_relation", broken)
    with pytest.raises(errors.InternalError, match="step 1"):
        check_step(derivation, claims(derivation)[0], CheckSettings())


@pytest.mark.parametrize("given, start", [
    ("k = 10**40", "3**k"), ("k = 10**5", "factorial(k)"), ("k = 10**3", "(10**k)**k"),
])
def test_a_given_that_would_build_a_huge_number_is_refused_at_its_using(tmp_path, given, start):
    text = (f"title: t\nsymbols: {{k: real, x: real}}\ngiven: {{g: {given}}}\n"
            f"start: {start}\nsteps:\n  - expr: x - x + {start}\n    using: [g]\n")
    if "factorial" in start:
        text = text.replace("k: real", "k: integer")
    with pytest.raises(InputError) as caught:
        files.read(_write(tmp_path, text))
    assert caught.value.line == 7 and "using given 'g'" in caught.value.message


def test_a_given_that_builds_small_numbers_is_fine(tmp_path):
    text = ("title: t\nsymbols: {k: real, x: real}\ngiven: {g: k = 10}\n"
            "start: 3**k*x\nsteps:\n  - expr: 59049*x\n    using: [g]\n")
    (step,) = checker.check(files.read(_write(tmp_path, text))).steps
    assert step.verdict is Verdict.PROVED


def test_an_entry_without_an_index_is_an_input_error():
    context = Context()
    context.sequence("x", REAL)
    with pytest.raises(ExpressionError, match="no index"):
        parse_expression("x[()]", context)


def test_a_claim_with_a_number_past_the_printing_limit_has_a_cache_key(tmp_path):
    context = Context()
    x = context.symbol("x")
    huge = sp.factorial(1000)**2
    step = (Step(huge * x + x - x, Relation.EQ),)
    (claim,) = claims(Derivation("d", "d", context, huge * x, step))
    (other,) = claims(Derivation("d", "d", context, (huge + 1) * x, step))
    cache = VerdictCache(tmp_path)
    assert cache.key(claim.statement) != cache.key(other.statement)


def test_numbers_too_long_to_print_are_refused_when_read():
    with pytest.raises(ExpressionError, match="bits"):
        parse_expression("factorial(1000)*factorial(1000)", Context())
    assert parse_expression("factorial(1000)", Context()) == sp.factorial(1000)


@pytest.mark.parametrize("latex, problem", [
    (r"2x \input{/etc/passwd}", r"\input"), (r"\include{x}", r"\include"),
    (r"\write18{rm -rf ~}", r"\write"), (r"\immediate\write18{ls}", r"\immediate"),
    (r"\openin5=x", r"\openin"), (r"\catcode 13=13", r"\catcode"), (r"\def\x{1}", r"\def"),
    (r"\csname x\endcsname", r"\csname"), (r"\let\a\b", r"\let"),
    (r"\newcommand{\a}{b}", r"\newcommand"), (r"\read16 to \x", r"\read"),
    (r"\frac{2x}{1", "not matched"), (r"2x}", "not matched"),
    (r"^^5cinput{/etc/passwd}", "^^"), (r"\@@input x", r"\@@input"),
])
def test_a_dangerous_or_unbalanced_latex_display_is_refused_with_its_place(tmp_path, latex,
                                                                           problem):
    text = GOOD + f"    latex: '{latex}'\n"
    with pytest.raises(InputError) as caught:
        files.read(_write(tmp_path, text))
    assert caught.value.line == 6 and problem in caught.value.message


@pytest.mark.parametrize("latex", [r"\frac{2x}{1}", r"\left\{ 2x \right\}", r"2 x \quad (\text{def})",
                                   r"\mathrm{d}x \\ \{"])
def test_an_ordinary_latex_display_is_kept(tmp_path, latex):
    text = GOOD + f"    latex: '{latex}'\n"
    assert files.read(_write(tmp_path, text)).steps[0].latex == latex


def test_settings_are_validated_once_where_they_are_made():
    from derivations.errors import UsageError
    from derivations.settings import DEFAULT_TIMEOUT, CheckSettings

    assert CheckSettings().timeout == DEFAULT_TIMEOUT and CheckSettings().jobs == 1
    for bad in (dict(timeout=float("nan")), dict(timeout=float("inf")), dict(timeout=0),
                dict(timeout=-1.0), dict(timeout="5"), dict(timeout=True), dict(jobs=-1),
                dict(jobs=1.5)):
        with pytest.raises(UsageError):
            CheckSettings(**bad)


def test_the_assertion_helpers_validate_their_settings():
    from derivations.errors import UsageError
    from derivations.testing import assert_equal

    x = sp.Symbol("x")
    with pytest.raises(UsageError):
        assert_equal(2 * x, x + x, timeout=float("nan"))
