"""Whether the givens a step cites hold at a point: a side condition of every rule that decides a
step from points (``refuted_at``, ``checked_at``, ``order_reversed_at``, ``order_kept_at``).

A point is evidence about a step only where the step's hypotheses hold.  The rules evaluate
both sides with the givens applied, so a given ``x = rhs`` (or ``y[k] = rhs`` for every k, or
``f(a) = rhs``) whose left side's name occurs nowhere else, neither in the two sides once the
givens are applied nor in another cited given nor in a declared bound, is satisfied by
construction: that name takes the value of ``rhs`` at the point, which must lie in its declared
domain (certified).  Every other given must hold at the point exactly, in rational arithmetic.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from .context import Context
from .normal_forms import canonical_binders
from .numeric import EvaluationError, Point, _Evaluator, _ends, enclose

MAX_PATTERN_ENTRIES = 2_000  # entries y[k] of a pattern given checked one by one at a point
MAX_EXACT_EXPONENT = 1_000  # a rational to a larger power has too many digits to be worth it


class _Exact:
    """The arithmetic of ``_Evaluator`` in Python fractions: exact, and nothing transcendental
    (``log``, ``exp``, ``pi``... are missing, so evaluating them fails)."""

    mpf = Fraction

    @staticmethod
    def fsum(terms):
        return sum(terms, Fraction(0))

    @staticmethod
    def fprod(factors):
        product = Fraction(1)
        for factor in factors:
            product *= factor
        return product

    @staticmethod
    def power(base, exponent):
        if not isinstance(exponent, int) and getattr(exponent, "denominator", None) != 1:
            raise ValueError("a power with a fractional exponent has no exact value")
        if abs(int(exponent)) > MAX_EXACT_EXPONENT:
            raise ValueError(f"an exponent beyond {MAX_EXACT_EXPONENT} is not raised exactly")
        return Fraction(base) ** int(exponent)


class _ExactEvaluator(_Evaluator):
    def integer(self, expr, env) -> int:
        value = self.value(expr, env)
        if not isinstance(value, (int, Fraction)) or Fraction(value).denominator != 1:
            raise EvaluationError(f"{expr} is not an integer here")
        return int(value)

    def real(self, value):
        if not isinstance(value, (int, Fraction)):
            raise EvaluationError("not an exact rational")
        return value


def exact_value(expr: sp.Expr, point: Point) -> Fraction:
    """The exact rational value of ``expr`` at ``point``, or EvaluationError when it has none
    that rational arithmetic can find (a logarithm, a pole, too many terms)."""
    expr = sp.S(expr)
    try:
        value = _ExactEvaluator(point, _Exact, expr).value(expr, {})
    except (ZeroDivisionError, OverflowError, ValueError, TypeError, AttributeError) as exc:
        raise EvaluationError(f"no exact value here ({exc})") from exc
    if not isinstance(value, (int, Fraction)):
        raise EvaluationError("no exact rational value here")
    return Fraction(value)


def _name(lhs):
    """What a given's left side defines, if it can be eliminated: a symbol, a sequence's base,
    or an unknown function; None for any other left side (a sum, a product...)."""
    if isinstance(lhs, sp.Symbol):
        return lhs
    if isinstance(lhs, sp.Indexed):
        return lhs.base
    if isinstance(lhs, AppliedUndef):
        return lhs.func
    return None


def _mentions(expr, name) -> bool:
    if isinstance(name, sp.IndexedBase):
        return any(e.base == name for e in expr.atoms(sp.Indexed))
    if isinstance(name, sp.Symbol):
        return name in expr.free_symbols
    return expr.has(name)


def eliminated(context: Context, given, expressions, givens) -> bool:
    """Whether ``given`` is satisfied by construction: its left side's name occurs in none of
    ``expressions`` (the two sides with every given applied), in no other part of the givens,
    and in no declared domain's bound."""
    name = _name(given.lhs)
    if name is None:
        return False
    if isinstance(given.lhs, sp.Indexed) and any(_mentions(i, name) for i in given.lhs.indices):
        return False
    others = [given.rhs] + [side for g in givens if g is not given for side in (g.lhs, g.rhs)]
    if any(_mentions(e, name) for e in list(expressions) + others):
        return False
    bounds = [sp.S(end) for d in context.declarations for end in (d.domain.lower, d.domain.upper)]
    return not any(_mentions(end, name) for end in bounds)


