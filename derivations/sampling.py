"""Random points in the declared domains, for the kernel to evaluate.

Values are exact decimals with three places (0.731), never integers for real variables (many
false identities hold at integers); sizes n, C cycle through small values (1, 2, 3, 5); an
unknown function becomes a random smooth real function.  Nothing here is trusted: the kernel
checks that every point lies in the declared domains.
"""

from __future__ import annotations

import hashlib
import math
import random

import sympy as sp

from .kernel import Context, Domain, Point, exact_text
from .kernel.numeric import EvaluationError, evaluate

SIZES = (1, 2, 3, 5)
MORE_SIZES = (1, 2, 3, 4, 5, 6, 8)
_SPREAD = 3  # integers without bounds range over about (-3, 3)
_SPREADS = (0.5, 3, 3, 10, 300)


def seed_for(*expressions) -> int:
    """A seed that depends only on the expressions, so a verdict is reproducible."""
    text = "|".join(exact_text(e) for e in expressions)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


class Sampler:
    def __init__(self, context: Context, seed: int):
        self.context = context
        self.random = random.Random(seed)
        self.failure: str | None = None  # why the last point without a value had none

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

    def _function(self, nargs: int) -> sp.Lambda:
        """c0 + Σ c_k a_k + c a_1 a_last + d sin(a_1): smooth, real, not linear, not symmetric."""
        args = sp.symbols(f"a0:{nargs}", real=True, cls=sp.Dummy)
        coefficient = lambda: self._decimal(-2, 2)  # noqa: E731
        body = coefficient() + sum(coefficient() * a for a in args)
        body += coefficient() * args[0] * args[-1] + coefficient() * sp.sin(args[0])
        return sp.Lambda(args, body)

    def point(self, expressions, attempt: int = 0) -> Point:
        """A point giving a value to every free name of ``expressions``."""
        return self.reading(expressions, attempt)[0]

    def reading(self, expressions, attempt: int = 0, digits: int = 15, small: bool = False):
        """A point for ``expressions`` and their values there at ``digits`` digits (None when
        one has no value): the values are found by the same pass that samples the point.
        ``small``: every value drawn at a small scale (within about 3 of 0, or of an end)."""
        integers: dict = {}
        for size in self.context.size_symbols():
            integers[size] = SIZES[attempt] if attempt < len(SIZES) else self.random.choice(MORE_SIZES)
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
        found = []
        for expr in expressions:
            try:
                found.append(evaluate(expr, probe, digits))
            except EvaluationError as exc:
                found.append(None)  # the kernel will find this point unusable
                self.failure = str(exc)
        point = Point(partial.integers, dict(values), partial.functions)
        return point, None if None in found else found

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
