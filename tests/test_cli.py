"""The `derive` command through click's CliRunner: output and every exit code."""

import json
import os
from pathlib import Path
import subprocess
import sys

import pytest
from click.testing import CliRunner

from derivations.cli.main import main
from derivations import catalog

CORE = ["gaussian-least-squares", "bernoulli-bce", "categorical-ce", "ce-kl-entropy"]


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def test_the_recorded_help_is_what_click_prints():
    """``derive --help`` prints cli/help.txt without importing click; it must stay current."""
    from derivations.cli import entry

    printed = CliRunner().invoke(main, ["--help"], prog_name="derive").output
    if os.environ.get("DERIVATIONS_UPDATE_GOLDEN") == "1":
        Path(entry.HELP).write_text(printed, encoding="utf-8")
    assert Path(entry.HELP).read_text(encoding="utf-8") == printed, \
        "the commands changed: refresh cli/help.txt with DERIVATIONS_UPDATE_GOLDEN=1"


@pytest.mark.parametrize("args, shown, loads_click", [
    (["--help"], ("Exit codes",), False), (["-h"], ("Commands:",), False),
    (["list"], ("argmax",), True), (["check", "--help"], ("--jobs", "--no-cache"), True)])
def test_help_and_list_never_import_sympy_and_the_top_level_help_not_click(args, shown,
                                                                           loads_click, tmp_path):
    code = ("import sys; from derivations.cli.entry import run\n"
            f"code = run({args!r})\n"
            "assert 'sympy' not in sys.modules, 'sympy imported'\n"
            "print('CLICK' if 'click' in sys.modules else 'NO CLICK', code)")
    # Run away from the checkout, whose derivations/ folder is not the installed package.
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert all(text in result.stdout for text in shown)
    assert result.stdout.splitlines()[-1] == ("CLICK 0" if loads_click else "NO CLICK 0")


GOOD_FILE = str(Path(__file__).parent / "derivations" / "good" / "ce-kl-entropy.deriv.yaml")
FALSE_FILE = str(Path(__file__).parent / "derivations" / "false" / "logsq.deriv.yaml")


@pytest.mark.parametrize("args, code, last", [
    (["--help"], 0, "  show     Show a derivation"),
    (["check", "--no-cache", GOOD_FILE], 0, "1 derivation(s): 1 passed"),
    (["check", "--no-cache", FALSE_FILE], 1, "1 derivation(s): 0 passed")])
