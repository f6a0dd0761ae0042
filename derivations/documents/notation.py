"""Expressions, assumptions and conclusions in the notation of ML notes (LaTeX) and as one line of
plain text for a terminal.  Rendering and the CLI print only through here, so every document
writes the same expression the same way."""

from __future__ import annotations

import contextlib

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm
from sympy.printing.str import StrPrinter

from ..kernel import Domain, Relation, Sense, equations_of, index_symbols, is_equation
from ..kernel.definitions import DEFINED_FUNCTIONS
from ..kernel.laws import Arbitrary, Expectation
from ..kernel.matrices import Entrywise, Gradient, Norm, entry, put_entries, softmax
from ..kernel.numeric import fixed_decimal


class _Written(sp.Symbol):
    """A vector already printed, standing for its entries in an entrywise body, so that
    sigmoid(X w) prints as the function of the vector it is."""

    def __new__(cls, latex: str, text: str):
        symbol = super().__new__(cls, text)
        symbol.written_latex = latex
        return symbol

    def _latex(self, printer):
        return self.written_latex

    def _sympystr(self, printer):
        return self.name


def _is_call(expr) -> bool:
    """An entrywise vector printed as one call (ones(n), sigmoid(X w), softmax(z))."""
    return isinstance(expr, Entrywise) and (
        not expr.vectors or _is_softmax(expr) or isinstance(expr.body, sp.Function))


def _is_softmax(expr: Entrywise) -> bool:
    return len(expr.vectors) == 1 and expr == softmax(expr.vectors[0])


def _entrywise_body(expr: Entrywise):
    """The body of an entrywise vector with each vector written in its place."""
    return put_entries(expr.body, {
        entry(k): _Written(to_latex(v), to_text(v)) for k, v in enumerate(expr.vectors)})

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
    return isinstance(factor, (sp.Function, sp.Sum, sp.Product, sp.Derivative, sp.Integral,
                               Expectation)) and not isinstance(factor, sp.KroneckerDelta)


def _factor_order(factor) -> tuple[bool, bool]:
    """Plain factors first, then those with a sum for a base, then functions and sums:
    ``h^{y} (1 - h)^{1 - y}``, ``(1 - y) \\log(1 - h)``."""
    base = factor.base if isinstance(factor, sp.Pow) else factor
    return _is_heavy(factor), base.is_Add


_RADICANDS = (sp.Integer, sp.Rational)


def _radicand(factor):
    """``(m, +1)`` for a factor √m and ``(m, -1)`` for 1/√m, m a positive rational or π;
    else None."""
    if isinstance(factor, sp.Pow) and abs(factor.exp) == sp.S.Half and (
            factor.base is sp.pi or isinstance(factor.base, _RADICANDS) and factor.base > 0):
        return factor.base, 1 if factor.exp > 0 else -1
    return None


def _as_textbook_radicals(expr):
    """A product with square roots of numbers, or a density, as a textbook writes it: SymPy's
    rationalised √2/(2√π σ) as 1/(√(2π) σ), √2 √π as √(2π), e^{-x/b}/(2b) as 1/(2b) e^{-x/b}.  ``(coefficient, numerator factors,
    denominator factors)`` with the roots gathered under one sign each, or None when SymPy's
    own form is already that."""
    coefficient, factors = expr.as_coeff_mul()
    if not coefficient.is_Rational:
        return None
    over, under, numerator, denominator = [], [], [], []
    for factor in factors:
        root = _radicand(factor)
        if root is None:
            exponent = factor.as_base_exp()[1]
            if exponent.is_number and exponent.is_negative:
                denominator.append(1 / factor)
            else:
                numerator.append(factor)
        elif root[1] < 0:
            under.append(root[0])
        elif isinstance(root[0], sp.Integer) and coefficient.q % root[0] == 0:
            coefficient *= root[0]  # √m / m = 1 / √m
            under.append(root[0])
        else:
            over.append(root[0])
    exponential = any(isinstance(f, sp.exp) for f in numerator) and not any(
        f.is_Add or f.has(sp.exp) for f in denominator)  # a density's normaliser
    if not under and len(over) < 2 and not (exponential and (denominator or coefficient.q != 1)):
        return None

    def root(radicands):
        inside = radicands[0] if len(radicands) == 1 else sp.Mul(*radicands, evaluate=False)
        return [sp.Pow(inside, sp.S.Half, evaluate=False)] if radicands else []

    return coefficient, root(over) + numerator, root(under) + denominator


