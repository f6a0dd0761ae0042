"""Tactics: find, for each step, the kernel rule that decides it.

Order per step: the exact normal forms, cheapest first (sound, so they never prove a false
step); then numeric falsification (a few points, milliseconds); then ``simplify`` under its own
time limit; then numeric evidence (*checked*); otherwise *undecided*.  The whole step runs
under the step time limit.
"""

from __future__ import annotations

import functools
import itertools
import time
from dataclasses import dataclass, replace

import mpmath
import sympy as sp
from sympy.matrices.expressions import Identity, MatAdd, MatMul, ZeroMatrix

from . import kernel
from .kernel import (
    Chain, EvaluationError, Point, Relation, RuleError, Sense, Verdict,
)
from .kernel.bounds import BoundsOracle
from .kernel.laws import Expectation
from .kernel.normal_forms import NORMAL_FORMS, fresh_binders
from .kernel.numeric import instantiate
from .kernel.rules import DIGITS, MIN_EVIDENCE
from .errors import InternalError
from .model import Derivation, Step, check_shape
from .report import Report, StepReport
from .kernel.matrices import (Gradient, Lowering, MatrixFormError, MatrixPoint, concrete,
                              has_matrices, is_inverse, is_matrix)
from .sampling import Sampler, matrix_points, seed_for
from .settings import CheckSettings
from .timelimit import StepTimeout, time_limit

SIMPLIFY_LIMIT = 2.0
FALSIFY_POINTS = 6
SMALL_POINTS = 2  # drawn before them, at small scales
EVIDENCE_POINTS = 12
REFUTE_AFTER_EVIDENCE = 4  # points tried for a certified counterexample when the evidence fails
LARGE_SUMS = 1_000  # terms: past this, falsification stops at the first failing point
ROOT_DEGREE = 8  # an inequality's difference, a polynomial of at most this degree in one
ROOT_OFFSETS = (0, sp.Rational(1, 10**3), -sp.Rational(1, 10**3), sp.Rational(1, 10**6),
                -sp.Rational(1, 10**6))  # variable: points this near its real roots are tried
# Values of an optimised variable where the slopes of two objectives are compared: far out,
# where two objectives that agree near 0 may part (|theta| about 50).
FAR_VALUES = tuple(sign * v for v in (5, 20, 50, 100, 1000) for sign in (1, -1))
# The exact normal forms in the order they are tried.  Combining each logarithm's argument first
# settles most steps about likelihoods at once (a product of densities, a quotient of positive
# terms), and costs no more than "expand" where there is no logarithm; it is measured fastest
# over the catalog (bench/perf.py).
EXACT_FORMS = ("logs of combined arguments", "expand", "logs and sums",
               "logs of expanded arguments", "rational functions", "sums merged")
CASE_FORM = "case by case"  # tried only on steps with a Piecewise, right after the first
EXPECTATION_FORM = "expectations"  # tried first on steps with an expectation or integral
INTEGRAL_FORM = "integrals"  # then this, and only these two, on steps with integrals


@dataclass(frozen=True)
class Claim:
    """What one step asserts: ``before step.relation step.expr``, with the chain's sense before
    it.  Every claim of a chain is known before any is checked, so steps can be checked in any
    order, or in other processes."""

    index: int  # from 1
    before: sp.Expr
    step: Step
    sense: Sense | None
    statement: kernel.Statement  # what the kernel judges, and the cache files under

    def undecided(self, reason: str):
        """The judgement that claims nothing about this step."""
        return kernel.undecided(self.statement, reason)


def claims(derivation: Derivation) -> list[Claim]:
    """Each step's claim.  Not trusted: the chain checks that every judgement starts where the
    previous ended, in the sense reached, under the derivation's declarations and givens."""
    before = derivation.start
    optimization = derivation.optimization
    sense = optimization.sense if optimization else None
    found = []
    for index, step in enumerate(derivation.steps, start=1):
        found.append(claim_of(derivation, index, before, sense))
        before = step.expr
        if step.relation is Relation.SAME_OPTIMIZERS:
            sense = step.sense or sense
    return found


def claim_of(derivation: Derivation, index: int, before, sense: Sense | None) -> Claim:
    """The claim that step ``index`` makes from ``before``, in the chain's sense ``sense``."""
    step, optimization = derivation.steps[index - 1], derivation.optimization
    same = step.relation in (Relation.SAME_OPTIMIZERS, Relation.OPTIMIZED_WHERE,
                             Relation.OPTIMIZERS_SATISFY)
    statement = kernel.Statement(
        derivation.context, before, step.expr, step.relation,
        tuple(derivation.givens[name] for name in step.using),
        optimization.over if same and optimization else (),
        sense if same else None, (step.sense or sense) if same else None, step.decimals)
    return Claim(index, before, step, sense, statement)


def check(derivation: Derivation, settings: CheckSettings = CheckSettings(),
          known: dict | None = None) -> Report:
    """Check every step (a refuted step does not stop the others) and return the report.
    ``settings.cache``, a ``derivations.running.cache.VerdictCache``, recalls the verdicts of
    unchanged steps.  The earlier chains it cites are checked first (``known`` keeps the
    reports already made, by ``id`` of their derivation)."""
    check_shape(derivation)
    known = {} if known is None else known
    lemmas = lemma_reports(derivation, settings, known)
    steps = [check_claim(derivation, claim, settings) for claim in claims(derivation)]
    report = assemble(derivation, one_slip_once(derivation, steps, settings), lemmas)
    known[id(derivation)] = report
    return report


def lemma_reports(derivation: Derivation, settings: CheckSettings, known: dict) -> dict:
    """The reports of the earlier chains ``derivation`` cites, by the name it cites them by."""
    found = {}
    for name, lemma in derivation.lemmas.items():
        if id(lemma) not in known:
            known[id(lemma)] = check(lemma, settings, known)
        found[name] = known[id(lemma)]
    return found


def one_slip_once(derivation: Derivation, steps: list[StepReport],
                  settings: CheckSettings) -> list[StepReport]:
    """The steps' reports, each refuted step that follows a refuted one checked again from the
    last expression that stands (reached from the start by proved or checked steps, or so
    bridged): where it holds from there, its report says so (``consistent_with``), so that one
    slip is reported as one wrong step, not also as the next."""
    found = list(steps)
    standing, standing_at = derivation.start, 0
    for position, report in enumerate(steps):
        previous_stands = standing_at == report.index - 1
        if report.verdict in (Verdict.PROVED, Verdict.CHECKED):
            if previous_stands:
                standing, standing_at = report.step.expr, report.index
            continue
        if report.verdict is not Verdict.REFUTED or previous_stands \
                or steps[position - 1].verdict is not Verdict.REFUTED:
            continue
        bridge = check_claim(derivation, claim_of(derivation, report.index, standing,
                                                  _sense_after(derivation, standing_at)),
                             settings)
        if bridge.verdict in (Verdict.PROVED, Verdict.CHECKED):
            found[position] = replace(report, consistent_with=standing_at)
            standing, standing_at = report.step.expr, report.index
    return found


