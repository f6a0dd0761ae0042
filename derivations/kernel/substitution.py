"""Bound variables, and the kernel's one capture-avoiding substitution.

Sums, products, integrals and expectations bind a variable each (``_BINDERS``); an integral's
or a continuous law's variable is a ``BoundReal``, the others a ``BoundIndex``, and all are
handled alike below.

A sum's or product's index is a ``BoundIndex``: it prints as its name, but it is never equal to
the declared symbol of that name, so ``Sum(c, (m, 1, n))`` says nothing about a declared ``m``,
and a domain ``k in [1, m]`` keeps meaning the declared ``m`` inside it.  Its ``tag`` tells apart
sums over one name nested in each other (the outermost is 0), so that two readings of the same
text are the same expression, with the same exact text (the verdict cache keys on it), and no
sum ever shadows another with the same index: renaming an index within its own sum is then a
plain replacement.

``substitute`` (and ``rewrite``, for givens that hold for every index) is the only way the
kernel replaces part of an expression by another: it never rewrites a sum's index or a
derivative's variable, and renames a sum's index that would capture a free symbol of what is
put in.
"""

from __future__ import annotations

import functools
from typing import Callable

import sympy as sp

from .extrema import EXTREMA
from .laws import Expectation


class BoundIndex(sp.Symbol):
    """The index of one sum or product: an integer, equal only to the index of the same name
    and tag."""

    __slots__ = ("tag",)

    def __new__(cls, name: str, tag: int = 0):
        index = sp.Symbol.__xnew__(cls, name, integer=True)
        index.tag = int(tag)
        return index

    def _hashable_content(self):
        return sp.Symbol._hashable_content(self) + (self.tag,)

    def __getnewargs_ex__(self):
        return ((self.name, self.tag), {})

    @classmethod
    def class_key(cls):
        return sp.Symbol.class_key()  # sorted for printing exactly as a symbol of its name

    def _sympyrepr(self, printer) -> str:  # the exact text tells the tag (and the class) apart
        return f"{type(self).__name__}({self.name!r}, {self.tag})"


class BoundReal(BoundIndex):
    """The variable of an integral or of an expectation over a continuous law: a real number,
    bound like a ``BoundIndex`` (never equal to the declared symbol of its name)."""

    __slots__ = ()

    def __new__(cls, name: str, tag: int = 0):
        variable = sp.Symbol.__xnew__(cls, name, real=True)
        variable.tag = int(tag)
        return variable


def bound_like(old: sp.Symbol, tag: int, name: str | None = None) -> BoundIndex:
    """A bound variable of ``old``'s kind (integer or real), named as ``old`` unless ``name``."""
    return (BoundIndex if old.is_integer else BoundReal)(name or old.name, tag)


_BINDERS = (sp.Sum, sp.Product, sp.Integral, Expectation, *EXTREMA)


def _scoped(node) -> tuple:
    """A sum, product, integral or expectation as its body, its outermost variable and what
    that ranges over (``(a, b)``, or an expectation's law): ``Sum(f, inner..., (i, a, b))`` is
    ``Sum(Sum(f, inner...), (i, a, b))``."""
    *inner, (index, *ranging) = node.limits
    body = type(node)(node.function, *inner) if inner else node.function
    return body, index, tuple(ranging)


@functools.lru_cache(maxsize=1024)
def bind_indices(expr: sp.Expr) -> sp.Expr:
    """``expr`` with the index of every sum and product made a ``BoundIndex`` (each occurrence
    bound by it too): for expressions built from SymPy objects, whose index may be the very
    symbol used free elsewhere.  Idempotent, and the same as the parser's binding; kept, since
    each claim is bound again by every rule that reads it."""
    if all(isinstance(index, BoundIndex) for index in binders(expr)):
        return expr  # bound already, by the parser or here (or nothing binds)
    return _bind(expr, {})


def _bind(expr, scope: dict):
    if isinstance(expr, _BINDERS):
        body, index, ranging = _scoped(expr)
        ranging = tuple(_bind(end, scope) for end in ranging)
        enclosing = [b for b in scope.values() if b.name == index.name]
        new = bound_like(index, max((b.tag for b in enclosing), default=-1) + 1)
        return type(expr)(_bind(body, {**scope, index: new}), (new, *ranging))
    if not expr.args or isinstance(expr, sp.IndexedBase):
        return scope.get(expr, expr)
    args = [_bind(a, scope) for a in expr.args]
    return expr if args == list(expr.args) else _rebuilt(expr, args)


def _rebuilt(expr, args):
    """``expr`` with new arguments, as written: a renaming changes no term, so nothing is
    evaluated (``p - p`` written on purpose stays)."""
    try:
        return expr.func(*args, evaluate=False)
    except TypeError:  # a node that is never evaluated takes no such option
        return expr.func(*args)


def binders(expr: sp.Expr) -> set:
    """The variables bound anywhere in ``expr``."""
    return {index for big in expr.atoms(*_BINDERS) for index, *_ in big.limits}


