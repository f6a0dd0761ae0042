"""The ``derive`` console command.  ``derive --help`` prints the recorded top-level help without
importing click (whose import is most of a start-up); everything else goes to the click app.
``tests/test_cli.py`` keeps ``help.txt`` equal to what click prints (refresh it on purpose with
``DERIVATIONS_UPDATE_GOLDEN=1``)."""

import os
import sys

HELP = os.path.join(os.path.dirname(__file__), "help.txt")


def main():
    leave(run(sys.argv[1:]))


def run(args: list[str]) -> int:
    """Run the command; its exit code."""
    if args in (["--help"], ["-h"]):
        with open(HELP, encoding="utf-8") as recorded:
            sys.stdout.write(recorded.read())
        return 0
    from .main import main as app

    try:
        app(args=args)
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        raise
    return 0


def leave(code: int):
    """Exit without Python's finalisation, which would free SymPy's caches object by object:
    about a tenth of a second at the end of every check, for nothing.  Output is flushed
    first (every file the commands write is closed by then); output that could not be
    written turns a success into a failure."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe, a full disk, a closed stream
            code = code or 1
    os._exit(code)
