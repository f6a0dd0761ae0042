"""Issue #20: concurrent runs, some of them killed, on one cache: nothing left behind, nothing lost.

    python bench/stress.py                 # 1,000 files, 8 concurrent runs, half of them killed
    python bench/stress.py --files 200 --runs 4 --rounds 2

Writes ``--files`` small derivation files (a few kinds of step, every seventh derivation with a
false step), then:

1. a reference run, alone, with ``--no-cache``: the verdicts every other run must give, and the
   memory of one run of that size;
2. ``--rounds`` rounds, each of ``--runs`` concurrent ``derive check --json --jobs N`` runs on
   one shared cache folder, empty at the start of the round, each run in a session of its own;
   ``--kill`` of them, picked at random, get SIGKILL, SIGTERM or SIGINT (in turn) at a random
   moment while the reference run was still checking;
3. after each round, one more run on the cache the killed runs left behind.

It prints, and writes to ``bench/results/stress.md``: runs that finished (with the reference's
verdicts, else counted as mismatched), runs stopped (with the documented exit status, else
counted as unexpected), orphans (processes of a run alive 3 s after it ended: must be 0),
records corrupted (files under the cache folder that are not a whole record filed under its own
name: must be 0; the hidden temporary files of writers killed before their rename are counted
apart), the longest step against ``--timeout`` plus the 2 s grace, and the peak resident memory
(VmHWM) of a run's main process and of each worker, and of all the processes of one run and of
all runs at once (sums of VmRSS sampled every 0.1 s).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "stress.md"
DERIVE = "from derivations.cli.entry import main; main()"
STOPPED = {signal.SIGKILL: -signal.SIGKILL, signal.SIGTERM: 143, signal.SIGINT: 130}
GRACE = 2.0


def write_files(folder: Path, count: int) -> None:
    """Small derivations of a few kinds; every seventh has a false last step."""
    for number in range(count):
        a, b = number % 13 + 1, number // 13 + 2
        wrong = 1 if number % 7 == 3 else 0
        kind = number % 3
        if kind == 0:
            start, middle, last = (f"{a}*x*exp(y) + {b}*x*exp(y)", f"({a}*x + {b}*x)*exp(y)",
                                   f"({a + b + wrong})*x*exp(y)")
        elif kind == 1:
            start, middle, last = (f"log({a}*x*y**{b})", f"log({a}) + log(x) + log(y**{b})",
                                   f"log({a}) + log(x) + {b + wrong}*log(y)")
        else:
            start, middle, last = (f"(x + {a})**2 - {b}*y", f"x**2 + 2*{a}*x + {a}**2 - {b}*y",
                                   f"x**2 + {2 * a + wrong}*x + {a * a} - {b}*y")
        (folder / f"d{number:04}.deriv.yaml").write_text(textwrap.dedent(f"""\
            title: stress {number}
            symbols:
              x: positive
              y: positive
            start: {start}
            steps:
              - expr: {middle}
                by: step one
              - expr: {last}
                by: step two
            """))


def session_processes(session: int) -> list[int]:
    """Running (not zombie) processes whose session is ``session``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except OSError:
            continue
        state, _, _, sid = stat.rsplit(")", 1)[1].split()[:4]
        if int(sid) == session and state not in "ZX":
            found.append(int(entry))
    return found


