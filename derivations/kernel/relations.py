"""Relations between consecutive expressions of a chain, and how they compose (as in Lean's calc)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Sense(str, Enum):
    MAXIMIZE = "maximize"
    MINIMIZE = "minimize"

    def flipped(self) -> "Sense":
        return Sense.MINIMIZE if self is Sense.MAXIMIZE else Sense.MAXIMIZE


class Relation(str, Enum):
    EQ = "="
    LE = "<="
    LT = "<"
    GE = ">="
    GT = ">"
    SAME_OPTIMIZERS = "same optimizers"
    APPROX = "approx"  # a worked example: equal to the decimals written on the right

    @property
    def is_order(self) -> bool:
        return self in (Relation.LE, Relation.LT, Relation.GE, Relation.GT)

    @property
    def symbol(self) -> str:
        """The mathematical sign, for text output."""
        return {"<=": "≤", ">=": "≥", "same optimizers": "⇔", "approx": "≈"}.get(self.value, self.value)


class CompositionError(ValueError):
    """Two relations that no chain can join, such as ≤ followed by ≥."""


_DIRECTION = {Relation.LE: "down", Relation.LT: "down", Relation.GE: "up", Relation.GT: "up"}


def compose(first: Relation, second: Relation) -> Relation:
    """The relation between the start and the end of ``a first b second c``."""
    if first is Relation.EQ:
        return second
    if second is Relation.EQ:
        return first
    if first is second and first in (Relation.SAME_OPTIMIZERS, Relation.APPROX):
        return first
    if first.is_order and second.is_order and _DIRECTION[first] == _DIRECTION[second]:
        strict = Relation.LT if _DIRECTION[first] == "down" else Relation.GT
        weak = Relation.LE if _DIRECTION[first] == "down" else Relation.GE
        return strict if strict in (first, second) else weak
    raise CompositionError(
        f"cannot compose '{first.value}' with '{second.value}': "
        + (
            "an inequality says nothing about optimisers, and keeping optimisers says nothing "
            "about values"
            if Relation.SAME_OPTIMIZERS in (first, second)
            else "a rounded value bounds nothing exactly"
            if Relation.APPROX in (first, second)
            else "the two inequalities point in opposite directions"
        )
    )


@dataclass(frozen=True)
class Optimization:
    """An optimisation chain: the variables optimised over and the sense of the start."""

    over: tuple  # SymPy symbols or IndexedBase objects
    sense: Sense
