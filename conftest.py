"""The tests import the package as it is installed (``pip install '.[test]'``, or ``-e`` for a
working copy), never the checkout's ``derivations/`` folder by accident: installing maps the
repository's ``cli/`` and ``templates/`` into it as ``derivations.cli`` and
``derivations.templates``, which the folder alone does not hold.  ``python -m pytest`` puts the
current folder first on ``sys.path``, and pytest this file's folder: both are taken off."""

import os
import sys

_CHECKOUT = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _CHECKOUT]
