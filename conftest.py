"""The tests import the package as it is installed (``pip install '.[test]'``, or ``-e`` for a
working copy), never the checkout's ``derivations/`` folder by accident: installing maps the
repository's ``cli/`` and ``templates/`` into it as ``derivations.cli`` and
``derivations.templates``, which that folder alone does not hold.  ``python -m pytest`` puts
the checkout first on ``sys.path``; it is taken off while the package is imported, once, here."""

import os
import sys

_CHECKOUT = os.path.dirname(os.path.abspath(__file__))
_kept = list(sys.path)
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _CHECKOUT]
import derivations  # noqa: E402,F401  (the installed package, from now on in sys.modules)

sys.path[:] = _kept
