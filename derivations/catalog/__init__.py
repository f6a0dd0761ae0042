"""The built-in derivations, by id.  Modules are imported only when a derivation is asked for."""

from __future__ import annotations

import difflib
import importlib

# id -> (module, category), in the order of ../shared/spec/catalog.md: the four core
# derivations first.  Entry 8 (gradients) is three chains, since one chain holds one value;
# entry 10 and entry 13 have companions for the parts one chain cannot hold.
_ENTRIES = {
    "gaussian-least-squares": ("gaussian_least_squares", "regression"),
    "bernoulli-bce": ("bernoulli_bce", "classification"),
    "categorical-ce": ("categorical_ce", "classification"),
    "ce-kl-entropy": ("ce_kl_entropy", "information theory"),
    "autoregressive-nll": ("autoregressive_nll", "classification"),
    "laplace-mae": ("laplace_mae", "regression"),
    "map-l2": ("map_l2", "regularisation"),
    "map-l1": ("map_l1", "regularisation"),
    "softmax-ce-gradient": ("softmax_ce_gradient", "gradients"),
    "sigmoid-bce-gradient": ("sigmoid_bce_gradient", "gradients"),
    "least-squares-gradient": ("least_squares_gradient", "gradients"),
    "gibbs-inequality": ("gibbs_inequality", "information theory"),
    "information-identities": ("information_identities", "information theory"),
    "joint-entropy-independence": ("joint_entropy_independence", "information theory"),
    "binary-as-softmax": ("binary_as_softmax", "classification"),
    "huber-smoothl1": ("huber_smoothl1", "regression"),
    "entropy-examples": ("entropy_examples", "information theory"),
    "entropy-examples-code": ("entropy_examples_code", "information theory"),
    "entropy-maximum": ("entropy_maximum", "information theory"),
    "gaussian-nll-variance": ("gaussian_nll_variance", "regression"),
    "poisson-nll": ("poisson_nll", "regression"),
    "label-smoothing": ("label_smoothing", "classification"),
    "focal-loss": ("focal_loss", "classification"),
}
_MODULES = {name: module for name, (module, _) in _ENTRIES.items()}

# The order in which groups() lists the categories.
CATEGORIES = ("regression", "classification", "information theory", "gradients", "regularisation")


class UnknownDerivation(KeyError):
    def __init__(self, name: str):
        close = difflib.get_close_matches(name, _MODULES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(_MODULES)}"
        super().__init__(f"no built-in derivation {name!r}{hint}")
        self.message = self.args[0]

    def __str__(self) -> str:
        return self.message


def ids() -> tuple[str, ...]:
    return tuple(_MODULES)


def groups() -> dict[str, list[str]]:
    """Category -> ids, categories in the order of ``CATEGORIES`` and ids in catalog order,
    without importing any derivation (each one's ``category`` is the same, a test checks)."""
    return {category: [name for name, (_, c) in _ENTRIES.items() if c == category]
            for category in CATEGORIES}


def category(name: str) -> str:
    """The category of the derivation with this id."""
    if name not in _ENTRIES:
        raise UnknownDerivation(name)
    return _ENTRIES[name][1]


def get(name: str):
    """The derivation with this id, built afresh."""
    if name not in _MODULES:
        raise UnknownDerivation(name)
    return importlib.import_module(f"{__name__}.{_MODULES[name]}").build()
