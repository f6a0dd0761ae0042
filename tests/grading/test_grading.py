"""``derive grade``: each submission under tests/grading/<derivation>/submissions is graded
against the assignment beside it, as its first line says: ``# expect: SCORE`` for full or
partial marks with every check passed, ``# expect: SCORE CHECK, CHECK`` for the checks that
must fail (and no other)."""

import json
import os
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from derivations.cli.main import main
from derivations import grading
from derivations.settings import CheckSettings
from derivations.running.cache import VerdictCache
from derivations.kernel import NONNEGATIVE, POSITIVE, POSITIVE_INTEGER, REAL, Domain, integer_range, interval
from derivations.reading.sources import InputError

HERE = Path(__file__).parent
ASSIGNMENTS = sorted(p.parent.name for p in HERE.glob("*/assignment.yaml"))


def _expectation(path: Path) -> tuple[float, set[str]]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    found = re.fullmatch(r"# expect: (\d+(?:\.\d+)?)(?: (.+))?", first.strip())
    assert found, f"{path.name}: the first line must be '# expect: SCORE [CHECK, ...]'"
    failing = {name.strip() for name in (found.group(2) or "").split(",") if name.strip()}
    return float(found.group(1)), failing


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every folder's submissions graded once (one cache for all, as in a class)."""
    cache = VerdictCache(tmp_path_factory.mktemp("verdicts"))
    found = {}
    for name in ASSIGNMENTS:
        assignment = grading.read_assignment(HERE / name / "assignment.yaml")
        paths = grading.submissions((str(HERE / name / "submissions"),))
        found[name] = dict(zip(paths, grading.grade_all(assignment, paths, CheckSettings(cache=cache))))
    return found


def test_there_is_an_assignment_for_each_core_derivation_and_thirty_submissions():
    assert ASSIGNMENTS == ["bernoulli-bce", "categorical-ce", "ce-kl-entropy",
                           "gaussian-least-squares"]
    assert len(list(HERE.glob("*/submissions/*.deriv.yaml"))) >= 30


@pytest.mark.parametrize("path", sorted(HERE.glob("*/submissions/*.deriv.yaml")),
                         ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_each_submission_is_graded_as_expected(graded, path):
    grade = graded[path.parent.parent.name][path]
    score, failing = _expectation(path)
    failed = {check.name for check in grade.checks if not check.passed}
    assert (grade.score, failed) == (score, failing), grade.feedback
    if score == 0:
        assert failed, "a zero always says why"
    if path.name.startswith(("trick-", "hostile-")):
        assert grade.score == 0 and not grade.full_marks


def test_hostile_submissions_run_nothing(graded):
    assert not Path("/tmp/derivations-pwned").exists()


def _assignment(name="ce-kl-entropy"):
    return grading.read_assignment(HERE / name / "assignment.yaml")


def _grade(tmp_path, text: str | bytes, name="ce-kl-entropy", file="s.deriv.yaml"):
    path = tmp_path / file
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return grading.grade_all(_assignment(name), [path])[0]


HEADER = """title: t
symbols:
  C: positive integer
  k: integer
  p: positive sequence
  q: positive sequence
start: -Sum(p[k]*log(q[k]), (k, 1, C))
"""


@pytest.mark.parametrize("text", [
    HEADER + "steps:\n  - expr: " + "(" * 400 + "1" + ")" * 400 + "\n",
    HEADER + "steps:\n" + "  - expr: p[1]\n" * 600,
    HEADER + "steps:\n" + "  - expr: -Sum(p[k]*log(q[k]), (k, 1, C))\n" * 101,
    "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, "
        f"*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}]\n" for n in range(8)),
    HEADER + "steps:\n  - expr: p[1]\n# " + "x" * 1_100_000 + "\n",
    b"\xff\xfe not text",
    HEADER.replace("start:", "start: !!python/object/new:os.system [echo]\nx:") + "steps: []",
    "",
])
def test_huge_deep_and_malformed_files_score_zero_with_a_reason(tmp_path, text):
    grade = _grade(tmp_path, text)
    assert grade.score == 0 and [c.name for c in grade.checks if not c.passed] == ["file"]
    assert re.search("cannot be read|more than 100 steps", grade.checks[-1].message)


def test_a_link_out_of_the_submission_folder_is_not_followed(tmp_path):
    outside = tmp_path / "secret.deriv.yaml"
    outside.write_text(HEADER + "steps:\n  - expr: Sum(p[k]*log(p[k]/q[k]), (k, 1, C)) - "
                       "Sum(p[k]*log(p[k]), (k, 1, C))\n")
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "link.deriv.yaml").symlink_to(outside)
    grade = grading.grade_all(_assignment(), [folder / "link.deriv.yaml"])[0]
    assert grade.score == 0 and "links are not followed" in grade.checks[-1].message


