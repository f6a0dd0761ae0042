"""Named functions of ML notation and their definitions.

``sigmoid`` and ``softplus`` stay folded in displayed expressions; the kernel unfolds them to
their definitions before it compares or evaluates, so a proof about them is a proof about
``1/(1 + exp(-z))`` and ``log(1 + exp(z))``.
"""

from __future__ import annotations

import sympy as sp

from .substitution import rewrite, substitute


class sigmoid(sp.Function):
    """The logistic function 1/(1 + e^(-z))."""

    nargs = 1

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None

    def unfold(self) -> sp.Expr:
        return 1 / (1 + sp.exp(-self.args[0]))


class softplus(sp.Function):
    """log(1 + e^z), the smooth maximum of 0 and z."""

    nargs = 1

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None

    def unfold(self) -> sp.Expr:
        return sp.log(1 + sp.exp(self.args[0]))


DEFINED_FUNCTIONS = (sigmoid, softplus)


def unfold_definitions(expr: sp.Expr) -> sp.Expr:
    """Replace every named function by its definition (its argument unfolded first), by the
    kernel's one substitution: a definition has no free names beyond its argument, so it
    touches no sum's index and no derivative's variable."""
    if not expr.has(*DEFINED_FUNCTIONS):
        return expr

    def definition(e):
        if isinstance(e, DEFINED_FUNCTIONS):
            return type(e)(unfold_definitions(e.args[0])).unfold()
        return None

    return rewrite(expr, definition, set())


class ln(sp.log):
    """The natural logarithm written ``ln``: printed so where the author wrote it, and the
    kernel's ``log`` for every rule (``unfold_written``)."""

    def _latex(self, printer, exp=None):
        tex = r"\ln\left(%s\right)" % printer._print(self.args[0])
        return tex if exp is None else "%s^{%s}" % (tex, exp)


# -- definitions written in a derivation file (``define:``) --------------------------------------
class Definition:
    """``name(parameters) = body``, written once in a file.  Each parameter is fresh (a
    ``Dummy`` scalar or a sequence whose label is a ``Dummy``), so a parameter named like a
    declared symbol is never that symbol; the body may use declared names and earlier
    definitions, never this one or a later one (no recursion)."""

    def __init__(self, name: str, parameters: tuple, body: sp.Expr):
        self.name, self.parameters, self.body = name, tuple(parameters), sp.S(body)

    def instance(self, arguments) -> sp.Expr:
        """The body with the arguments put for the parameters, capture-avoiding."""
        if len(arguments) != len(self.parameters):
            raise ValueError(f"{self.name} takes {len(self.parameters)} argument(s)")
        return substitute(self.body, dict(zip(self.parameters, arguments)))


class Defined(sp.Function):
    """A use ``H(p)`` of a function defined in a file, kept folded for display; each
    definition gets its own subclass (``defined_function``), which carries it."""

    definition: Definition


class DefinedName(sp.Symbol):
    """A use of a named expression such as ``xbar``: prints as its name, never equal to a
    declared symbol of that name, and equal to another only with the same definition."""

    __slots__ = ("definition",)

    def __new__(cls, definition: Definition):
        name = sp.Symbol.__xnew__(cls, definition.name)
        name.definition = definition
        return name

    def _hashable_content(self):
        return sp.Symbol._hashable_content(self) + (self.definition.body,)

    def __getnewargs_ex__(self):
        return ((self.definition,), {})

    @classmethod
    def class_key(cls):
        return sp.Symbol.class_key()


def defined_function(definition: Definition) -> type:
    """The class of the uses of a defined function (``H(p)``)."""
    return type(definition.name, (Defined,), {"nargs": len(definition.parameters),
                                              "definition": definition})


def unfold_written(expr: sp.Expr) -> sp.Expr:
    """Every ``ln`` made ``log``, and every use of a definition written in a file replaced by
    its body (arguments unfolded
    first, then the instance unfolded in turn), by the kernel's one substitution: an instance's
    sums get fresh indices where they would shadow the sums around it, and its free names are
    declared symbols, which no index equals."""
    expr = sp.S(expr)
    if not expr.atoms(Defined, DefinedName, ln):
        return expr

    def definition(e):
        if isinstance(e, ln):
            return sp.log(unfold_written(e.args[0]))
        if isinstance(e, Defined):
            return unfold_written(e.definition.instance([unfold_written(a) for a in e.args]))
        if isinstance(e, DefinedName):
            return unfold_written(e.definition.body)
        return None

    return rewrite(expr, definition, set())
