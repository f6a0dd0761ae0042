"""Expressions, assumptions and conclusions in the notation of ML notes (LaTeX) and as one line of
plain text for a terminal.  Rendering and the CLI print only through here, so every document
writes the same expression the same way."""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..kernel import Domain, Relation, Sense, equations_of, index_symbols, is_equation
from ..kernel.definitions import DEFINED_FUNCTIONS
from ..kernel.numeric import fixed_decimal

RELATION_LATEX = {
    Relation.EQ: "=", Relation.LE: r"\le", Relation.LT: "<", Relation.GE: r"\ge",
    Relation.GT: ">", Relation.SAME_OPTIMIZERS: r"\Leftrightarrow", Relation.APPROX: r"\approx",
    Relation.IFF: r"\Leftrightarrow", Relation.IMPLIES: r"\Rightarrow",
    Relation.IMPLIED_BY: r"\Leftarrow",
    Relation.OPTIMIZED_WHERE: r"\quad\text{is optimised exactly where}\quad",
    Relation.OPTIMIZERS_SATISFY: r"\quad\text{has its optimisers among the solutions of}\quad",
}
_ARG_LATEX = {Sense.MAXIMIZE: r"\operatorname*{arg\,max}", Sense.MINIMIZE: r"\operatorname*{arg\,min}"}
_GEQ = r"\geq"
_ARG_TEXT = {Sense.MAXIMIZE: "argmax", Sense.MINIMIZE: "argmin"}


def _is_heavy(factor) -> bool:
    """Functions, sums and products: written after plain factors, as in ``y_i \\log h_i``."""
    if isinstance(factor, sp.Pow):
        factor = factor.base
    return isinstance(factor, (sp.Function, sp.Sum, sp.Product, sp.Derivative)) and not isinstance(
        factor, sp.KroneckerDelta)


def _needs_brackets(expr) -> bool:
    """A sum or a negated term behind an operator such as Σ or argmax would read ambiguously."""
    return expr.is_Add or expr.could_extract_minus_sign()


class MLLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the conventions of ML notes: ``x_{i}``, ``y_{i} \\log h_{i}``,
    ``y_{i} - f(x_{i}, \\theta)``, ``\\operatorname{sigmoid}``, ``\\exp(...)`` for long exponents."""

    def __init__(self, settings=None):
        # "none": Mul and Add keep the argument order prepared by the methods below.
        super().__init__({"order": "none", **(settings or {})})

    def _print_Add(self, expr, order=None):
        terms = expr.as_ordered_terms()
        first = next((t for t in terms if not t.could_extract_minus_sign()), None)
        if first is not None:  # y - f rather than -f + y
            terms.remove(first)
            terms.insert(0, first)
        return super()._print_Add(sp.Add(*terms, evaluate=False), order="none")

    def _print_Mul(self, expr):
        if expr.could_extract_minus_sign():
            positive = -expr
            if not positive.is_Add:  # SymPy would re-evaluate -expr and lose the factor order
                return "- " + self._print(positive)
            return super()._print_Mul(expr)
        factors = sorted(expr.as_ordered_factors(), key=_is_heavy)
        return super()._print_Mul(sp.Mul(*factors, evaluate=False))

    def _print_Indexed(self, expr):
        base = self._print(expr.base.label)
        if "_" in base or "^" in base:
            base = "{%s}" % base
        separator = " " if all(isinstance(i, sp.Symbol) for i in expr.indices) else ", "
        return "%s_{%s}" % (base, separator.join(self._print(i) for i in expr.indices))

    def _big_operator(self, command: str, expr) -> str:
        limits = "".join(r"%s_{%s=%s}^{%s} " % (command, *map(self._print, limit))
                         for limit in reversed(expr.limits))  # the last limit is the outermost
        body = self._print(expr.function)
        return limits + (r"\left(%s\right)" % body if _needs_brackets(expr.function) else body)

    def _print_Sum(self, expr):
        return self._big_operator(r"\sum", expr)

    def _print_Product(self, expr):
        return self._big_operator(r"\prod", expr)

    def _call(self, name: str, args, exp=None) -> str:
        tex = r"%s\left(%s\right)" % (name, ", ".join(self._print(a) for a in args))
        return tex if exp is None else "%s^{%s}" % (tex, exp)

    def _print_log(self, expr, exp=None):
        if len(expr.args) == 2:  # log(x, 2) kept unevaluated: \log_{2}(x), as notes write it
            return self._call(r"\log_{%s}" % self._print(expr.args[1]), expr.args[:1], exp)
        return self._call(r"\log", expr.args, exp)

    def _print_exp(self, expr, exp=None):
        if r"\frac" in self._print(expr.args[0]):  # a fraction in a superscript is hard to read
            return self._call(r"\exp", expr.args, exp)
        return self._print_ExpBase(expr, exp)

    def _print_AppliedUndef(self, expr, exp=None):
        return self._call(self._hprint_Function(expr.func.__name__), expr.args, exp)

    def _print_Function(self, expr, exp=None):
        if isinstance(expr, DEFINED_FUNCTIONS):
            return self._call(r"\operatorname{%s}" % expr.func.__name__, expr.args, exp)
        return super()._print_Function(expr, exp)


_PRINTER = MLLatexPrinter()


def to_latex(expr) -> str:
    return _PRINTER.doprint(expr)


def name_latex(name: str, kind: str) -> str:
    """A declared name as the printer writes it: a function as applied, a symbol or the base of
    a sequence as SymPy writes the symbol (``p_X`` as ``p_{X}``, ``xdot`` as ``\\dot{x}``)."""
    return _PRINTER._hprint_Function(name) if kind == "function" else to_latex(sp.Symbol(name))


def to_text(expr) -> str:
    """One line for a terminal, in the syntax a derivation file uses (``x[i]``, ``log``); an
    equation as ``lhs = rhs``, a system joined by ``and``."""
    if is_equation(expr):
        return " and ".join(f"{sp.sstr(e.lhs)} = {sp.sstr(e.rhs)}" for e in equations_of(expr))
    return sp.sstr(expr)


# -- assumptions -------------------------------------------------------------------------------
def _finite(bound) -> bool:
    return bound not in (sp.S.Infinity, sp.S.NegativeInfinity)


def _integer_set(domain: Domain) -> str:
    lower, upper = domain.lower, domain.upper
    if _finite(lower) and domain.lower_open:
        lower += 1
    if _finite(upper) and domain.upper_open:
        upper -= 1
    if _finite(lower) and _finite(upper):
        width = upper - lower
        if width.is_number and 0 <= width <= 2:
            return r"\lbrace %s\rbrace" % ", ".join(to_latex(lower + k) for k in range(int(width) + 1))
        return r"\lbrace %s, \dots, %s\rbrace" % (to_latex(lower), to_latex(upper))
    if _finite(lower):
        return r"\mathbb{Z}_{\geq %s}" % to_latex(lower)
    if _finite(upper):
        return r"\mathbb{Z}_{\leq %s}" % to_latex(upper)
    return r"\mathbb{Z}"


def domain_latex(subject: str, domain: Domain) -> str:
    """``subject`` (already LaTeX) constrained to ``domain``, as a formula."""
    if domain.integer:
        return r"%s \in %s" % (subject, _integer_set(domain))
    lower, upper = domain.lower, domain.upper
    below = "<" if domain.lower_open else r"\leq"
    above = "<" if domain.upper_open else r"\leq"
    if _finite(lower) and _finite(upper):
        return f"{to_latex(lower)} {below} {subject} {above} {to_latex(upper)}"
    if _finite(lower):
        return f"{subject} {'>' if domain.lower_open else _GEQ} {to_latex(lower)}"
    if _finite(upper):
        return f"{subject} {above} {to_latex(upper)}"
    return subject + r" \in \mathbb{R}"


def _entry(declaration):
    """A generic entry ``x[i]`` / ``P[i, j]`` of a declared sequence, to state its domain."""
    letters = "ijklm" if declaration.rank <= 5 else [f"i_{r}" for r in range(1, declaration.rank + 1)]
    return declaration.obj[tuple(sp.Symbol(s) for s in letters[:declaration.rank])]


def assumptions_latex(context) -> list[str]:
    """One formula per declared name, in declaration order."""
    formulas = []
    for declaration in context.declarations:
        if declaration.kind == "function":
            name = name_latex(declaration.name, declaration.kind)
            inputs = r"\mathbb{R}" + (f"^{{{declaration.rank}}}" if declaration.rank != 1 else "")
            formulas.append(rf"{name} \colon {inputs} \to \mathbb{{R}}")
        else:
            subject = declaration.obj if declaration.kind == "scalar" else _entry(declaration)
            formulas.append(domain_latex(to_latex(subject), declaration.domain))
    return formulas


def step_latex(step) -> str | None:
    """How a step is displayed when not by the printer: its ``latex`` field, or for a worked
    number (``approx``) the value to the decimals written, 0.7219 rather than 7219/10000."""
    if step.latex:
        return step.latex
    if step.relation is Relation.APPROX and step.decimals is not None and step.expr.is_Rational:
        return fixed_decimal(sp.Rational(step.expr), step.decimals)
    return None


# -- conclusions -------------------------------------------------------------------------------
def _ends(report):
    """The start and the last expression, each with its display override (or None)."""
    derivation = report.derivation
    last = report.steps[-1].step if report.steps else None
    end = (last.expr, step_latex(last)) if last else (derivation.start, derivation.start_latex)
    return (derivation.start, derivation.start_latex), end


def conclusion_sides(report) -> tuple[tuple[str, bool], str, tuple[str, bool]]:
    """The conclusion as ``(left, breakable), relation, (right, breakable)``: a side written
    by the author (a ``latex`` display field) is placed as written, so it is not breakable."""
    start, end = _ends(report)
    if report.relation is not Relation.SAME_OPTIMIZERS:
        return ((start[1] or to_latex(start[0]), not start[1]), RELATION_LATEX[report.relation],
                (end[1] or to_latex(end[0]), not end[1]))
    over = ", ".join(to_latex(v) for v in report.derivation.optimization.over)

    def optimum(sense, expr, override):
        tex = override or to_latex(expr)
        return rf"{_ARG_LATEX[sense]}_{{{over}}} " + (
            rf"\left({tex}\right)" if _needs_brackets(expr) else tex), not override

    return (optimum(report.derivation.optimization.sense, *start), "=",
            optimum(report.chain.sense, *end))


def conclusion_latex(report) -> str:
    """What the chain establishes: ``start rel end``, or equal arg max / arg min sets."""
    (left, _), relation, (right, _) = conclusion_sides(report)
    return f"{left} {relation} {right}"


def conclusion_text(report) -> str:
    """The conclusion as one line of text, e.g. ``argmax_theta (...) = argmin_theta ...``."""
    (start, _), (end, _) = _ends(report)
    if report.relation in (Relation.OPTIMIZED_WHERE, Relation.OPTIMIZERS_SATISFY):
        sense = report.derivation.optimization.sense.value[:-1] + "ers"
        over = ", ".join(to_text(v) for v in report.derivation.optimization.over)
        indices = index_symbols(report.derivation.context, end)
        extra = sorted(str(s) for s in end.free_symbols - start.free_symbols - set(indices)
                       if isinstance(s, sp.Symbol))
        quantified = "".join(
            [f" for every {', '.join(map(str, indices))} in its range" if indices else "",
             f" with some value of {', '.join(extra)}" if extra else ""])
        if report.relation is Relation.OPTIMIZED_WHERE:
            return f"the {sense} over {over} of {to_text(start)} are exactly the solutions of " \
                   f"{to_text(end)}{quantified}"
        return f"every {sense[:-1]} over {over} of {to_text(start)} satisfies {to_text(end)} " \
               "(a stationary point: not proved to be one)"
    if report.relation is not Relation.SAME_OPTIMIZERS:
        return f"{to_text(start)} {report.relation.symbol} {to_text(end)}"
    over = [to_text(v) for v in report.derivation.optimization.over]
    under = over[0] if len(over) == 1 else "(" + ", ".join(over) + ")"

    def optimum(sense, expr):
        text = to_text(expr)
        return f"{_ARG_TEXT[sense]}_{under} " + (f"({text})" if _needs_brackets(expr) else text)

    return f"{optimum(report.derivation.optimization.sense, start)} = {optimum(report.chain.sense, end)}"