@pytest.mark.parametrize("wide, narrow, contained", [
    (REAL, POSITIVE, True), (POSITIVE, REAL, False), (NONNEGATIVE, POSITIVE, True),
    (POSITIVE, NONNEGATIVE, False), (POSITIVE, POSITIVE_INTEGER, True),
    (POSITIVE_INTEGER, POSITIVE, False), (integer_range(0), POSITIVE_INTEGER, True),
    (POSITIVE_INTEGER, integer_range(0), False),
    (Domain(True, POSITIVE.lower, POSITIVE.upper, True, True), POSITIVE_INTEGER, True),
    (interval(0, 1), interval(0, 1, lower_open=False), False),
    (interval(0, 1, lower_open=False), interval(0, 1), True),
    (interval(-1, 2), interval(0, 1), True), (interval(0, 1), interval(-1, 2), False),
])
def test_a_submitted_domain_must_contain_the_assigned_one(wide, narrow, contained):
    assert grading._contains(wide, narrow) is contained


def test_symbolic_bounds_must_be_the_same_to_be_compared():
    from derivations.kernel import Context

    context = Context()
    C = context.symbol("C", POSITIVE_INTEGER)
    D = context.symbol("D", POSITIVE_INTEGER)
    assert grading._contains(integer_range(1, C), integer_range(1, C))
    assert grading._contains(integer_range(0, C), integer_range(1, C))
    assert not grading._contains(integer_range(1, D), integer_range(1, C))
    assert not grading._contains(integer_range(1, 1), integer_range(1, C))


def test_a_bound_index_is_not_renamed_to_a_declared_symbol():
    """The student's free i maps to the assignment's i; the index of a sum stays bound."""
    import sympy as sp

    student_i, assigned_i = sp.Symbol("i", integer=True), sp.Symbol("i", integer=True, positive=True)
    expr = student_i + sp.Sum(student_i**2, (student_i, -3, 3))
    translated = grading._translate(expr, {student_i: assigned_i})
    assert translated == assigned_i + sp.Sum(student_i**2, (student_i, -3, 3))


@pytest.mark.parametrize("text, message", [
    ("title: t\nstart: 1\nconclusion: 1\nrelation: approx\n", "relation is one of"),
    ("title: t\nstart: 1\nconclusion: 1\nrelation: '='\nstepz: []\n", "unknown key 'stepz'"),
    ("title: t\nstart: 1\nconclusion: 1\n", "missing 'relation'"),
    ("title: t\nstart: 1\nconclusion: 1\nrelation: same optimizers\n", "needs 'optimize"),
    ("title: t\nstart: 1\nconclusion: 1\nrelation: '='\npoints: {total: -3}\n", "points 'total'"),
    ("title: t\nstart: 1\nconclusion: __import__('os')\nrelation: '='\n", "conclusion"),
])
def test_a_bad_assignment_is_an_input_error_with_its_place(tmp_path, text, message):
    path = tmp_path / "a.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        grading.read_assignment(path)
    assert message in str(caught.value)
    result = CliRunner().invoke(main, ["grade", str(tmp_path), "--assignment", str(path)])
    assert result.exit_code == 2 and message in result.output


def _validate_gradescope(results: dict) -> None:
    """Gradescope's documented results.json shape (the fields we write): a number ``score``,
    text ``output``, and ``tests``, each with text ``name`` and ``output``, number ``score``
    and ``max_score``, and ``status`` "passed" or "failed"."""
    assert set(results) == {"score", "output", "tests"}
    assert isinstance(results["score"], (int, float)) and isinstance(results["output"], str)
    assert isinstance(results["tests"], list) and results["tests"]
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "output", "status"}
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= max(test["max_score"], 0) or test["max_score"] == 0
        assert test["status"] in ("passed", "failed")
    assert results["score"] == sum(t["score"] for t in results["tests"])


@pytest.mark.parametrize("submission", ["slip-entropy-sign", "correct-two-steps",
                                        "trick-probabilities-narrowed"])