def _sense_after(derivation: Derivation, index: int) -> Sense | None:
    """The sense of an optimisation chain after step ``index`` (0: the start)."""
    sense = derivation.optimization.sense if derivation.optimization else None
    for step in derivation.steps[:index]:
        if step.relation is Relation.SAME_OPTIMIZERS:
            sense = step.sense or sense
    return sense


def assemble(derivation: Derivation, steps: list[StepReport], lemmas: dict | None = None
             ) -> Report:
    """The report of a derivation from its steps' reports, in order; the chain checks that
    they connect.  A step citing an earlier chain (``lemmas``: name -> its report) is worth at
    most what that chain is (``kernel.from_lemmas``)."""
    lemmas = lemmas or {}
    chains = {name: report.chain for name, report in lemmas.items()}
    chain = Chain(derivation.context, derivation.start, derivation.optimization,
                  [g for name, g in derivation.givens.items() if name not in chains], chains)
    weighed = []
    for step in steps:
        if set(step.step.using) & set(chains):
            step = replace(step, judgement=kernel.from_lemmas(step.judgement, chains))
        chain.extend(step.judgement)
        weighed.append(step)
    return Report(derivation, tuple(weighed), chain)


def check_claim(derivation: Derivation, claim: Claim, settings: CheckSettings) -> StepReport:
    """One step's report: its verdict recalled from ``settings.cache`` or found now (and then
    stored)."""
    started = time.perf_counter()
    cache = settings.cache
    judgement = cache.recall(claim.statement) if cache is not None else None
    if judgement is None:
        judgement = check_step(derivation, claim, settings)
        if cache is not None:
            cache.put(judgement)
    return StepReport(claim.index, claim.step, judgement, time.perf_counter() - started)


# SymPy or mpmath giving up on a step (an overflow, a polynomial it cannot handle): no verdict,
# the run goes on.  Anything else is a fault of this program (``InternalError``, exit code 3).
# (SymPy's simplify of some sums ends in a bare StopIteration: ``sum_simplify``.)
COMPUTATION_FAILED = (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError,
                      NotImplementedError, StopIteration,
                      sp.polys.polyerrors.BasePolynomialError)


def check_step(derivation: Derivation, claim: Claim, settings: CheckSettings):
    """The kernel's judgement on the claim's statement ``before relation after``.  Every phase,
    from applying the givens on, runs under the time limit and this error handling."""
    statement, timeout = claim.statement, settings.timeout
    try:
        with time_limit(timeout):
            tactic = _StepTactic(derivation, claim)
            if statement.relation is Relation.SAME_OPTIMIZERS:
                return tactic.same_optimizers(statement.sense_before, statement.sense_after)
            if statement.relation is Relation.APPROX:
                return tactic.rounding(statement.decimals)
            if statement.relation.between_equations:
                return EquationTactic(derivation, claim).decide()
            if statement.relation.to_equation:
                return EquationTactic(derivation, claim).stationary(statement.sense_before)
            return tactic.value_relation(statement.relation)
    except StepTimeout:
        return claim.undecided(f"time limit of {timeout:g} s reached")
    except COMPUTATION_FAILED as exc:
        return claim.undecided(f"the computation failed: {type(exc).__name__}")
    except Exception as exc:
        where = f"step {claim.index} of {derivation.source}"
        raise InternalError(f"checking {where}", exc) from exc


