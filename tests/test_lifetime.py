"""Interrupted, killed and concurrent runs leave nothing behind and lose nothing: no process of
a stopped run survives it, an interrupted run says so with its own exit status, output that
cannot be written ends in one line and a non-verdict status, and runs sharing a cache folder
agree and keep every record whole.

Each run is a real ``derive`` in a subprocess with a session of its own, so that its processes
are the ones in that session.  A "slow" run has every step sleep (or hang with its time-limit
alarm blocked, as in a long call into C) until it is stopped."""

import json
import os
import re
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from derivations.cli.entry import OUTPUT_ERROR
from derivations.running.cache import VerdictCache

CHECKING = "checking a slow step"
DERIVE = "from derivations.cli.entry import main; main()"
SLOW_DERIVE = textwrap.dedent(f"""
    import os, signal, sys, time
    from derivations import checker
    from derivations.running import lifetime

    def slow_step(derivation, claim, timeout):
        if os.environ["SLOW_STEP"] == "hang":
            signal.pthread_sigmask(signal.SIG_BLOCK, {{signal.SIGALRM}})
        sys.stderr.write("{CHECKING}\\n")
        sys.stderr.flush()
        time.sleep(600)

    checker.check_step = slow_step
    if os.environ.get("NO_PARENT_DEATH_SIGNAL"):  # only the watchdog thread ends the workers
        lifetime.die_with_parent = lambda parent: None
    {DERIVE}
""")


def _slow_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "slow"
    folder.mkdir()
    for number in range(4):
        (folder / f"s{number}.deriv.yaml").write_text(textwrap.dedent(f"""\
            title: slow {number}
            symbols:
              x: real
            start: {number + 1}*x + x
            steps:
              - expr: {number + 2}*x
                by: adding like terms
              - expr: x*{number + 2}
                by: reordering
            """))
    return folder


def _start(tmp_path, code, args, **env):
    # Run away from the checkout, whose derivations/ folder is not the installed package.
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)], cwd=tmp_path, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "DERIVATIONS_CACHE_DIR": str(tmp_path / "verdicts"), **env})


