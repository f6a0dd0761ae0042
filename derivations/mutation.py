"""Mutation testing of the checker: plant the slips people make into correct steps and count
how the checker judges the ones that are false.

A mutant is *false* when, at some point of the declared domains, the mutated claim fails at 40
digits (an order reversal for a same-optimizers step); false mutants must come out refuted or
undecided, never proved or checked.  Mutants not shown false are reported separately: some are
true (a sign flipped inside a square, say).
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from dataclasses import dataclass

import sympy as sp

from . import kernel
from .checker import Claim, check_step, claims
from .kernel import EvaluationError, Relation, Verdict
from .kernel.rules import DIGITS
from .model import Derivation
from .settings import DEFAULT_TIMEOUT, CheckSettings
from .kernel.matrices import SingularMatrix, concrete, has_matrices
from .sampling import Sampler, matrix_points, seed_for


def _subexpressions(expr):
    return [e for e in sp.preorder_traversal(expr) if isinstance(e, sp.Expr)]


def _flip_sign(expr, rng):
    terms = [e for e in _subexpressions(expr) if isinstance(e, sp.Add)]
    if not terms:
        return -expr if isinstance(expr, sp.Expr) else None
    add = rng.choice(terms)
    term = rng.choice(add.args)
    return expr.xreplace({add: add - 2 * term})


def _change_constant(expr, rng):
    numbers = [e for e in _subexpressions(expr) if e.is_Number and e != 0]
    if not numbers:
        return None
    number = rng.choice(numbers)
    return expr.xreplace({number: number + rng.choice([1, -1, number])})


def _swap_variables(expr, rng):
    scalars = sorted((s for s in expr.free_symbols if isinstance(s, sp.Symbol)
                      and not s.is_integer), key=str)
    bases = sorted({i.base for i in expr.atoms(sp.Indexed)}, key=str)
    pool = [p for p in (scalars, bases) if len(p) >= 2]
    if not pool:
        return None
    a, b = rng.sample(rng.choice(pool), 2)
    return expr.xreplace({a: b, b: a})


def _drop_square(expr, rng):
    squares = [e for e in _subexpressions(expr) if isinstance(e, sp.Pow) and e.exp == 2]
    if not squares:
        return None
    square = rng.choice(squares)
    return expr.xreplace({square: square.base})


def _drop_factor(expr, rng):
    products = [e for e in _subexpressions(expr) if isinstance(e, sp.Mul) and len(e.args) >= 2]
    if not products:
        return None
    product = rng.choice(products)
    drop = rng.randrange(len(product.args))
    return expr.xreplace({product: sp.Mul(*(a for k, a in enumerate(product.args) if k != drop))})


def _swap_log_exp(expr, rng):
    calls = [e for e in _subexpressions(expr) if isinstance(e, (sp.log, sp.exp))]
    if not calls:
        return None
    call = rng.choice(calls)
    other = sp.exp if isinstance(call, sp.log) else sp.log
    return expr.xreplace({call: other(call.args[0])})


def _shift_index(expr, rng):
    entries = [e for e in _subexpressions(expr) if isinstance(e, sp.Indexed)]
    if not entries:
        return None
    entry = rng.choice(entries)
    indices = list(entry.indices)
    indices[0] = indices[0] + 1
    return expr.xreplace({entry: entry.base[tuple(indices)]})


def _drop_transpose(expr, rng):
    transposes = [e for e in sp.preorder_traversal(expr) if isinstance(e, sp.Transpose)
                  and e.arg.shape[0] == e.arg.shape[1]]
    if not transposes:
        return None
    transpose = rng.choice(transposes)
    return expr.xreplace({transpose: transpose.arg})


def _swap_product(expr, rng):
    products = [e for e in sp.preorder_traversal(expr) if isinstance(e, sp.MatMul)
                and len([a for a in e.args if isinstance(a, sp.MatrixExpr)]) >= 2]
    if not products:
        return None
    product = rng.choice(products)
    scalars = [a for a in product.args if not isinstance(a, sp.MatrixExpr)]
    factors = [a for a in product.args if isinstance(a, sp.MatrixExpr)]
    return expr.xreplace({product: sp.MatMul(*scalars, *reversed(factors))})


MUTATIONS = {
    "flip a sign": _flip_sign, "change a constant": _change_constant,
    "swap two variables": _swap_variables, "drop a square": _drop_square,
    "drop a factor": _drop_factor, "swap log and exp": _swap_log_exp,
    "shift an index": _shift_index, "drop a transpose": _drop_transpose,
    "swap a matrix product": _swap_product,
}


@dataclass
class Outcome:
    source: str
    step: int
    mutation: str
    false: bool  # shown false at a point of the domains
    verdict: Verdict


def _shown_false(derivation: Derivation, claim: Claim) -> bool:
    """The mutated claim fails at some point (an order reversal for same optimizers)."""
    before, step, sense = claim.before, claim.step, claim.sense
    givens = tuple(derivation.givens[n] for n in step.using)
    if step.relation.to_equation:
        return step.relation.between_equations and _equation_shown_false(derivation, claim,
                                                                         givens)
    sides = [kernel.apply_givens(e, givens) for e in (before, step.expr)]
    if any(has_matrices(side) for side in sides):
        return _shown_false_at_sizes(derivation, step.relation, sides)
    sampler = Sampler(derivation.context, seed_for(*sides) + 1)
    for attempt in range(24):
        point = sampler.point(sides, attempt)
        if step.relation is Relation.SAME_OPTIMIZERS:
            other = sampler.vary(point, sides, derivation.optimization.over)
            try:
                kernel.order_reversed_at(derivation.context, before, step.expr,
                                         derivation.optimization, sense, step.sense or sense,
                                         point, other, givens)
                return True
            except kernel.RuleError:
                continue
        try:
            left, right = (kernel.evaluate(s, point, DIGITS) for s in sides)
        except EvaluationError:
            continue
        if kernel.holds(step.relation if step.relation is not Relation.APPROX else Relation.EQ,
                        left, right, DIGITS) is False:
            return True
    return False


def _shown_false_at_sizes(derivation: Derivation, relation: Relation, sides) -> bool:
    """A matrix claim fails at some point of concrete sizes: an entry differs at 40 digits."""
    for point in matrix_points(derivation.context, sides, seed_for(*sides) + 1, 24):
        try:
            values = [concrete(s, point.sizes, point.matrices, point.scalars) for s in sides]
            if isinstance(values[0], sp.MatrixBase):
                pairs = list(zip(values[0], values[1]))
            else:
                pairs = [tuple(values)]
            for left, right in pairs:
                left, right = (kernel.evaluate(x, kernel.Point(), DIGITS) for x in (left, right))
                if kernel.holds(relation, left, right, DIGITS) is False:
                    return True
        except (EvaluationError, ValueError, TypeError, ZeroDivisionError, KeyError):
            continue
    return False


def _shape(expr):
    return expr.shape if isinstance(expr, sp.MatrixExpr) else None


def _equation_shown_false(derivation: Derivation, claim: Claim, givens) -> bool:
    """A point where the premise holds (solved for at sampled values of the rest, as the
    checker's search does) and the conclusion's lhs - rhs is plainly not 0 at 40 digits."""
    from .checker import EquationTactic

    before, after, relation = claim.before, claim.step.expr, claim.step.relation
    directions = {Relation.IMPLIES: [(before, after)], Relation.IMPLIED_BY: [(after, before)],
                  Relation.IFF: [(before, after), (after, before)]}[relation]
    tactic = EquationTactic(derivation, claim)
    if any(has_matrices(side) for item in (before, after) for e in kernel.equations_of(item)
           for side in (e.lhs, e.rhs)):
        return not givens and _matrix_equation_shown_false(derivation, tactic, directions)
    differences = [kernel.apply_givens(e.lhs - e.rhs, givens) for item in (before, after)
                   for e in kernel.equations_of(item)]
    sampler = Sampler(derivation.context, seed_for(*differences) + 1)
    for attempt in range(8):
        base = sampler.point(differences, attempt)
        for premise, conclusion in directions:
            for point in tactic._solutions(premise, base):
                try:
                    gaps = [kernel.evaluate(kernel.apply_givens(e.lhs - e.rhs, givens), point,
                                            DIGITS) for e in kernel.equations_of(conclusion)]
                except EvaluationError:
                    continue
                if any(abs(gap) > 1e-20 for gap in gaps):
                    return True
    return False


def _matrix_equation_shown_false(derivation: Derivation, tactic, directions) -> bool:
    """At concrete sizes: a point where the premise holds (the sampled matrices, or one of them
    solved for, as the checker's search does) and the conclusion has no value (a singular
    inverse) or an entry of its lhs - rhs is plainly not 0 at 40 digits."""
    sides = [side for item in directions[0] for e in kernel.equations_of(item)
             for side in (e.lhs, e.rhs)]
    for base in matrix_points(derivation.context, sides, seed_for(*sides) + 1, 8):
        for premise, conclusion in directions:
            for point in [base, *tactic._matrix_solutions(premise, base)]:
                try:
                    if kernel.holds_at(derivation.context, premise, point) is not True:
                        continue
                except kernel.RuleError:  # a point the declarations rule out (a rank, say)
                    break
                try:
                    gaps = [concrete(e.lhs - e.rhs, point.sizes, point.matrices, point.scalars)
                            for e in kernel.equations_of(conclusion)]
                    values = [kernel.evaluate(x, kernel.Point(), DIGITS) for gap in gaps
                              for x in (gap if isinstance(gap, sp.MatrixBase) else [gap])]
                except SingularMatrix:
                    return True
                except (EvaluationError, ValueError, TypeError, ZeroDivisionError, KeyError):
                    continue
                if any(abs(value) > 1e-20 for value in values):
                    return True
    return False


def mutate(derivations, per_step: int = 3, seed: int = 0,
           timeout: float = DEFAULT_TIMEOUT) -> list[Outcome]:
    """Mutants of every step of ``derivations`` and the checker's verdict on each."""
    settings = CheckSettings(timeout=timeout)
    rng = random.Random(seed)
    outcomes = []
    for derivation in derivations:
        for claim in claims(derivation):
            step = claim.step
            names = rng.sample(sorted(MUTATIONS), k=len(MUTATIONS))
            made = 0
            for name in names:
                if made == per_step:
                    break
                try:
                    mutant = MUTATIONS[name](step.expr, rng)
                except (ValueError, TypeError):  # sizes that no longer fit: not a step to read
                    continue
                if mutant is None or mutant == step.expr or step.relation is Relation.APPROX \
                        or _shape(mutant) != _shape(step.expr) \
                        or kernel.is_equation(mutant) != kernel.is_equation(step.expr):
                    continue  # (an equation that SymPy decided as it was rebuilt is none)
                made += 1
                wrong = dataclasses.replace(
                    claim, step=dataclasses.replace(step, expr=mutant),
                    statement=dataclasses.replace(claim.statement, after=mutant))
                judgement = check_step(derivation, wrong, settings)
                outcomes.append(Outcome(derivation.source, claim.index, name,
                                        _shown_false(derivation, wrong), judgement.verdict))
    return outcomes


def summary(outcomes: list[Outcome]) -> dict:
    false = [o for o in outcomes if o.false]
    accepted = [o for o in false if o.verdict in (Verdict.PROVED, Verdict.CHECKED)]
    refuted = sum(1 for o in false if o.verdict is Verdict.REFUTED)
    return {
        "mutants": len(outcomes),
        "false mutants": len(false),
        "false accepts": len(accepted),
        "refuted share of false mutants": refuted / len(false) if false else 1.0,
        "not shown false": len(outcomes) - len(false),
        "verdicts of mutants not shown false": dict(Counter(
            o.verdict.value for o in outcomes if not o.false)),
        "accepted": [(o.source, o.step, o.mutation, o.verdict.value) for o in accepted],
    }
