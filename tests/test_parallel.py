"""``--jobs``: worker processes give the same reports as checking in order, and a step that
cannot be interrupted, or kills its worker, is undecided without stopping the run."""

import os
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from derivations.cli.main import main
from derivations.settings import CheckSettings
from derivations import catalog, checker
from derivations.running import parallel
from derivations.running.cache import VerdictCache
from derivations.checker import check
from derivations.model import DerivationError
from derivations.reading.files import read
from derivations.kernel import Verdict
from derivations.model import Derivation

EXAMPLES = Path(__file__).parent / "derivations"
WRONG = EXAMPLES / "bad" / "wrong-normaliser.deriv.yaml"


def _outcome(report):
    return [(s.index, s.verdict, s.judgement.rule, s.judgement.method, s.judgement.counterexample,
             s.judgement.left, s.judgement.right, s.judgement.sense) for s in report.steps]


def test_workers_give_the_same_reports_as_checking_in_order():
    derivations = [catalog.get("gaussian-least-squares"), catalog.get("ce-kl-entropy"),
                   read(WRONG), catalog.get("entropy-examples")]
    in_order = [check(d) for d in derivations]
    in_workers = parallel.check_in_workers(derivations, CheckSettings(timeout=5, jobs=2))
    assert [_outcome(r) for r in in_workers] == [_outcome(r) for r in in_order]
    assert [r.relation for r in in_workers] == [r.relation for r in in_order]
    assert [r.chain.sense for r in in_workers] == [r.chain.sense for r in in_order]


def test_workers_use_and_fill_the_cache(tmp_path):
    derivations = [catalog.get("categorical-ce"), read(WRONG)]
    verdicts = VerdictCache(tmp_path)
    parallel.check_in_workers(derivations, CheckSettings(timeout=5, cache=verdicts, jobs=2))
    warm = parallel.check_in_workers(derivations, CheckSettings(timeout=5, cache=verdicts, jobs=2))
    assert all(s.judgement.recalled for r in warm for s in r.steps)
    assert warm[1].first_failure.verdict is Verdict.REFUTED


def test_a_derivation_that_cannot_be_checked_is_its_error():
    good = catalog.get("ce-kl-entropy")
    empty = Derivation("empty", "No steps", good.context, good.start, ())
    first, second = parallel.check_in_workers([empty, good], CheckSettings(timeout=5, jobs=2))
    assert isinstance(first, DerivationError) and "at least one step" in str(first)
    assert second.passed(strict=True)


def _stuck_at(target_index, behaviour):
    """A check_step that misbehaves on one step of categorical-ce and is itself elsewhere."""
    original = checker.check_step

    def check_step(derivation, claim, settings):
        if derivation.id == "categorical-ce" and claim.step is derivation.steps[target_index]:
            behaviour()
        return original(derivation, claim, settings)

    return check_step


def _ignore_the_alarm_and_hang():
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # as a long call into C would
    time.sleep(3600)


def test_a_step_that_ignores_its_time_limit_has_its_worker_killed(monkeypatch):
    monkeypatch.setattr(checker, "check_step", _stuck_at(2, _ignore_the_alarm_and_hang))
    monkeypatch.setattr(parallel, "GRACE", 0.5)
    started = time.monotonic()
    (report,) = parallel.check_in_workers([catalog.get("categorical-ce")], CheckSettings(timeout=0.5, jobs=2))
    assert time.monotonic() - started < 30
    verdicts = [s.verdict for s in report.steps]
    assert verdicts[2] is Verdict.UNDECIDED
    assert "the checking process was stopped" in report.steps[2].judgement.method
    assert verdicts[:2] + verdicts[3:] == [Verdict.PROVED] * (len(verdicts) - 1)


def test_a_worker_that_dies_leaves_its_step_undecided_and_is_replaced(monkeypatch):
    monkeypatch.setattr(checker, "check_step", _stuck_at(0, lambda: os._exit(3)))
    (report,) = parallel.check_in_workers([catalog.get("categorical-ce")], CheckSettings(timeout=5, jobs=1))
    assert report.steps[0].verdict is Verdict.UNDECIDED
    assert "the checking process stopped" in report.steps[0].judgement.method
    assert all(s.verdict is Verdict.PROVED for s in report.steps[1:])


def test_the_cli_takes_jobs_and_refuses_a_negative_number():
    runner = CliRunner()
    result = runner.invoke(main, ["check", "--no-cache", "--jobs", "2", "ce-kl-entropy",
                                  str(WRONG)])
    assert result.exit_code == 1
    assert "2 derivation(s): 1 passed, 1 failed" in result.output
    assert "step 2 refuted" in result.output
    result = runner.invoke(main, ["check", "--jobs", "-1", "ce-kl-entropy"])
    assert result.exit_code == 2 and "--jobs" in result.output


def test_by_default_one_derivation_is_checked_here_and_several_by_one_worker_per_core():
    one = [catalog.get("ce-kl-entropy")]
    assert parallel.workers_for(one) == 1
    assert parallel.workers_for(one * 3) == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_unreadable_file_is_reported_beside_the_others(tmp_path, jobs):
    broken = tmp_path / "broken.deriv.yaml"
    broken.write_text("title: [unclosed\n")
    result = CliRunner().invoke(main, ["check", "--jobs", str(jobs), "ce-kl-entropy",
                                       str(broken)])
    assert result.exit_code == 2
    assert "1 passed" in result.output and "broken.deriv.yaml" in result.output