def _needs_brackets(expr) -> bool:
    """A sum or a negated term behind an operator such as Σ or argmax would read ambiguously."""
    return expr.is_Add or expr.could_extract_minus_sign() or _negative(expr)


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

    _bracket_products = False  # while printing a product of two 1 by 1 products

    def _print_Mul(self, expr):
        """(bᵀw)(cᵀw), not bᵀw cᵀw, which reads as one matrix product."""
        with _products_bracketed(self, expr):
            return self._print_factors(expr)

    def _print_factors(self, expr):
        if expr.could_extract_minus_sign():
            positive = -expr
            if not positive.is_Add:  # SymPy would re-evaluate -expr and lose the factor order
                return "- " + self._print(positive)
            return super()._print_Mul(expr)
        textbook = _as_textbook_radicals(expr)
        if textbook is not None:
            return self._textbook_fraction(*textbook)
        factors = sorted(expr.as_ordered_factors(), key=_factor_order)
        return super()._print_Mul(sp.Mul(*factors, evaluate=False))

    def _product(self, factors) -> str:
        if not factors:
            return "1"
        if len(factors) == 1:
            return self._print(factors[0])
        return " ".join(self._print(f) if not f.is_Add else r"\left(%s\right)" % self._print(f)
                        for f in factors)

    def _textbook_fraction(self, coefficient, numerator, denominator) -> str:
        """``\\frac{1}{\\sqrt{2 \\pi} \\sigma} \\exp(...)``: a function such as the
        exponential of a density stands after the fraction of the rest."""
        upper = [sp.Integer(coefficient.p)] if coefficient.p != 1 else []
        lower = [sp.Integer(coefficient.q)] if coefficient.q != 1 else []
        plain = sorted((f for f in numerator if not _is_heavy(f)), key=_factor_order)
        heavy = [f for f in numerator if _is_heavy(f)]
        lower += sorted(denominator, key=_factor_order)
        if not lower:
            return self._product(upper + plain + heavy)
        fraction = r"\frac{%s}{%s}" % (self._product(upper + plain), self._product(lower))
        return fraction + (" " + self._product(heavy) if heavy else "")

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

    _LAW_NAMES = {"Normal": r"\mathcal{N}", "Uniform": r"\mathcal{U}",
                  "Bernoulli": r"\operatorname{Bern}", "Categorical": r"\operatorname{Cat}",
                  "Poisson": r"\operatorname{Pois}", "Exponential": r"\operatorname{Exp}",
                  "Laplace": r"\operatorname{Laplace}"}

    def _print_Law(self, law):
        """N(μ, σ²) as notes write a Gaussian (its variance); the others with their parameters."""
        args = list(law.args)
        if type(law).__name__ == "Normal":
            args[1] = args[1] ** 2
        if type(law).__name__ == "Categorical":
            args = args[:1]
        return self._call(self._LAW_NAMES[type(law).__name__], args)

    def _print_Expectation(self, expr, exp=None):
        """𝔼_{x∼p}[·]: each variable with its law under the 𝔼 (an unknown law: the variable)."""
        under = ", ".join(self._print(v) if isinstance(law, Arbitrary)
                          else r"%s \sim %s" % (self._print(v), self._print_Law(law))
                          for v, law in expr.limits)
        tex = r"\mathbb{E}_{%s}\left[%s\right]" % (under, self._print(expr.function))
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _call(self, name: str, args, exp=None) -> str:
        tex = r"%s\left(%s\right)" % (name, ", ".join(self._print(a) for a in args))
        return tex if exp is None else "%s^{%s}" % (tex, exp)

    def _print_log(self, expr, exp=None):
        if len(expr.args) == 2:  # log(x, 2) kept unevaluated: \log_{2}(x), as notes write it
            return self._call(r"\log_{%s}" % self._print(expr.args[1]), expr.args[:1], exp)
        return self._call(r"\log", expr.args, exp)

    def _print_Abs(self, expr, exp=None):
        if expr.args[0].atoms(_Written):  # |v| of a vector would read as its norm
            return self._call(r"\operatorname{abs}", expr.args, exp)
        return super()._print_Abs(expr, exp)

    def _print_exp(self, expr, exp=None):
        # a fraction in a superscript is hard to read; e to a vector reads as a power
        if r"\frac" in self._print(expr.args[0]) or expr.args[0].atoms(_Written):
            return self._call(r"\exp", expr.args, exp)
        return self._print_ExpBase(expr, exp)

    def _print_AppliedUndef(self, expr, exp=None):
        return self._call(self._hprint_Function(expr.func.__name__), expr.args, exp)

    # -- vectors and matrices: bold lower-case vectors, upper-case matrices, ᵀ, ‖·‖, ∇ --------
    def _print_MatrixSymbol(self, expr):
        name = self._print(sp.Symbol(expr.name))
        return r"\boldsymbol{%s}" % name if expr.shape[1] == 1 else name

    def _print_Transpose(self, expr):
        inner = self._print(expr.arg)
        if not (isinstance(expr.arg, sp.MatrixSymbol) or _is_call(expr.arg)):
            inner = r"\left(%s\right)" % inner
        return inner + r"^{\top}"

    def _print_Trace(self, expr):
        if expr.arg.shape == (1, 1):  # a 1 by 1 product is the scalar it holds
            if self._bracket_products and _one_by_one_product(expr):
                return r"\left(%s\right)" % self._print(expr.arg)
            return self._print(expr.arg)
        return r"\operatorname{tr}\left(%s\right)" % self._print(expr.arg)

    def _print_Pow(self, expr):
        base, exponent = expr.base, expr.exp
        if _one_by_one_product(base) and \
                not (exponent.is_Rational and (exponent < 0 or not exponent.is_Integer)):
            # (x^T w)^2, not x^T w^2: a 1 by 1 product is printed as the product itself
            return r"\left(%s\right)^{%s}" % (self._print(base), self._print(exponent))
        return super()._print_Pow(expr)

    def _print_Determinant(self, expr):
        return r"\det\left(%s\right)" % self._print(expr.arg)

    def _print_Inverse(self, expr):
        inner = self._print(expr.arg)
        if not isinstance(expr.arg, sp.MatrixSymbol):
            inner = r"\left(%s\right)" % inner
        return inner + "^{-1}"

    def _print_Identity(self, expr):
        return "I"

    def _print_Norm(self, expr, exp=None):
        text = r"\left\| %s \right\|" % self._print(expr.args[0])
        if expr.args[0].shape[1] != 1:  # of a matrix: the Frobenius norm
            text += "_{F}"
        return text if exp is None else f"{text}^{{{exp}}}"

    def _print_Gradient(self, expr):
        return r"\nabla_{%s} \left(%s\right)" % (self._print(expr.variable), self._print(expr.scalar))

    def _print_Entrywise(self, expr):
        if not expr.vectors:
            return r"%s\boldsymbol{1}" % ("" if expr.body == 1 else self._print(expr.body))
        if _is_softmax(expr):
            return r"\operatorname{softmax}\left(%s\right)" % self._print(expr.vectors[0])
        return self._print(_entrywise_body(expr))

    def _print_Diag(self, expr):
        return r"\operatorname{diag}\left(%s\right)" % self._print(expr.vector)

    def _print_Jacobian(self, expr):
        return r"\frac{\partial %s}{\partial %s}" % (self._print(expr.vector),
                                                      self._print(expr.variable))

    def _print_Function(self, expr, exp=None):
        if isinstance(expr, Norm):
            return self._print_Norm(expr, exp)
        if isinstance(expr, DEFINED_FUNCTIONS):
            return self._call(r"\operatorname{%s}" % expr.func.__name__, expr.args, exp)
        return super()._print_Function(expr, exp)