class _StepTactic:
    def __init__(self, derivation: Derivation, claim: Claim):
        self.context = derivation.context
        self.optimization = derivation.optimization
        self.claim = claim
        statement = claim.statement
        self.before, self.after, self.givens = statement.before, statement.after, statement.givens
        self.expressions = [kernel.apply_givens(e, self.givens) for e in (self.before, self.after)]
        self._read: dict[int, tuple] = {}  # id(point) -> (point, both sides there)
        # The exact normal forms to try; "case by case" only for a case split.
        self.exact_forms = EXACT_FORMS
        if any(e.has(sp.Piecewise) for e in self.expressions):
            self.exact_forms = EXACT_FORMS[:1] + (CASE_FORM,) + EXACT_FORMS[1:]
        if any(e.has(Expectation, sp.Integral) for e in self.expressions):
            # the others would have SymPy evaluate an integral numerically, slowly
            self.exact_forms = (EXPECTATION_FORM, INTEGRAL_FORM)

    # Made on first use: a step proved exactly (the common case) never samples.
    @functools.cached_property
    def sampler(self) -> Sampler:
        return Sampler(self.context, seed_for(*self.expressions), self.givens)

    @functools.cached_property
    def large(self) -> bool:
        return _concrete_terms(self.expressions) > LARGE_SUMS

    def _readings(self, count: int, start: int = 0, small: bool = False):
        """Points at which both sides have a finite value, one at a time, each with both sides'
        values (``small``: drawn at small scales)."""
        found, attempt = 0, start
        while found < count and attempt < start + 4 * count:
            point, values = self.sampler.reading(self.expressions, attempt, DIGITS, small)
            attempt += 1
            if values is not None:
                found += 1
                yield point, values

    # -- approx ---------------------------------------------------------------------------------
    def rounding(self, decimals: int):
        try:
            return kernel.rounds_to(self.context, self.before, self.after, decimals, self.givens)
        except RuleError as exc:
            return self.claim.undecided(str(exc))

    # -- =, <=, <, >=, > ------------------------------------------------------------------------
    def value_relation(self, relation: Relation):
        proof = self._prove_exactly(relation)  # sound forms cannot prove a false step: first
        if proof is not None:
            return proof
        if any(has_matrices(e) for e in self.expressions):
            return self._at_concrete_sizes(relation)
        # Two points at small scales (a step false everywhere is refuted where a person can redo
        # it by hand), six across the scales, and the simplest that fails; with thousands of
        # terms to sum, the first.
        points, failing = [], []
        for point, (left, right) in itertools.chain(self._readings(SMALL_POINTS, small=True),
                                                    self._readings(FALSIFY_POINTS)):
            points.append((point, (left, right)))
            if kernel.holds(relation, left, right, DIGITS) is not True:  # fails, or too close
                failing.append(point)
                if self.large:
                    break
        # the easiest to redo by hand first
        refutation = self._refutation(relation, sorted(failing, key=_simplicity))
        if refutation is not None:
            return refutation
        proof = self._prove_by_simplify(relation)
        if proof is not None:
            return proof
        if relation.is_order:
            violation = self._near_roots(relation, points) or self._descend(relation, points)
            if violation is not None:
                return violation
        # The evidence points reach further (sizes up to 50): one where the step fails refutes
        # it there.
        more = list(self._readings(EVIDENCE_POINTS, start=FALSIFY_POINTS))
        failing = [p for p, (left, right) in more if kernel.holds(relation, left, right, DIGITS)
                   is False]
        refutation = self._refutation(relation, sorted(failing, key=_simplicity))
        if refutation is not None:
            return refutation
        evidence = [p for p, _ in points + more]
        if self.sampler.divergence is not None:  # skipping it would leave agreeing points only
            shown = ", ".join(f"{k}={v}" for k, v in self.sampler.divergence.shown().items())
            return self.claim.undecided(
                f"no proof found, and no evidence: at {shown or 'a point'} an integral on one side does not "
                "settle on a value (it may diverge) while the other side has one")
        if len(evidence) >= MIN_EVIDENCE:
            try:
                return kernel.checked_at(self.context, self.before, self.after, relation,
                                         evidence, self.givens)
            except RuleError as exc:
                # where the evidence failed it may fail certainly: a few points refute it
                return self._refutation(relation, evidence[:REFUTE_AFTER_EVIDENCE]) or \
                    self.claim.undecided(f"no proof found, and no evidence: {exc}")
        reason = "no proof found and too few points where both sides have a value"
        if self.sampler.failure:
            reason += f" (the last had none: {self.sampler.failure})"
        return self.claim.undecided(reason)

    def _at_concrete_sizes(self, relation: Relation):
        """A step about vectors or matrices not proved: refuted at concrete sizes where an
        entry certainly differs, else checked there (evidence), else undecided."""
        sides = [side for g in self.givens for side in (g.lhs, g.rhs)]
        points = [p for p in (_where_givens_hold(point, self.givens) for point in matrix_points(
            self.context, [*self.expressions, *sides], seed_for(*self.expressions),
            FALSIFY_POINTS + EVIDENCE_POINTS)) if p is not None]
        for point in points:
            try:
                return kernel.refuted_at_sizes(self.context, self.before, self.after, relation,
                                               point, self.givens)
            except RuleError:
                continue
        try:
            return kernel.checked_at_sizes(self.context, self.before, self.after, relation,
                                           points, self.givens)
        except RuleError as exc:
            return self.claim.undecided(f"no proof found, and no evidence at concrete sizes: {exc}")

    def _refutation(self, relation: Relation, points):
        """The kernel's refutation at the first of ``points`` where it certainly fails (at the
        others the difference may be too small to be certain of), or None."""
        for point in points:
            try:
                return kernel.refuted_at(self.context, self.before, self.after, relation,
                                         point, self.givens)
            except RuleError:
                continue
        return None

    def _near_roots(self, relation: Relation, points):
        """A violation of an inequality next to a real root of its difference along one real
        variable, the others as at a sampled point, where the difference is a polynomial of low
        degree in it there (a false claim may fail only in a narrow gap that random points
        miss)."""
        if self.large:
            return None
        difference = self.expressions[1] - self.expressions[0]
        for start, _ in points[:2]:
            for atom in list(start.values)[:3]:
                others = {a: v for a, v in start.values.items() if a != atom}
                try:
                    concrete = instantiate(fresh_binders(difference), start).xreplace(others)
                    if not concrete.is_polynomial(atom):
                        continue
                    polynomial = sp.Poly(concrete, atom)
                    if not 1 <= polynomial.degree() <= ROOT_DEGREE:
                        continue
                    roots = [r for r in polynomial.nroots(n=20) if r.is_real]
                except (EvaluationError, ValueError, TypeError, ArithmeticError,
                        sp.PolynomialError, mpmath.libmp.NoConvergence):
                    continue
                for root in roots:
                    for offset in ROOT_OFFSETS:
                        point = _moved(start, atom, sp.Rational(str(root)) + offset)
                        try:
                            values = [kernel.evaluate(e, point, DIGITS) for e in self.expressions]
                        except EvaluationError:
                            continue
                        if kernel.holds(relation, *values, DIGITS) is not False:
                            continue
                        refutation = self._refutation(relation, [point])
                        if refutation is not None:
                            return refutation
        return None

    def _descend(self, relation: Relation, points):
        """Search for a violation of an inequality: from the points where it holds with the
        least room, move one variable at a time while the room shrinks."""
        def values(point):
            return [kernel.evaluate(e, point, DIGITS) for e in self.expressions]

        def room(found):
            gap = found[1].real - found[0].real
            return gap if relation in (Relation.LE, Relation.LT) else -gap

        # Reals move by fractions; integers that are not sizes (a size would change how many
        # values a sequence has) by whole steps, so that a violation far from where the sampler
        # drew them (j = -4 where it drew from -3 to 3) is found by the search, not by luck.
        sizes = set(self.context.size_symbols())

        def measure(point):
            integers = {k: sp.Integer(v) for k, v in point.integers.items()}
            moved = [*point.values.items(), *((k, v) for k, v in integers.items() if k not in sizes)]
            if not all(kernel.in_domain(self.context, a, v, integers) for a, v in moved):
                return None
            try:
                return room(values(point))
            except EvaluationError:
                return None

        real_steps = (sp.Rational(1, 2), sp.Rational(1, 10), sp.Rational(1, 50),
                      sp.Rational(1, 500))
        for start, _ in sorted(points, key=lambda p: room(p[1]))[:3]:
            reals = list(start.values)
            integers = [atom for atom in start.integers if atom not in sizes]
            climbs = itertools.chain(_climb(start, reals, measure, real_steps, rounds=12),
                                     _climb(start, integers, measure, (8, 2, 1), rounds=12))
            for point, _ in climbs:
                if kernel.holds(relation, *values(point), DIGITS) is not True:
                    refutation = self._refutation(relation, [point])
                    if refutation is not None:
                        return refutation
        return None

    def _attempt(self, relation: Relation, form: str):
        if relation is Relation.EQ:
            return kernel.equal_by_normal_form(self.context, self.before, self.after, form,
                                               self.givens)
        return kernel.ordered_by_bounds(self.context, self.before, self.after, relation, form,
                                        self.givens)

    def _prove_exactly(self, relation: Relation):
        """For an inequality, the sign of the difference as written, then (for ≤ and ≥) the
        termwise lemma, which settles its steps in milliseconds where the normal forms cannot;
        then the exact normal forms, cheapest first.  None if none proves the step."""
        if relation.is_order:
            try:
                return self._attempt(relation, "as written")
            except RuleError:
                pass
        if relation in (Relation.LE, Relation.GE) and any(e.has(Expectation)
                                                          for e in self.expressions):
            try:
                return kernel.jensen(self.context, self.before, self.after, relation,
                                     self.givens)
            except RuleError:
                pass
        if relation in (Relation.LE, Relation.GE):
            try:
                return kernel.ordered_by_lemma(self.context, self.before, self.after, relation,
                                               self.givens)
            except RuleError:
                pass
        for form in self.exact_forms:
            try:
                return self._attempt(relation, form)
            except RuleError:
                continue
        return None

    def _prove_by_simplify(self, relation: Relation):
        """SymPy's ``simplify``, the last resort, under its own time limit."""
        try:
            with time_limit(SIMPLIFY_LIMIT):
                return self._attempt(relation, "simplify")
        except (RuleError, StepTimeout):
            return None

    # -- same optimizers ------------------------------------------------------------------------
    def _pairs(self, count: int, start: int = 0):
        over = self.optimization.over
        pairs = []
        for attempt in range(start, start + count):
            first, at_first = self.sampler.reading(self.expressions, attempt, DIGITS)
            second, at_second = self.sampler.varied_reading(first, self.expressions, over, DIGITS)
            self._read[id(first)], self._read[id(second)] = (first, at_first), (second, at_second)
            pairs.append((first, second))
        return pairs

    def same_optimizers(self, sense_before: Sense, sense_after: Sense):
        args = (self.context, self.before, self.after, self.optimization, sense_before, sense_after)
        same_sense = sense_before is sense_after

        def reversal(candidates):
            for first, second in candidates:
                if not self._looks_reversed(first, second, same_sense):
                    continue
                try:
                    return kernel.order_reversed_at(*args, first, second, self.givens)
                except RuleError:
                    continue
            return None

        found = self._monotone_map(sense_before, sense_after)  # a proof cannot be wrong: first
        if found is not None:
            return found
        pairs = self._pairs(FALSIFY_POINTS)
        found = (reversal(pairs) or reversal(self._slope_pairs(same_sense))
                 or reversal(self._reversal_descent(pairs, same_sense)))
        if found is not None:
            return found
        try:
            return kernel.order_kept_at(*args, pairs + self._pairs(EVIDENCE_POINTS, FALSIFY_POINTS),
                                        self.givens)
        except RuleError as exc:
            return self.claim.undecided(f"no monotone map found, and no evidence ({exc})")

    def _looks_reversed(self, first: Point, second: Point, same_sense: bool) -> bool:
        """Whether the two objectives seem to rank the pair in opposite orders: a quick
        reading that spares the kernel's certified one where there is nothing to find."""
        at_first, at_second = self._values(first), self._values(second)
        if at_first is None or at_second is None:
            return False
        (old_first, new_first), (old_second, new_second) = at_first, at_second
        with mpmath.workdps(DIGITS + 10):
            old = mpmath.sign(old_first.real - old_second.real)
            new = mpmath.sign(new_first.real - new_second.real)
        return old != (new if same_sense else -new)

    def _values(self, point: Point):
        """Both sides at ``point`` (quick, not certified), or None; read once per point."""
        if id(point) not in self._read:
            try:
                values = [kernel.evaluate(e, point, DIGITS) for e in self.expressions]
            except EvaluationError:
                values = None
            self._read[id(point)] = (point, values)  # the point is kept, so its id stays its own
        return self._read[id(point)][1]

    def _slope_pairs(self, same_sense: bool):
        """Pairs of points likely to be ranked in opposite orders: where the two objectives'
        slopes along one optimised variable have the wrong signs, at random points, at a
        stationary point of either objective (where a dropped term that depends on the
        variable shows), and far out (|theta| up to 1000) and at the stationary points near
        there, where objectives that agree near 0 may part."""
        def candidates():
            far_from = None
            for attempt in range(FALSIFY_POINTS):
                base = self.sampler.point(self.expressions, attempt)
                far_from = far_from or base
                for atom in self._optimised(base):
                    yield atom, base, False
                    for stationary in self._stationary_points(base, atom):
                        yield atom, stationary, True
            # then far out, from the first point: the costlier search, where nothing was found
            for atom in self._optimised(far_from):
                sizes = {k: sp.Integer(v) for k, v in far_from.integers.items()}
                starts = [_moved(far_from, atom, v) for v in FAR_VALUES
                          if kernel.in_domain(self.context, atom, sp.Integer(v), sizes)]
                for start in starts:
                    yield atom, start, False
                for start in starts:
                    for stationary in self._stationary_points(start, atom):
                        yield atom, stationary, True

        for atom, point, stationary in candidates():
            slopes = [self._slope(e, point, atom) for e in self.expressions]
            if None in slopes:
                continue
            old, new = slopes
            if old * new * (1 if same_sense else -1) > 0 and not stationary:
                continue  # the slopes agree here (at a stationary point, a slope's sign is a
                # rounding's: look on both sides)
            for step in (sp.Rational(1, 10**k) for k in (2, 3, 4, 6)):
                for direction in (1, -1):
                    yield point, _moved(point, atom, point.values[atom] + direction * step)

    def _stationary_points(self, start: Point, atom):
        """The stationary points of either objective along ``atom`` near ``start``."""
        for expr in self.expressions:
            stationary = self._stationary(start, atom, expr)
            if stationary is not None:
                yield stationary

    def _optimised(self, point: Point) -> list:
        """The atoms of ``point`` that belong to the optimised variables."""
        labels = {v.label if isinstance(v, sp.IndexedBase) else v for v in self.optimization.over}
        return [a for a in point.values
                if (a.base.label if isinstance(a, sp.Indexed) else a) in labels]

    def _reversal_descent(self, pairs, same_sense: bool):
        """Pairs close to a reversal: move the second point's optimised variables while the
        product of the two objectives' changes falls (a non-smooth objective, such as a sum of
        absolute values, has no stationary point to start from)."""
        for first, second in pairs[:3]:
            def agreement(other, first=first):
                try:
                    b1, a1 = (kernel.evaluate(e, first, DIGITS) for e in self.expressions)
                    b2, a2 = (kernel.evaluate(e, other, DIGITS) for e in self.expressions)
                except EvaluationError:
                    return None
                product = (b1.real - b2.real) * (a1.real - a2.real)
                return product if same_sense else -product

            steps = (sp.Integer(1), sp.Rational(1, 10), sp.Rational(1, 100))
            for moved, found in _climb(second, self._optimised(second), agreement, steps, rounds=10):
                if found < 0:
                    yield first, moved

    def _slope(self, expr, point: Point, atom):
        """The derivative along ``atom`` by a central difference at high precision."""
        h = sp.Rational(1, 10**15)
        try:
            up = kernel.evaluate(expr, _moved(point, atom, point.values[atom] + h), DIGITS)
            down = kernel.evaluate(expr, _moved(point, atom, point.values[atom] - h), DIGITS)
        except EvaluationError:
            return None
        slope = (up - down) / (2 * h)
        return None if abs(slope.imag) > 1e-10 else slope.real

    def _stationary(self, point: Point, atom, expr):
        """A point where ``expr``'s slope along ``atom`` vanishes, if one is near: a root of
        the slope, or else of the slope of the logarithm where the value is positive (so that a
        likelihood of 1e-1000 does not look flat)."""
        def slope(t, of_log):
            moved = _moved(point, atom, sp.Rational(mpmath.nstr(t, 20)))
            found = self._slope(expr, moved, atom)
            if found is None:
                raise ValueError("no slope")
            if not of_log:
                return found
            try:
                value = kernel.evaluate(expr, moved, DIGITS)
            except EvaluationError:
                raise ValueError("no value") from None
            if value.imag != 0 or value.real <= 0:
                raise ValueError("no logarithm")
            return found / value.real

        start = mpmath.mpf(point.values[atom].p) / point.values[atom].q
        for of_log in (False, True):
            try:
                with mpmath.workdps(30):
                    # Unverified: the kernel checks whatever pair comes of it.
                    root = mpmath.findroot(lambda t: slope(t, of_log), start, verify=False)
                    found = mpmath.isfinite(root) and abs(root) < 10**6 and \
                        abs(slope(root, of_log)) < 1e-6
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                continue
            if found:
                return _moved(point, atom, sp.Rational(mpmath.nstr(mpmath.re(root), 15)))
        return None

    def _monotone_map(self, sense_before: Sense, sense_after: Sense):
        """Try new = a·old + b and new = a·log(old) + b, with a = ±1 first, then a = new/old
        and a = the ratio of the slopes along each optimised scalar."""
        oracle = BoundsOracle(self.context)
        probe = self._probe_pair()
        for scale, through_log in self._scales(sense_before, sense_after, oracle):
            if probe is not None and self._shift_varies(scale, through_log, probe):
                continue  # new - a·old changes with the optimised variables: no proof to find
            for form in self.exact_forms:
                try:
                    return kernel.same_optimizers_by_monotone_map(
                        self.context, self.before, self.after, self.optimization, sense_before,
                        sense_after, scale, through_log, form, self.givens)
                except RuleError:
                    continue
        return None

    def _probe_pair(self):
        """Two points that differ only in the optimised variables, from a sampler of their
        own (so the points of the search stay the same), with both objectives' values there;
        None where one has no value."""
        sampler = Sampler(self.context, seed_for(*self.expressions) + 1, self.givens)
        first, at_first = sampler.reading(self.expressions, 0, DIGITS)
        second, at_second = sampler.varied_reading(first, self.expressions,
                                                   self.optimization.over, DIGITS)
        if at_first is None or at_second is None:
            return None
        return (first, *at_first), (second, *at_second)

    def _shift_varies(self, scale, through_log: bool, probe) -> bool:
        """Whether new - scale·old (or scale·log old) certainly takes different values at the
        two probe points (a quick reading: it only spares the normal forms a search they
        cannot win)."""
        shifts, magnitude = [], mpmath.mpf(0)
        for point, old, new in probe:
            try:
                factor = kernel.evaluate(scale, point, DIGITS)
            except EvaluationError:
                return False
            if through_log and old == 0:
                return False
            with mpmath.workdps(DIGITS + 10):
                scaled = factor * (mpmath.log(old) if through_log else old)
                shifts.append(new - scaled)
                magnitude = max(magnitude, abs(new), abs(scaled))
        with mpmath.workdps(DIGITS + 10):
            return abs(shifts[0] - shifts[1]) > magnitude * mpmath.mpf(10) ** (10 - DIGITS)

    def _scales(self, sense_before: Sense, sense_after: Sense, oracle):
        before, after = self.expressions
        unit = sp.S.NegativeOne if sense_after is not sense_before else sp.S.One
        yield unit, False
        yield unit, True
        normal = NORMAL_FORMS["logs and sums"]
        ratios = [lambda: (after, before)] + [
            lambda v=v: (normal(sp.diff(after, v), oracle), normal(sp.diff(before, v), oracle))
            for v in self.optimization.over if isinstance(v, sp.Symbol)
        ]
        for make in ratios:
            top, bottom = make()
            try:
                ratio = sp.cancel(top / bottom)
            except (sp.PolynomialError, ZeroDivisionError):
                continue
            if ratio.is_finite is not False and not any(ratio.has(v) for v in self.optimization.over):
                yield ratio, False


