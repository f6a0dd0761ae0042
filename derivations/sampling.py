"""Random points in the declared domains, for the kernel to evaluate.

Values are exact decimals with three places (0.731), never integers for real variables (many
false identities hold at integers); sizes n, C cycle through small values (1, 2, 3, 5), at a
few draws up to 50; integers at a few draws on a log scale up to about 10**6; an unknown
function becomes a random smooth real function, not affine in any argument.  Nothing here is
trusted: the kernel checks that every point lies in the declared domains and is a case of the
givens the step cites.
"""

from __future__ import annotations

import hashlib
import math
import random

import sympy as sp

from .kernel import Context, Domain, Point, exact_text, in_domain
from .kernel.matrices import MatrixPoint
from .kernel.hypotheses import eliminated, exact_value, unmet_given
from .kernel.normal_forms import fresh_binders
from .kernel.numeric import DivergentIntegral, EvaluationError, evaluate, instantiate

SIZES = (1, 2, 3, 5)
MORE_SIZES = (1, 2, 3, 4, 5, 6, 8)
LARGE_SIZES = (9, 50)  # sizes between these at a few draws (a claim true for n <= 8 only)
LARGE_SIZE_OF_TABLES = 12  # the largest such size when a sequence has two indices or more
LARGE_SIZE_ATTEMPTS = (7, 10, 13)  # among the evidence points: a false step is rarely false
# only for large sizes, and a large size costs most (a derivative of 50 terms, say)
# At these draws (attempt: digits) integers lie 10**digits to 10**(digits + 1) from an end of
# their domain, up to about 10**6, the farthest among the first draws (a claim true for small
# integers only).
LOG_SCALE_BANDS = {4: 5, 5: 3, 8: 1, 11: 2, 14: 4}
_SPREAD = 3  # integers without bounds range over about (-3, 3)
_SPREADS = (0.5, 3, 3, 10, 300)


def seed_for(*expressions) -> int:
    """A seed that depends only on the expressions, so a verdict is reproducible."""
    text = "|".join(exact_text(e) for e in expressions)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


