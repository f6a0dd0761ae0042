"""Derivation files: the corpora of right and wrong files, input errors with their location,
and hostile files that must be refused fast without running anything."""

import re
import time
from pathlib import Path

import pytest

from derivations.settings import CheckSettings
from derivations.reading import files, sources
from derivations.reading.sources import InputError
from derivations.checker import check
from derivations.kernel import Verdict

HERE = Path(__file__).parent
GOOD = sorted((HERE / "derivations" / "good").glob("*.deriv.yaml"))
BAD = sorted((HERE / "derivations" / "bad").glob("*.deriv.yaml"))
EXAMPLES = HERE.parent.parent / "shared" / "examples"


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_correct_files_pass(path):
    for derivation in files.read_all(path):  # every chain of the file, each proved
        report = check(derivation)
        assert report.passed(strict=True), \
            [(s.index, s.verdict.value, s.judgement.method) for s in report.steps]


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_wrong_files_are_refused_at_their_step(path):
    """``# refuted: N``: step N is refuted with a counterexample; ``# not proved: N``: step N
    is refuted or undecided (a claim that may be true at some points, such as a stationary
    point claimed as the maximiser); the steps before it are proved; ``# error: LINE``: an
    input error at that line."""
    error = re.search(r"# error: (\d+)", path.read_text())
    if error:
        with pytest.raises(InputError) as caught:
            files.read_all(path)
        assert caught.value.line == int(error.group(1)) and caught.value.message
        return
    found = re.search(r"# (refuted|not proved): (\d+)", path.read_text())
    wrong_step = int(found.group(2))
    report = check(files.read(path))
    verdicts = [s.verdict for s in report.steps]
    if found.group(1) == "not proved":
        assert verdicts[wrong_step - 1] in (Verdict.REFUTED, Verdict.UNDECIDED), verdicts
        assert all(v is Verdict.PROVED for v in verdicts[: wrong_step - 1])
        return
    assert verdicts[wrong_step - 1] is Verdict.REFUTED, verdicts
    assert all(v is Verdict.PROVED for v in verdicts[: wrong_step - 1])
    judgement = report.steps[wrong_step - 1].judgement
    assert judgement.left and judgement.right and judgement.counterexample is not None


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="the shared examples are beside the checkout")
def test_the_shared_examples_behave_as_their_comments_say():
    verdicts = {p.name: [s.verdict for s in check(files.read(p)).steps]
                for p in EXAMPLES.glob("*.deriv.yaml")}
    assert verdicts["wrong-normaliser.deriv.yaml"] == [Verdict.PROVED, Verdict.REFUTED]
    assert set(verdicts["gaussian-least-squares.deriv.yaml"]) == {Verdict.PROVED}
    assert set(verdicts["ce-kl-entropy.deriv.yaml"]) == {Verdict.PROVED}


def read_text(tmp_path, text, name="t.deriv.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return files.read(path)


HEADER = "title: t\nsymbols:\n  x: real\n"


@pytest.mark.parametrize("text, message, line, column", [
    ("title: t\nsymbols: [\n", "bad YAML", 3, 1),
    (HEADER + "start: x\nstepz:\n  - expr: x\n", "unknown key 'stepz' in the file; did you mean 'steps'?", 5, 1),
    (HEADER + "start: x\nsteps:\n  - expr: x + yy\n", "undeclared name 'yy'", 6, 15),
    (HEADER + "start: x\nsteps:\n  - expr: x.real\n", "attribute access is not allowed", 6, 11),
    (HEADER + "start: x\nsteps:\n  - expr: x\n    relation: '=='\n", "unknown relation '=='", 7, 15),
    (HEADER + "start: x\n", "missing 'steps'", 1, 1),
    (HEADER + "start: x\nsteps:\n  - expr: x\n    relation: same optimizers\n", "needs 'optimize", 7, 15),
    ("title: t\nsymbols:\n  x: rael\nstart: x\nsteps:\n  - expr: x\n", "did you mean 'real'?", 3, 6),
    (HEADER + "start: x\nsteps:\n  - expr: x\n    using: [nothing]\n", "no given called 'nothing'", 7, 13),
    (HEADER + "start: x\nsteps:\n  - latex_expr: x\n", "'latex' alone", 6, 5),
    (HEADER + "start: x\nsteps:\n  - expr: x\n    relation: <=\n  - expr: x\n    relation: '>='\n",
     "step 2: cannot compose '<=' with '>='", 9, 15),
])
def test_input_errors_name_the_place_and_a_fix(tmp_path, text, message, line, column):
    with pytest.raises(InputError) as error:
        read_text(tmp_path, text)
    assert message in error.value.message
    assert (error.value.line, error.value.column) == (line, column)
    assert str(error.value).startswith(f"{tmp_path / 't.deriv.yaml'}:{line}:{column}: ")


HOSTILE = {
    "import": "__import__('os').system('touch /tmp/pwned')",
    "dunder": "x.__class__.__mro__",
    "lambda": "(lambda: 1)()",
    "comprehension": "[x for x in (1, 2)]",
    "power tower": "9**9**9**9",
    "huge exponent in a sum limit": "Sum(x, (i, 1, 10**10**10))",
    "nested parentheses": "(" * 5000 + "x" + ")" * 5000,
    "keyword": "log(x, base=2)",
    "string": "'abc'",
    "huge literal": "1" * 200,
    "huge factorial": "factorial(10**6)",
}


@pytest.mark.parametrize("expression", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_expressions_are_refused_fast(tmp_path, expression):
    text = HEADER + "  i: integer\nstart: x\nsteps:\n  - expr: " + repr(expression) + "\n"
    started = time.perf_counter()
    with pytest.raises(InputError):
        read_text(tmp_path, text)
    assert time.perf_counter() - started < 1.0
    assert not Path("/tmp/pwned").exists()


def test_non_utf8_bytes_and_alias_bombs_are_refused(tmp_path):
    path = tmp_path / "binary.deriv.yaml"
    path.write_bytes(b"title: t\nstart: \xff\xfe\n")
    with pytest.raises(InputError, match="not UTF-8") as error:
        files.read(path)
    assert error.value.line == 2
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join('*' + p for _ in range(10) for p in [prev])}]\n"
        for prev, c in zip("abcdefgh", "bcdefghi"))
    started = time.perf_counter()
    with pytest.raises(InputError, match="more than"):
        read_text(tmp_path, bomb)
    assert time.perf_counter() - started < 1.0


