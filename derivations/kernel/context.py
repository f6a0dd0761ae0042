"""Declared symbols and their domains: the only facts the kernel may use.

A derivation declares every name it uses, with a domain (real, positive, an interval, an
integer range with a symbolic bound such as ``1 <= j <= C``).  SymPy receives the assumptions
it can express (real, positive, integer, ...); the rest (upper bounds, integer ranges) stays
here, where the kernel's sign oracle and the numeric sampler read it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..errors import InputProblem


@dataclass(frozen=True)
class Domain:
    """A set of real numbers: an interval, optionally of integers, with bounds that may be symbols."""

    integer: bool = False
    lower: sp.Expr = sp.S.NegativeInfinity
    upper: sp.Expr = sp.S.Infinity
    lower_open: bool = True
    upper_open: bool = True

    def sympy_assumptions(self) -> dict[str, bool]:
        """The assumptions SymPy can hold for this domain; never more than the domain implies."""
        facts = {"integer": True} if self.integer else {"real": True}
        lower = self.lower
        if lower.is_number and lower.is_finite:
            if lower > 0 or (lower == 0 and self.lower_open):
                facts["positive"] = True
            elif lower >= 0:
                facts["nonnegative"] = True
        elif lower.is_positive:
            facts["positive"] = True
        upper = self.upper
        if upper.is_number and upper.is_finite:
            if upper < 0 or (upper == 0 and self.upper_open):
                facts["negative"] = True
            elif upper <= 0:
                facts["nonpositive"] = True
        return facts

    def describe(self) -> str:
        """A short human description such as ``real in (0, 1)`` or ``integer in [1, C]``."""
        kind = "integer" if self.integer else "real"
        if self.lower == sp.S.NegativeInfinity and self.upper == sp.S.Infinity:
            return kind
        if self.upper == sp.S.Infinity and self.lower == 0:
            return f"{'positive' if self.lower_open else 'nonnegative'} {kind}"
        if self.lower == sp.S.NegativeInfinity and self.upper == 0 and self.upper_open:
            return f"negative {kind}"
        left = "(" if self.lower_open else "["
        right = ")" if self.upper_open else "]"
        return f"{kind} in {left}{self.lower}, {self.upper}{right}"


REAL = Domain()
POSITIVE = Domain(lower=sp.S.Zero, lower_open=True)
NONNEGATIVE = Domain(lower=sp.S.Zero, lower_open=False)
NEGATIVE = Domain(upper=sp.S.Zero, upper_open=True)


def interval(lower, upper, *, lower_open=True, upper_open=True) -> Domain:
    """A real interval such as (0, 1)."""
    return Domain(False, sp.S(lower), sp.S(upper), lower_open, upper_open)


def integer_range(lower, upper=sp.S.Infinity) -> Domain:
    """Integers from ``lower`` to ``upper`` inclusive; either bound may be a declared symbol."""
    return Domain(True, sp.S(lower), sp.S(upper), False, upper == sp.S.Infinity)


POSITIVE_INTEGER = integer_range(1)


@dataclass(frozen=True)
class Declaration:
    """One declared name: a scalar symbol, a sequence (an ``IndexedBase``), a function, or a
    real matrix (a ``MatrixSymbol``; a vector is a matrix of one column)."""

    name: str
    kind: str  # "scalar", "sequence", "function" or "matrix"
    domain: Domain
    obj: object
    rank: int = 0  # indices of a sequence, arguments of a function
    law: object = None  # a random variable's law (``laws.Law``): its domain is the law's support
    structure: str = ""  # of a matrix: one of MATRIX_STRUCTURES


# What a declaration may say of a matrix; all but the last are of square matrices.  A matrix of
# full column rank (X v = 0 only for v = 0) has at least as many rows as columns.
MATRIX_STRUCTURES = ("", "symmetric", "positive definite", "invertible", "full column rank")
SQUARE_STRUCTURES = ("symmetric", "positive definite", "invertible")
MAX_MATRIX_SIZE = 1_000  # a size written as a number: matrices are built at such sizes


class ContextError(InputProblem):
    """A declaration that contradicts another or names something twice."""


class Context:
    """The declared names of one derivation and what is assumed about them."""

    def __init__(self) -> None:
        self._declarations: dict[str, Declaration] = {}

    # -- declaring -------------------------------------------------------------------------
    def _declare(self, declaration: Declaration):
        if declaration.name in self._declarations:
            raise ContextError(f"{declaration.name!r} is declared twice")
        if declaration.name.startswith("_"):
            raise ContextError(f"{declaration.name!r}: names may not start with '_'")
        self._declarations[declaration.name] = declaration
        return declaration.obj

    def symbol(self, name: str, domain: Domain = REAL) -> sp.Symbol:
        """Declare a scalar; its bounds may name symbols declared before it."""
        return self._declare(
            Declaration(name, "scalar", domain, sp.Symbol(name, **domain.sympy_assumptions()))
        )

    def sequence(self, name: str, domain: Domain = REAL, rank: int = 1) -> sp.IndexedBase:
        """Declare a sequence ``x[i]`` (or ``P[a, b]`` with ``rank=2``) whose entries lie in ``domain``."""
        base = sp.IndexedBase(name, **domain.sympy_assumptions())
        return self._declare(Declaration(name, "sequence", domain, base, rank))

    def random(self, name: str, law) -> sp.Symbol:
        """Declare a random variable drawn from ``law``, independent of every other one: as a
        value it ranges over the law's support; ``E(...)`` averages over it."""
        from .laws import support
        integer, lower, upper, lower_open, upper_open = support(law)
        domain = Domain(integer, lower, upper, lower_open, upper_open)
        return self._declare(Declaration(name, "scalar", domain,
                                         sp.Symbol(name, **domain.sympy_assumptions()), law=law))
    def index_count(self, name: str, rank: int) -> None:
        """Record that the declared sequence ``name`` takes ``rank`` indices: a file declares
        a sequence before its uses show how many (``P[a, b]``)."""
        declaration = self._declarations[name]
        if declaration.kind != "sequence":
            raise ContextError(f"{name!r} is not a sequence")
        self._declarations[name] = Declaration(name, "sequence", declaration.domain,
                                               declaration.obj, rank)

    def function(self, name: str, nargs: int):
        """Declare an unknown real function of ``nargs`` arguments, such as f(x[i], theta)."""
        return self._declare(
            Declaration(name, "function", REAL, sp.Function(name, real=True), nargs)
        )

    def matrix(self, name: str, rows: sp.Expr, columns: sp.Expr, structure: str = ""):
        """Declare a real ``rows`` by ``columns`` matrix (a vector has one column); its sizes
        are positive integers or declared positive integer symbols; a symmetric, positive
        definite or invertible matrix is square."""
        rows, columns = sp.S(rows), sp.S(columns)
        for size in (rows, columns):
            if not (size.is_Integer and 1 <= size <= MAX_MATRIX_SIZE) \
                    and size not in self.size_symbols():
                raise ContextError(f"the size {size} of {name!r} must be a whole number from 1 to "
                                   f"{MAX_MATRIX_SIZE} or a symbol declared before as "
                                   "'positive integer'")
        if structure not in MATRIX_STRUCTURES:
            raise ContextError(f"unknown matrix structure {structure!r}")
        if structure in SQUARE_STRUCTURES and rows != columns:
            raise ContextError(f"a {structure} matrix is square: {name!r} is {rows} by {columns}")
        if structure == "full column rank" and rows.is_Integer and columns.is_Integer \
                and rows < columns:
            # no such matrix exists: everything said of it would hold vacuously
            raise ContextError(f"a matrix of full column rank has at least as many rows as "
                               f"columns: {name!r} is {rows} by {columns}")
        return self._declare(Declaration(name, "matrix", REAL, sp.MatrixSymbol(name, rows, columns),
                                         structure=structure))

    def structure_of(self, matrix) -> str:
        """The structure declared for a matrix symbol (one of MATRIX_STRUCTURES)."""
        declaration = self._declarations.get(getattr(matrix, "name", None))
        if declaration is None or declaration.kind != "matrix" or declaration.obj != matrix:
            return ""
        return declaration.structure

    # -- reading ---------------------------------------------------------------------------
    @property
    def declarations(self) -> tuple[Declaration, ...]:
        return tuple(self._declarations.values())

    def lookup(self, name: str) -> Declaration | None:
        return self._declarations.get(name)

    def domain_of(self, atom) -> Domain | None:
        """The declared domain of a symbol or of an entry ``x[...]`` of a sequence."""
        if isinstance(atom, sp.Indexed):
            name = atom.base.label.name
        elif isinstance(atom, sp.Symbol):
            name = atom.name
        else:
            return None
        declaration = self._declarations.get(name)
        if declaration is None or declaration.kind in ("function", "matrix"):
            return None
        if isinstance(atom, sp.Symbol) and declaration.obj != atom:
            return None  # a bound variable that shares a declared name but not its assumptions
        return declaration.domain

    def size_symbols(self) -> tuple[sp.Symbol, ...]:
        """Positive integer scalars with no upper bound: sizes such as n and C, sampled small."""
        return tuple(
            d.obj
            for d in self._declarations.values()
            if d.kind == "scalar"
            and d.domain.integer
            and d.domain.upper == sp.S.Infinity
            and d.domain.lower.is_number
            and d.domain.lower >= 1
        )