class Sampler:
    """Points for a step; with ``givens``, only points where every given holds (the kernel
    refuses any other).  A given that substitution does not settle (``eliminated``) is made to
    hold by rescaling a sequence (a normalisation, Σ q = 1) or by solving it for one atom (a
    symbol or sequence entry) in which it is linear, within the declared domains."""

    def __init__(self, context: Context, seed: int, givens=()):
        self.context = context
        self.random = random.Random(seed)
        self.givens = tuple(givens)
        self.failure: str | None = None  # why the last point without a value had none
        # a point where an integral diverges and another expression has a value
        self.divergence: Point | None = None
        self._digits_band: int | None = None  # the band of far integers at this draw

    def _decimal(self, low: float, high: float) -> sp.Rational:
        """Strictly between low and high, with as few decimal places as fit (3 or more), not an
        integer."""
        for places in range(3, 9):
            scale = 10**places
            first, last = math.floor(low * scale) + 1, math.ceil(high * scale) - 1
            candidates = [k for k in (first, last) if k % scale]
            if first < last or candidates:
                for _ in range(20):
                    numerator = self.random.randint(first, last)
                    if numerator % scale:
                        return sp.Rational(numerator, scale)
        raise ValueError(f"no decimal strictly between {low} and {high}")

    def _value(self, domain: Domain, integers: dict, small: bool = False):
        lower = sp.S(domain.lower).xreplace(integers)
        upper = sp.S(domain.upper).xreplace(integers)
        if domain.integer:
            if not small and self._digits_band is not None:
                far = self._far_integer(lower, upper, self._digits_band)
                if far is not None:
                    return far
            spread = _SPREAD if small else self.random.choice((_SPREAD, 12))
            low = int(lower) if lower.is_finite else (int(upper) - spread if upper.is_finite else -spread)
            high = int(upper) if upper.is_finite else low + 2 * spread
            return sp.Integer(self.random.randint(low, max(low, high)))
        closed_ends = [end for end, is_open in ((lower, domain.lower_open), (upper, domain.upper_open))
                       if end.is_finite and not is_open]
        if closed_ends and self.random.random() < 0.2:
            return sp.Rational(self.random.choice(closed_ends))  # a closed end is in the domain
        # A scale drawn per value: small values and values near an end of the domain are where
        # many false claims show, large ones where others do.
        spread = self.random.choice(_SPREADS[:2] if small else _SPREADS)
        low = float(lower) if lower.is_finite else (float(upper) - spread if upper.is_finite else -spread)
        high = float(upper) if upper.is_finite else (low + spread if lower.is_finite else spread)
        if self.random.random() < 0.25 and lower.is_finite and upper.is_finite:
            edge = min(0.05, (high - low) / 4)
            low, high = (low, low + edge) if self.random.random() < 0.5 else (high - edge, high)
        return self._decimal(low, high)

    def _far_integer(self, lower, upper, band: int):
        """An integer 10**band to 10**(band + 1) away from an end of the domain (from 0 when it
        has none), or None when the domain is narrower."""
        distance = int(10 ** self.random.uniform(band, band + 1))
        if lower.is_finite:
            value = int(lower) + distance
        elif upper.is_finite:
            value = int(upper) - distance
        else:
            value = distance * self.random.choice((1, -1))
        if (lower.is_finite and value < lower) or (upper.is_finite and value > upper):
            return None
        return sp.Integer(value)

    def _function(self, nargs: int) -> sp.Lambda:
        """c0 + Σ (c_k a_k + d_k sin(a_k)) + c a_1 a_last: smooth, real, not symmetric, and not
        affine in any argument (|d_k| >= 1/2), so that a claim true only of affine functions
        (f((x + y)/2) = (f(x) + f(y))/2) does not pass."""
        args = sp.symbols(f"a0:{nargs}", real=True, cls=sp.Dummy)
        coefficient = lambda: self._decimal(-2, 2)  # noqa: E731
        curvature = lambda: self._decimal(0.5, 2) * self.random.choice((1, -1))  # noqa: E731
        body = coefficient() + sum(coefficient() * a + curvature() * sp.sin(a) for a in args)
        body += coefficient() * args[0] * args[-1]
        return sp.Lambda(args, body)

    def point(self, expressions, attempt: int = 0) -> Point:
        """A point giving a value to every free name of ``expressions``."""
        return self.reading(expressions, attempt)[0]

    def reading(self, expressions, attempt: int = 0, digits: int = 15, small: bool = False):
        """A point for ``expressions`` and their values there at ``digits`` digits (None when
        one has no value): the values are found by the same pass that samples the point.
        ``small``: every value drawn at a small scale (within about 3 of 0, or of an end)."""
        integers: dict = {}
        sizes = self.context.size_symbols()
        # one size at a time is large: n = 50 data points of d = 50 features cost 2,500 terms
        large = self.random.choice(sizes) if sizes and attempt in LARGE_SIZE_ATTEMPTS else None
        for size in sizes:
            if attempt < len(SIZES):
                integers[size] = SIZES[attempt]
            elif size is large:
                tables = any(len(entry.indices) > 1 for e in expressions
                             for entry in e.atoms(sp.Indexed))
                integers[size] = self.random.randint(
                    LARGE_SIZES[0], LARGE_SIZE_OF_TABLES if tables else LARGE_SIZES[1])
            else:
                integers[size] = self.random.choice(MORE_SIZES)
        self._digits_band = LOG_SCALE_BANDS.get(attempt)
        free = self._needed(expressions)
        for declaration in self.context.declarations:
            if (declaration.kind == "scalar" and declaration.domain.integer
                    and declaration.obj in free and declaration.obj not in integers):
                known = {k: sp.Integer(v) for k, v in integers.items()}
                integers[declaration.obj] = int(self._value(declaration.domain, known, small))
        functions = {
            d.obj: self._function(d.rank) for d in self.context.declarations if d.kind == "function"
        }
        return self._complete(Point(integers, {}, functions), expressions, digits, small)

    def _needed(self, expressions) -> set:
        """The free names of ``expressions`` and the names that their domains' bounds mention:
        a value for k in [1, m] needs one for m, even where every m written is a sum's index."""
        needed = set().union(*(e.free_symbols for e in expressions))
        for declaration in reversed(self.context.declarations):  # bounds name earlier ones
            obj = declaration.obj
            if (obj.label if isinstance(obj, sp.IndexedBase) else obj) in needed:
                needed |= declaration.domain.lower.free_symbols | declaration.domain.upper.free_symbols
        return needed

    def _complete(self, partial: Point, expressions, digits: int = 15, small: bool = False):
        """Sample a value for every atom that evaluating ``expressions`` asks for (``small``:
        at small scales only); the point, and the values (None if one has none)."""
        integers = {k: sp.Integer(v) for k, v in partial.integers.items()}

        def sample(atom):
            domain = self.context.domain_of(atom)
            if domain is None:
                raise KeyError(atom)
            return self._value(domain, integers, small)

        values = _SampleOnDemand(sample, partial.values)
        probe = Point(partial.integers, values, partial.functions)
        found = self._evaluate(expressions, probe, digits)
        point = Point(partial.integers, dict(values), partial.functions)
        if not self.givens:
            return point, found
        point = self._satisfying(point, expressions, sample)
        if point is None:
            return Point(partial.integers, dict(values), partial.functions), None
        return point, self._evaluate(expressions, point, digits)

    def _evaluate(self, expressions, point: Point, digits: int):
        found, diverged = [], False
        for expr in expressions:
            try:
                found.append(evaluate(expr, point, digits))
            except EvaluationError as exc:
                found.append(None)  # the kernel will find this point unusable
                self.failure = str(exc)
                diverged = diverged or isinstance(exc, DivergentIntegral)
        if diverged and any(value is not None for value in found):
            self.divergence = point
        return None if None in found else found

    def _satisfying(self, point: Point, expressions, sample):
        """``point`` moved so that every given holds there (None where it cannot be done):
        the values every given asks for are sampled, then each given that must hold exactly
        is solved, in turn, for an atom or a rescaled sequence."""
        solved = [g for g in self.givens
                  if not eliminated(self.context, g, expressions, self.givens)]
        values = _SampleOnDemand(sample, point.values)
        probe = Point(point.integers, values, point.functions)
        for given in solved:
            try:
                evaluate(given.lhs - given.rhs, probe, 15)  # asks for every value it needs
            except EvaluationError:
                pass
        point = Point(point.integers, dict(values), point.functions)
        for given in solved:
            point = self._solve(point, given)
            if point is None:
                self.failure = f"no sampled point satisfies the given {given.name!r}"
                return None
        unmet = unmet_given(self.context, point, self.givens, expressions)
        if unmet is not None:
            self.failure = unmet
            return None
        return point

    def _solve(self, point: Point, given):
        """``point`` with new values that make ``given`` hold exactly, within the domains."""
        try:  # fresh bound names: fixing the integers must not capture a sum's index
            residual = instantiate(fresh_binders(given.lhs - given.rhs), point)
            if exact_value(residual, point) == 0:
                return point
        except (EvaluationError, ValueError, TypeError):
            return None
        integers = {k: sp.Integer(v) for k, v in point.integers.items()}
        scale = sp.Dummy("scale")
        entries = [a for a in residual.atoms(sp.Indexed) if a in point.values]
        bases = sorted({a.base for a in entries}, key=str)
        moves = [[a for a in entries if a.base == base] for base in bases]  # rescale, then
        moves += [[a] for a in sorted(residual.atoms(sp.Symbol, sp.Indexed), key=str)
                  if a in point.values]  # solve for one atom
        for atoms in moves:
            scaled = residual.xreplace({a: scale * a for a in atoms})
            slope = scaled.diff(scale)
            if slope.has(scale):
                continue  # not linear in the scale
            try:
                slope_value = exact_value(slope, point)
                rest = exact_value(scaled.xreplace({scale: 0}), point)
            except EvaluationError:
                continue
            if slope_value == 0:
                continue
            factor = sp.Rational(-rest.numerator * slope_value.denominator,
                                 rest.denominator * slope_value.numerator)
            moved = {a: point.values[a] * factor for a in atoms}
            if all(in_domain(self.context, a, v, integers) for a, v in moved.items()):
                return Point(point.integers, {**point.values, **moved}, point.functions)
        return None

    def vary(self, point: Point, expressions, over) -> Point:
        """The same point with new values for the optimised variables only."""
        return self.varied_reading(point, expressions, over)[0]

    def varied_reading(self, point: Point, expressions, over, digits: int = 15):
        """``vary``, with the values of ``expressions`` at the new point (as ``reading``)."""
        labels = {v.label if isinstance(v, sp.IndexedBase) else v for v in over}

        def fixed(atom):
            base = atom.base.label if isinstance(atom, sp.Indexed) else atom
            return base not in labels

        keep = {a: v for a, v in point.values.items() if fixed(a)}
        return self._complete(Point(point.integers, keep, point.functions), expressions, digits)