# Normal forms tried on the equations' differences (sums split into Σ x - n μ first).
EQUATION_FORMS = ("logs and sums", "expand", "rational functions")
SOLVE_ATTEMPTS = 6  # sampled points at which the premise is solved for a counterexample
MAX_SYSTEM = 5  # equations of a system whose pairings are all tried
MAX_MATRIX_FACTORS = 12  # candidate matrix factors tried between two matrix equations


class EquationTactic:
    """Find the kernel rule for a step between equations, or from an objective to its
    stationary equation: the factor relating the two differences lhs - rhs, a pairing of the
    equations of a system, a strictly monotone map; else a point where the one holds and the
    other fails (the premise solved exactly for a variable at sampled values of the rest)."""

    def __init__(self, derivation: Derivation, claim: Claim):
        self.context, self.claim = derivation.context, claim
        self.optimization = derivation.optimization
        statement = claim.statement
        self.before, self.after, self.givens = statement.before, statement.after, statement.givens
        self.relation = statement.relation
        self.oracle = BoundsOracle(self.context)

    def _normal(self, expr, form):
        return NORMAL_FORMS[form](kernel.apply_givens(expr, self.givens), self.oracle)

    def _ratio(self, top, bottom, form):
        """top/bottom, simplified: a candidate factor (the kernel checks it)."""
        try:
            return sp.factor(sp.cancel(sp.together(self._normal(top, form) /
                                                    self._normal(bottom, form))))
        except (sp.PolynomialError, ZeroDivisionError, TypeError, ValueError):
            return None

    def _pairing(self, targets, sources, form, onto):
        """For each target equation, a source equation and the factor d_target/d_source."""
        matching, factors, used = [], [], set()
        for target in targets:
            # a source equal to the target first, then those with a factor free of division
            order = sorted(range(len(sources)), key=lambda i: (
                sources[i] != target, not self._polynomial_ratio(target, sources[i], form)))
            for index in order:
                source = sources[index]
                if onto and index in used:
                    continue
                ratio = sp.S.One if target == source else self._ratio(
                    target.lhs - target.rhs, source.lhs - source.rhs, form)
                if ratio is None or ratio == 0 or ratio.has(sp.zoo, sp.nan):
                    continue
                if onto and not (self.oracle.is_positive(ratio) or self.oracle.is_negative(ratio)):
                    continue
                matching.append(index)
                factors.append(ratio)
                used.add(index)
                break
            else:
                return None
        return tuple(matching), tuple(factors)

    def _polynomial_ratio(self, target, source, form) -> bool:
        ratio = self._ratio(target.lhs - target.rhs, source.lhs - source.rhs, form)
        return ratio is not None and sp.denom(ratio).is_number

    def decide(self):
        proof = self._proof()
        if proof is not None:
            return proof
        refutation = self._refutation()
        if refutation is not None:
            return refutation
        return self.claim.undecided(
            f"no rule proves '{self.relation.value}' here (nonzero factor, monotone map, "
            "substitution) and no point was found where one holds and the other fails"
            + ("; a factor that may be 0 gives 'implies' only" if self.relation is Relation.IFF
               else ""))

    def _proof(self):
        old, new = kernel.equations_of(self.before), kernel.equations_of(self.after)
        if any(is_matrix(e.lhs) for e in old + new):
            return self._matrix_proof(old, new)
        if self.relation is Relation.IFF:
            for form in EQUATION_FORMS:
                # d_old = factor * d_new, each new equation paired with an old one
                found = self._pairing(new, old, form, onto=True)
                if found is None:
                    continue
                matching, ratios = found
                try:
                    return kernel.equivalent_by_factor(self.context, self.before, self.after,
                                                       [1 / r for r in ratios], matching, form,
                                                       self.givens)
                except RuleError:
                    pass
                try:
                    factors = [self._ratio(old[m].lhs - old[m].rhs, e.lhs - e.rhs, form)
                               for m, e in zip(matching, new)]
                    return kernel.equivalent_by_factor(self.context, self.before, self.after,
                                                       factors, matching, form, self.givens)
                except (RuleError, TypeError):
                    continue
            for name in ("log", "exp"):
                for form in EQUATION_FORMS:
                    try:
                        return kernel.equivalent_by_injective_map(
                            self.context, self.before, self.after, name, form, self.givens)
                    except RuleError:
                        continue
            return self._system_step(old, new)
        premise, conclusion = (old, new) if self.relation is Relation.IMPLIES else (new, old)
        for form in EQUATION_FORMS:
            found = self._pairing(conclusion, premise, form, onto=False)
            if found is None:
                continue
            try:
                return kernel.implies_by_factor(self.context, self.before, self.after,
                                                self.relation, found[1], found[0], form,
                                                self.givens)
            except RuleError:
                continue
        return None

    def _matrix_proof(self, old, new):
        """One equation between matrices to another: the factor F with d_old = F·d_new or
        d_new = F·d_old (F injective, for 'iff'), or d_conclusion = F·d_premise; F a scalar
        times a candidate of ``_matrix_factor_bases``."""
        if len(old) != 1 or len(new) != 1:
            return None
        if self.relation is Relation.IFF:
            target, source = old[0], new[0]
        else:
            premise, conclusion = (old, new) if self.relation is Relation.IMPLIES else (new, old)
            target, source = conclusion[0], premise[0]
        pairs = [(target, source)] + ([(source, target)] if self.relation is Relation.IFF
                                      else [])  # the kernel takes F either way round for iff
        for factor, form in self._matrix_factors(pairs):
            try:
                if self.relation is Relation.IFF:
                    return kernel.equivalent_by_factor(self.context, self.before, self.after,
                                                       [factor], [0], form, self.givens)
                return kernel.implies_by_factor(self.context, self.before, self.after,
                                                self.relation, [factor], [0], form, self.givens)
            except RuleError:
                continue
        return None

    def _matrix_factors(self, pairs):
        """For each (target, source) equation pair, candidate factors c·B with
        d_target = c·B·d_source up to a normal form (B from ``_matrix_factor_bases``, c a
        scalar ratio), with that form: for the kernel to check."""
        for target, source in pairs:
            for base in self._matrix_factor_bases(target, source):
                for form in EQUATION_FORMS:
                    try:
                        ratio = self._ratio(target.lhs - target.rhs,
                                            base * (source.lhs - source.rhs), form)
                    except (ValueError, TypeError):
                        break  # SymPy's ShapeError: this base does not conform
                    if ratio is None or ratio == 0 or any(
                            str(s).startswith("_") for s in ratio.free_symbols):
                        continue
                    yield (base if ratio == 1 else ratio * base), form

    def _matrix_factor_bases(self, target, source):
        """Candidates for F in d_target = c·F·d_source: the identity, a matrix whose inverse
        either equation has and that inverse, for a term of d_target that ends with a term of
        d_source the letters before it, and the other way round the inverse of those letters."""
        rows = target.lhs.shape[0] if is_matrix(target.lhs) else 1
        bases = [Identity(rows)]
        for equation in (target, source):
            for inverse in sp.preorder_traversal(equation):
                if is_inverse(inverse) and inverse.shape[0] == rows:
                    bases += [inverse.args[0], inverse]
        try:
            lowering = Lowering(self.context)
            ends = [w for _, w in lowering.terms(source.lhs - source.rhs)]
            starts = [w for _, w in lowering.terms(_as_matrix(target.lhs - target.rhs))]
            for word in starts:
                bases += [MatMul(*word[:len(word) - len(end)]) for end in ends
                          if len(word) > len(end) and word[len(word) - len(end):] == end]
            # both sides multiplied by a square P (d_source = P·d_target): F = P⁻¹
            for word in ends:
                bases += [sp.Inverse(MatMul(*word[:len(word) - len(start)]).doit())
                          for start in starts if len(word) > len(start)
                          and word[len(word) - len(start):] == start
                          and MatMul(*word[:len(word) - len(start)]).is_square]
        except MatrixFormError:
            pass
        return list(dict.fromkeys(bases))[:MAX_MATRIX_FACTORS]

    def _system_step(self, old, new):
        """A step within a system of equations: substituting v = t, adding a multiple of one
        equation to another, or adding the sum of an equation over its index."""
        args = (self.context, self.before, self.after)
        if len(new) == len(old) and len(old) <= MAX_SYSTEM:
            sources = [i for i, e in enumerate(old) if isinstance(e.lhs, sp.Symbol) and e in new]
            for source in sources:
                for matching in itertools.permutations(range(len(old))):
                    if new[matching.index(source)] != old[source]:
                        continue
                    for form in EQUATION_FORMS:
                        try:
                            return kernel.equivalent_by_substitution(
                                *args, source, matching, form, self.givens)
                        except RuleError:
                            continue
            gone = [i for i, e in enumerate(old) if e not in new]
            came = [e for e in new if e not in old]
            if len(gone) == 1 and len(came) == 1:
                target = gone[0]
                change = came[0].lhs - came[0].rhs - (old[target].lhs - old[target].rhs)
                for source in range(len(old)):
                    if source == target:
                        continue
                    for form in EQUATION_FORMS:
                        multiplier = self._ratio(change, old[source].lhs - old[source].rhs, form)
                        if multiplier is None:
                            continue
                        try:
                            return kernel.equivalent_by_combination(
                                *args, target, source, multiplier, form, self.givens)
                        except RuleError:
                            continue
        if len(new) == len(old) + 1:
            for source, equation in enumerate(old):
                for index in kernel.index_symbols(self.context, equation):
                    for form in EQUATION_FORMS:
                        try:
                            return kernel.equivalent_by_summing(*args, source, index, form,
                                                                self.givens)
                        except RuleError:
                            continue
        return None

    # -- refutation ---------------------------------------------------------------------------
    def _refutation(self):
        """A point where the premise (for 'iff', either one) holds exactly and the other
        certainly fails."""
        for point in self._premise_points():
            try:
                return kernel.equation_refuted_at(self.context, self.before, self.after,
                                                  self.relation, point, self.givens)
            except RuleError:
                continue
        return None

    def _premise_points(self):
        """Points where a premise may hold: sampled values with the premise solved for a
        variable; at concrete sizes, the sampled matrices, or with one of them solved for (the
        premise's entries are then linear equations in that one's entries)."""
        items = [self.before, self.after]
        premises = {Relation.IMPLIES: [self.before], Relation.IMPLIED_BY: [self.after],
                    Relation.IFF: items}[self.relation]
        sides = [side for item in items for e in kernel.equations_of(item)
                 for side in (e.lhs, e.rhs)]
        if any(has_matrices(side) for side in sides):
            for sampled in matrix_points(self.context, sides, seed_for(*sides), SOLVE_ATTEMPTS):
                for base in [sampled, *self._rank_deficient(sampled)]:
                    yield base
                    for premise in premises:
                        yield from self._matrix_solutions(premise, base)
            return
        differences = [e.lhs - e.rhs for item in items for e in kernel.equations_of(item)]
        sampler = Sampler(self.context, seed_for(*differences), self.givens)
        for attempt in range(SOLVE_ATTEMPTS):
            base = sampler.point(differences, attempt)
            for premise in premises:
                yield from self._solutions(premise, base)

    def _rank_deficient(self, point: MatrixPoint):
        """``point`` with one matrix declared without a structure made rank-deficient (its
        last column a copy of its first, or 0 for one column): a claim that holds only where
        some matrix is invertible fails there, and random matrices are almost never singular."""
        for name, value in point.matrices.items():
            declared = self.context.lookup(name).obj
            if declared.shape[1] == 1 or self.context.structure_of(declared):
                continue  # a vector, or a matrix whose structure a copy would break
            flat = value.as_mutable()
            flat[:, -1] = flat[:, 0] if value.shape[1] > 1 else flat[:, 0] * 0
            yield MatrixPoint(point.sizes, {**point.matrices, name: sp.ImmutableMatrix(flat)},
                              point.scalars)

    def _matrix_solutions(self, premise, base: MatrixPoint, only=None):
        """``base`` with one matrix of the premise (vectors first, or ``only``) replaced by a
        rational solution of the premise in its entries (the free ones set to small
        integers)."""
        equations = kernel.equations_of(premise)
        named = [only] if only is not None else sorted(
            {m for e in equations for m in e.atoms(sp.MatrixSymbol)
             if m.name in base.matrices and not self.context.structure_of(m)},
            key=lambda m: (m.shape[1] != 1, m.name))
        for matrix in named:
            value = base.matrices[matrix.name]
            unknowns = sp.ImmutableMatrix(*value.shape, lambda i, j: sp.Dummy(real=True))
            trial = {**base.matrices, matrix.name: unknowns}
            try:
                system = []
                for equation in equations:
                    lhs, rhs = (concrete(side, base.sizes, trial, base.scalars)
                                for side in (equation.lhs, equation.rhs))
                    system += list(sp.ImmutableMatrix(lhs) - sp.ImmutableMatrix(rhs)) \
                        if isinstance(lhs, sp.MatrixBase) else [lhs - rhs]
                # linear in the entries, or not tried (a polynomial system may take forever)
                solutions = sp.linsolve(sp.linear_eq_to_matrix(system, list(unknowns)),
                                        list(unknowns))
            except (MatrixFormError, NotImplementedError, ValueError, TypeError,
                    ArithmeticError, KeyError, sp.PolynomialError):
                continue
            if not isinstance(solutions, sp.FiniteSet) or len(solutions) != 1:
                continue
            (solution,) = solutions
            # entries the premise leaves free take small distinct values
            free = {u: sp.Integer(k + 1) for k, u in enumerate(unknowns)}
            solved = sp.ImmutableMatrix(*unknowns.shape, [x.xreplace(free) for x in solution])
            if all(x.is_Rational for x in solved):
                yield MatrixPoint(base.sizes, {**base.matrices, matrix.name: solved}, base.scalars)

    def _unknowns(self, premise, base: Point):
        """The variables to solve the premise for: those the step names, else each real
        symbol of the premise with a sampled value, one at a time."""
        if self.claim.step.solve_for:
            return [tuple(self.claim.step.solve_for)]
        free = set().union(*(e.free_symbols for e in kernel.equations_of(premise)))
        unknowns = [atom for atom in base.values if atom in free]
        return [(atom,) for atom in unknowns] + ([tuple(unknowns)] if len(unknowns) > 1 else [])

    def _solutions(self, premise, base: Point, unknowns=None):
        """Points that differ from ``base`` in the unknowns only (by default those of
        ``_unknowns``), where the premise holds exactly (rational solutions of it, the rest
        fixed at the sampled values)."""
        for unknowns in unknowns or self._unknowns(premise, base):
            if not all(u in base.values for u in unknowns):
                continue
            fixed = {a: v for a, v in base.values.items() if a not in unknowns}
            try:
                system = [instantiate(fresh_binders(e.lhs - e.rhs), base).xreplace(fixed)
                          for e in kernel.equations_of(premise)]
                solutions = sp.solve(system, list(unknowns), dict=True)
            except (EvaluationError, NotImplementedError, ValueError, TypeError,
                    ArithmeticError, sp.PolynomialError):
                continue
            for solution in solutions[:4]:
                values = [solution.get(u) for u in unknowns]
                if not all(v is not None and v.is_Rational for v in values):
                    continue
                point = base
                for unknown, value in zip(unknowns, values):
                    point = _moved(point, unknown, value)
                yield point

    # -- from an objective to its stationary equation ----------------------------------------
    def _lagrange(self, sense: Sense):
        """The Lagrange conditions: for each equation of the system taken as stationarity and
        each symbol only the system names as the multiplier, the factor relating the
        equation to dφ/dp[j] + λ."""
        objective, system = self.before, self.after
        equations = kernel.equations_of(system)
        base = self.optimization.over[0]
        if not (isinstance(objective, sp.Sum) and len(objective.limits) == 1):
            return None
        bound = objective.limits[0][0]
        candidates = [s for s in system.free_symbols - objective.free_symbols
                      if isinstance(s, sp.Symbol) and not (self.context.domain_of(s) is None
                                                           or self.context.domain_of(s).integer)]
        for equation in equations:
            for index in kernel.index_symbols(self.context, equation):
                slope = sp.diff(objective.function.xreplace({bound: index}), base[index])
                for multiplier in candidates:
                    for form in EQUATION_FORMS:
                        factor = self._ratio(equation.lhs - equation.rhs, slope + multiplier,
                                             form)
                        if factor is None:
                            continue
                        try:
                            return kernel.optimized_where_by_lagrange(
                                self.context, objective, system, self.optimization, sense,
                                multiplier, factor, form, self.givens)
                        except RuleError as exc:
                            self._failure = str(exc)
        return None

    def stationary(self, sense: Sense):
        over = self.optimization.over
        if len(over) == 1 and isinstance(over[0], sp.IndexedBase) \
                and self.relation is Relation.OPTIMIZED_WHERE:
            self._failure = "no Lagrange multiplier and stationarity equation found"
            return self._lagrange(sense) or self.claim.undecided(self._failure)
        if len(over) == 1 and isinstance(over[0], sp.MatrixSymbol):
            return self._matrix_stationary(sense)
        if len(over) != 1 or not isinstance(over[0], sp.Symbol):
            return self.claim.undecided("a stationary equation is found for one scalar "
                                        "variable, vector or matrix (optimize over one name)")
        variable = over[0]
        equation = kernel.equations_of(self.after)
        if len(equation) != 1:
            return self.claim.undecided("the optimisers lead to one equation here")
        difference = equation[0].lhs - equation[0].rhs
        derivative = sp.diff(self.before, variable)
        args = (self.context, self.before, self.after, self.optimization, sense)
        failure = "no factor relating the equation to the derivative was found"
        for form in EQUATION_FORMS:
            slope = self._normal(derivative, form)
            factor = self._ratio(difference, derivative, form)
            if factor is None:
                continue
            if self.relation is Relation.OPTIMIZERS_SATISFY:
                try:
                    return kernel.optimizers_satisfy_stationarity(*args, factor, form,
                                                                  self.givens)
                except RuleError as exc:
                    failure = str(exc)
                    continue
            # the derivative itself (concavity), or the part of it that changes sign
            cores = [slope]
            try:
                cores.append(sp.numer(sp.factor(slope)))
            except (sp.PolynomialError, TypeError, ValueError):
                pass
            cores += [sp.numer(sp.together(slope)), self._normal(difference, form)]
            for core in dict.fromkeys(c for core in cores for c in (core, -core)):
                weight = self._ratio(derivative, core, form)
                ratio = self._ratio(difference, core, form)
                if weight is None or ratio is None:
                    continue
                try:
                    return kernel.optimized_where_by_sign_change(*args, weight, core, ratio,
                                                                 form, self.givens)
                except RuleError as exc:
                    failure = str(exc)
        refutation = self._not_optimizers(sense)
        if refutation is not None:
            return refutation
        if self.relation is Relation.OPTIMIZED_WHERE:
            for form in EQUATION_FORMS:
                factor = self._ratio(difference, derivative, form)
                try:
                    kernel.optimizers_satisfy_stationarity(*args, factor, form, self.givens)
                except (RuleError, TypeError):
                    continue
                return self.claim.undecided(
                    f"a stationary point only: every {sense.value[:-1]}er solves it "
                    f"('optimizers satisfy' holds), but it is not proved to be the "
                    f"{sense.value[:-1]}er ({failure})")
        return self.claim.undecided(failure)

    def _matrix_stationary(self, sense: Sense):
        """Over a vector or matrix: the factor F with d_equation = F·∇f (convexity proves
        'optimized where', Fermat alone 'optimizers satisfy')."""
        equations = kernel.equations_of(self.after)
        variable = self.optimization.over[0]
        if len(equations) != 1 or not is_matrix(equations[0].lhs):
            return self.claim.undecided(f"the optimisers over {variable} lead to one equation "
                                        "between vectors or matrices here")
        stationary = sp.Eq(Gradient(self.before, variable), ZeroMatrix(*variable.shape),
                           evaluate=False)
        args = (self.context, self.before, self.after, self.optimization, sense)
        failure = "no factor relating the equation to the gradient was found"
        for factor, form in self._matrix_factors([(equations[0], stationary)]):
            try:
                if self.relation is Relation.OPTIMIZERS_SATISFY:
                    return kernel.optimizers_satisfy_stationarity(*args, factor, form, self.givens)
                return kernel.optimized_where_by_convexity(*args, factor, form, self.givens)
            except RuleError as exc:
                failure = str(exc)
        return self._not_optimizers(sense) or self.claim.undecided(failure)

    def _not_optimizers(self, sense: Sense):
        """For 'optimized where', a solution of the equation where the objective is not
        stationary: sampled points with the optimised variable solved for from the equation;
        None if there is none."""
        if self.relation is not Relation.OPTIMIZED_WHERE:
            return None
        variable = self.optimization.over[0]
        args = (self.context, self.before, self.after, self.optimization, sense)
        if isinstance(variable, sp.MatrixSymbol):
            sides = [side for e in kernel.equations_of(self.after) for side in (e.lhs, e.rhs)]
            bases = matrix_points(self.context, [self.before, *sides],
                                  seed_for(self.before, *sides), SOLVE_ATTEMPTS)
            points = (p for base in bases
                      for p in self._matrix_solutions(self.after, base, only=variable))
        elif isinstance(variable, sp.Symbol):
            differences = [e.lhs - e.rhs for e in kernel.equations_of(self.after)]
            sampler = Sampler(self.context, seed_for(self.before, *differences), self.givens)
            points = (p for attempt in range(SOLVE_ATTEMPTS)
                      for p in self._solutions(self.after,
                                               sampler.point([self.before, *differences], attempt),
                                               unknowns=[(variable,)]))
        else:
            return None
        for point in points:
            try:
                return kernel.not_optimizers_at(*args, point, self.givens)
            except RuleError:
                continue
        return None