@contextlib.contextmanager
def _products_bracketed(printer, product):
    """While ``product`` is printed, its 1 by 1 products are bracketed if it has two or more
    of them (``printer._bracket_products``, read by the printer's ``_print_Trace``)."""
    outer = printer._bracket_products
    printer._bracket_products = sum(1 for f in product.args if _one_by_one_product(f)) > 1
    try:
        yield
    finally:
        printer._bracket_products = outer


def _one_by_one_product(expr) -> bool:
    """A 1 by 1 product of matrices read as a scalar (xᵀw), printed as the product itself."""
    return isinstance(expr, sp.Trace) and expr.arg.shape == (1, 1) and \
        not isinstance(expr.arg, sp.MatrixSymbol)


def _negative(expr) -> bool:
    """A negative number, or a product written with a negative leading factor (-x, -2 y)."""
    if expr.is_Number:
        return expr.is_negative
    return isinstance(expr, sp.Mul) and _negative(expr.args[0])


def _negated(expr):
    """``-expr`` for an ``expr`` that is ``_negative``, keeping its factors as they stand."""
    if expr.is_Number:
        return -expr
    first, *rest = expr.args
    factors = rest if first == -1 else [_negated(first), *rest]
    return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)


def _evaluated(expr) -> bool:
    """Whether SymPy would build ``expr`` as it stands (a part the reader could not keep as
    written, such as one rebuilt by a substitution): the canonical printer's conventions fit it."""
    try:
        return expr.func(*expr.args) == expr
    except (TypeError, ValueError, ArithmeticError):
        return False


