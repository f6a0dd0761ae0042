"""Assertion helpers for symbolic unit tests, on the same kernel as ``derive check``.

They take SymPy objects (written in the test, so trusted): every symbol is declared with the
domain its SymPy assumptions give (positive, nonnegative, negative, integer; anything else is
real), or with the domain named in ``assumptions=``.  A failure raises ``AssertionError`` with the
verdict, both sides and the counterexample, as ``derive check`` prints them.
"""

from __future__ import annotations

import sympy as sp

from .checker import check
from .documents.terminal import step_lines
from .summary import summarize
from .kernel import (
    NEGATIVE, NONNEGATIVE, POSITIVE, POSITIVE_INTEGER, REAL, Context, Domain, Optimization,
    Relation, Sense, Verdict, integer_range, interval,
)
from .model import Derivation, Step
from .settings import DEFAULT_TIMEOUT, CheckSettings

_WORDS = {"real": REAL, "positive": POSITIVE, "nonnegative": NONNEGATIVE, "negative": NEGATIVE,
          "positive integer": POSITIVE_INTEGER, "integer": integer_range(sp.S.NegativeInfinity)}


def _domain(spec) -> Domain:
    if isinstance(spec, Domain):
        return spec
    if isinstance(spec, tuple) and len(spec) == 2:
        return interval(*spec)
    if spec in _WORDS:
        return _WORDS[spec]
    raise ValueError(f"unknown assumption {spec!r}: use {', '.join(_WORDS)}, an (a, b) interval "
                     "or a Domain")


def _implied(obj) -> Domain:
    """The domain that a symbol's own SymPy assumptions describe."""
    if obj.is_integer:
        return POSITIVE_INTEGER if obj.is_positive else integer_range(
            0 if obj.is_nonnegative else sp.S.NegativeInfinity)
    if obj.is_positive:
        return POSITIVE
    if obj.is_nonnegative:
        return NONNEGATIVE
    if obj.is_negative:
        return NEGATIVE
    return REAL