def _where_givens_hold(point: MatrixPoint, givens) -> MatrixPoint | None:
    """``point`` with each given's name set to the value of its right side there, in the
    order cited (None where that is no exact rational value, or a given is a pattern); the
    kernel checks the givens hold."""
    for given in givens:
        if given.is_pattern:
            return None
        try:
            value = concrete(given.rhs, point.sizes, point.matrices, point.scalars)
        except (MatrixFormError, KeyError, ZeroDivisionError, ValueError, TypeError):
            return None
        if isinstance(given.lhs, sp.MatrixSymbol) and isinstance(value, sp.MatrixBase) \
                and all(x.is_Rational for x in value):
            point = MatrixPoint(point.sizes, {**point.matrices, given.lhs.name: sp.ImmutableMatrix(value)},
                                point.scalars)
        elif isinstance(given.lhs, sp.Symbol) and sp.S(value).is_Rational \
                and given.lhs in point.scalars:
            point = MatrixPoint(point.sizes, point.matrices, {**point.scalars, given.lhs: value})
        else:
            return None
    return point


def _as_matrix(expr):
    """A scalar written with traces (a 1 by 1 product is read as its trace) as the 1 by 1
    matrix it is: for finding a matrix factor, never for a proof."""
    if is_matrix(expr):
        return expr
    if isinstance(expr, sp.Trace):
        return expr.arg
    if isinstance(expr, sp.Add):
        return MatAdd(*[_as_matrix(a) for a in expr.args])
    if isinstance(expr, sp.Mul):
        scalars = [a for a in expr.args if not a.has(sp.Trace)]
        inner = [a for a in expr.args if a.has(sp.Trace)]
        if len(inner) == 1:  # a product of two traces is no one matrix
            return MatMul(*scalars, _as_matrix(inner[0]))
    raise MatrixFormError("not a sum of traces")


