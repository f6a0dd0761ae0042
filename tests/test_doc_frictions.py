"""The small frictions of issue 18, one test each: the format from -o's suffix, render --pdf,
the .tex written without TeX, the Markdown title block, `derive show`, template errors, a
broken `latex:` field at its file and step, and `-` for standard input."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from derivations.cli.main import main
from derivations.documents import tex

EXAMPLES = Path(__file__).parent / "derivations"
GOOD = EXAMPLES / "good" / "ce-kl-entropy.deriv.yaml"
needs_tex = pytest.mark.skipif(not tex.available(), reason="no TeX engine installed")


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(main, list(args), **kw)


@pytest.mark.parametrize("suffix, starts", [
    (".tex", "\\documentclass"), (".md", "# Cross-entropy"), (".html", "<!DOCTYPE html>")])
def test_render_writes_the_format_its_output_names(run, tmp_path, suffix, starts):
    target = tmp_path / f"notes{suffix}"
    result = run("render", "ce-kl-entropy", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith(starts)


def test_render_refuses_a_format_that_contradicts_the_suffix(run, tmp_path):
    result = run("render", "ce-kl-entropy", "--format", "markdown", "-o", str(tmp_path / "x.tex"))
    assert result.exit_code == 2 and "does not match -o x.tex" in result.output
    assert not (tmp_path / "x.tex").exists()


@needs_tex
@pytest.mark.parametrize("args", [["-o", "x.pdf"], ["-o", "x.tex", "--pdf"]])
def test_render_compiles_a_pdf(run, tmp_path, args):
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    result = run("render", "ce-kl-entropy", *args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "x.tex").read_text().startswith("\\documentclass")


@pytest.mark.parametrize("command", [["render", "ce-kl-entropy", "--pdf"],
                                     ["handout", "ce-kl-entropy", "--title", "T", "--pdf"]])
def test_pdf_without_tex_still_writes_the_tex_and_says_tex_is_missing(run, tmp_path, monkeypatch,
                                                                       command):
    monkeypatch.setattr(tex, "engine", lambda: None)
    target = tmp_path / "x.tex"
    result = run(*command, "-o", str(target))
    assert result.exit_code == 2
    assert target.read_text().startswith("\\documentclass")
    assert f"wrote {target}, but not {tmp_path / 'x.pdf'}: no TeX engine" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_markdown_author_and_date_stand_apart_from_the_first_paragraph(run, tmp_path):
    target = tmp_path / "h.md"
    run("handout", "ce-kl-entropy", "--title", "T", "--author", "A. Lecturer", "--date",
        "Autumn", "-o", str(target))
    lines = target.read_text().splitlines()
    assert lines[:4] == ["# T", "", "*A. Lecturer* · Autumn", ""]


def test_show_prints_pretty_unicode_and_marks_a_failed_conclusion(run):
    good = run("show", "gaussian-least-squares")
    assert good.exit_code == 0
    assert "σ" in good.output and "⋅" in good.output and "**" not in good.output
    assert "\nConclusion: " in good.output
    bad = run("show", str(EXAMPLES / "bad" / "dropped-square.deriv.yaml"))
    assert bad.exit_code == 1
    assert "Conclusion (not established): " in bad.output
    assert "\nConclusion: " not in bad.output


def test_a_template_error_names_the_file_and_line(run, tmp_path):
    (tmp_path / "derivation.md.j2").write_text("# {{ title }}\n\n{{ no_such_name }}\n")
    result = run("render", "ce-kl-entropy", "--template-dir", str(tmp_path))
    assert result.exit_code == 2
    assert f"{tmp_path / 'derivation.md.j2'}:3:1: template: 'no_such_name' is undefined" \
        in result.output
    (tmp_path / "derivation.md.j2").write_text("# {{ title }}\n{% if %}\n")
    result = run("render", "ce-kl-entropy", "--template-dir", str(tmp_path))
    assert result.exit_code == 2 and f"{tmp_path / 'derivation.md.j2'}:2:1: template:" \
        in result.output


def test_a_misnamed_template_is_an_error_not_ignored(run, tmp_path):
    (tmp_path / "derivation.markdown.j2").write_text("mine\n")
    result = run("render", "ce-kl-entropy", "--template-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "derivation.markdown.j2 is not the name of a template" in result.output
    assert "derivation.md.j2" in result.output


@needs_tex
def test_a_broken_latex_field_is_reported_at_its_file_and_step(run, tmp_path):
    broken = tmp_path / "display.deriv.yaml"
    broken.write_text("title: t\nsymbols:\n  a: real\nstart: a + a\nsteps:\n"
                      "  - expr: a + a\n    by: nothing\n"
                      "  - expr: 2*a\n    latex: '2 \\undefinedmacro a'\n")
    result = run("render", str(broken), "-o", str(tmp_path / "r.pdf"))
    assert result.exit_code == 2
    assert f"{broken}:8: step 2: its latex: field does not compile" in result.output
    assert "Undefined control sequence" in result.output


def test_check_reads_standard_input(run):
    result = run("check", "--no-cache", "-", input=GOOD.read_bytes())
    assert result.exit_code == 0, result.output
    assert "<stdin>: Cross-entropy" in result.output
    result = run("check", "--no-cache", "-", input=b"title: t\nstart: x +\n")
    assert result.exit_code == 2 and "<stdin>" in result.output


def test_render_and_show_read_standard_input(run):
    result = run("render", "--no-cache", "-", input=GOOD.read_bytes())
    assert result.exit_code == 0 and result.output.startswith("# Cross-entropy")
    result = run("show", "--no-cache", "-", input=GOOD.read_bytes())
    assert result.exit_code == 0 and "Conclusion: " in result.output
