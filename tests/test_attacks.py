"""The attack corpus: steps written as a hostile student or a careful lecturer would, each with
its ground truth computed independently.  The first line of each file says what it is:

- ``# false: N`` — step N is false: it must be refuted or undecided, never proved or checked;
- ``# true`` — every step is true: none may be refuted;
- ``# error`` — the file must be refused as an input error (with its place), never crash.

Whatever the file, checking it never raises anything but an input error."""

import re
from pathlib import Path

import pytest

from derivations.settings import CheckSettings
from derivations.reading import files
from derivations.checker import check
from derivations.kernel import Verdict
from derivations.reading.sources import InputError

ATTACKS = sorted((Path(__file__).parent / "derivations" / "attacks").glob("*.deriv.yaml"))


def _expectation(path: Path) -> tuple[str, int | None]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    found = re.fullmatch(r"# (false): (\d+)|# (true)|# (error)", first.strip())
    assert found, f"{path.name}: the first line must be '# false: N', '# true' or '# error'"
    if found.group(1):
        return "false", int(found.group(2))
    return (found.group(3) or found.group(4)), None


def test_the_corpus_is_large_enough():
    assert len(ATTACKS) >= 40


@pytest.mark.parametrize("path", ATTACKS, ids=lambda p: p.name)
def test_attack(path):
    kind, step = _expectation(path)
    if kind == "error":
        with pytest.raises(InputError) as caught:
            check(files.read(path), CheckSettings(timeout=3.0))
        assert caught.value.message
        return
    report = check(files.read(path), CheckSettings(timeout=3.0))
    verdicts = [s.verdict for s in report.steps]
    if kind == "false":
        assert verdicts[step - 1] in (Verdict.REFUTED, Verdict.UNDECIDED), \
            (verdicts, report.steps[step - 1].judgement.method)
    else:
        refuted = [(s.index, s.judgement.method) for s in report.steps
                   if s.verdict is Verdict.REFUTED]
        assert not refuted, refuted
