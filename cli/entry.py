"""The ``derive`` console command.  ``derive --help`` prints the recorded top-level help without
importing click (whose import is most of a start-up); everything else goes to the click app.
``tests/test_cli.py`` keeps ``help.txt`` equal to what click prints (refresh it on purpose with
``DERIVATIONS_UPDATE_GOLDEN=1``)."""

import os
import sys

HELP = os.path.join(os.path.dirname(__file__), "help.txt")


def main():
    if sys.argv[1:] in (["--help"], ["-h"]):
        with open(HELP, encoding="utf-8") as recorded:
            sys.stdout.write(recorded.read())
        return 0
    from .main import main as app

    return app()
