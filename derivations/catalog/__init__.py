"""The built-in derivations, by id.  Modules are imported only when a derivation is asked for."""

from __future__ import annotations

import difflib
import functools
import importlib
import re
from pathlib import Path

# The modules, in the order of ../shared/spec/catalog.md: the four core derivations first.
# Entry 8 (gradients) is three chains, since one chain holds one value; entry 10 and entry 13
# have companions for the parts one chain cannot hold.  Each module declares its ``ID`` and
# ``CATEGORY`` (docs/contributing.md: adding a derivation).
_ORDER = (
    "gaussian_least_squares", "bernoulli_bce", "categorical_ce", "ce_kl_entropy",
    "autoregressive_nll", "laplace_mae", "map_l2", "map_l1", "softmax_ce_gradient",
    "sigmoid_bce_gradient", "least_squares_gradient", "gibbs_inequality",
    "information_identities", "joint_entropy_independence", "binary_as_softmax",
    "huber_smoothl1", "entropy_examples", "entropy_examples_code", "entropy_maximum",
    "gaussian_nll_variance", "poisson_nll", "label_smoothing", "focal_loss",
)
_DECLARED = re.compile(r'^(ID|CATEGORY) = "([^"]+)"$', re.MULTILINE)


@functools.lru_cache(maxsize=1)
def _entries() -> dict[str, tuple[str, str]]:
    """id -> (module, category), read from each module's own ``ID = "..."`` and
    ``CATEGORY = "..."`` lines without importing it (``derive list`` needs no SymPy; a test
    checks that the imported modules agree)."""
    found = {}
    for module in _ORDER:
        declared = dict(_DECLARED.findall(
            (Path(__file__).parent / f"{module}.py").read_text(encoding="utf-8")))
        found[declared["ID"]] = (module, declared["CATEGORY"])
    return found


# The order in which groups() lists the categories.
CATEGORIES = ("regression", "classification", "information theory", "gradients", "regularisation")


class UnknownDerivation(KeyError):
    def __init__(self, name: str):
        close = difflib.get_close_matches(name, ids(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(ids())}"
        super().__init__(f"no built-in derivation {name!r}{hint}")
        self.message = self.args[0]

    def __str__(self) -> str:
        return self.message


def ids() -> tuple[str, ...]:
    return tuple(_entries())


def groups() -> dict[str, list[str]]:
    """Category -> ids, categories in the order of ``CATEGORIES`` and ids in catalog order,
    without importing any derivation."""
    return {category: [name for name, (_, c) in _entries().items() if c == category]
            for category in CATEGORIES}


def category(name: str) -> str:
    """The category of the derivation with this id."""
    if name not in _entries():
        raise UnknownDerivation(name)
    return _entries()[name][1]


def get(name: str):
    """The derivation with this id, built afresh."""
    if name not in _entries():
        raise UnknownDerivation(name)
    return importlib.import_module(f"{__name__}.{_entries()[name][0]}").build()
