"""The built-in derivations, by id.  Modules are imported only when a derivation is asked for."""

from __future__ import annotations

import difflib
import importlib

_MODULES = {
    "gaussian-least-squares": "gaussian_least_squares",
    "bernoulli-bce": "bernoulli_bce",
    "categorical-ce": "categorical_ce",
    "ce-kl-entropy": "ce_kl_entropy",
}


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


def get(name: str):
    """The derivation with this id, built afresh."""
    if name not in _MODULES:
        raise UnknownDerivation(name)
    return importlib.import_module(f"{__name__}.{_MODULES[name]}").build()
