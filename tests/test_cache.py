"""The verdict cache: a warm run recalls exactly what a fresh run finds, keys change with
anything that could change a verdict, and a damaged or foreign record is checked afresh."""

import dataclasses
import json
import multiprocessing
from pathlib import Path

import pytest
from click.testing import CliRunner

from derivations.cli.main import main
from derivations.settings import CheckSettings
from derivations.running import cache as cache_module
from derivations import catalog
from derivations.running.cache import VerdictCache
from derivations.checker import check, claims
from derivations.reading.files import read
from derivations.kernel import POSITIVE, Verdict

EXAMPLES = Path(__file__).parent / "derivations"
WRONG = EXAMPLES / "bad" / "wrong-normaliser.deriv.yaml"


def _outcome(report):
    return [(s.verdict, s.judgement.rule if not s.judgement.recalled else None, s.judgement.method,
             s.judgement.counterexample, s.judgement.left, s.judgement.right)
            for s in report.steps]


def _same_outcome(fresh, warm):
    return [(v, m, c, l, r) for v, _, m, c, l, r in _outcome(fresh)] == \
        [(v, m, c, l, r) for v, _, m, c, l, r in _outcome(warm)]


@pytest.mark.parametrize("derivation", [catalog.get("categorical-ce"), read(WRONG)],
                         ids=["proved", "refuted"])
def test_a_warm_run_recalls_every_step_as_the_fresh_run_found_it(tmp_path, derivation):
    verdicts = VerdictCache(tmp_path)
    fresh = check(derivation, CheckSettings(cache=verdicts))
    assert not any(s.judgement.recalled for s in fresh.steps)
    warm = check(derivation, CheckSettings(cache=verdicts))
    assert all(s.judgement.recalled for s in warm.steps)
    assert _same_outcome(fresh, warm)
    assert warm.passed() == fresh.passed() and warm.relation is fresh.relation
    assert len(list(tmp_path.rglob("*.json"))) == len(derivation.steps)


def test_the_key_changes_with_the_claim_its_assumptions_and_the_checker(tmp_path, monkeypatch):
    verdicts = VerdictCache(tmp_path)
    derivation = catalog.get("gaussian-least-squares")
    statement = claims(derivation)[3].statement
    key = verdicts.key(statement)
    assert verdicts.key(claims(catalog.get("gaussian-least-squares"))[3].statement) == key  # afresh

    sigma = derivation.context.lookup("sigma").obj
    other = dataclasses.replace(statement, after=statement.after.subs(sigma, 2 * sigma))
    assert verdicts.key(other) != key

    narrower = dataclasses.replace(derivation, context=_with_domain(derivation.context, "theta",
                                                                    POSITIVE))
    assert verdicts.key(claims(narrower)[3].statement) != key

    monkeypatch.setattr(cache_module, "checker_version", lambda: "another kernel")
    assert verdicts.key(statement) != key


def _with_domain(context, name, domain):
    """A copy of ``context`` with ``name`` declared in ``domain`` instead."""
    from derivations.kernel import Context

    copy = Context()
    for declaration in context.declarations:
        if declaration.name == name:
            declaration = dataclasses.replace(declaration, domain=domain)
        copy._declare(declaration)
    return copy


def test_the_givens_a_step_uses_are_part_of_its_key(tmp_path):
    derivation = catalog.get("categorical-ce")
    claim = next(c for c in claims(derivation) if c.step.using)
    (name,) = claim.step.using
    given = derivation.givens[name]
    changed = dataclasses.replace(derivation, givens={
        **derivation.givens, name: dataclasses.replace(given, rhs=2 * given.rhs)})
    verdicts = VerdictCache(tmp_path)
    changed_claim = claims(changed)[claim.index - 1]
    assert verdicts.key(changed_claim.statement) != verdicts.key(claim.statement)


def test_undecided_steps_are_never_stored(tmp_path):
    verdicts = VerdictCache(tmp_path)
    report = check(catalog.get("categorical-ce"), CheckSettings(timeout=1e-6, cache=verdicts))
    assert {s.verdict for s in report.steps} == {Verdict.UNDECIDED}
    assert not list(tmp_path.rglob("*.json"))


