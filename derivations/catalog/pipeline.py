"""Catalog derivations as pipelines of named rewrites: each rule computes the next expression
from the current one, and the kernel checks the step like any other."""

from __future__ import annotations

from typing import Callable

import sympy as sp

from ..kernel import Context, Optimization, Relation, Sense
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

    def then(self, rewrite: Callable[[sp.Expr], sp.Expr] | sp.Expr, by: str, *,
             relation: Relation = Relation.EQ, sense: Sense | None = None, using=(),
             latex: str | None = None, decimals: int | None = None) -> "Pipeline":
        """Add a step; ``rewrite`` is a rule applied to the current expression, or the next one.
        ``decimals`` is for an ``approx`` step: how many decimals its value is written with."""
        expr = rewrite(self.current) if callable(rewrite) else sp.S(rewrite)
        if (relation is Relation.APPROX) != (decimals is not None):
            raise ValueError("an approx step, and only an approx step, states its decimals")
        self.steps.append(Step(expr, relation, by, sense, tuple(using), latex, decimals=decimals))
        return self

    def build(self) -> Derivation:
        return Derivation(self.id, self.title, self.context, self.start, tuple(self.steps),
                          summary=self.summary, optimization=self.optimization,
                          givens=self.givens, category=self.category,
                          start_latex=self.start_latex)