def _climb(point: Point, atoms, measure, steps, rounds: int):
    """Coordinate descent: move one atom at a time by plus or minus each step (largest first)
    while ``measure`` falls (None: not a usable point); yield every improvement with its
    measure."""
    best = measure(point)
    if best is None:
        return
    for step in steps:
        for _ in range(rounds):
            moved = False
            for atom in atoms:
                for direction in (1, -1):
                    candidate = _moved(point, atom, _value(point, atom) + direction * step)
                    found = measure(candidate)
                    if found is not None and found < best:
                        point, best, moved = candidate, found, True
                        yield point, best
            if not moved:
                break


def _concrete_terms(expressions) -> int:
    """How many terms the sums and products over concrete ranges have (n = 100,000 data
    points written out, say), roughly."""
    total = 0
    for expr in expressions:
        for big in expr.atoms(sp.Sum, sp.Product):
            terms = 1
            for _, low, high in big.limits:
                if low.is_Integer and high.is_Integer:
                    terms *= max(int(high) - int(low) + 1, 0)
            total += terms
    return total


def _value(point: Point, atom):
    return point.integers[atom] if atom in point.integers else point.values[atom]


def _moved(point: Point, atom, value) -> Point:
    if atom in point.integers:
        return Point({**point.integers, atom: int(value)}, point.values, point.functions)
    return Point(point.integers, {**point.values, atom: sp.Rational(value)}, point.functions)


def _simplicity(point: Point):
    """No large values, then small sizes: a counterexample a person can redo by hand."""
    largest = max((abs(int(v.p)) / int(v.q) for v in point.values.values()), default=0)
    return (largest > 5, sum(point.integers.values()), largest)
