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
    # Between equations (or conjunctions of equations), over the declared domains: at every
    # point of the domains, the one holds exactly when (if, only if) the other does.  An
    # equation holds at a point where both its sides have a value and are equal.
    IFF = "iff"
    IMPLIES = "implies"
    IMPLIED_BY = "implied by"
    # From an objective to an equation in the optimised variable: the optimisers (in the
    # chain's sense) over its declared domain are exactly the equation's solutions there ...
    OPTIMIZED_WHERE = "optimized where"
    # ... or, the weaker claim of a stationary point: every optimiser is a solution.
    OPTIMIZERS_SATISFY = "optimizers satisfy"

    @property
    def is_order(self) -> bool:
        return self in (Relation.LE, Relation.LT, Relation.GE, Relation.GT)

    @property
    def between_equations(self) -> bool:
        """Whether it joins two equations (or conjunctions of equations)."""
        return self in (Relation.IFF, Relation.IMPLIES, Relation.IMPLIED_BY)

    @property
    def to_equation(self) -> bool:
        """Whether the expression after it is an equation (or a conjunction of them)."""
        return self.between_equations or self in (Relation.OPTIMIZED_WHERE,
                                                  Relation.OPTIMIZERS_SATISFY)

    @property
    def symbol(self) -> str:
        """The mathematical sign, for text output."""
        return {"<=": "≤", ">=": "≥", "same optimizers": "⇔", "approx": "≈", "iff": "⇔",
                "implies": "⇒", "implied by": "⇐", "optimized where": "optimised where",
                "optimizers satisfy": "optimisers satisfy"}.get(self.value, self.value)


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
    if (first, second) in _EQUATIONAL:
        return _EQUATIONAL[first, second]
    if first.is_order and second.is_order and _DIRECTION[first] == _DIRECTION[second]:
        strict = Relation.LT if _DIRECTION[first] == "down" else Relation.GT
        weak = Relation.LE if _DIRECTION[first] == "down" else Relation.GE
        return strict if strict in (first, second) else weak
    raise CompositionError(f"cannot compose '{first.value}' with '{second.value}': "
                           + _why_not(first, second))


def _why_not(first: Relation, second: Relation) -> str:
    if {first, second} == {Relation.IMPLIES, Relation.IMPLIED_BY}:
        return "an implication and its converse together say nothing about the ends"
    if first in (Relation.OPTIMIZED_WHERE, Relation.OPTIMIZERS_SATISFY) \
            and second is Relation.IMPLIED_BY:
        return "what the optimisers satisfy is followed by what follows from it, not the converse"
    if second in (Relation.OPTIMIZED_WHERE, Relation.OPTIMIZERS_SATISFY):
        return "an objective's optimisers lead to an equation once, from the objective"
    if {first, second} & _EQUATION_RELATIONS:
        return ("equations are joined by iff, implies or implied by, and values by =, <=, <, "
                ">=, >: the two do not mix")
    if Relation.SAME_OPTIMIZERS in (first, second):
        return ("an inequality says nothing about optimisers, and keeping optimisers says "
                "nothing about values")
    if Relation.APPROX in (first, second):
        return "a rounded value bounds nothing exactly"
    return "the two inequalities point in opposite directions"


_I, _T, _B = Relation.IFF, Relation.IMPLIES, Relation.IMPLIED_BY
_O, _S = Relation.OPTIMIZED_WHERE, Relation.OPTIMIZERS_SATISFY
# How relations about equations compose: ⇔ keeps the other; ⇒ and ⇐ never meet.  From an
# objective: "the optimisers are exactly the solutions" followed by ⇔ stays so; followed by ⇒
# it becomes "every optimiser satisfies", which ⇔ and ⇒ keep.
_EQUATIONAL = {(_I, _I): _I, (_I, _T): _T, (_T, _I): _T, (_T, _T): _T, (_I, _B): _B,
               (_B, _I): _B, (_B, _B): _B, (_O, _I): _O, (_O, _T): _S, (_S, _I): _S,
               (_S, _T): _S,
               (Relation.SAME_OPTIMIZERS, _O): _O, (Relation.SAME_OPTIMIZERS, _S): _S}
_EQUATION_RELATIONS = {_I, _T, _B, _O, _S}


@dataclass(frozen=True)
class Optimization:
    """An optimisation chain: the variables optimised over and the sense of the start."""

    over: tuple  # SymPy symbols or IndexedBase objects
    sense: Sense
