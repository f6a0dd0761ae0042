"""Catalog derivations as pipelines of named rewrites: each rule computes the next expression
from the current one, and the kernel checks the step like any other."""

from __future__ import annotations

from typing import Callable

import sympy as sp

from ..kernel import Context, Given, Optimization, Relation, Sense, apply_givens
from ..model import Derivation, Step


class Pipeline:
    def __init__(self, id: str, title: str, context: Context, start: sp.Expr, *, summary: str,
                 category: str, optimization: Optimization | None = None, givens=(),
                 start_latex: str | None = None):
        self.id, self.title, self.context, self.start = id, title, context, start
        self.start_latex = start_latex
        self.summary, self.category, self.optimization = summary, category, optimization
        self.givens = {g.name: g for g in givens}
        self.steps: list[Step] = []

    @property
    def current(self) -> sp.Expr:
        return self.steps[-1].expr if self.steps else self.start

    def then(self, rewrite: Callable[[sp.Expr], sp.Expr] | sp.Expr | None = None, by: str = "",
             *, relation: Relation = Relation.EQ, sense: Sense | None = None,
             using: Given | tuple[Given, ...] = (), latex: str | None = None,
             decimals: int | None = None) -> "Pipeline":
        """Add a step that holds ``by`` the reason given.  ``rewrite`` is a rule applied to the
        current expression, or the next expression; without one, the next expression is the
        current one with the givens in ``using`` applied.  The givens in ``using`` (one or a
        tuple, each declared in ``givens=``) are cited: the kernel may use them on both sides.
        ``decimals`` is for an ``approx`` step: how many decimals its value is written with."""
        cited = (using,) if isinstance(using, Given) else tuple(using)
        undeclared = [str(g) for g in cited if self.givens.get(getattr(g, "name", None)) != g]
        if undeclared:
            raise ValueError(f"{self.id}: cite givens declared in givens=(...), not "
                             f"{', '.join(undeclared)}")
        if not by:
            raise ValueError(f"{self.id}: every step says why it holds (by=...)")
        if rewrite is None:
            if not cited:
                raise ValueError(f"{self.id}: a step needs a rewrite, or givens to apply")
            expr = apply_givens(self.current, cited)
        else:
            expr = rewrite(self.current) if callable(rewrite) else sp.S(rewrite)
        if (relation is Relation.APPROX) != (decimals is not None):
            raise ValueError("an approx step, and only an approx step, states its decimals")
        self.steps.append(Step(expr, relation, by, sense, tuple(g.name for g in cited), latex,
                               decimals=decimals))
        return self

    def build(self) -> Derivation:
        return Derivation(self.id, self.title, self.context, self.start, tuple(self.steps),
                          summary=self.summary, optimization=self.optimization,
                          givens=self.givens, category=self.category,
                          start_latex=self.start_latex)
