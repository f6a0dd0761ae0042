"""A wall-clock limit around pure-Python work such as a SymPy call.

SymPy runs in Python bytecode, so a ``SIGALRM`` raised as an exception stops it between two
bytecodes.  Signals reach only the main thread: elsewhere the limit cannot be enforced and the
work runs unlimited (the CLI and pytest check in the main thread).  Limits nest; the inner one
never outlives the outer.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager


class StepTimeout(Exception):
    """The time limit ran out."""


def _raise(signum, frame):
    raise StepTimeout()


def _enforceable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float):
    if not _enforceable() or seconds <= 0:
        yield
        return
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    previous = signal.signal(signal.SIGALRM, _raise)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer_left) if outer_left else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:
            left = outer_left - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-4))
