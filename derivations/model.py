"""What a derivation is, before it is checked: a start, steps and the facts they may use.

Built-in derivations (``derivations.catalog``) and user files produce the same objects; the
checker turns one into a ``Report`` through the kernel.  ``check_shape`` finds the errors a
person must fix before any step is checked; the file readers call it too, without the tactics.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy as sp

from . import kernel
from .errors import InputProblem
from .kernel import CompositionError, Context, Given, Optimization, Relation, Sense
from .kernel.substitution import bind_indices


class DerivationError(InputProblem):
    """A derivation that cannot be checked as written (an input error, not a false step)."""

    def __init__(self, message: str, step: int | None = None, line: int | None = None):
        super().__init__(message)
        self.step = step
        self.line = line


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
    solve_for: tuple = ()  # between equations: the symbols a counterexample is solved for
    # expr unevaluated, as the author wrote it: for documents only, never checked (None for a
    # step built in Python or written in LaTeX)
    display: sp.Expr | None = field(default=None, compare=False)


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
    # The earlier chains of the same file that steps cite (``using: [chain-id]``), by id; each
    # one's conclusion is among ``givens`` under that id.
    lemmas: dict = field(default_factory=dict)
    chain: str = ""  # the id of this chain within its file; "" for a file of one chain
    definitions: tuple = ()  # the file's ``define:`` (kernel ``Definition``s), in order
    # start and givens (name: (lhs, rhs)) as the author wrote them, like ``Step.display``
    start_display: sp.Expr | None = field(default=None, compare=False)
    givens_display: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        # Built from SymPy objects (the catalog, ``derivations.testing``), a sum's index may be
        # the very symbol used free elsewhere: bind it, as the file reader does.
        object.__setattr__(self, "start", bind_indices(sp.S(self.start)))
        object.__setattr__(self, "steps", tuple(
            replace(step, expr=bind_indices(sp.S(step.expr))) for step in self.steps))

    def relation_established(self) -> Relation:
        """What the chain claims between its start and its last expression."""
        relation = Relation.EQ
        for step in self.steps:
            relation = kernel.compose(relation, step.relation)
        return relation

    @property
    def source(self) -> str:
        """What reports call it: the file's path, or the id of a built-in."""
        return self.path or self.id

    def _repr_markdown_(self) -> str:
        """Jupyter shows a derivation checked, as its Markdown document."""
        from .checker import check

        return check(self)._repr_markdown_()


def check_shape(derivation: Derivation) -> None:
    """Errors a person must fix before any step can be checked."""
    if not derivation.steps:
        raise DerivationError("a derivation needs at least one step")
    relation, previous, named = Relation.EQ, derivation.start, None
    for index, step in enumerate(derivation.steps, start=1):
        def fail(message):
            raise DerivationError(f"step {index}: {message}", index, step.line)
        _check_items(previous, step, derivation, fail)
        previous = step.expr
        if step.relation is Relation.SAME_OPTIMIZERS and derivation.optimization is None:
            fail("'same optimizers' needs an optimisation chain; add "
                 "'optimize: {over: [...], sense: maximize}'")
        if step.sense is not None and step.relation is not Relation.SAME_OPTIMIZERS:
            fail("'sense' belongs to 'same optimizers' steps")
        for name in step.using:
            if name not in derivation.givens:
                fail(f"no given called {name!r}")
        try:
            relation = kernel.compose(relation, step.relation)
        except CompositionError as exc:
            fail(str(exc) + (f" (step {named[0]} says '{named[1].value}')" if named else ""))
        if step.relation not in (Relation.EQ, Relation.IFF):
            named = (index, step.relation)


def _check_items(previous, step: Step, derivation: Derivation, fail) -> None:
    """Equations are joined to equations by iff, implies or implied by; an objective to an
    equation by 'optimized where' or 'optimizers satisfy'; values by the other relations."""
    was, now = kernel.is_equation(previous), kernel.is_equation(step.expr)
    relation = step.relation
    if relation.between_equations and not (was and now):
        fail(f"'{relation.value}' joins two equations (write them lhs == rhs)")
    if relation in (Relation.OPTIMIZED_WHERE, Relation.OPTIMIZERS_SATISFY):
        if derivation.optimization is None:
            fail(f"'{relation.value}' needs an optimisation chain; add "
                 "'optimize: {over: [...], sense: maximize}'")
        if was or not now:
            fail(f"'{relation.value}' goes from an objective to an equation")
    if not relation.to_equation and (was or now):
        fail("an equation is joined to the item before by 'iff', 'implies' or 'implied by' "
             "(from an equation) or 'optimized where' (from an objective)")