def test_the_gradescope_results_follow_the_documented_shape(tmp_path, submission):
    out = tmp_path / "results.json"
    result = CliRunner().invoke(main, [
        "grade", str(HERE / "ce-kl-entropy" / "submissions" / f"{submission}.deriv.yaml"),
        "--assignment", str(HERE / "ce-kl-entropy" / "assignment.yaml"),
        "--gradescope", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    results = json.loads(out.read_text())
    _validate_gradescope(results)
    assert results["score"] == _expectation(
        HERE / "ce-kl-entropy" / "submissions" / f"{submission}.deriv.yaml")[0]


def test_gradescope_takes_one_submission(tmp_path):
    result = CliRunner().invoke(main, [
        "grade", str(HERE / "ce-kl-entropy" / "submissions"),
        "--assignment", str(HERE / "ce-kl-entropy" / "assignment.yaml"),
        "--gradescope", str(tmp_path / "r.json")])
    assert result.exit_code == 2 and "one submission" in result.output


def test_junit_csv_json_and_the_table_for_a_class(tmp_path):
    folder = HERE / "ce-kl-entropy" / "submissions"
    result = CliRunner().invoke(main, [
        "grade", str(folder), "--assignment", str(HERE / "ce-kl-entropy" / "assignment.yaml"),
        "--junit", str(tmp_path / "j.xml"), "--csv", str(tmp_path / "c.csv"), "--json",
        "--jobs", "2"])
    assert result.exit_code == 0, result.output
    paths = sorted(folder.glob("*.deriv.yaml"))
    summary = json.loads(result.output)
    assert [g["path"] for g in summary["grades"]] == [str(p) for p in paths]
    assert [g["score"] for g in summary["grades"]] == [_expectation(p)[0] for p in paths]
    suites = ElementTree.parse(tmp_path / "j.xml").getroot().findall("testsuite")
    assert len(suites) == len(paths)
    for suite, grade in zip(suites, summary["grades"]):
        failed = [c for c in grade["checks"] if not c["passed"]]
        assert int(suite.get("failures")) == len(failed) == len(suite.findall("testcase/failure"))
    rows = (tmp_path / "c.csv").read_text().splitlines()
    assert rows[0] == "path,score,max_score,full_marks,feedback" and len(rows) == len(paths) + 1
    table = CliRunner().invoke(main, ["grade", str(folder), "--assignment",
                                      str(HERE / "ce-kl-entropy" / "assignment.yaml")]).output
    assert "8 submissions graded, 3 with full marks" in table and "\x1b" not in table


def test_a_cell_a_spreadsheet_would_run_is_quoted():
    import csv

    grade = grading.Grade("=HYPERLINK(\"x\")", 0.0, 4.0, (grading.Check("file", False, "x"),))
    row = next(csv.DictReader(grading.csv_text([grade]).splitlines()))
    assert row["path"] == "'=HYPERLINK(\"x\")" and row["feedback"] == "file: x"
    assert grading._cell("-1+2") == "'-1+2" and grading._cell("1-2") == "1-2"


def test_identical_steps_across_students_are_checked_once(tmp_path):
    """The second copy of a class's submissions is graded from the cache alone."""
    folder = tmp_path / "class"
    folder.mkdir()
    text = (HERE / "ce-kl-entropy" / "submissions" / "correct-two-steps.deriv.yaml").read_text()
    for n in range(3):
        (folder / f"s{n}.deriv.yaml").write_text(text)
    cache = VerdictCache(tmp_path / "verdicts")
    paths = grading.submissions((str(folder),))
    grading.grade_all(_assignment(), paths[:1], CheckSettings(cache=cache))
    records = len(list((tmp_path / "verdicts").rglob("*.json")))
    grades = grading.grade_all(_assignment(), paths, CheckSettings(cache=cache, jobs=2))
    assert [g.score for g in grades] == [4.0] * 3
    assert len(list((tmp_path / "verdicts").rglob("*.json"))) == records


def test_the_conclusion_must_be_reached_in_the_required_sense(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "title: t\nsymbols: {theta: real}\noptimize: {over: [theta], sense: maximize}\n"
        "start: -theta**2\nconclusion: theta**2\nrelation: same optimizers\nsense: maximize\n")
    (tmp_path / "s.deriv.yaml").write_text(
        "title: t\nsymbols: {theta: real}\noptimize: {over: [theta], sense: maximize}\n"
        "start: -theta**2\nsteps:\n  - {expr: theta**2, relation: same optimizers, "
        "sense: minimize}\n")
    grade = grading.grade_all(grading.read_assignment(tmp_path / "a.yaml"),
                              [tmp_path / "s.deriv.yaml"])[0]
    failed = [c for c in grade.checks if not c.passed]
    assert [c.name for c in failed] == ["conclusion"] and "minimiz" in failed[0].message


@pytest.mark.parametrize("declared, passes", [
    ("real matrix of size d by d", True),
    ("symmetric matrix of size d", False),  # an assumption the assignment does not make
    ("real matrix of size 2 by 2", False),
])
def test_a_submitted_matrix_has_the_assigned_size_and_no_added_structure(tmp_path, declared,
                                                                         passes):
    (tmp_path / "a.yaml").write_text(
        "title: t\nsymbols: {d: positive integer, A: real matrix of size d by d, "
        "x: real vector of size d}\nstart: x.T @ A @ x\nconclusion: x.T @ A.T @ x\nrelation: '='\n")
    (tmp_path / "s.deriv.yaml").write_text(
        f"title: t\nsymbols: {{d: positive integer, A: {declared}, x: real vector of size d}}\n"
        "start: x.T @ A @ x\nsteps:\n  - expr: x.T @ A.T @ x\n")
    grade = grading.grade_all(grading.read_assignment(tmp_path / "a.yaml"),
                              [tmp_path / "s.deriv.yaml"])[0]
    failed = [c for c in grade.checks if not c.passed]
    assert (not failed) is passes, [(c.name, c.message) for c in failed]
