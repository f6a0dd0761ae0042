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
    result.stdout.fnmatch_lines(["*gaussian-least-squares.deriv.yaml::step-6 PROVED*"])


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


def test_a_failure_names_its_file_in_the_header_and_a_relative_path_in_the_summary(folder):
    pytester = folder(CORPUS / "bad" / "wrong-normaliser.deriv.yaml")
    result = pytester.runpytest(*LOAD, "-rf")
    result.stdout.fnmatch_lines([
        "*_ wrong-normaliser.deriv.yaml::step-2 (line 16) _*",
        "FAILED wrong-normaliser.deriv.yaml::step-2 - wrong-normaliser.deriv.yaml:16*",
    ])
    failures = result.stdout.str().split("FAILURES")[1]
    assert str(pytester.path) not in failures


def test_the_derivation_marker_selects_the_steps(folder):
    pytester = folder(CORPUS / "good" / "ce-kl-entropy.deriv.yaml")
    (pytester.path / "test_plain.py").write_text("def test_plain():\n    pass\n")
    only = pytester.runpytest(*LOAD, "--strict-markers", "-m", "derivation")
    only.assert_outcomes(passed=2, deselected=1)
    without = pytester.runpytest(*LOAD, "--strict-markers", "-m", "not derivation")
    without.assert_outcomes(passed=1, deselected=2)


def test_verbose_says_proved_or_checked_and_the_second_run_recalls(pytester, monkeypatch):
    monkeypatch.setenv("DERIVATIONS_CACHE_DIR", str(pytester.path / "verdicts"))
    (pytester.path / "mixed.deriv.yaml").write_text(
        "title: one step proved, one only checked\n"
        "symbols:\n  n: positive integer\n  i: integer\n  x: real sequence\n"
        "start: Sum(x[i], (i, 1, n))**2\n"
        "steps:\n  - expr: Sum(x[i], (i, 1, n))**2 + 0\n"
        "  - expr: n*Sum(x[i]**2, (i, 1, n))\n    relation: '<='\n")
    first = pytester.runpytest(*LOAD, "-v")
    first.assert_outcomes(passed=2)
    first.stdout.fnmatch_lines(["*mixed.deriv.yaml::step-1 PROVED*",
                                "*mixed.deriv.yaml::step-2 CHECKED*"])
    assert "(cached)" not in first.stdout.str()
    second = pytester.runpytest(*LOAD, "-v")
    second.stdout.fnmatch_lines(["*mixed.deriv.yaml::step-1 PROVED (cached)*",
                                 "*mixed.deriv.yaml::step-2 CHECKED (cached)*"])
    afresh = pytester.runpytest(*LOAD, "-v", "--derivations-no-cache")
    afresh.assert_outcomes(passed=2)
    assert "(cached)" not in afresh.stdout.str()


def test_a_timeout_that_is_not_a_finite_positive_number_is_refused(folder):
    pytester = folder(CORPUS / "good" / "gaussian-least-squares.deriv.yaml")
    result = pytester.runpytest(*LOAD, "--derivations-timeout", "nan")
    assert result.ret != 0
    assert "finite positive number" in "\n".join(result.outlines + result.errlines)
