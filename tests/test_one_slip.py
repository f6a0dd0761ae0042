"""One slip is reported once: a refuted step after a refuted one is checked again from the last
expression that stands, and where it holds from there, the report says only the earlier step
is wrong (in the text, the JSON and the chain as shown)."""

import json

from derivations.reading import files
from derivations.checker import check
from derivations.documents.terminal import json_report, show_lines, step_lines
from derivations.kernel import Verdict
from derivations.running.parallel import check_in_workers
from derivations.settings import CheckSettings
from derivations.summary import summarize

SLIP = """\
title: one slip
symbols: {x: real, y: real}
start: (x + y)**2
steps:
  - expr: x**2 + 2*x*y + y**2
    by: expand
  - expr: x**2 + x*y + y**2
    by: a slip
  - expr: y**2 + 2*x*y + x**2
    by: back on track
  - expr: (y + x)**2
    by: factor
"""


def _read(tmp_path, text):
    path = tmp_path / "slip.deriv.yaml"
    path.write_text(text, encoding="utf-8")
    return files.read(path)


def test_the_step_after_a_slip_is_checked_from_the_last_expression_that_stands(tmp_path):
    report = check(_read(tmp_path, SLIP))
    assert [s.verdict for s in report.steps] == [Verdict.PROVED, Verdict.REFUTED,
                                                 Verdict.REFUTED, Verdict.PROVED]
    assert [s.consistent_with for s in report.steps] == [None, None, 1, None]
    summary = summarize(report)
    text = "\n".join(step_lines(summary, strict=False))
    assert text.count("is where the slip is") == 1
    assert "consistent with step 1: only step 2 is wrong" in text
    steps = json.loads(json_report([summary], [], strict=False))["files"][0]["steps"]
    assert [s.get("consistent_with") for s in steps] == [None, None, 1, None]
    assert "(consistent with step 1: only step 2 is wrong)" in "\n".join(show_lines(report))


def test_a_step_false_from_both_expressions_is_not_excused(tmp_path):
    report = check(_read(tmp_path, SLIP.replace("y**2 + 2*x*y + x**2", "y**2 + 3*x*y + x**2")))
    assert report.steps[2].verdict is Verdict.REFUTED
    assert report.steps[2].consistent_with is None


def test_a_slip_in_the_first_step_is_measured_from_the_start(tmp_path):
    text = SLIP.replace("x**2 + 2*x*y + y**2\n    by: expand", "x**2 + y**2\n    by: expand")
    text = text.replace("x**2 + x*y + y**2\n    by: a slip", "x**2 + 2*x*y + y**2\n    by: expand")
    report = check(_read(tmp_path, text))
    assert report.steps[1].consistent_with == 0
    assert "consistent with the start: only step 1 is wrong" in \
        "\n".join(step_lines(summarize(report), strict=False))


def test_workers_report_the_slip_once_too(tmp_path):
    (report,) = check_in_workers([_read(tmp_path, SLIP)], CheckSettings(timeout=5.0, jobs=2))
    assert [s.consistent_with for s in report.steps] == [None, None, 1, None]


def test_a_refutation_says_which_relation_fails_and_where_only_when_there_is_a_where():
    from derivations.documents.terminal import refutation
    from derivations.reading.files import read

    closed = read("closed.deriv.yaml", b"title: t\nsymbols: {i: integer}\n"
                  b"start: Sum(exp(-(i - 40)**2), (i, 1, 80))\nsteps:\n"
                  b"  - {expr: '1', relation: '<'}\n")
    (step,) = summarize(check(closed)).steps
    assert refutation(step).startswith("left 1.772637205 is not < right 1")
    assert " at " not in refutation(step)