def _wait_for_steps(run, count: int) -> str:
    """Until ``count`` slow steps have started (in this process or its workers); what the run
    wrote to stderr by then."""
    deadline = time.monotonic() + 60
    written = b""
    while written.decode().count(CHECKING) < count:
        ready, _, _ = select.select([run.stderr], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"the run never started checking: {written}"
        chunk = os.read(run.stderr.fileno(), 4096)  # not readline: no lines kept in a buffer
        assert chunk, f"the run ended early: {written}"
        written += chunk
    return written.decode()


def _alive(session: int) -> list[int]:
    """The processes of a session that are still running (a zombie has ended: only its exit
    status waits for the reaper)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except (OSError, ValueError):
            continue
        state, _, _, sid = stat.rsplit(")", 1)[1].split()[:4]
        if int(sid) == session and state not in "ZX":
            found.append(int(entry))
    return found


def _alive_after(session: int, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (alive := _alive(session)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def _stop(run, signum: int, workers: int, group: bool = False):
    """Send ``signum`` to the run (``group``: to all its processes, as a terminal sends Ctrl-C)
    once its workers are busy; its exit status and stderr, after checking that none of its
    processes is left 3 s after the signal."""
    try:
        _wait_for_steps(run, max(workers, 1))
        assert len(_alive(run.pid)) == 1 + workers
        if group:
            os.killpg(run.pid, signum)
        else:
            run.send_signal(signum)
        status = run.wait(timeout=3)
        assert _alive_after(run.pid, 3) == []
    finally:
        for pid in _alive(run.pid):  # whatever went wrong, leave nothing running
            os.kill(pid, signal.SIGKILL)
        run.wait()
    return status, run.stderr.read().decode()


@pytest.mark.parametrize("signum, status, jobs, group", [
    (signal.SIGKILL, -signal.SIGKILL, 2, False),
    (signal.SIGTERM, 143, 2, False),
    (signal.SIGINT, 130, 2, False),
    (signal.SIGINT, 130, 2, True),
    (signal.SIGTERM, 143, 1, False),
    (signal.SIGINT, 130, 1, False),
])
def test_a_stopped_check_leaves_no_process_and_exits_with_its_signals_status(
        tmp_path, signum, status, jobs, group):
    run = _start(tmp_path, SLOW_DERIVE, ["check", "--jobs", jobs, "--timeout", 600,
                                         _slow_folder(tmp_path)], SLOW_STEP="sleep")
    stopped, stderr = _stop(run, signum, workers=jobs if jobs > 1 else 0, group=group)
    assert stopped == status
    assert "Traceback" not in stderr
    if signum != signal.SIGKILL:
        assert f"derive: stopped by {signal.Signals(signum).name}" in stderr


def test_the_watchdog_alone_ends_workers_whose_parent_was_killed(tmp_path):
    """Without the parent-death signal, and with each worker's main thread stuck where no
    signal handler runs, the watchdog thread still ends every worker."""
    run = _start(tmp_path, SLOW_DERIVE, ["check", "--jobs", 2, "--timeout", 600,
                                         _slow_folder(tmp_path)],
                 SLOW_STEP="hang", NO_PARENT_DEATH_SIGNAL="1")
    assert _stop(run, signal.SIGKILL, workers=2)[0] == -signal.SIGKILL


@pytest.mark.parametrize("command", [
    ["build", "--jobs", 2, "--no-pdf", "--timeout", 600, "{out}"],
    ["handout", "{slow}", "--title", "T", "-o", "{out}/handout.md", "--timeout", 600],
], ids=["build", "handout"])
def test_a_stopped_build_or_handout_writes_nothing(tmp_path, command):
    out = tmp_path / "out"
    out.mkdir()
    slow = _slow_folder(tmp_path)
    args = [str(a).format(out=out, slow=slow) for a in command]
    run = _start(tmp_path, SLOW_DERIVE, args, SLOW_STEP="sleep")
    stopped, stderr = _stop(run, signal.SIGTERM, workers=2 if command[0] == "build" else 0)
    assert stopped == 143 and "Traceback" not in stderr
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("args", [["check"], ["check", "--json"], ["show"]])
def test_a_full_disk_ends_in_one_line_and_the_output_error_status(tmp_path, args):
    with open("/dev/full", "w") as full:
        run = subprocess.run([sys.executable, "-c", DERIVE, *args, "ce-kl-entropy"], cwd=tmp_path,
                             stdout=full, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "DERIVATIONS_CACHE_DIR": str(tmp_path)})
    assert run.returncode == OUTPUT_ERROR
    assert run.stderr == "derive: write error: No space left on device\n"


def test_a_closed_pipe_ends_quietly_with_the_output_error_status(tmp_path):
    run = _start(tmp_path, DERIVE, ["check", "--no-cache", "ce-kl-entropy", "categorical-ce"])
    run.stdout.close()  # as `| head` does once it has read enough
    assert run.wait(timeout=60) == OUTPUT_ERROR
    assert run.stderr.read() == b""


def _many_files(folder: Path, count: int) -> Path:
    folder.mkdir()
    for number in range(count):
        a, b = number % 13 + 1, number // 13 + 2
        last = f"({a} + {b} + 1)*x*exp(y)" if number % 7 == 3 else f"({a} + {b})*x*exp(y)"
        (folder / f"f{number:03}.deriv.yaml").write_text(textwrap.dedent(f"""\
            title: sum {number}
            symbols:
              x: real
              y: positive
            start: {a}*x*exp(y) + {b}*x*exp(y)
            steps:
              - expr: ({a}*x + {b}*x)*exp(y)
                by: a common factor
              - expr: {last}
                by: collecting the constants
            """))
    return folder


def _verdicts(output: str):
    """Everything a report says but when and whether a verdict (or a whole summary, which a
    concurrent run may have filed first) was recalled."""
    files = json.loads(output)["files"]
    return [{**{k: v for k, v in f.items() if k != "recalled"},
             "steps": [{k: v for k, v in s.items() if k not in ("seconds", "cached")}
                       for s in f["steps"]]} for f in files]


def test_concurrent_runs_on_one_cache_agree_and_keep_every_record_whole(tmp_path):
    folder = _many_files(tmp_path / "many", 200)
    runs = [_start(tmp_path, DERIVE, ["check", "--json", "--jobs", 2, folder]) for _ in range(4)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [1] * 4  # every 7th file has a false step
    reports = [_verdicts(stdout) for stdout, _ in outputs]
    assert all(report == reports[0] for report in reports)
    assert len(reports[0]) == 200
    records = list((tmp_path / "verdicts").rglob("*"))
    # The folder's signing key is one file; every other file is a record.
    files = [path for path in records if path.is_file() and path.name != "key"]
    assert all(path.suffix == ".json" and not path.name.startswith(".") for path in files)
    assert all(json.loads(path.read_text())["key"] == path.stem for path in files)
    assert len(files) > 200  # the summaries and the distinct steps


def _timeless(document: str) -> str:
    return re.sub(r"\d+(\.\d+)? m?s\b", "(time)", document)


def test_concurrent_handouts_to_one_file_leave_it_whole(tmp_path):
    folder = _many_files(tmp_path / "many", 12)
    target = tmp_path / "out" / "handout.md"
    handout = ["handout", folder, "--allow-unverified", "--title", "Sums", "-o"]
    runs = [_start(tmp_path, DERIVE, [*handout, target]) for _ in range(3)]
    assert [run.wait(timeout=300) for run in runs] == [0] * 3
    alone = _start(tmp_path, DERIVE, [*handout, tmp_path / "alone.md"])
    assert alone.wait(timeout=300) == 0
    assert _timeless(target.read_text()) == _timeless((tmp_path / "alone.md").read_text())
    assert [path.name for path in target.parent.iterdir()] == ["handout.md"]


def test_a_record_cut_off_anywhere_is_never_trusted(tmp_path):
    """A record cut off by a kill (half written, not renamed: but also a disk that lost its
    tail) is a miss whatever its length, so the step is checked afresh and the record rewritten."""
    verdicts = VerdictCache(tmp_path)
    key = "cd" + "1" * 62
    record = {"key": key, "verdict": "proved", "method": "an exact argument", "relation": "="}
    verdicts._write(key, record)
    path = verdicts._path(key)
    whole = path.read_bytes()
    assert verdicts.get(key) == record
    for length in range(len(whole)):
        path.write_bytes(whole[:length])
        assert verdicts.get(key) is None, whole[:length]