def _over(factor) -> bool:
    """A factor written below a fraction bar: a power with a negative number for exponent."""
    return isinstance(factor, sp.Pow) and factor.exp.is_Number and factor.exp.is_negative


class WrittenLatexPrinter(MLLatexPrinter):
    r"""Prints an expression read unevaluated (``parse_expression(display=True)``) in the
    order the author wrote it: ``x - y``, ``2 \left(x - 1\right)``, ``\frac{1}{\sqrt{2 \pi}
    \sigma} e^{...}``; a product or sum inside another stays the group it was written as."""

    def _print_Add(self, expr, order=None):
        if _evaluated(expr):
            return super()._print_Add(expr, order)
        terms = []
        for term in expr.args:
            terms += term.args if isinstance(term, sp.Add) else [term]
        tex = ""
        for term in terms:
            if _negative(term):
                inner = _negated(term)
                tex += (" - " if tex else "- ") + self._grouped(inner)
            else:
                tex += (" + " if tex else "") + self._print(term)
        return tex

    def _print_Mul(self, expr):
        if _evaluated(expr):
            return super()._print_Mul(expr)
        if _negative(expr):
            return "- " + self._grouped(_negated(expr))
        upper = [f for f in expr.args if not _over(f)]
        lower = [sp.Pow(f.base, -f.exp, evaluate=False) if f.exp != -1 else f.base
                 for f in expr.args if _over(f)]
        if not lower:
            return self._written_product(upper)
        if upper and _negative(upper[0]):  # -(x - mu)**2/(2*sigma**2): the sign before the bar
            return "- " + self._print_Mul(sp.Mul(
                _negated(upper[0]), *upper[1:], *(f for f in expr.args if _over(f)),
                evaluate=False))
        return r"\frac{%s}{%s}" % (self._written_product(upper) if upper else "1",
                                   self._written_product(lower))

    def _print_Pow(self, expr):
        if _over(expr) and not _evaluated(expr):
            return self._print_Mul(sp.Mul(sp.S.One, expr, evaluate=False))
        return super()._print_Pow(expr)

    def _grouped(self, expr) -> str:
        """``expr`` after a minus sign or as a factor: a sum, or a negative term, in brackets."""
        tex = self._print(expr)
        return r"\left(%s\right)" % tex if expr.is_Add or _negative(expr) else tex

    def _written_product(self, factors) -> str:
        r"""Factors side by side as written, 1 left out before others; a centred dot before a
        factor that begins with a digit (2 \cdot 3), and a sum or negative factor in brackets."""
        if len(factors) > 1 and factors[0] == 1:
            factors = factors[1:]
        tex = ""
        for position, factor in enumerate(factors):
            text = self._grouped(factor) if position else (
                r"\left(%s\right)" % self._print(factor) if factor.is_Add and len(factors) > 1
                else self._print(factor))
            tex += text if not tex else (r" \cdot " if text[:1].isdigit() else " ") + text
        return tex


_PRINTER = MLLatexPrinter()
_WRITTEN_PRINTER = WrittenLatexPrinter()


def to_latex(expr) -> str:
    return _PRINTER.doprint(expr)


def written_latex(expr, written=None) -> str:
    """``expr`` as its author wrote it when the unevaluated form ``written`` is known (a
    file's ``Step.display``, ``Derivation.start_display``), else as ``to_latex`` prints it."""
    return to_latex(expr) if written is None else _WRITTEN_PRINTER.doprint(written)


_MATHML_ATTRIBUTES = frozenset((
    "xmlns", "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace",
    "accent", "accentunder", "minsize", "maxsize", "movablelimits", "form", "linethickness",
    "displaystyle", "scriptlevel", "symmetric", "largeop", "columnalign", "columnspacing",
    "rowspacing", "columnlines", "rowlines", "frame", "width", "height", "depth", "notation"))


