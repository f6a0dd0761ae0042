"""The `derive` command through click's CliRunner: output and every exit code."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cli.main import main

CORE = ["gaussian-least-squares", "bernoulli-bce", "categorical-ce", "ce-kl-entropy"]


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def test_help_does_not_import_sympy():
    code = ("import sys; from cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'sympy' not in sys.modules, 'sympy imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Exit codes" in result.stdout


def test_check_strict_passes_the_four_core_derivations(run):
    result = run("check", "--strict", *CORE)
    assert result.exit_code == 0, result.output
    assert "4 derivation(s): 4 passed, 0 failed" in result.output
    assert "refuted" in result.output  # the column of counts, "0 refuted"


def test_check_json_follows_the_spec(run):
    result = run("check", "--json", "ce-kl-entropy")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["passed"] is True
    (entry,) = report["files"]
    assert entry["path"] == "ce-kl-entropy" and entry["error"] is None
    assert [s["index"] for s in entry["steps"]] == [1, 2, 3]
    assert {"index", "relation", "verdict", "method", "seconds"} <= set(entry["steps"][0])
    assert report["summary"] == {"proved": 3, "checked": 0, "refuted": 0, "undecided": 0, "errors": 0}


def test_a_step_out_of_time_exits_1(run):
    result = run("check", "--timeout", "0.000001", "categorical-ce")
    assert result.exit_code == 1
    assert "undecided" in result.output and "hint:" in result.output


@pytest.mark.parametrize("args, message", [
    (["check"], "name a derivation"),
    (["check", "gausian-least-squares"], "did you mean 'gaussian-least-squares'"),
    (["check", "--all", "bernoulli-bce"], "not both"),
    (["check", "--timeout", "0", "bernoulli-bce"], "--timeout must be positive"),
    (["render", "nope"], "no built-in derivation"),
    (["render", "bernoulli-bce", "--format", "pdf"], "Invalid value"),
])
def test_usage_errors_exit_2(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_list_shows_conclusions(run):
    result = run("list")
    assert result.exit_code == 0
    for name in CORE:
        assert name in result.output
    assert "argmax" in result.output and "all steps proved" in result.output


def test_render_to_stdout_and_to_a_file(run, tmp_path):
    result = run("render", "categorical-ce", "--format", "markdown")
    assert result.exit_code == 0 and "$$" in result.output
    target = tmp_path / "ce.tex"
    result = run("render", "ce-kl-entropy", "--format", "latex", "-o", str(target))
    assert result.exit_code == 0
    assert "\\begin{align*}" in target.read_text()


def test_show_prints_the_chain_with_verdicts(run):
    result = run("show", "gaussian-least-squares")
    assert result.exit_code == 0
    assert "✓ proved" in result.output and "Conclusion:" in result.output


def test_build_writes_both_documents_of_each_derivation(run, tmp_path):
    result = run("build", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{name}{suffix}" for name in CORE for suffix in (".md", ".tex"))
