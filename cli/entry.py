"""The ``derive`` console command.  ``derive --help`` prints the recorded top-level help without
importing click (whose import is most of a start-up); everything else goes to the click app.
``tests/test_cli.py`` keeps ``help.txt`` equal to what click prints (refresh it on purpose with
``DERIVATIONS_UPDATE_GOLDEN=1``).

Exit codes beyond the verdicts' 0, 1 and 2: 128 + the signal for a run stopped by SIGINT (130)
or SIGTERM (143), after its worker processes are stopped and what it printed is flushed; and
``OUTPUT_ERROR`` when its output could not be written (a full disk, a closed pipe)."""

import errno
import os
import signal
import sys

HELP = os.path.join(os.path.dirname(__file__), "help.txt")
OUTPUT_ERROR = 74  # EX_IOERR of sysexits.h: the output could not be written
STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(BaseException):
    """SIGINT or SIGTERM arrived.  Raised in the main thread wherever the run is, it unwinds it
    as KeyboardInterrupt would (stopping the worker processes, removing half-written files),
    but no handler of a step, of click or of a library takes it for a failure of its own."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def main():
    for signum in STOPPING_SIGNALS:
        signal.signal(signum, _stop)
    leave(run(sys.argv[1:]))


def _stop(signum, frame):
    for later in STOPPING_SIGNALS:  # a second signal does not wait for the unwinding
        signal.signal(later, _leave_now)
    raise Stopped(signum)


def _leave_now(signum, frame):
    os._exit(128 + signum)  # the worker processes die with this one (derivations.running.lifetime)


def run(args: list[str]) -> int:
    """Run the command; its exit code."""
    try:
        if args in (["--help"], ["-h"]):
            with open(HELP, encoding="utf-8") as recorded:
                sys.stdout.write(recorded.read())
            return 0
        from .main import main as app

        app(args=args)
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        raise
    except Stopped as stop:
        _say(f"derive: stopped by {signal.Signals(stop.signum).name}")
        return 128 + stop.signum
    except OSError as exc:  # writing to standard output, outside a command
        return output_failed(exc)
    return 0


def output_failed(exc: OSError | ValueError) -> int:
    """``OUTPUT_ERROR``, after saying in one line why the output could not be written; nothing
    for a closed pipe, whose reader (``| head -3``) has simply read enough."""
    if getattr(exc, "errno", None) != errno.EPIPE:
        reason = getattr(exc, "strerror", None) or str(exc)
        filename = getattr(exc, "filename", None)
        _say(f"derive: {filename}: {reason}" if filename else f"derive: write error: {reason}")
    return OUTPUT_ERROR


def _say(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # standard error is gone too: the exit code still tells


def leave(code: int):
    """Exit without Python's finalisation, which would free SymPy's caches object by object:
    about a tenth of a second at the end of every check, for nothing.  Output is flushed
    first (every file the commands write is closed by then); output that could not be
    written makes the exit code ``OUTPUT_ERROR``.  A signal from here on exits at once."""
    for signum in STOPPING_SIGNALS:
        signal.signal(signum, _leave_now)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError) as exc:  # a closed pipe, a full disk, a closed stream
            code = output_failed(exc)
    os._exit(code)