def to_mathml(tex: str, display: bool = False) -> str:
    """A formula's LaTeX, as the printer above or the author (a ``latex`` field, ``$...$`` in
    prose) wrote it, as MathML for a web page, so that the page shows the notation of the
    PDF.  (SymPy's MathML printer cannot take the author's LaTeX, and has no products.)

    The author's LaTeX is untrusted: only MathML elements and presentational attributes are
    kept (no ``href`` from ``\\href``, no ``style``), and every text is escaped, so nothing in a
    formula can become markup, a script or a link."""
    import html
    from xml.etree.ElementTree import tostring

    from latex2mathml.converter import convert_to_element

    root = convert_to_element(tex, display="block" if display else "inline")
    for element in root.iter():
        if not (element.tag == "math" or element.tag.startswith("m")):
            element.tag, element.attrib = "mtext", {}
        for name in [n for n in element.attrib if n not in _MATHML_ATTRIBUTES]:
            del element.attrib[name]
        # latex2mathml keeps characters as entity text (&#x003C;): made characters here
        element.text = html.unescape(element.text) if element.text else element.text
        element.tail = html.unescape(element.tail) if element.tail else element.tail
    return tostring(root, encoding="unicode")


def law_latex(law) -> str:
    """A law as written under 𝔼 and in the assumptions; "" for an unknown one."""
    return "" if isinstance(law, Arbitrary) else _PRINTER._print_Law(law)


def name_latex(name: str, kind: str) -> str:
    """A declared name as the printer writes it: a function as applied, a symbol or the base of
    a sequence as SymPy writes the symbol (``p_X`` as ``p_{X}``, ``xdot`` as ``\\dot{x}``)."""
    return _PRINTER._hprint_Function(name) if kind == "function" else to_latex(sp.Symbol(name))


class MLPrettyPrinter(PrettyPrinter):
    """SymPy's two-dimensional Unicode printer for a terminal (``derive show``), never wrapped:
    a terminal that is too narrow wraps by itself."""

    def __init__(self, settings=None):
        super().__init__({"use_unicode": True, "wrap_line": False, **(settings or {})})

    def _in_file_syntax(self, expr):
        """The kernel's own matrix objects, which SymPy's pretty printer does not know (its
        ``Gradient`` is the vector-calculus one): as the file writes them, ``X.T @ w``."""
        return prettyForm(_TEXT.doprint(expr))

    _print_Jacobian = _print_Entrywise = _print_Diag = _in_file_syntax

    def _print_Gradient(self, expr):
        """∇_w(s), as textbooks write the gradient."""
        inner = self._print(expr.scalar)
        return prettyForm(*prettyForm(f"∇_{expr.variable.name}").right(prettyForm(*inner.parens())))

    def _print_Norm(self, expr):
        """‖v‖ (a tall v between doubled bars), ‖A‖_F of a matrix."""
        inner = self._print(expr.args[0])
        frobenius = "_F" if expr.args[0].shape[1] != 1 else ""
        if inner.height() == 1:
            return prettyForm(*prettyForm(*inner.left("‖")).right("‖" + frobenius))
        return prettyForm(*prettyForm(*prettyForm(*inner.parens("|", "|")).parens("|", "|"))
                          .right(frobenius))

    def _print_ZeroMatrix(self, expr):
        return prettyForm("0")

    def _print_Trace(self, expr):
        """A 1 by 1 product is the scalar it holds, printed as the product (xᵀ⋅w)."""
        if expr.arg.shape == (1, 1):
            return prettyForm(*self._print(expr.arg).parens()) if self._bracket_products \
                and _one_by_one_product(expr) else self._print(expr.arg)
        return super()._print_Trace(expr)

    _bracket_products = False

    def _print_Mul(self, product):
        """(bᵀ⋅w)⋅(cᵀ⋅w) in brackets, as in LaTeX."""
        with _products_bracketed(self, product):
            return super()._print_Mul(product)


_PRETTY = MLPrettyPrinter()


def pretty_lines(*parts) -> list[str]:
    """Expressions and plain strings side by side as lines of Unicode art, their baselines
    aligned: ``pretty_lines("  = ", expr)``."""
    form = prettyForm("")
    for part in parts:
        piece = prettyForm(part) if isinstance(part, str) else _PRETTY._print(part)
        form = prettyForm(*form.right(piece))
    return [line.rstrip() for line in str(form).split("\n")]