class _SampleOnDemand(dict):
    """A dict of values that samples a value the first time an atom is asked for."""

    def __init__(self, sample, known):
        super().__init__(known)
        self.sample = sample

    def __missing__(self, atom):
        self[atom] = value = self.sample(atom)
        return value


# Sizes at the points where a step about vectors and matrices is evaluated: every size in
# 1, 2, 3, in turn, so that sizes differ from each other (a d by n matrix is not square).
MATRIX_SIZES = (1, 2, 3)
MAX_MATRIX_ENTRIES = 400


def matrix_points(context: Context, expressions, seed: int, count: int):
    """Points at concrete sizes for a step about vectors and matrices: exact rational entries
    (integers and halves, thirds), a symmetric matrix as A + Aᵀ, a positive definite one as
    L·Lᵀ + I; scalars from the sampler, in their domains.  Not trusted: the kernel checks
    sizes, domains and structures."""
    generator = random.Random(seed)
    sizes_of = context.size_symbols()
    matrices = sorted({m for e in expressions for m in e.atoms(sp.MatrixSymbol)
                       if context.lookup(m.name) is not None},
                      key=lambda m: m.name)
    scalars = sorted({s for e in expressions for s in e.atoms(sp.Symbol)
                      if (d := context.lookup(s.name)) is not None and d.kind == "scalar"
                      and d.obj == s and s not in sizes_of}, key=str)
    sampler = Sampler(context, seed)
    points = []
    for attempt in range(count):
        sizes = {s: MATRIX_SIZES[(attempt + k) % 3] if attempt < 6 else generator.choice(MATRIX_SIZES)
                 for k, s in enumerate(sizes_of)}
        drawn = sampler.point([sp.Add(*scalars)], attempt) if scalars else Point()
        values = {s: drawn.values[s] for s in scalars if s in drawn.values}
        explicit = {}
        for matrix in matrices:
            rows, columns = (int(sp.S(x).xreplace({k: sp.Integer(v) for k, v in sizes.items()}))
                             for x in matrix.shape)
            if rows * columns > MAX_MATRIX_ENTRIES:
                return []  # a size written as a large number: no point to evaluate at

            def entry(i, j):
                return sp.Rational(generator.randint(-6, 6), generator.choice((1, 2, 3)))
            value = sp.Matrix(rows, columns, entry)
            structure = context.structure_of(matrix)
            if structure == "symmetric":
                value = value + value.T
            elif structure == "positive definite":
                value = value * value.T + sp.eye(rows)
            elif structure in ("invertible", "full column rank"):
                value = value + sp.eye(rows, columns) * 7  # diagonally dominant: of full rank
            explicit[matrix.name] = sp.ImmutableMatrix(value)
        points.append(MatrixPoint(sizes, explicit, values))
    return points
