"""Reproducible documents: the same input gives the same bytes, a rebuild leaves git clean
(recalled verdicts included), and a PDF carries its title, author and SOURCE_DATE_EPOCH."""

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from derivations.cli.main import main
from derivations.documents import tex
from derivations.documents.handout import handout
from derivations.documents.render import render
from derivations.running.workflow import check_all, select

needs_tex = pytest.mark.skipif(not tex.available(), reason="no TeX engine installed")


def _git(folder, *args):
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_building_twice_leaves_git_clean(tmp_path, monkeypatch):
    """The second build recalls every verdict from the cache the first one filled: nothing in
    the documents may depend on that (a step's time did)."""
    monkeypatch.setenv("DERIVATIONS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    out = tmp_path / "output"
    runner = CliRunner()
    first = runner.invoke(main, ["build", str(out), "-j", "1"])
    assert first.exit_code == 0, first.output
    _git(out, "init", "-q")
    _git(out, "add", "-A")
    _git(out, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first build")
    second = runner.invoke(main, ["build", str(out), "-j", "1"])
    assert second.exit_code == 0, second.output
    assert _git(out, "status", "--porcelain") == "", "a rebuild changed the documents"


def test_the_same_reports_give_the_same_text_whatever_the_step_times():
    reports, _ = check_all(select(("ce-kl-entropy", "gibbs-inequality"), False))
    before = {fmt: handout(reports, fmt, title="T") for fmt in ("latex", "markdown")}
    single = {fmt: render(reports[0], fmt) for fmt in ("latex", "markdown")}
    for report in reports:
        for step in report.steps:
            object.__setattr__(step, "seconds", step.seconds * 1000 + 7)
    assert {fmt: handout(reports, fmt, title="T") for fmt in ("latex", "markdown")} == before
    assert {fmt: render(reports[0], fmt) for fmt in ("latex", "markdown")} == single
    assert not re.search(r"\d ?ms\b|\\,s\b", before["latex"] + before["markdown"])


@needs_tex
def test_a_pdf_is_byte_identical_under_source_date_epoch_and_carries_its_metadata(monkeypatch):
    reports, _ = check_all(select(("ce-kl-entropy",), False))
    source = handout(reports, "latex", title="Lecture 3 notes", author="A. Lecturer")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = tex.compile_pdf(source).pdf
    second = tex.compile_pdf(source, use="pdflatex").pdf
    assert first == second
    assert b"D:20231114221320" in first  # the date SOURCE_DATE_EPOCH names, not 1970
    utf16 = lambda text: "".join(f"\\000{c}" if c != " " else "\\000\\040" for c in text)
    assert f"/Title(\\376\\377{utf16('Lecture 3 notes')})".encode() in first
    assert f"/Author(\\376\\377{utf16('A. Lecturer')})".encode() in first
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert b"D:1970" not in tex.compile_pdf(source, use="pdflatex").pdf