class _FileSyntaxPrinter(StrPrinter):
    """SymPy's one-line printer, with vectors and matrices in the file syntax: ``X.T @ w``,
    ``norm(w)``, ``inverse(A)``, ``Derivative(s, w)``."""

    def _print_MatMul(self, expr):
        scalars = [a for a in expr.args if not isinstance(a, sp.MatrixExpr)]
        matrices = " @ ".join(self.parenthesize(a, 45) if isinstance(a, sp.MatAdd) else self._print(a)
                              for a in expr.args if isinstance(a, sp.MatrixExpr))
        if scalars == [-1]:
            return "-" + matrices
        return "*".join([self.parenthesize(sp.Mul(*scalars), 45)] + [matrices]) if scalars \
            else matrices

    def _print_Transpose(self, expr):
        inner = self._print(expr.arg)
        return (inner if isinstance(expr.arg, sp.MatrixSymbol) or _is_call(expr.arg)
                else f"({inner})") + ".T"

    def _print_Trace(self, expr):
        if expr.arg.shape == (1, 1):  # a 1 by 1 product, in brackets: / and @ bind alike
            return f"({self._print(expr.arg)})"
        return f"trace({self._print(expr.arg)})"

    def _print_Determinant(self, expr):
        return f"det({self._print(expr.arg)})"

    def _print_Inverse(self, expr):
        return f"inverse({self._print(expr.arg)})"

    def _print_Identity(self, expr):
        return f"Identity({self._print(expr.rows)})"

    def _print_Norm(self, expr):
        return f"norm({self._print(expr.args[0])})"

    def _print_Gradient(self, expr):
        return f"Derivative({self._print(expr.scalar)}, {self._print(expr.variable)})"

    def _print_Entrywise(self, expr):
        if not expr.vectors:
            ones = f"ones({self._print(expr.rows)})"
            return ones if expr.body == 1 else f"{self._print(expr.body)}*{ones}"
        if _is_softmax(expr):
            return f"softmax({self._print(expr.vectors[0])})"
        return self._print(_entrywise_body(expr))

    def _print_Diag(self, expr):
        return f"diag({self._print(expr.vector)})"

    def _print_Jacobian(self, expr):
        return f"Derivative({self._print(expr.vector)}, {self._print(expr.variable)})"


_TEXT = _FileSyntaxPrinter()


def _definition_sides(definition):
    """A definition's head and body with its parameters by name (they are fresh inside)."""
    named = {p: (sp.IndexedBase(p.label.name) if isinstance(p, sp.IndexedBase)
                 else sp.Symbol(p.name)) for p in definition.parameters}
    head = sp.Symbol(definition.name) if not named else \
        sp.Function(definition.name)(*named.values())
    return head, definition.body.xreplace(named)


def definition_latex(definition) -> str:
    """``H(p) = -\\sum ...``: a definition as a document lists it, beside the assumptions."""
    head, body = _definition_sides(definition)
    return f"{to_latex(head)} = {to_latex(body)}"


def definition_text(definition) -> str:
    head, body = _definition_sides(definition)
    return f"{to_text(head)} = {to_text(body)}"


def to_text(expr) -> str:
    """One line for a terminal, in the syntax a derivation file uses (``x[i]``, ``log``,
    ``X.T @ w``); an equation as ``lhs = rhs``, a system joined by ``and``."""
    if is_equation(expr):
        return " and ".join(f"{_TEXT.doprint(e.lhs)} = {_TEXT.doprint(e.rhs)}"
                            for e in equations_of(expr))
    return _TEXT.doprint(expr)


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


def _entry(declaration, expressions=()):
    """A generic entry ``x[i]`` / ``P[i, j]`` of a declared sequence, to state its domain: as
    the chain first writes one (``θ_j`` in a chain over ``j``), else with ``i, j, k, ...``."""
    for expr in expressions:
        for node in sp.preorder_traversal(expr):
            if isinstance(node, sp.Indexed) and node.base == declaration.obj and all(
                    isinstance(i, sp.Symbol) for i in node.indices):
                return node.func(node.base, *(sp.Symbol(i.name) for i in node.indices))
    letters = "ijklm" if declaration.rank <= 5 else [f"i_{r}" for r in range(1, declaration.rank + 1)]
    return declaration.obj[tuple(sp.Symbol(s) for s in letters[:declaration.rank])]