def test_a_damaged_or_foreign_record_is_checked_again_and_replaced(tmp_path):
    verdicts = VerdictCache(tmp_path)
    derivation = read(WRONG)
    fresh = check(derivation, CheckSettings(cache=verdicts))
    first, second = sorted(tmp_path.rglob("*.json"), key=lambda p: p.stat().st_mtime_ns)[:2]
    first.write_text('{"key": "trunc')  # half a record
    record = json.loads(second.read_text())
    edited = {**record["judgement"], "verdict": "proved"}  # edited by hand: no longer signed
    second.write_text(json.dumps({**record, "judgement": edited}))
    again = check(derivation, CheckSettings(cache=verdicts))
    assert [s.judgement.recalled for s in again.steps].count(False) == 2
    assert _same_outcome(fresh, again)
    assert json.loads(first.read_text())["judgement"]["verdict"] in {"proved", "refuted"}


def test_records_signed_by_another_cache_folder_are_not_recalled(tmp_path):
    import shutil

    derivation = read(WRONG)
    check(derivation, CheckSettings(cache=VerdictCache(tmp_path / "theirs")))
    ours = VerdictCache(tmp_path / "ours")
    assert ours.secret is not None  # our own key, made before their records arrive
    for path in (tmp_path / "theirs").rglob("*.json"):
        target = tmp_path / "ours" / path.relative_to(tmp_path / "theirs")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    again = check(derivation, CheckSettings(cache=ours))
    assert not any(s.judgement.recalled for s in again.steps)


def test_a_record_filed_under_another_key_is_not_recalled(tmp_path):
    verdicts = VerdictCache(tmp_path)
    derivation = catalog.get("ce-kl-entropy")
    check(derivation, CheckSettings(cache=verdicts))
    paths = sorted(tmp_path.rglob("*.json"))
    paths[0].write_text(paths[1].read_text())  # the right format, the wrong claim
    warm = check(derivation, CheckSettings(cache=verdicts))
    assert [s.judgement.recalled for s in warm.steps].count(False) == 1


def test_a_cache_folder_that_cannot_be_written_only_costs_time(tmp_path):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    report = check(catalog.get("ce-kl-entropy"), CheckSettings(cache=VerdictCache(blocked)))
    assert report.passed(strict=True)


def _write_and_read(folder, key, record, rounds):
    verdicts = VerdictCache(folder)
    seen = []
    for _ in range(rounds):
        path = verdicts._path(key)
        cache_module.write_atomically(path, json.dumps(record))
        seen.append(verdicts.get(key))
    return seen


def test_concurrent_writers_never_leave_half_a_record(tmp_path):
    key = "ab" + "0" * 62
    record = {"key": key, "verdict": "proved", "method": "x" * 50_000, "relation": "="}
    with multiprocessing.get_context("fork").Pool(4) as pool:
        results = pool.starmap(_write_and_read, [(tmp_path, key, record, 50)] * 4)
    assert all(seen == record for found in results for seen in found)
    assert [p.name for p in (tmp_path / "v1" / "ab").iterdir()] == [f"{key}.json"]


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVATIONS_CACHE_DIR", str(tmp_path / "verdicts"))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def test_the_cli_says_which_verdicts_were_recalled(run, tmp_path):
    first = run("check", "--json", "ce-kl-entropy")
    assert not any(s["cached"] for s in json.loads(first.output)["files"][0]["steps"])
    second = run("check", "ce-kl-entropy")
    assert second.exit_code == 0
    assert second.output.count("(cached)") == 3
    # The whole summary came from the cache, the derivation not even built: the output says so.
    assert "ce-kl-entropy: " in second.output and "recalled from the verdict cache" in second.output
    assert json.loads(run("check", "--json", "ce-kl-entropy").output)["files"][0]["recalled"]
    assert "recalled from" not in first.output
    assert len(list((tmp_path / "verdicts").rglob("*.json"))) == 3 + 1  # steps, summary