class Fresh:
    """New indices, each with a tag above every tag of its name in use."""

    def __init__(self, *expressions):
        self.tags: dict[str, int] = {}
        self.variables = 0  # derivatives turned into substitutions (``at_point``)
        for expr in expressions:
            self.note(expr)

    def note(self, expr) -> None:
        for index in expr.atoms(BoundIndex):
            self.tags[index.name] = max(self.tags.get(index.name, -1), index.tag)

    def at_point(self, derivative: sp.Derivative) -> sp.Subs:
        """A derivative that cannot be carried out, as the derivative by new variables at the
        point of its own: d/dθ f(θ) is Subs(d/dξ f(ξ), ξ, θ), and a substitution may rewrite θ."""
        self.variables += 1
        new = [sp.Dummy(f"d{self.variables}_{i}", dummy_index=self.variables * 100 + i,
                        real=True) for i, _ in enumerate(derivative.variable_count)]
        renaming = {v: d for (v, _), d in zip(derivative.variable_count, new)}
        body = derivative.expr.xreplace(renaming)
        counts = [(d, count) for (_, count), d in zip(derivative.variable_count, new)]
        return sp.Subs(sp.Derivative(body, *counts), new, list(renaming))

    def index(self, old: sp.Symbol) -> BoundIndex:
        tag = self.tags.get(old.name, -1) + 1
        self.tags[old.name] = tag
        return bound_like(old, tag)


def rewrite(expr: sp.Expr, match: Callable, touched: set, fresh: Fresh | None = None) -> sp.Expr:
    """``expr`` with every subexpression for which ``match`` gives a replacement replaced,
    outermost first.  ``touched`` holds every free symbol of what ``match`` may replace or put
    in (``free_symbols``: a sequence's name and each entry count).  A sum or product whose
    index is touched gets a fresh index first: it then neither captures a free symbol put in
    nor is its index rewritten.  A derivative whose variable is touched is carried out first,
    since rewriting its variable (or putting it into the body) changes what it means; one that
    cannot be carried out is taken at its point (``Fresh.at_point``), where only the point is
    rewritten.  A replacement that has sums of its own gets fresh
    indices where they would shadow the sums around it."""
    fresh = fresh or Fresh(expr)

    def walk(node, around: frozenset):
        found = match(node)
        if found is not None:
            found = sp.S(found)
            if binders(found) & around:
                fresh.note(found)
                found = _rename_all(found, fresh)
            else:
                fresh.note(found)
            return found
        if not node.args or isinstance(node, sp.IndexedBase):
            return node
        if isinstance(node, _BINDERS):
            body, index, ranging = _scoped(node)
            ranging = tuple(walk(end, around) for end in ranging)
            if index in touched or index in around:
                new = fresh.index(index)
                body, index = body.xreplace({index: new}), new  # no sum inside binds it too
            return type(node)(walk(body, around | {index}), (index, *ranging))
        if isinstance(node, sp.Derivative):
            if any(v.free_symbols & touched for v in node.variables):
                done = node.doit(deep=False)
                return walk(done if done != node else fresh.at_point(node), around)
            return node.func(walk(node.expr, around), *node.variable_count)
        if isinstance(node, sp.Subs) and set(node.variables) & touched:
            return node
        args = [walk(a, around) for a in node.args]
        return node if args == list(node.args) else node.func(*args)

    return walk(sp.S(expr), frozenset())


def _rename_all(expr, fresh: Fresh):
    """Every index of ``expr`` renamed to a fresh one."""
    if not expr.has(*_BINDERS):
        return expr
    if isinstance(expr, _BINDERS):
        body, index, ranging = _scoped(expr)
        new = fresh.index(index)
        body = _rename_all(body.xreplace({index: new}), fresh)
        return type(expr)(body, (new, *(_rename_all(end, fresh) for end in ranging)))
    return expr.func(*[_rename_all(a, fresh) for a in expr.args])


def substitute(expr: sp.Expr, replacements: dict) -> sp.Expr:
    """``expr`` with every free occurrence of each key (a symbol, a sequence entry, any
    subexpression; one with sums of its own is found up to the names of its indices) replaced
    by its value, capture-avoiding (see ``rewrite``)."""
    expr = sp.S(expr)
    free = expr.free_symbols
    # A key occurs free in expr only where all its own free names do: the others are dropped
    # before the walk (most givens are about names a step does not mention).
    replacements = {sp.S(k): sp.S(v) for k, v in replacements.items()
                    if k != v and sp.S(k).free_symbols <= free}
    if not replacements:
        return expr
    touched = set().union(*(k.free_symbols | v.free_symbols for k, v in replacements.items()))
    plain = {k: v for k, v in replacements.items() if not k.has(*_BINDERS)}
    by_shape = {alpha_key(k): v for k, v in replacements.items() if k.has(*_BINDERS)}
    shapes = {type(k) for k in replacements if k.has(*_BINDERS)}  # alpha_key only for these

    def match(node):
        found = plain.get(node)
        if found is None and type(node) in shapes and node.has(*_BINDERS):
            found = by_shape.get(alpha_key(node))
        return found

    return rewrite(expr, match, touched)


def rename_binders(expr: sp.Expr, name_for, depth: int = 0) -> sp.Expr:
    """Rename the index of every sum and product; ``name_for(depth, index)`` gives the new
    index, which must not occur in ``expr``.  Sums never shadow each other (the module's
    docstring), so a plain replacement within each sum renames exactly what it binds."""
    if not expr.has(*_BINDERS):
        return expr
    if isinstance(expr, _BINDERS):
        body, index, ranging = _scoped(expr)
        new = name_for(depth, index)
        body = rename_binders(body.xreplace({index: new}), name_for, depth + 1)
        return type(expr)(body, (new, *ranging))
    return expr.func(*[rename_binders(a, name_for, depth) for a in expr.args])


def alpha_key(expr: sp.Expr) -> sp.Expr:
    """``expr`` with its indices named by depth: equal for two expressions exactly when they
    differ only in the names of their indices (an expression with a free ``_a`` name has no
    such key but itself)."""
    if any(s.name.startswith("_a") for s in expr.free_symbols if isinstance(s, sp.Symbol)):
        return expr
    return rename_binders(expr, lambda depth, index: bound_like(index, 0, f"_a{depth}"))
