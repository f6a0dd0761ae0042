"""The pytest plugin, through a nested pytest run (pytester)."""

from importlib.metadata import entry_points
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "derivations"
INSTALLED = any(e.name == "derivations" for e in entry_points(group="pytest11"))
# Installed, the plugin loads by its entry point; in a bare checkout it is named explicitly.
LOAD = [] if INSTALLED else ["-p", "derivations.pytest_plugin"]


@pytest.fixture
def folder(pytester):
    def make(*sources):
        for source in sources:
            target = pytester.path / source.name
            target.write_text(source.read_text())
        return pytester
    return make


def test_correct_files_pass_one_item_per_step(folder):
    pytester = folder(CORPUS / "good" / "gaussian-least-squares.deriv.yaml",
                      CORPUS / "good" / "ce-kl-entropy.deriv.yaml")
    result = pytester.runpytest(*LOAD, "-v")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(["*gaussian-least-squares.deriv.yaml::step-6 PASSED*"])


def test_a_wrong_file_fails_with_its_counterexample_and_no_traceback(folder):
    pytester = folder(CORPUS / "bad" / "wrong-normaliser.deriv.yaml")
    result = pytester.runpytest(*LOAD)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*wrong-normaliser.deriv.yaml:16: step 2 is refuted, not proved or checked",
        "*step 2 refuted: left * right * at n=*, sigma=*",
    ])
    assert "Traceback" not in result.stdout.str() and "raise StepFailed" not in result.stdout.str()


def test_strict_fails_a_step_that_is_only_checked(pytester):
    (pytester.path / "checked.deriv.yaml").write_text(
        "title: Cauchy-Schwarz, which the checker can only check numerically\n"
        "symbols:\n  n: positive integer\n  i: integer\n  x: real sequence\n"
        "start: Sum(x[i], (i, 1, n))**2\n"
        "steps:\n  - expr: n*Sum(x[i]**2, (i, 1, n))\n    relation: '<='\n")
    lenient = pytester.runpytest(*LOAD)
    strict = pytester.runpytest(*LOAD, "--derivations-strict")
    lenient.assert_outcomes(passed=1)
    strict.assert_outcomes(failed=1)
    strict.stdout.fnmatch_lines(["*step 1 is checked, not proved (--derivations-strict)*"])


def test_an_unreadable_file_is_one_failing_item_with_its_error(pytester):
    (pytester.path / "broken.deriv.yaml").write_text("title: t\nstart: x\nsteps:\n  - expr: x\n")
    result = pytester.runpytest(*LOAD)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*broken.deriv.yaml:2:*undeclared name 'x'*"])


def test_collection_can_be_turned_off(folder):
    pytester = folder(CORPUS / "bad" / "wrong-normaliser.deriv.yaml")
    result = pytester.runpytest(*LOAD, "--no-derivations")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_a_timeout_that_is_not_a_finite_positive_number_is_refused(folder):
    pytester = folder(CORPUS / "good" / "gaussian-least-squares.deriv.yaml")
    result = pytester.runpytest(*LOAD, "--derivations-timeout", "nan")
    assert result.ret != 0
    assert "finite positive number" in "\n".join(result.outlines + result.errlines)