def _certainly_in_domain(context: Context, atom, value_expr, point: Point) -> bool:
    """Whether the value of ``value_expr`` at ``point`` certainly lies in ``atom``'s domain:
    exactly when it is rational, else by an outward-rounded enclosure."""
    from .rules import in_domain

    domain = context.domain_of(atom)  # None for a function's value: any real number
    integers = {k: sp.Integer(v) for k, v in point.integers.items()}
    try:
        exact = exact_value(value_expr, point)
        return domain is None or in_domain(context, atom, sp.Rational(exact.numerator,
                                                                      exact.denominator), integers)
    except EvaluationError:
        pass
    if domain is not None and domain.integer:
        return False
    try:
        low, high = _ends(enclose(value_expr, point, 30))
    except EvaluationError:
        return False
    if domain is None:
        return True
    exponents = [mpmath.mpf(end).man_exp[1] for end in (low, high)]
    if any(abs(e) > 10_000 for e in exponents):
        return False  # an end far too large or small to write as a fraction
    ends = [sp.Rational(int(mpmath.mpf(end).man_exp[0])) * sp.Integer(2)**int(e)
            for end, e in zip((low, high), exponents)]
    return all(in_domain(context, atom, end, integers) for end in ends)


def _proved_in_domain(context: Context, atom, value_expr) -> bool:
    """Whether every value ``value_expr`` can take lies in ``atom``'s declared domain, by the
    sign oracle's sound bounds (sigmoid(z) in (0, 1) for every z): true at every point."""
    from .bounds import BoundsOracle

    domain = context.domain_of(atom)
    if domain is None or domain.integer:
        return False
    try:
        bounds = BoundsOracle(context).bounds(value_expr)
        above = domain.lower == -sp.oo or bool(bounds.lo > domain.lower) or (
            bounds.lo == domain.lower and (bounds.lo_open or not domain.lower_open))
        below = domain.upper == sp.oo or bool(bounds.hi < domain.upper) or (
            bounds.hi == domain.upper and (bounds.hi_open or not domain.upper_open))
    except TypeError:  # an end that is a symbol: no order to read
        return False
    return bool(above and below)


def _pattern_entries(context: Context, lhs, point: Point):
    """Every index tuple of a pattern given ``y[i, j] = ...`` at ``point``: the declared ranges
    of its index symbols at the point's sizes; None when a range is unbounded or too large."""
    ranges = []
    integers = {k: sp.Integer(v) for k, v in point.integers.items()}
    for index in lhs.indices:
        if not isinstance(index, sp.Symbol):
            ranges.append((index,))
            continue
        domain = context.domain_of(index)
        if domain is None or not domain.integer:
            return None
        low, high = (sp.S(end).xreplace(integers) for end in (domain.lower, domain.upper))
        if not (low.is_Integer and high.is_Integer) or high - low >= MAX_PATTERN_ENTRIES:
            return None
        ranges.append(tuple(sp.Integer(k) for k in range(int(low), int(high) + 1)))
    count = 1
    for values in ranges:
        count *= len(values)
    if count > MAX_PATTERN_ENTRIES:
        return None
    return itertools.product(*ranges)


def _bounded_pattern(context: Context, lhs) -> bool:
    """Whether ``lhs`` is a pattern entry one of whose index symbols has a declared range
    narrower than all the integers: the given rewrites entries outside that range too."""
    if not isinstance(lhs, sp.Indexed):
        return False
    for index in lhs.indices:
        domain = context.domain_of(index) if isinstance(index, sp.Symbol) else None
        if domain is not None and (domain.lower != -sp.oo or domain.upper != sp.oo):
            return True
    return False


def _entries_written(lhs: sp.Indexed, expressions, point: Point) -> set:
    """The index tuples of the entries of ``lhs``'s sequence that ``expressions`` use at
    ``point`` (sums written out term by term): the entries a pattern given rewrites there."""
    from .numeric import instantiate

    found = set()
    for expr in expressions:
        for entry in instantiate(expr, point).atoms(sp.Indexed):
            if entry.base == lhs.base and len(entry.indices) == len(lhs.indices) \
                    and all(i.is_Integer for i in entry.indices):
                found.add(tuple(entry.indices))
    return found


