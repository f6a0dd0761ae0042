"""Worker processes that never outlive the process that started them.

A run can end without cleaning up: killed with SIGKILL, say, by an autograder over its time
budget.  Two independent guards end each worker then.  On Linux the kernel sends it SIGKILL
when its parent exits (``prctl(PR_SET_PDEATHSIG)``); everywhere, a thread of its own waits on
a pipe whose only writing end the parent holds, and ends the worker when that pipe reports end
of file, which happens however the parent ends.  The thread runs while the worker's main
thread is busy (even inside a long call into C, or with its time-limit alarm blocked).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
ORPHANED = 1  # the exit status of a worker whose parent has gone (nobody reads it)
# Signals for the worker's main thread: its step time limit (SIGALRM) must interrupt the
# main thread's calls, not the watchdog's read.
MAIN_THREAD_SIGNALS = {signal.SIGALRM, signal.SIGINT, signal.SIGTERM}


def die_with_parent(parent: int) -> None:
    """Ask the kernel (Linux) to kill this process when its parent exits, and exit now if the
    parent ``parent`` is already gone (it may have exited before the request was made)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(ctypes.c_int(PR_SET_PDEATHSIG), ctypes.c_ulong(signal.SIGKILL),
                       ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))
        except (OSError, AttributeError):
            pass  # no prctl: the watchdog alone ends this process
    if os.getppid() != parent:
        os._exit(ORPHANED)


def exit_when_closed(lifeline: int) -> threading.Thread:
    """Start a thread that ends this process as soon as the pipe ``lifeline`` (a reading end
    nobody writes to) reports end of file: when every holder of the writing end has exited."""

    def watch() -> None:
        try:
            while os.read(lifeline, 1):
                pass
        finally:
            os._exit(ORPHANED)

    # The thread inherits the mask in force when it starts: it never takes the main thread's
    # signals, so a time limit's alarm always interrupts the step it limits.
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, MAIN_THREAD_SIGNALS)
    try:
        watchdog = threading.Thread(target=watch, name="parent-watchdog", daemon=True)
        watchdog.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    return watchdog