def _matrix_latex(declaration) -> str:
    r"""``\boldsymbol{w} \in \mathbb{R}^{d}``, ``X \in \mathbb{R}^{n \times d}``, and what its
    structure says: ``S = S^{\top}``, ``S \succ 0``, ``\det A \neq 0``, ``\operatorname{rank} X = d``."""
    matrix = declaration.obj
    rows, columns = (to_latex(x) for x in matrix.shape)
    space = rows if matrix.shape[1] == 1 else rf"{rows} \times {columns}"
    formula = rf"{to_latex(matrix)} \in \mathbb{{R}}^{{{space}}}"
    if declaration.structure == "symmetric":
        formula += rf", \ {to_latex(matrix)} = {to_latex(matrix)}^{{\top}}"
    elif declaration.structure == "positive definite":
        formula += rf", \ {to_latex(matrix)} \succ 0"
    elif declaration.structure == "invertible":
        formula += rf", \ \det {to_latex(matrix)} \neq 0"
    elif declaration.structure == "full column rank":
        formula += rf", \ \operatorname{{rank}} {to_latex(matrix)} = {columns}"
    return formula


def assumptions_latex(context, expressions=()) -> list[str]:
    """One formula per declared name, in declaration order; a sequence's entry is written with
    the index names of ``expressions`` (the chain's)."""
    formulas = []
    for declaration in context.declarations:
        if declaration.kind == "function":
            name = name_latex(declaration.name, declaration.kind)
            inputs = r"\mathbb{R}" + (f"^{{{declaration.rank}}}" if declaration.rank != 1 else "")
            formulas.append(rf"{name} \colon {inputs} \to \mathbb{{R}}")
        elif declaration.law is not None:  # x ~ N(mu, sigma^2); an unknown law: x random
            law = declaration.law
            formulas.append(rf"{to_latex(declaration.obj)} \text{{ random}}"
                            if isinstance(law, Arbitrary) else
                            rf"{to_latex(declaration.obj)} \sim {_PRINTER._print_Law(law)}")
        elif declaration.kind == "matrix":
            formulas.append(_matrix_latex(declaration))
        else:
            subject = declaration.obj if declaration.kind == "scalar" else _entry(declaration,
                                                                                  expressions)
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


def _written_ends(report):
    """The start and the last expression as their author wrote them (None where unknown)."""
    last = report.steps[-1].step if report.steps else None
    start = report.derivation.start_display
    return start, last.display if last else start


def conclusion_sides(report) -> tuple[tuple[str, bool], str, tuple[str, bool]]:
    """The conclusion as ``(left, breakable), relation, (right, breakable)``: a side written
    by the author (a ``latex`` display field) is placed as written, so it is not breakable."""
    start, end = _ends(report)
    written_start, written_end = _written_ends(report)
    if report.relation is not Relation.SAME_OPTIMIZERS:
        return ((start[1] or written_latex(start[0], written_start), not start[1]),
                RELATION_LATEX[report.relation],
                (end[1] or written_latex(end[0], written_end), not end[1]))
    over = ", ".join(to_latex(v) for v in report.derivation.optimization.over)

    def optimum(sense, expr, override, written):
        tex = override or written_latex(expr, written)
        return rf"{_ARG_LATEX[sense]}_{{{over}}} " + (
            rf"\left({tex}\right)" if _needs_brackets(expr) else tex), not override

    return (optimum(report.derivation.optimization.sense, *start, written_start), "=",
            optimum(report.chain.sense, *end, written_end))


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


def conclusion_pretty(report, heading: str) -> list[str]:
    """The conclusion after ``heading`` in SymPy's Unicode pretty printing (``derive show``)."""
    (start, _), (end, _) = _ends(report)
    if report.relation is not Relation.SAME_OPTIMIZERS:
        return pretty_lines(heading, start, f" {report.relation.symbol} ", end)
    over = ", ".join(str(_PRETTY.doprint(v)) for v in report.derivation.optimization.over)

    def optimum(sense, expr):
        return [f"{_ARG_TEXT[sense]}_{over} ", sp.Tuple(expr) if _needs_brackets(expr) else expr]

    parts = [heading, *optimum(report.derivation.optimization.sense, start), " = ",
             *optimum(report.chain.sense, end)]
    return pretty_lines(*parts)