def test_the_console_command_prints_everything_and_exits_with_the_verdict(args, code, last,
                                                                         tmp_path):
    """The console command leaves without Python's finalisation: its output, buffered in a
    pipe, and its exit code must survive that."""
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    result = subprocess.run([sys.executable, "-c", "from derivations.cli.entry import main; main()", *args],
                            capture_output=True, text=True, env=buffered, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert result.stdout.rstrip().splitlines()[-1].startswith(last)


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
    result = run("check", "--no-cache", "--timeout", "0.000001", "categorical-ce")
    assert result.exit_code == 1
    assert "undecided" in result.output and "hint:" in result.output


@pytest.mark.parametrize("args, message", [
    (["check"], "name a derivation"),
    (["check", "gausian-least-squares"], "did you mean 'gaussian-least-squares'"),
    (["check", "--all", "bernoulli-bce"], "not both"),
    (["check", "--timeout", "0", "bernoulli-bce"], "a finite positive number of seconds"),
    (["check", "--timeout", "nan", "bernoulli-bce"], "a finite positive number of seconds"),
    (["check", "--timeout", "inf", "bernoulli-bce"], "a finite positive number of seconds"),
    (["show", "--timeout", "-1", "bernoulli-bce"], "a finite positive number of seconds"),
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
    for group in ("regression:", "classification:", "information theory:", "gradients:",
                  "regularisation:"):
        assert group in result.output
    assert result.output.count("[all steps proved]") == len(catalog.ids())


def test_list_says_which_steps_are_only_checked():
    from derivations.catalog import manifest

    recorded = {"a": {"title": "A", "steps": 4, "proved": 3, "passed": True, "conclusion": "x = y"},
                "b": {"title": "B", "steps": 2, "proved": 0, "passed": False, "conclusion": "u <= v"}}
    lines = manifest.lines(recorded, {"one": ["a"], "two": ["b"]})
    assert lines == ["one:", "  a  A  [3 of 4 steps proved, the rest checked]", "     x = y",
                     "two:", "  b  B  [0 of 2 steps proved, the rest NOT verified]", "     u <= v"]


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


GOOD_FILES = sorted((Path(__file__).parent / "derivations" / "good").glob("*.deriv.yaml"))


@pytest.mark.parametrize("path", GOOD_FILES, ids=lambda p: p.name)
def test_show_prints_every_kind_of_expression(run, path):
    """Every good file (equations, expectations, definitions, vectors and matrices, ...) in
    SymPy's pretty printing: the kernel's matrix objects once crashed it (SymPy's own
    ``Gradient`` printer expected a vector-calculus gradient)."""
    result = run("show", str(path))
    assert result.exit_code == 0, result.output
    assert "Conclusion:" in result.output and "proved" in result.output


DOCUMENTS = sorted([f"{name}{suffix}" for name in [*catalog.ids(), "handout"]
                    for suffix in (".md", ".tex")] + ["index.html"])


def test_build_without_tex_writes_everything_but_the_pdf_and_says_how(run, tmp_path, monkeypatch):
    from derivations.documents import tex

    monkeypatch.setattr(tex, "engine", lambda: None)
    result = run("build", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == DOCUMENTS
    assert "handout.pdf not written: no TeX engine; install TeX Live" in result.output
    assert "apt-get install texlive-latex-base" in result.output


@pytest.mark.skipif(not __import__("derivations.documents.tex").documents.tex.available(), reason="no TeX engine installed")
def test_build_with_tex_writes_the_pdf_handout_too(run, tmp_path):
    result = run("build", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*DOCUMENTS, "handout.pdf"])
    assert (tmp_path / "handout.pdf").read_bytes().startswith(b"%PDF")
    assert f"wrote {tmp_path / 'handout.pdf'}" in result.output


EXAMPLES = Path(__file__).parent / "derivations"


def test_check_files_and_folders(run):
    good = EXAMPLES / "good"
    result = run("check", str(good))
    assert result.exit_code == 0, result.output
    bad = EXAMPLES / "bad" / "wrong-normaliser.deriv.yaml"
    result = run("check", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:16: step 2 refuted: left" in result.output
    assert "sigma=" in result.output and "x[1]=" in result.output


def test_check_json_on_a_refuted_file_gives_the_counterexample(run):
    bad = EXAMPLES / "bad" / "wrong-normaliser.deriv.yaml"
    result = run("check", "--json", str(bad))
    assert result.exit_code == 1
    (entry,) = json.loads(result.output)["files"]
    first, second = entry["steps"]
    assert (first["verdict"], second["verdict"]) == ("proved", "refuted")
    assert (first["line"], second["line"]) == (14, 16)
    assert {"sigma", "n", "theta", "x[1]", "y[1]"} <= set(second["counterexample"])
    assert second["left"] != second["right"]


def test_an_unreadable_file_exits_2_with_its_location(run, tmp_path):
    broken = tmp_path / "broken.deriv.yaml"
    broken.write_text("title: t\nsymbols:\n  x: real\nstart: x +\nsteps:\n  - expr: x\n")
    result = run("check", str(broken))
    assert result.exit_code == 2
    assert f"{broken}:4:" in result.output
    result = run("check", "--json", str(broken))
    assert result.exit_code == 2
    entry = json.loads(result.output)["files"][0]
    assert entry["error"]["line"] == 4 and "steps" not in entry
    assert run("show", str(broken)).exit_code == 2


def test_render_refuses_an_unverified_file_unless_allowed(run):
    bad = EXAMPLES / "bad" / "wrong-normaliser.deriv.yaml"
    refused = run("render", str(bad))
    assert refused.exit_code == 1 and "step 2 is refuted" in refused.output
    allowed = run("render", str(bad), "--allow-unverified", "--format", "markdown")
    assert allowed.exit_code == 0 and "REFUTED" in allowed.output
    good = run("render", str(EXAMPLES / "good" / "gibbs-inequality.deriv.yaml"), "--format", "latex")
    assert good.exit_code == 0 and "\\le" in good.output


def test_a_hostile_file_is_an_input_error_and_runs_nothing(run, tmp_path):
    hostile = tmp_path / "hostile.deriv.yaml"
    hostile.write_text("title: t\nsymbols:\n  x: real\nstart: x\nsteps:\n"
                       "  - expr: \"__import__('os').system('touch /tmp/pwned-cli')\"\n")
    result = run("check", str(hostile))
    assert result.exit_code == 2 and f"{hostile}:6:" in result.output
    assert not __import__("os").path.exists("/tmp/pwned-cli")


SHARED = Path(__file__).parent.parent.parent / "shared" / "examples"


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared examples are beside the checkout")
def test_the_shared_examples_under_check_and_json(run):
    assert run("check", str(SHARED / "gaussian-least-squares.deriv.yaml"), "--strict").exit_code == 0
    assert run("check", str(SHARED / "ce-kl-entropy.deriv.yaml"), "--strict").exit_code == 0
    result = run("check", "--json", str(SHARED))
    assert result.exit_code == 1
    report = json.loads(result.output)
    verdicts = {Path(f["path"]).name: [s["verdict"] for s in f["steps"]] for f in report["files"]}
    assert verdicts["wrong-normaliser.deriv.yaml"] == ["proved", "refuted"]
    assert report["summary"]["refuted"] == 1 and report["passed"] is False


# -- handouts ----------------------------------------------------------------------------------
def test_handout_of_the_catalog_as_latex_and_as_markdown(run, tmp_path):
    target = tmp_path / "notes" / "handout.tex"
    result = run("handout", "--all", "--title", "Losses from likelihoods", "--author", "A. Lecturer",
                 "--date", "Week 3", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert f"wrote {target}" in result.output
    latex = target.read_text()
    assert r"\tableofcontents" in latex and r"\author{A. Lecturer}" in latex
    assert latex.count(r"\section{") == len(catalog.ids()) + 1
    markdown_target = tmp_path / "handout.md"  # the format follows the suffix
    result = run("handout", *CORE[:2], "--title", "Two", "-o", str(markdown_target))
    assert result.exit_code == 0, result.output
    assert markdown_target.read_text().startswith("# Two\n")
    assert "$$\n\\begin{aligned}" in markdown_target.read_text()
    forced = tmp_path / "handout.txt"
    assert run("handout", "ce-kl-entropy", "--title", "T", "--format", "markdown",
               "-o", str(forced)).exit_code == 0
    assert forced.read_text().startswith("# T\n")


def test_handout_refuses_a_failing_derivation_unless_allowed(run, tmp_path):
    bad = EXAMPLES / "bad" / "wrong-normaliser.deriv.yaml"
    good = EXAMPLES / "good" / "gibbs-inequality.deriv.yaml"
    target = tmp_path / "h.tex"
    refused = run("handout", str(good), str(bad), "--title", "T", "-o", str(target))
    assert refused.exit_code == 1
    assert f"{bad} (step 2 is refuted)" in refused.output and not target.exists()
    allowed = run("handout", str(good), str(bad), "--title", "T", "-o", str(target),
                  "--allow-unverified")
    assert allowed.exit_code == 0 and r"\textbf{REFUTED}" in target.read_text()


def test_handout_input_and_usage_errors_exit_2(run, tmp_path, monkeypatch):
    broken = tmp_path / "broken.deriv.yaml"
    broken.write_text("title: t\nsymbols:\n  x: real\nstart: x +\nsteps:\n  - expr: x\n")
    out = str(tmp_path / "h.tex")
    cases = [
        (["handout", str(broken), "bernoulli-bce", "--title", "T", "-o", out], f"{broken}:4:"),
        (["handout", "--title", "T", "-o", out], "name a derivation"),
        (["handout", "--all", "-o", out], "Missing option '--title'"),
        (["handout", "--all", "--title", "T"], "Missing option '-o'"),
        (["handout", "nope", "--title", "T", "-o", out], "no built-in derivation"),
        (["handout", "--all", "--title", "T", "-o", str(tmp_path / "h.md"), "--pdf"],
         "a PDF is compiled from the LaTeX format, not markdown"),
        (["handout", "--all", "--title", "T", "-o", out, "--format", "markdown"],
         "--format markdown does not match -o h.tex (latex)"),
        (["handout", "--all", "--title", "T", "-o", out, "--template-dir", str(tmp_path / "no")],
         "does not exist"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
    assert not Path(out).exists()
    from derivations.documents import tex

    monkeypatch.setattr(tex, "engine", lambda: None)
    result = run("handout", "--all", "--title", "T", "-o", out, "--pdf")
    assert result.exit_code == 2
    assert Path(out).exists(), "without TeX the .tex is still written"
    assert f"wrote {out}, but not {Path(out).with_suffix('.pdf')}: no TeX engine" in result.output
    assert ("apt-get install texlive-latex-base texlive-latex-recommended "
            "texlive-fonts-recommended latexmk") in result.output


@pytest.mark.skipif(not __import__("derivations.documents.tex").documents.tex.available(), reason="no TeX engine installed")
def test_handout_pdf(run, tmp_path):
    target = tmp_path / "h" / "handout.tex"
    result = run("handout", "--all", "--title", "Losses from likelihoods", "-o", str(target), "--pdf")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "h" / "handout.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.skipif(not __import__("derivations.documents.tex").documents.tex.available(), reason="no TeX engine installed")
def test_handout_pdf_with_a_latex_error_shows_it_and_exits_2(run, tmp_path):
    broken = tmp_path / "display.deriv.yaml"
    broken.write_text("title: t\nsymbols:\n  a: real\nstart: a + a\nsteps:\n"
                      "  - expr: 2*a\n    latex: '2 \\undefinedmacro a'\n")
    result = run("handout", str(broken), "--title", "T", "-o", str(tmp_path / "h.tex"), "--pdf")
    assert result.exit_code == 2
    assert "Undefined control sequence" in result.output and "\\undefinedmacro" in result.output


def test_template_dir_for_render_and_handout(run, tmp_path):
    (tmp_path / "derivation.md.j2").write_text("mine: {{ title }}\n")
    (tmp_path / "handout.md.j2").write_text("{% for d in derivations %}{{ d.body }}{% endfor %}\n")
    result = run("render", "ce-kl-entropy", "--template-dir", str(tmp_path))
    assert result.exit_code == 0 and result.output == "mine: Cross-entropy is KL divergence plus entropy\n"
    target = tmp_path / "h.md"
    result = run("handout", "ce-kl-entropy", "--title", "T", "-o", str(target),
                 "--template-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert target.read_text() == "mine: Cross-entropy is KL divergence plus entropy"
    (tmp_path / "derivation.md.j2").write_text("{{ no_such_name }}\n")
    result = run("render", "ce-kl-entropy", "--template-dir", str(tmp_path))
    assert result.exit_code == 2 and "template: 'no_such_name' is undefined" in result.output


def test_the_summaries_name_the_kernels_verdicts():
    """Summaries spell verdicts as text (printing one needs no SymPy): the same as the kernel's."""
    from derivations import verdicts
    from derivations.kernel import Verdict
    from derivations.summary import VERDICTS

    assert Verdict is verdicts.Verdict and VERDICTS == tuple(v.value for v in Verdict)
    assert [v for v in Verdict if v.passes()] == [Verdict.PROVED, Verdict.CHECKED]
    assert [v for v in Verdict if v.passes(strict=True)] == [Verdict.PROVED]


def test_render_of_a_file_of_several_chains_says_how_to_make_one_document(run):
    lecture = Path(__file__).parent / "derivations" / "good" / "lecture-least-squares.deriv.yaml"
    result = run("render", str(lecture), "--format", "markdown")
    assert result.exit_code == 2
    assert "names 3 derivations" in result.output and "derive handout" in result.output