def unmet_given(context: Context, point: Point, givens, expressions,
                originals=()) -> str | None:
    """Why ``point`` is not a case of ``givens`` (None when every one certainly holds there).
    ``expressions``: the two sides of the step with every given applied; ``originals``: the
    two sides before, whose entries a pattern given rewrote whatever its index's declared
    range (so each of them must land in its domain too)."""
    for given in givens:
        lhs, rhs = given.lhs, given.rhs
        if eliminated(context, given, expressions, givens):
            if _proved_in_domain(context, lhs, rhs) and not _bounded_pattern(context, lhs):
                continue  # (a bounded index's proof says nothing of the entries beyond it)
            if isinstance(lhs, sp.Indexed) and any(isinstance(i, sp.Symbol) for i in lhs.indices):
                entries = _pattern_entries(context, lhs, point)
                if entries is None:
                    return (f"given {given.name!r}: the range of its indices is not finite at "
                            "this point, so its entries cannot all be put in their domain")
                try:
                    written = _entries_written(lhs, originals, point)
                except EvaluationError as exc:
                    return f"given {given.name!r}: the entries it rewrites are not known ({exc})"
                for entry in set(entries) | written:
                    values = dict(zip(lhs.indices, entry))
                    if not _certainly_in_domain(context, lhs.xreplace(values),
                                                rhs.xreplace(values), point):
                        return (f"given {given.name!r}: {lhs.xreplace(values)} would lie "
                                "outside its declared domain here")
            elif not _certainly_in_domain(context, lhs, rhs, point):
                return f"given {given.name!r}: {lhs} would lie outside its declared domain here"
            continue
        try:
            holds = exact_value(lhs, point) == exact_value(rhs, point)
        except EvaluationError as exc:
            return f"given {given.name!r} cannot be shown to hold here exactly ({exc})"
        if not holds:
            return f"given {given.name!r} does not hold here"
    return None


def exposed(expr: sp.Expr, lhs: sp.Expr) -> sp.Expr:
    """``expr`` with every finite sum split into sums of its terms, the factors free of the index
    pulled out (Σ_k (c q_k + d_k) = c Σ_k q_k + Σ_k d_k, exact for a finite range), and each sum
    that is ``lhs`` up to the names of its indices written as ``lhs``: so a given about a sum
    applies wherever that sum occurs.  ``expr`` unchanged when ``lhs`` is not a finite sum or
    does not occur."""
    if not isinstance(lhs, sp.Sum) or not _finite(lhs) or not expr.has(sp.Sum):
        return expr
    targets = {canonical_binders(lhs)}
    split_lhs = _split_sums(lhs)
    if isinstance(split_lhs, sp.Sum):
        targets.add(canonical_binders(split_lhs))
    found = []

    def named(big):
        if canonical_binders(big) in targets:
            found.append(big)
            return lhs
        return big

    rewritten = _split_sums(expr).replace(lambda e: isinstance(e, sp.Sum), named)
    return rewritten if found else expr


def _finite(big: sp.Sum) -> bool:
    return not any(end.has(sp.oo, -sp.oo) for _, *ends in big.limits for end in ends)


def _split_sums(expr: sp.Expr) -> sp.Expr:
    """Every sum over a finite range, innermost first, as a sum of single sums, each with the
    factors free of its index outside.  An infinite series is left whole: it may converge while
    its pieces diverge."""
    if not expr.has(sp.Sum):
        return expr
    if not isinstance(expr, sp.Sum):
        return expr.func(*[_split_sums(a) for a in expr.args])
    if not _finite(expr):
        return expr
    *inner, (index, low, high) = expr.limits
    body = _split_sums(sp.Sum(expr.function, *inner) if inner else expr.function)
    pieces = []
    for term in sp.Add.make_args(sp.expand_mul(body)):
        factor, summand = term.as_independent(index, as_Add=False)
        pieces.append(factor * sp.Sum(summand, (index, low, high)))
    return sp.Add(*pieces)