def _declare(expressions, assumptions) -> tuple[Context, dict]:
    """A context declaring every name in ``expressions``, and the map onto its symbols."""
    named = {str(k): _domain(v) for k, v in (assumptions or {}).items()}
    context, renaming = Context(), {}
    atoms = set()
    for expr in expressions:
        atoms |= {s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
        atoms |= {i.base for i in expr.atoms(sp.Indexed)}
        atoms |= {index for big in expr.atoms(sp.Sum, sp.Product) for index, *_ in big.limits}
        atoms |= {f.func for f in expr.atoms(sp.core.function.AppliedUndef)}
    bases = {a.label for a in atoms if isinstance(a, sp.IndexedBase)}
    for atom in sorted(atoms, key=str):
        name = str(atom)
        if isinstance(atom, sp.IndexedBase):
            new = context.sequence(name, named.get(name, _implied(atom.label)))
        elif isinstance(atom, sp.core.function.UndefinedFunction):
            arities = {len(f.args) for e in expressions for f in e.atoms(atom)}
            new = context.function(name, arities.pop())
        elif atom in bases:
            continue
        else:
            new = context.symbol(name, named.get(name, _implied(atom)))
        renaming[atom] = new
        if isinstance(atom, sp.IndexedBase):
            renaming[atom.label] = new.label
    return context, renaming


def _move(expr, renaming):
    for old, new in renaming.items():
        if isinstance(old, sp.core.function.UndefinedFunction):
            expr = expr.replace(old, new)
    return expr.xreplace({k: v for k, v in renaming.items()
                          if not isinstance(k, sp.core.function.UndefinedFunction)})


def _verify(start, target, relation: Relation, assumptions, strict: bool, timeout: float,
            optimization=None, sense=None, title="assertion"):
    __tracebackhide__ = True  # pytest shows the user's line and the message, not this module
    context, renaming = _declare([start, target], assumptions)
    if optimization is not None:
        over, start_sense = optimization
        optimization = Optimization(tuple(renaming[v] for v in over), start_sense)
    derivation = Derivation("assertion", title, context, _move(start, renaming),
                            (Step(_move(target, renaming), relation, sense=sense),),
                            optimization=optimization)
    report = check(derivation, CheckSettings(timeout=timeout, strict=strict))
    if not report.passed(strict):
        verdict = report.steps[0].verdict
        wanted = "proved" if strict and verdict is Verdict.CHECKED else "true"
        lines = step_lines(summarize(report), strict)
        raise AssertionError(f"{title} is not {wanted} ({verdict.value}):\n" + "\n".join(lines[2:]))
    return report


def assert_equal(lhs, rhs, assumptions=None, *, strict=False, timeout=DEFAULT_TIMEOUT):
    """``lhs = rhs`` holds under the assumptions (proved, or checked unless ``strict``)."""
    __tracebackhide__ = True
    return _verify(sp.S(lhs), sp.S(rhs), Relation.EQ, assumptions, strict, timeout,
                   title=f"{lhs} = {rhs}")


def assert_bound(lhs, rel: str, rhs, assumptions=None, *, strict=False, timeout=DEFAULT_TIMEOUT):
    """``lhs rel rhs`` with ``rel`` one of ``<=``, ``<``, ``>=``, ``>``."""
    __tracebackhide__ = True
    relation = Relation(rel)
    if not relation.is_order:
        raise ValueError(f"{rel!r} is not an inequality")
    return _verify(sp.S(lhs), sp.S(rhs), relation, assumptions, strict, timeout,
                   title=f"{lhs} {rel} {rhs}")


def assert_gradient(loss, wrt, expected, assumptions=None, *, strict=False,
                    timeout=DEFAULT_TIMEOUT):
    """The derivative of ``loss`` with respect to ``wrt`` (a symbol or ``x[k]``) is ``expected``."""
    __tracebackhide__ = True
    return _verify(sp.Derivative(loss, wrt), sp.S(expected), Relation.EQ, assumptions, strict,
                   timeout, title=f"d({loss})/d{wrt} = {expected}")


def assert_same_optimizers(f, g, over, sense="minimize", assumptions=None, *, g_sense=None,
                           strict=False, timeout=DEFAULT_TIMEOUT):
    """Optimising ``f`` over ``over`` (in ``sense``) and ``g`` (in ``g_sense``, by default the
    same) have the same optimisers, shown by a strictly monotone map between them."""
    __tracebackhide__ = True
    over = tuple(over) if isinstance(over, (list, tuple)) else (over,)
    start_sense = Sense(sense)
    return _verify(sp.S(f), sp.S(g), Relation.SAME_OPTIMIZERS, assumptions, strict, timeout,
                   optimization=(over, start_sense), sense=Sense(g_sense or sense),
                   title=f"{sense} {f} ~ {g_sense or sense} {g}")


def assert_implements(function, derivation, *, expression="end", scale=1, points=12,
                      tolerance=1e-9, up_to_constant=False):
    """A numeric loss (a NumPy or PyTorch function, say) computes the derivation's closed form.

    ``derivation`` is a catalog id, the path of a ``*.deriv.yaml`` file or a ``Derivation``;
    ``expression`` is ``"end"``, ``"start"`` or a step number.  At random points of the declared
    domains ``function`` is called with the values it names as parameters: floats for scalars,
    lists for sequences (``x[1]`` is ``x[0]`` in the list), Python callables for declared
    functions.  Its result must equal ``scale`` times the expression to a relative
    ``tolerance``: ``scale`` is a number or a SymPy expression in the derivation's names (matched
    by name), such as ``1/n`` for a loss that takes the mean where the derivation sums.
    With ``up_to_constant``, only differences between two points that differ in the optimised
    variables are compared, so the constants an optimisation chain drops do not matter."""
    __tracebackhide__ = True
    import inspect

    from .kernel import EvaluationError, apply_givens, evaluate
    from .kernel.numeric import _atom_text
    from .sampling import Sampler, seed_for

    derivation = _derivation(derivation)
    # Every point is a case of the derivation's givens: the sides are read with the givens
    # applied, and a name a given defines (h = sigmoid(z)) is passed its value from the given.
    givens = tuple(derivation.givens.values())
    chain = [apply_givens(e, givens) for e in
             [derivation.start] + [step.expr for step in derivation.steps]]
    target = _scaled(derivation, scale) * chain[_position(expression, len(chain) - 1)]
    if up_to_constant and derivation.optimization is None:
        raise ValueError("up_to_constant needs an optimisation chain")
    sampler = Sampler(derivation.context, seed_for(target), givens)
    parameters = inspect.signature(function).parameters
    takes_all = any(p.kind is p.VAR_KEYWORD for p in parameters.values())

    def call(point, defined):
        values = _arguments(derivation.context, point, defined)
        missing = [name for name in parameters if name not in values and
                   parameters[name].default is inspect.Parameter.empty and
                   parameters[name].kind not in (inspect.Parameter.VAR_KEYWORD,
                                                 inspect.Parameter.VAR_POSITIONAL)]
        if missing:
            declared = ", ".join(d.name for d in derivation.context.declarations)
            raise ValueError(f"{_name(function)} takes {', '.join(missing)}, which "
                             f"{derivation.id} does not declare; it declares {declared}: name "
                             "the parameters after these")
        return float(function(**(values if takes_all else
                                 {k: v for k, v in values.items() if k in parameters})))

    def closed(point):
        return float(evaluate(target, point, 30).real)

    compared = 0
    for attempt in range(4 * points):
        if compared == points:
            break
        first, found = sampler.reading(chain, attempt)  # values for every name the chain uses
        if found is None:
            continue  # no value there, or no point there where the givens hold
        try:
            defined = _defined_by_givens(derivation.context, first, givens, chain)
            if up_to_constant:
                second, found = sampler.varied_reading(first, chain, derivation.optimization.over)
                if found is None:
                    continue
                expected = closed(first) - closed(second)
                got = call(first, defined) - call(second, _defined_by_givens(
                    derivation.context, second, givens, chain))
            else:
                expected, got = closed(first), call(first, defined)
        except EvaluationError:
            continue
        compared += 1
        if abs(got - expected) > tolerance * max(1.0, abs(expected)):
            shown = {**first.shown(), **{_atom_text(k): repr(v) for k, v in defined.items()}}
            values = ", ".join(f"{k}={v}" for k, v in shown.items())
            what = "the difference between two points" if up_to_constant else "the value"
            scaled = "" if scale == 1 else f" times {scale}"
            raise AssertionError(f"{_name(function)} does not compute the {expression}"
                                 f"{scaled} of {derivation.id}: {what} is {got!r}, the closed "
                                 f"form gives {expected!r} at {values}")
    if compared < points:
        raise AssertionError(f"only {compared} of {points} points had a value")


def _name(function) -> str:
    return getattr(function, "__name__", "the function")


def _derivation(given):
    """A ``Derivation`` from a catalog id, a file's path or itself."""
    from pathlib import Path

    from . import catalog
    from .reading import files

    if isinstance(given, Path) or (isinstance(given, str) and given.endswith(files.SUFFIX)):
        return files.read(Path(given))
    if isinstance(given, str):
        return catalog.get(given)
    return given


def _position(expression, last: int) -> int:
    """The place in the chain (0 the start) of ``expression``: "start", "end" or a step number."""
    places = {"start": 0, "end": last}
    if isinstance(expression, str) and expression in places:
        return places[expression]
    if isinstance(expression, int) and not isinstance(expression, bool) and 1 <= expression <= last:
        return expression
    raise ValueError(f"expression={expression!r}: use 'start', 'end' or a step number from 1 to "
                     f"{last}")


def _scaled(derivation, scale) -> sp.Expr:
    """``scale`` on the derivation's own symbols: ``1/n`` written with a plain ``Symbol("n")``
    means the declared n."""
    if isinstance(scale, str):  # never parsed: a string would be run as Python by SymPy
        raise TypeError(f"scale={scale!r}: give a number or a SymPy expression, such as "
                        "1/sympy.Symbol('n')")
    scale = sp.S(scale)
    declared = {d.name: d.obj for d in derivation.context.declarations if d.kind == "scalar"}
    unknown = sorted(str(s) for s in scale.free_symbols if str(s) not in declared)
    if unknown:
        raise ValueError(f"scale={scale}: {', '.join(unknown)} is not declared in "
                         f"{derivation.id}; it declares {', '.join(declared)}")
    return scale.xreplace({s: declared[str(s)] for s in scale.free_symbols})


def _defined_by_givens(context, point, givens, chain) -> dict:
    """The values of the names that givens define and the chain, givens applied, no longer
    uses (h[i] = sigmoid(z[i]) for every i in range): each given's right side at ``point``."""
    from .kernel import EvaluationError, evaluate, in_domain
    from .kernel.hypotheses import _pattern_entries, eliminated
    from .kernel.numeric import _atom_text

    integers = {k: sp.Integer(v) for k, v in point.integers.items()}
    defined = {}
    for given in givens:
        lhs, rhs = given.lhs, given.rhs
        if not isinstance(lhs, (sp.Symbol, sp.Indexed)) or \
                not eliminated(context, given, chain, givens):
            continue
        entries = _pattern_entries(context, lhs, point) if isinstance(lhs, sp.Indexed) else [()]
        indices = lhs.indices if isinstance(lhs, sp.Indexed) else ()
        for entry in entries or ():
            values = dict(zip(indices, entry))
            atom = lhs.xreplace(values)
            value = float(evaluate(rhs.xreplace(values), point, 30).real)
            if context.domain_of(atom) is not None and \
                    not in_domain(context, atom, sp.Rational(value), integers):
                # sigmoid(40) is 1.0 in floating point: no point for a float function
                raise EvaluationError(f"{_atom_text(atom)} = {value} in floating point, outside "
                                      "its domain")
            defined[atom] = value
    return defined


def _arguments(context, point, defined=None) -> dict:
    """Plain Python values for a point (and the values ``defined`` by givens): floats, lists for
    sequences, callables for functions."""
    values = {str(k): v for k, v in point.integers.items()}
    for atom, value in [*point.values.items(), *(defined or {}).items()]:
        if isinstance(atom, sp.Indexed):
            entries = values.setdefault(str(atom.base.label), {})
            entries[tuple(int(i) for i in atom.indices)] = float(value)
        else:
            values[str(atom)] = float(value)
    for name, entries in list(values.items()):
        if isinstance(entries, dict):  # sequence entries in index order, from index 1
            values[name] = [entries[k] for k in sorted(entries)]
    for function, body in point.functions.items():
        compiled = sp.lambdify(body.variables, body.expr, "math")
        values[str(function)] = compiled
    return values