def test_a_folder_is_searched_and_link_loops_do_not_trap_it(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.deriv.yaml").write_text(HEADER + "start: x\nsteps:\n  - expr: x\n")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    assert sources.find(tmp_path) == [tmp_path / "sub" / "a.deriv.yaml"]


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.deriv.yaml"
    path.write_bytes(b"title: t\n" + b"#" * 2_000_000 + b"\n")
    started = time.perf_counter()
    with pytest.raises(InputError, match="larger than"):
        files.read(path)
    assert time.perf_counter() - started < 1.0


def test_a_sum_to_a_billion_is_bounded_in_the_numeric_check(tmp_path):
    derivation = read_text(tmp_path, "title: t\nsymbols:\n  i: integer\n  x: real sequence\n"
                           "start: Sum(x[i]**2, (i, 1, 10**9))\n"
                           "steps:\n  - expr: Sum(x[i]**2, (i, 1, 10**9)) + 1\n")
    started = time.perf_counter()
    report = check(derivation, CheckSettings(timeout=2.0))
    assert report.steps[0].verdict is Verdict.UNDECIDED
    assert "terms to evaluate" in report.steps[0].judgement.method  # it says why
    assert time.perf_counter() - started < 4.0


@pytest.mark.parametrize("data", [bytes(range(256)) * 4, b"\x00\x01title: t\x00\n" * 50,
                                  b"\x89PNG\r\n\x1a\n" + bytes(64)], ids=["bytes", "nul", "png"])
def test_binary_files_are_input_errors(tmp_path, data):
    path = tmp_path / "binary.deriv.yaml"
    path.write_bytes(data)
    started = time.perf_counter()
    with pytest.raises(InputError):
        files.read(path)
    assert time.perf_counter() - started < 1.0


FALSE = sorted((HERE / "derivations" / "false").glob("*.deriv.yaml"))
CRASHERS = sorted((HERE / "derivations" / "crashers").glob("*.deriv.yaml"))


@pytest.mark.parametrize("path", FALSE, ids=lambda p: p.name)
def test_false_steps_found_in_review_are_never_accepted(path):
    """Each file has one false step that an earlier version proved or checked: a wrong bound,
    a captured index, cancellation beyond the working precision, a point the sampler missed."""
    (step,) = check(files.read(path), CheckSettings(timeout=3.0)).steps
    assert step.verdict in (Verdict.REFUTED, Verdict.UNDECIDED), step.judgement.method


@pytest.mark.parametrize("path", CRASHERS, ids=lambda p: p.name)
def test_inputs_that_once_crashed_are_errors_or_verdicts(path):
    try:
        report = check(files.read(path), CheckSettings(timeout=3.0))
    except InputError as error:
        assert error.message
    else:
        assert all(s.verdict in Verdict for s in report.steps)


def test_an_interval_cut_by_a_flow_mapping_says_to_quote_it(tmp_path):
    text = ("title: t\nsymbols: {K: positive integer, q: sequence in (0, 1)}\n"
            "start: q[K]\nsteps:\n  - expr: q[K]\n")
    with pytest.raises(InputError, match="cut at its comma.*quote it") as caught:
        read_text(tmp_path, text)
    assert caught.value.line == 2