def test_no_cache_neither_reads_nor_writes(run, tmp_path):
    result = run("check", "--no-cache", "ce-kl-entropy")
    assert result.exit_code == 0 and "(cached)" not in result.output
    assert not (tmp_path / "verdicts").exists()


def test_the_default_folder_is_the_users_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("DERIVATIONS_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache_module.default_folder() == tmp_path / ".cache" / "derivations"
    monkeypatch.setenv("DERIVATIONS_CACHE_DIR", str(tmp_path / "mine"))
    assert VerdictCache().folder == tmp_path / "mine"


def test_editing_the_kernel_or_a_tactic_changes_the_checker_version(tmp_path):
    import shutil

    import derivations

    package = tmp_path / "derivations"
    shutil.copytree(Path(derivations.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    before = cache_module.source_version(package)
    assert before == cache_module.checker_version()
    for edited in ("kernel/rules.py", "checker.py"):
        with open(package / edited, "a") as source:
            source.write("\n# edited\n")
        after = cache_module.source_version(package)
        assert after != before
        before = after
    with open(package / "catalog" / "focal_loss.py", "a") as source:
        source.write("\n# edited\n")
    assert cache_module.source_version(package) == before  # claims are keyed themselves


def _run_in_a_new_process(args, cache_folder, cwd):
    """``derive`` ARGS in a fresh interpreter; whether it imported SymPy, and its output."""
    import os
    import subprocess
    import sys

    code = ("import sys; from derivations.cli.main import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit as exit:\n    code = exit.code\n"
            "print('SYMPY' if 'sympy' in sys.modules else 'NO SYMPY', code)")
    environment = {**os.environ, "DERIVATIONS_CACHE_DIR": str(cache_folder)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=environment, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_an_unchanged_run_is_printed_from_the_cache_without_sympy(tmp_path):
    import shutil

    mine = tmp_path / "wrong.deriv.yaml"
    shutil.copy(WRONG, mine)
    args = ["check", "ce-kl-entropy", str(mine)]
    cold = _run_in_a_new_process(args, tmp_path / "verdicts", tmp_path)
    assert cold.splitlines()[-1] == "SYMPY 1"
    warm = _run_in_a_new_process(args, tmp_path / "verdicts", tmp_path)
    assert warm.splitlines()[-1] == "NO SYMPY 1"
    strip = lambda text: [line.replace(" (cached)", "").split(" (unchanged: recalled")[0]  # noqa: E731
                          for line in text.splitlines()[:-1]]
    assert strip(warm) == strip(cold)  # the same table, counterexample and sides
    assert "step 2 refuted" in warm and warm.count("(cached)") == 3 + 2

    mine.write_text(mine.read_text().replace("sqrt(2*pi*sigma)", "sqrt(2*pi)*sigma"))
    edited = _run_in_a_new_process(args, tmp_path / "verdicts", tmp_path)
    assert edited.splitlines()[-1] == "SYMPY 0"  # the file changed: checked again
    assert "2 derivation(s): 2 passed" in edited
    # ce-kl-entropy's summary and the unchanged first step are recalled; the new step is not
    assert edited.count("(cached)") == 4


def test_a_summary_edited_by_hand_or_from_an_older_checker_is_not_printed(run, tmp_path,
                                                                           monkeypatch):
    run("check", "ce-kl-entropy")
    (path,) = [p for p in (tmp_path / "verdicts").rglob("*.json")
               if "summary" in json.loads(p.read_text())]
    record = json.loads(path.read_text())
    first = record["summary"]["steps"][0]
    edited = {**record["summary"], "steps": [{**first, "method": "edited by hand"},
                                             *record["summary"]["steps"][1:]]}
    path.write_text(json.dumps({**record, "summary": edited}))
    again = run("check", "ce-kl-entropy")
    assert "edited by hand" not in again.output and "recalled from" not in again.output
    assert "recalled from" in run("check", "ce-kl-entropy").output  # filed afresh, signed
    monkeypatch.setattr(cache_module, "checker_version", lambda: "an older checker")
    verdicts = VerdictCache(tmp_path / "verdicts")
    assert verdicts.get_summary(VerdictCache.summary_key("ce-kl-entropy", None)) is None
