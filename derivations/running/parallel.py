"""Checking in worker processes (``--jobs N``).

The steps of every derivation are handed out one at a time to processes forked from this one,
so they start with SymPy and the derivations already loaded.  Each step runs under its own time
limit inside the worker; should that limit fail to fire (inside a long call into C, say), the
worker is killed a little later, replaced, and the step is undecided.  A worker sends back each
judgement as its record, which the kernel's ``received`` rule turns into the same judgement on
this process's own expressions; the chains are assembled here.

Workers end with the run however it ends (``derivations.running.lifetime``): stopped and reaped when
it finishes or is interrupted (SIGINT, SIGTERM: the exception unwinds through ``close``), and
killed by the kernel or by their own watchdog when it is killed outright.  They ignore SIGINT,
which a terminal sends to every process of the job: the run decides when they stop.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from multiprocessing.connection import wait

from .. import kernel
from ..checker import Claim, assemble, check_claim, claims, lemma_reports, one_slip_once
from ..model import Derivation, DerivationError, check_shape
from ..report import Report, StepReport
from ..errors import InternalError
from ..settings import CheckSettings

GRACE = 2.0  # seconds past the step's time limit before its worker is killed


def workers_for(derivations: list) -> int:
    """``--jobs 0``: one worker per core this process may use when there is more than one
    derivation (forking costs more than one derivation's steps gain), and processes can be
    forked; otherwise 1, checking in this process."""
    if len(derivations) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def check_in_workers(derivations: list[Derivation],
                     settings: CheckSettings) -> list[Report | DerivationError]:
    """For each derivation, its report or the error that stopped it from being checked; the
    same as checking one by one, in less wall time, in ``settings.jobs`` processes."""
    results: list = [None] * len(derivations)
    claimed: dict[int, list[Claim]] = {}
    for number, derivation in enumerate(derivations):
        try:
            check_shape(derivation)
        except DerivationError as exc:
            results[number] = exc
            continue
        claimed[number] = claims(derivation)
    # The longest claims first, so that no long step is left to run alone at the end.
    tasks = deque(sorted(((number, claim.index) for number, found in claimed.items()
                          for claim in found),
                         key=lambda task: -_size(claimed[task[0]][task[1] - 1])))
    done: dict[tuple[int, int], StepReport] = {}
    pool = _Pool(derivations, claimed, settings, min(settings.jobs, len(tasks)))
    try:
        while tasks or pool.busy:
            pool.hand_out(tasks)
            for task, judgement, seconds in pool.collect():
                number, index = task
                claim = claimed[number][index - 1]
                done[task] = StepReport(index, claim.step, judgement, seconds)
    finally:
        pool.close()
    known: dict = {}  # reports by id of their derivation: the chains later ones cite
    for number, found in claimed.items():
        steps = [done[(number, claim.index)] for claim in found]
        derivation = derivations[number]
        results[number] = assemble(derivation, one_slip_once(derivation, steps, settings),
                                   lemma_reports(derivation, settings, known))
        known[id(derivation)] = results[number]
    return results


def _size(claim: Claim) -> int:
    """How long a claim is written out: a rough guess at how long it takes to check."""
    return len(kernel.exact_text(claim.before)) + len(kernel.exact_text(claim.step.expr))


class _Pool:
    """Worker processes, each with a pipe, the task it holds and when that task started."""

    def __init__(self, derivations, claimed, settings: CheckSettings, size: int):
        self.arguments = (derivations, claimed, settings)
        self.claimed, self.timeout = claimed, settings.timeout
        self.context = multiprocessing.get_context("fork")
        self.lifelines: dict = {}  # process -> the writing end of its lifeline, never written
        self.idle = [self._start() for _ in range(size)]
        self.busy: dict = {}  # connection -> (process, task, started)

    def _start(self):
        ours, theirs = self.context.Pipe()
        watched, held = os.pipe()
        # Every lifeline's writing end, this one's included, is closed in the new worker, so
        # that each reports end of file as soon as this process has gone.
        held_here = [*self.lifelines.values(), held]
        process = self.context.Process(
            target=_serve, args=(theirs, watched, held_here, os.getpid(), *self.arguments),
            daemon=True)
        try:
            process.start()
        finally:
            theirs.close()
            os.close(watched)
        self.lifelines[process] = held
        return process, ours

    def hand_out(self, tasks: deque) -> None:
        while self.idle and tasks:
            process, connection = self.idle.pop()
            task = tasks.popleft()
            connection.send(task)
            self.busy[connection] = (process, task, time.monotonic())

    def collect(self):
        """Wait for finished steps; yield ``(task, judgement, seconds)`` for each, including
        the undecided ones of workers killed for overrunning their step's time limit."""
        for connection in wait(list(self.busy), timeout=0.1):
            process, task, started = self.busy.pop(connection)
            try:
                record, seconds = connection.recv()
            except (EOFError, OSError):
                yield task, self._undecided(task, "the checking process stopped"), \
                    time.monotonic() - started
                self._replace(process, connection)
                continue
            self.idle.append((process, connection))
            if record is None:  # the worker hit a bug of this program, not a verdict
                number, index = task
                raise InternalError(f"checking step {index} of "
                                    f"{self.arguments[0][number].source} ({seconds})")
            yield task, self._received(task, record), seconds
        now = time.monotonic()
        for connection, (process, task, started) in list(self.busy.items()):
            if now - started > self.timeout + GRACE:
                del self.busy[connection]
                yield task, self._undecided(
                    task, f"time limit of {self.timeout:g} s reached; the checking process "
                          "was stopped"), now - started
                self._replace(process, connection)

    def _claim(self, task) -> Claim:
        number, index = task
        return self.claimed[number][index - 1]

    def _undecided(self, task, reason: str):
        return self._claim(task).undecided(reason)

    def _received(self, task, record: dict):
        claim = self._claim(task)
        try:
            return kernel.received(claim.statement, record)
        except kernel.RuleError as exc:
            return claim.undecided(f"the checking process sent no usable verdict ({exc})")

    def _replace(self, process, connection) -> None:
        self._stop(process, connection)
        self.idle.append(self._start())

    def _stop(self, process, connection) -> None:
        process.kill()
        process.join()
        connection.close()
        os.close(self.lifelines.pop(process))

    def close(self) -> None:
        """Kill and reap every worker (also when an interruption unwinds the run)."""
        workers = self.idle + [(p, c) for c, (p, _, _) in self.busy.items()]
        self.idle, self.busy = [], {}
        for process, connection in workers:
            self._stop(process, connection)


def _serve(connection, lifeline, held_here, parent, derivations, claimed,
           settings: CheckSettings) -> None:
    """A worker: check the steps it is sent until its pipe closes, or its parent is gone."""
    from . import lifetime

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    lifetime.die_with_parent(parent)
    for held in held_here:
        os.close(held)
    lifetime.exit_when_closed(lifeline)
    while True:
        try:
            number, index = connection.recv()
        except EOFError:
            return
        derivation = derivations[number]
        try:
            report = check_claim(derivation, claimed[number][index - 1], settings)
            reply = (report.judgement.signed_record(), report.seconds)
        except Exception as exc:  # a bug: the parent stops the run with exit code 3
            reply = (None, f"{type(exc).__name__}: {exc}")
        connection.send(reply)
