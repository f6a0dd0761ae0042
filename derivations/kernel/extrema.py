"""The maximum and the minimum of an expression over an index range: ``Max(a[k], (k, 1, K))``.

They bind their index as a sum does (the kernel's substitution renames it, never rewrites it),
are never evaluated when built (SymPy's ``Max`` of closed numbers compares them with evalf),
and have a value only over a non-empty range: evaluation refuses an empty one, and a rule
that needs the expression defined must prove the range non-empty.
"""

from __future__ import annotations

from sympy.concrete.expr_with_intlimits import ExprWithIntLimits


class Extremum(ExprWithIntLimits):
    """The largest (``MaxOver``) or smallest (``MinOver``) value of ``function`` as its index
    runs over ``first..last``; one limit only."""

    __slots__ = ()

    def __new__(cls, function, *limits, **assumptions):
        if len(limits) != 1:
            raise ValueError(f"{cls.__name__} takes one range (index, first, last)")
        return super().__new__(cls, function, *limits, **assumptions)

    def _eval_is_extended_real(self):
        return self.function.is_extended_real

    def _eval_is_real(self):
        return self.function.is_real

    def doit(self, **hints):  # stays as written: its value is found only by evaluation
        return self

    @property
    def written_name(self) -> str:
        return "Max" if isinstance(self, MaxOver) else "Min"

    def _sympystr(self, printer) -> str:  # as a file writes it
        (index, first, last), = self.limits
        return (f"{self.written_name}({printer._print(self.function)}, "
                f"({printer._print(index)}, {printer._print(first)}, {printer._print(last)}))")

    def _latex(self, printer) -> str:
        (index, first, last), = self.limits
        return (rf"\{self.written_name.lower()}_{{{printer._print(index)} = "
                rf"{printer._print(first)}}}^{{{printer._print(last)}}} "
                rf"{printer.parenthesize(self.function, 50)}")


class MaxOver(Extremum):
    __slots__ = ()


class MinOver(Extremum):
    __slots__ = ()


EXTREMA = (MaxOver, MinOver)
