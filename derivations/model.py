"""What a derivation is, before it is checked: a start, steps and the facts they may use.

Built-in derivations (``derivations.catalog``) and user files produce the same objects; the
checker turns one into a ``Report`` through the kernel.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy as sp

from .kernel import Context, Given, Optimization, Relation, Sense
from .kernel.substitution import bind_indices


@dataclass(frozen=True)
class Step:
    """One link of a chain: the claim ``previous relation expr``."""

    expr: sp.Expr
    relation: Relation = Relation.EQ
    by: str = ""
    sense: Sense | None = None  # after a same-optimizers step; None keeps the previous sense
    using: tuple[str, ...] = ()  # names of givens applied to both sides
    latex: str | None = None  # how to display expr; never checked
    line: int | None = None  # where the step is written, for files
    decimals: int | None = None  # for approx: how many decimals the rounded value has


@dataclass(frozen=True)
class Derivation:
    id: str
    title: str
    context: Context
    start: sp.Expr
    steps: tuple[Step, ...]
    summary: str = ""
    optimization: Optimization | None = None
    givens: dict[str, Given] = field(default_factory=dict)
    start_latex: str | None = None
    path: str | None = None  # the file it was read from; None for built-ins
    category: str = ""

    def __post_init__(self):
        # Built from SymPy objects (the catalog, ``derivations.testing``), a sum's index may be
        # the very symbol used free elsewhere: bind it, as the file reader does.
        object.__setattr__(self, "start", bind_indices(sp.S(self.start)))
        object.__setattr__(self, "steps", tuple(
            replace(step, expr=bind_indices(sp.S(step.expr))) for step in self.steps))

    @property
    def source(self) -> str:
        """What reports call it: the file's path, or the id of a built-in."""
        return self.path or self.id

    def _repr_markdown_(self) -> str:
        """Jupyter shows a derivation checked, as its Markdown document."""
        from .checker import check

        return check(self)._repr_markdown_()