def memory_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB; zeros once it is gone."""
    values = {"VmRSS:": 0, "VmHWM:": 0}
    try:
        for line in Path("/proc", str(pid), "status").read_text().splitlines():
            parts = line.split()
            if parts and parts[0] in values:
                values[parts[0]] = int(parts[1])
    except OSError:
        pass
    return values["VmRSS:"], values["VmHWM:"]


@dataclass
class Run:
    process: subprocess.Popen
    signum: int | None = None  # the signal it is sent, if any
    kill_at: float = 0.0
    sent: bool = False
    status: int | None = None
    stdout: bytes = b""
    stderr: bytes = b""
    orphans: int = 0
    peak_main_kib: int = 0
    peak_worker_kib: int = 0
    peak_all_kib: int = 0  # all its processes at once
    readers: tuple = ()


@dataclass
class Memory:
    peak_everything_kib: int = 0  # every run's processes at once
    lock: threading.Lock = field(default_factory=threading.Lock)


def start(args: list[str], cache: Path | None) -> Run:
    env = dict(os.environ)
    if cache is not None:
        env["DERIVATIONS_CACHE_DIR"] = str(cache)
    process = subprocess.Popen([sys.executable, "-c", DERIVE, *args], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    run = Run(process)

    def read(stream: str) -> None:
        setattr(run, stream, getattr(process, stream).read())

    run.readers = tuple(threading.Thread(target=read, args=(stream,), daemon=True)
                        for stream in ("stdout", "stderr"))
    for reader in run.readers:
        reader.start()
    return run


def sample(runs: list[Run], memory: Memory) -> None:
    """One look at the memory of every live run's processes."""
    everything = 0
    for run in runs:
        if run.status is not None:
            continue
        total = 0
        for pid in session_processes(run.process.pid):
            rss, hwm = memory_kib(pid)
            total += rss
            if pid == run.process.pid:
                run.peak_main_kib = max(run.peak_main_kib, hwm)
            else:
                run.peak_worker_kib = max(run.peak_worker_kib, hwm)
        run.peak_all_kib = max(run.peak_all_kib, total)
        everything += total
    memory.peak_everything_kib = max(memory.peak_everything_kib, everything)


def drive(runs: list[Run], memory: Memory) -> None:
    """Send the planned signals, sample memory, and wait for every run; then count orphans."""
    started = time.monotonic()
    while any(run.status is None for run in runs):
        now = time.monotonic() - started
        sample(runs, memory)
        for run in runs:
            if run.status is None and run.signum is not None and not run.sent \
                    and now >= run.kill_at:
                run.process.send_signal(run.signum)
                run.sent = True
            if run.status is None and run.process.poll() is not None:
                run.status = run.process.returncode
                threading.Thread(target=count_orphans, args=(run,), daemon=True).start()
        time.sleep(0.1)
    for run in runs:
        for reader in run.readers:
            reader.join()
    time.sleep(3.2)  # count_orphans looks 3 s after each run's end


def count_orphans(run: Run) -> None:
    time.sleep(3.0)
    left = session_processes(run.process.pid)
    run.orphans = len(left)
    for pid in left:  # leave nothing running, but count it
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def verdicts(stdout: bytes):
    """Every derivation's verdicts, as a report says them, but not how long they took or
    whether they were recalled."""
    files = json.loads(stdout)["files"]
    return [(f["path"], f["passed"], f["error"],
             [{k: v for k, v in s.items() if k not in ("seconds", "cached")} for s in f["steps"]])
            for f in files]


def longest_step(stdout: bytes) -> float:
    return max((s["seconds"] for f in json.loads(stdout)["files"] for s in f["steps"]
                if not s["cached"]), default=0.0)


