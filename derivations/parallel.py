"""Checking in worker processes (``--jobs N``).

The steps of every derivation are handed out one at a time to processes forked from this one,
so they start with SymPy and the derivations already loaded.  Each step runs under its own time
limit inside the worker; should that limit fail to fire (inside a long call into C, say), the
worker is killed a little later, replaced, and the step is undecided.  A worker sends back each
judgement as its record, which the kernel's ``received`` rule turns into the same judgement on
this process's own expressions; the chains are assembled here.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from multiprocessing.connection import wait

from . import kernel
from .checker import (
    Claim, DerivationError, assemble, check_claim, check_shape, claims, one_slip_once,
)
from .model import Derivation
from .report import Report, StepReport

GRACE = 2.0  # seconds past the step's time limit before its worker is killed


def workers_for(derivations: list) -> int:
    """``--jobs 0``: one worker per core this process may use when there is more than one
    derivation (forking costs more than one derivation's steps gain), and processes can be
    forked; otherwise 1, checking in this process."""
    if len(derivations) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def check_in_workers(derivations: list[Derivation], timeout: float, cache=None,
                     jobs: int = 2) -> list[Report | DerivationError]:
    """For each derivation, its report or the error that stopped it from being checked; the
    same as checking one by one, in less wall time."""
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
    pool = _Pool(derivations, claimed, timeout, cache, min(jobs, len(tasks)))
    try:
        while tasks or pool.busy:
            pool.hand_out(tasks)
            for task, judgement, seconds in pool.collect():
                number, index = task
                claim = claimed[number][index - 1]
                done[task] = StepReport(index, claim.step, judgement, seconds)
    finally:
        pool.close()
    for number, found in claimed.items():
        steps = [done[(number, claim.index)] for claim in found]
        results[number] = assemble(derivations[number],
                                   one_slip_once(derivations[number], steps, timeout, cache))
    return results


def _size(claim: Claim) -> int:
    """How long a claim is written out: a rough guess at how long it takes to check."""
    return len(kernel.exact_text(claim.before)) + len(kernel.exact_text(claim.step.expr))


class _Pool:
    """Worker processes, each with a pipe, the task it holds and when that task started."""

    def __init__(self, derivations, claimed, timeout, cache, size: int):
        self.arguments = (derivations, claimed, timeout, cache)
        self.claimed, self.timeout = claimed, timeout
        self.context = multiprocessing.get_context("fork")
        self.idle = [self._start() for _ in range(size)]
        self.busy: dict = {}  # connection -> (process, task, started)

    def _start(self):
        ours, theirs = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(theirs, *self.arguments), daemon=True)
        process.start()
        theirs.close()
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
            return kernel.received(claim.before, claim.step.expr, claim.step.relation, record)
        except kernel.RuleError as exc:
            return claim.undecided(f"the checking process sent no usable verdict ({exc})")

    def _replace(self, process, connection) -> None:
        process.kill()
        process.join()
        connection.close()
        self.idle.append(self._start())

    def close(self) -> None:
        for process, connection in self.idle + [(p, c) for c, (p, _, _) in self.busy.items()]:
            process.kill()
            process.join()
            connection.close()
        self.idle, self.busy = [], {}


def _serve(connection, derivations, claimed, timeout, cache) -> None:
    """A worker: check the steps it is sent until its pipe closes."""
    while True:
        try:
            number, index = connection.recv()
        except EOFError:
            return
        derivation = derivations[number]
        try:
            report = check_claim(derivation, claimed[number][index - 1], timeout, cache)
            reply = (report.judgement.signed_record(), report.seconds)
        except Exception as exc:  # a bug must not stop the run: this step stays undecided
            reply = (claimed[number][index - 1].undecided(
                f"the checking process failed: {type(exc).__name__}: {exc}").signed_record(), 0.0)
        connection.send(reply)