def inspect_cache(cache: Path) -> tuple[int, int, int]:
    """(whole records, corrupted files, temporary files left by killed writers)."""
    whole = corrupted = temporary = 0
    for path in cache.rglob("*"):
        if not path.is_file():
            continue
        if path.name.startswith(".") and path.name.endswith(".tmp"):
            temporary += 1
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            good = path.suffix == ".json" and record.get("key") == path.stem
        except (OSError, ValueError, AttributeError):
            good = False
        whole += good
        corrupted += not good
    return whole, corrupted, temporary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=8, help="concurrent runs per round")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--kill", type=int, default=4, help="runs per round sent a signal")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="only print the figures")
    options = parser.parse_args()
    chance = random.Random(options.seed)
    work = Path(tempfile.mkdtemp(prefix="derivations-stress-"))
    try:
        folder = work / "files"
        folder.mkdir()
        write_files(folder, options.files)
        check = ["check", "--json", "--jobs", str(options.jobs), "--timeout",
                 str(options.timeout), str(folder)]
        memory = Memory()
        began = time.monotonic()
        reference_run = start([*check, "--no-cache"], None)
        drive([reference_run], Memory())
        reference_seconds = time.monotonic() - began
        reference = verdicts(reference_run.stdout)
        all_runs: list[Run] = []
        signals = itertools.cycle(STOPPED)
        whole = corrupted = temporary = 0
        began = time.monotonic()
        for round_number in range(options.rounds):
            cache = work / f"cache{round_number}"
            runs = [start(check, cache) for _ in range(options.runs)]
            for run in chance.sample(runs, min(options.kill, options.runs)):
                run.signum = next(signals)
                run.kill_at = chance.uniform(0.5, max(1.0, reference_seconds))
            drive(runs, memory)
            after = start(check, cache)
            drive([after], Memory())
            all_runs += [*runs, after]
            found = inspect_cache(cache)
            whole, corrupted, temporary = whole + found[0], corrupted + found[1], \
                temporary + found[2]
        concurrent_seconds = time.monotonic() - began
        finished = [r for r in all_runs if r.status in (0, 1)]
        stopped = [r for r in all_runs if r.status not in (0, 1)]
        mismatched = sum(verdicts(r.stdout) != reference for r in finished)
        unexpected = sum(r.signum is None or r.status != STOPPED[r.signum] for r in stopped)
        figures = [
            ("files; concurrent runs x rounds; runs sent a signal",
             f"{options.files}; {options.runs} x {options.rounds}; "
             f"{sum(r.signum is not None for r in all_runs)}"),
            ("reference run alone (--no-cache), wall time", f"{reference_seconds:.1f} s"),
            ("rounds, wall time", f"{concurrent_seconds:.1f} s"),
            ("runs that finished (incl. the one after each round)", str(len(finished))),
            ("  with verdicts other than the reference's (must be 0)", str(mismatched)),
            ("runs stopped by their signal", ", ".join(
                f"{signal.Signals(s).name} {sum(r.signum == s and r in stopped for r in all_runs)}"
                for s in STOPPED)),
            ("  with an exit status other than the documented one (must be 0)", str(unexpected)),
            ("runs that printed a traceback (must be 0)",
             str(sum(b"Traceback" in r.stderr for r in [reference_run, *all_runs]))),
            ("orphans: processes alive 3 s after their run ended (must be 0)",
             str(sum(r.orphans for r in [reference_run, *all_runs]))),
            ("cache: whole records; corrupted (must be 0); temporary files of killed writers",
             f"{whole}; {corrupted}; {temporary}"),
            (f"longest step checked (limit {options.timeout:g} s + {GRACE:g} s grace)",
             f"{max(longest_step(r.stdout) for r in [reference_run, *finished]):.2f} s"),
            ("peak RSS, reference run: main process; one worker; all its processes",
             f"{reference_run.peak_main_kib / 1024:.0f} MiB; "
             f"{reference_run.peak_worker_kib / 1024:.0f} MiB; "
             f"{reference_run.peak_all_kib / 1024:.0f} MiB"),
            ("peak RSS, concurrent runs: main process; one worker; one run; all runs at once",
             f"{max(r.peak_main_kib for r in all_runs) / 1024:.0f} MiB; "
             f"{max(r.peak_worker_kib for r in all_runs) / 1024:.0f} MiB; "
             f"{max(r.peak_all_kib for r in all_runs) / 1024:.0f} MiB; "
             f"{memory.peak_everything_kib / 1024:.0f} MiB"),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    width = max(len(name) for name, _ in figures)
    for name, value in figures:
        print(f"{name:<{width}}  {value}")
    if not options.no_write:
        command = " ".join(["python bench/stress.py", *sys.argv[1:]])
        table = "\n".join(f"| {name.strip()} | {value} |" for name, value in figures)
        RESULTS.write_text(f"# Stress: concurrent, killed runs on one cache (issue #20)\n\n"
                           f"`{command}` on {os.cpu_count()} cores "
                           f"(shared with other work), --jobs {options.jobs}, seed "
                           f"{options.seed}:\n\n| figure | value |\n|---|---|\n{table}\n")


if __name__ == "__main__":
    main()
