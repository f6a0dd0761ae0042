"""A safe reader for expressions written in LaTeX, as lecture notes write them.

A small tokenizer and recursive-descent parser of our own over a whitelist of commands; it
builds SymPy objects directly through the declared ``Context``, like the reader of derivation
files (``derivations.reading.expressions``), with the same bounds.  No text is ever given to
``eval``, ``sympify``, ``parse_expr`` or SymPy's ``parse_latex`` (whose Lark grammar calls ``sympify``
on pieces of the text and needs the ``lark`` package), and nothing is ever compiled by TeX:
a command outside the whitelist (``\\input``, ``\\write18``, ``\\catcode``, ...) is an error.

Every error is an ``ExpressionError`` whose ``column`` is the offset in the text read.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp

from ..kernel import Context, sigmoid, softplus
from ..kernel.matrices import is_matrix
from .expressions import (
    MAX_DEPTH, MAX_EXPONENT, MAX_FACTORIAL, MAX_LENGTH, MAX_LITERAL_DIGITS, MAX_NODES, MAX_NUMBER_DIGITS,
    ExpressionError, _as_matrix, _one_by_one, _scalar_if_one_by_one, bound_index_for, entrywise,
    equation_between, expectation_over, matrix_derivative, matrix_function, matrix_operation, transpose,
)

GREEK = frozenset("""alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa
    lambda mu nu xi rho varrho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda
    Xi Sigma Upsilon Phi Psi Omega""".split())
_SPACING = frozenset(r"\, \; \: \! \quad \qquad \displaystyle \textstyle \limits \nolimits"
                     r" \nonumber \notag".split() + ["\\ "])
_SIZES = re.compile(r"\\(?:left|right|middle|[bB]ig{1,2}[lrm]?|[bB]igg[lrm]?)$")
_FRACTIONS = frozenset((r"\frac", r"\dfrac", r"\tfrac"))
_FUNCTIONS = {r"\log": sp.log, r"\ln": sp.log, r"\exp": sp.exp}
_NAMED = {"sigmoid": sigmoid, "softplus": softplus, "log": sp.log, "exp": sp.exp, "ln": sp.log,
          "abs": sp.Abs}
_DECORATIONS = {r"\hat": "hat", r"\bar": "bar", r"\tilde": "tilde", r"\widehat": "hat",
                r"\overline": "bar", r"\widetilde": "tilde"}
_TYPEFACES = frozenset((r"\mathbf", r"\boldsymbol", r"\vec", r"\bm", r"\mathit"))
# Functions of a vector or matrix, written \operatorname{tr}(A), \mathrm{diag}(v), ...: the name of
# the file syntax's function
_MATRIX_NAMED = {"tr": "trace", "Tr": "trace", "trace": "trace", "det": "det", "diag": "diag",
                 "softmax": "softmax"}
# Scalar functions that apply to a vector entry by entry: the name of the file syntax's function
_ENTRYWISE = {sp.log: "log", sp.exp: "exp", sp.sqrt: "sqrt", sigmoid: "sigmoid",
              softplus: "softplus", sp.Abs: "Abs"}
# A transpose, after ^ (also in braces): ^\top, ^T, ^{\mathsf{T}}, ^\intercal
_TRANSPOSES = ((r"\top",), (r"\intercal",), ("T",), (r"\mathsf", "{", "T", "}"),
               (r"\mathrm", "{", "T", "}"))
_NORMS = {r"\|": r"\|", r"\Vert": r"\Vert", r"\lVert": r"\rVert"}
_WORD_COMMANDS = frozenset((r"\mathrm", r"\operatorname", r"\operatorname*", r"\text", r"\textrm"))
_OPEN = {"(": ")", "[": "]", r"\{": r"\}", r"\lbrace": r"\rbrace", r"\lbrack": r"\rbrack"}
_CLOSE = frozenset(_OPEN.values())
_ABS = frozenset(("|", r"\lvert", r"\rvert", r"\vert"))
_PRODUCTS = frozenset((r"\cdot", r"\times", "*"))
# A condition of a cases row: one comparison.
_CONDITIONS = {"<": sp.Lt, ">": sp.Gt, r"\le": sp.Le, r"\leq": sp.Le, r"\leqslant": sp.Le,
               r"\ge": sp.Ge, r"\geq": sp.Ge, r"\geqslant": sp.Ge, "=": sp.Eq, r"\ne": sp.Ne,
               r"\neq": sp.Ne}
_IF_WORDS = frozenset(("if", "for", "when"))
_OTHERWISE_WORDS = frozenset(("otherwise", "else"))
_ROW_END = frozenset((r"\\", r"\end", r"\ne", r"\neq"))
RELATIONS = {"=": "=", r"\le": "<=", r"\leq": "<=", r"\leqslant": "<=", "<": "<", r"\ge": ">=",
             r"\geq": ">=", r"\geqslant": ">=", ">": ">", r"\approx": "approx"}
# Commands whose only use in a notes file would be to run or read something: named so that the
# error says plainly that nothing is compiled.
HOSTILE = frozenset(r"""\input \include \write \write18 \immediate \openin \openout \read
    \catcode \def \edef \gdef \xdef \let \newcommand \renewcommand \providecommand \csname
    \expandafter \usepackage \documentclass \special \directlua \loop \jobname""".split())
_FIXES = {
    r"\exp^": r"write \exp(...) or e^{...}",
    r"\infty": "limits of a sum are integers; an infinite sum is not supported",
    r"\int": "integrals are not supported yet",
    r"\top": r"a transpose is a superscript, such as X^\top",
    r"\mid": "a conditional p(x \\mid y) is not supported in an expression",
}


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "word" (letters), "name" (\\theta, \\mathrm{NLL}), "cmd", "sym",
    # "arg" (arg max / arg min: text "max" or "min"), "end"
    text: str
    position: int


@dataclass
class Notation:
    """What the header of a note says about how to read it."""

    superscript_index: frozenset[str] = frozenset()  # y^{(i)} is y[i] for these sequences
    # L(theta) = ...: name -> (parameters, body, how its arguments are read)
    definitions: dict[str, tuple] = field(default_factory=dict)


class _Unsized:
    """The identity I or the vector of ones \\mathbf{1} written without its size, which the
    matrix beside it tells (``X^\\top X + \\lambda I``, ``\\mathbf{1}^\\top \\mathbf{v}``): it may
    be scaled and transposed, then is sized by the reader.  Any other use (SymPy converting it,
    comparing it, asking it anything) is an error at its place: it never reaches SymPy."""

    __slots__ = ("kind", "position", "coefficient", "transposed")

    def __init__(self, kind: str, position: int, coefficient=sp.S.One, transposed=False):
        self.kind, self.position = kind, position  # kind: "Identity" or "ones"
        self.coefficient, self.transposed = coefficient, transposed

    def scaled(self, factor) -> _Unsized:
        return _Unsized(self.kind, self.position, self.coefficient * factor, self.transposed)

    def flipped(self) -> _Unsized:
        return _Unsized(self.kind, self.position, self.coefficient,
                        self.transposed != (self.kind == "ones"))

    def size_for(self, rows=None, columns=None):
        """Its size, given the rows or the columns it must have; None if they do not tell."""
        if self.kind == "Identity":
            return rows if rows is not None else columns
        return columns if self.transposed else rows

    def sized(self, context: Context, size):
        """As the file syntax builds ``c * Identity(d)``, ``ones(n).T``."""
        value = matrix_function(context, self.kind, size)
        if self.transposed:
            value = transpose(value)
        return value if self.coefficient == 1 else matrix_operation("*", self.coefficient, value)

    def problem(self, *_, **__):
        written, sized = ("I", "I_{d}") if self.kind == "Identity" else (r"\mathbf{1}", r"\mathbf{1}_{n}")
        raise ExpressionError(f"the size of {written} is not known here: write {sized}, or put it "
                              r"beside a matrix of its size (X^\top X + \lambda I)", self.position)

    __getattr__ = _sympy_ = __eq__ = __ne__ = __hash__ = __bool__ = __neg__ = __abs__ = problem
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = problem
    __pow__ = __rpow__ = __matmul__ = __rmatmul__ = __lt__ = __le__ = __gt__ = __ge__ = problem


# The file syntax's words in the messages of the checks both readers share, as LaTeX writes them
_LATEX_WORDING = ((" .T", r" ^\top"), ("inverse(A) or A**-1", "A^{-1}"), ("Identity(d)", "I_{d}"),
                  ("ones(d)", r"\mathbf{1}_{n}"), ("norm(v)", r"\|v\|"), (" @ ", " times "),
                  ("Derivative(v, z)", r"\frac{\partial v}{\partial z}"),
                  ("diag(v)", r"\operatorname{diag}(v)"), ("softmax(v)", r"\operatorname{softmax}(v)"))


def _in_latex(message: str) -> str:
    for written, latex in _LATEX_WORDING:
        message = message.replace(written, latex)
    return message


def _matrix_like(value) -> bool:
    return is_matrix(value) or isinstance(value, _Unsized)


def _negated(value):
    return value.scaled(-1) if isinstance(value, _Unsized) else -value


# -- tokens --------------------------------------------------------------------------------------
_TOKEN = re.compile(r"""
    (?P<cmd>\\(?:[A-Za-z]+\*?|.))
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<word>[A-Za-z]+)
  | (?P<space>\s+)
  | (?P<sym>.)
""", re.VERBOSE | re.DOTALL)


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``; spacing and sizing commands dropped; bounded in size."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters", 0)
    depth = 0
    for position, char in enumerate(text):
        if char in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(f"brackets are nested deeper than {MAX_DEPTH} levels", position)
        elif char in ")]}":
            depth -= 1
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind, value, position = match.lastgroup, match.group(), match.start()
        if kind == "space" or (kind == "sym" and value == "~") or value in _SPACING:
            continue
        if kind == "cmd" and value in HOSTILE or (kind == "cmd" and value.startswith(r"\write")):
            raise ExpressionError(f"{value} is refused: notes are read, never compiled or run, "
                                  "and only the commands of formulas are allowed", position)
        if kind == "cmd" and _SIZES.match(value):
            continue  # \left( is (: the delimiter that follows is checked by the parser
        if kind == "sym" and value == "%":
            raise ExpressionError("a comment inside a formula", position)
        tokens.append(Token(kind, value, position))
        if len(tokens) > MAX_NODES:
            raise ExpressionError(f"the expression has more than {MAX_NODES} parts", position)
    tokens.append(Token("end", "", len(text)))
    return _merge_arg(tokens)


def _merge_arg(tokens: list[Token]) -> list[Token]:
    """``\\arg\\max``, ``\\argmax``, ``\\operatorname*{arg\\,max}`` as one "arg" token."""
    merged, at = [], 0
    while at < len(tokens):
        token = tokens[at]
        if token.text in (r"\argmax", r"\argmin"):
            merged.append(Token("arg", token.text[4:], token.position))
        elif token.text == r"\arg" and tokens[at + 1].text in (r"\max", r"\min"):
            merged.append(Token("arg", tokens[at + 1].text[1:], token.position))
            at += 1
        elif token.text in _WORD_COMMANDS and tokens[at + 1].text == "{":
            end = next((k for k in range(at + 2, len(tokens)) if tokens[k].text == "}"), None)
            inside = "".join(t.text for t in tokens[at + 2:end]) if end else ""
            if inside in ("argmax", "argmin"):
                merged.append(Token("arg", inside[3:], token.position))
                at = end
            else:
                merged.append(token)
        else:
            merged.append(token)
        at += 1
    return merged


class Reader:
    """Reads one expression from a list of tokens (see ``read_expression``)."""

    def __init__(self, tokens: list[Token], context: Context, notation: Notation | None = None,
                 forms: list | None = None):
        self.tokens = tokens
        self.at = 0
        self.context = context
        self.notation = notation or Notation()
        self.scope: dict[str, sp.Symbol] = {}
        self.in_abs = 0
        self.in_norm = 0
        self.depth = 0
        self.printed_forms = printed_forms(context) if forms is None else forms

    # -- helpers --------------------------------------------------------------------------------
    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def advance(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def fail(self, message: str, token: Token | None = None):
        token = token or self.token
        raise ExpressionError(message, token.position)

    def expect(self, text: str, why: str = ""):
        if self.token.text != text:
            found = repr(self.token.text) if self.token.kind != "end" else "the end"
            self.fail(f"expected {text!r}{why}, found {found}")
        return self.advance()

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"the expression is nested deeper than {MAX_DEPTH} levels")

    # -- grammar --------------------------------------------------------------------------------
    def expression(self) -> sp.Expr:
        """Terms joined by + and - (built at once: SymPy flattens a sum once, not per term)."""
        self.enter()
        terms = [("+", self.token, self.signed_term())]
        while self.token.text in ("+", "-"):
            sign = self.advance()
            terms.append((sign.text, sign, self.term()))
        self.depth -= 1
        if any(_matrix_like(term) for _, _, term in terms):
            return self.matrix_sum(terms)
        if len(terms) == 1:
            return terms[0][2]
        return sp.Add(*(term if sign == "+" else -term for sign, _, term in terms))

    def matrix_sum(self, terms):
        """Terms of which one is a matrix, added from the left as the file syntax adds them; an
        I or \\mathbf{1} without its size takes the size of a matrix term."""
        shape = next((term.shape for _, _, term in terms if is_matrix(term)), None)
        if shape is None and len(terms) == 1:
            return terms[0][2]  # c I alone: the product around it may size it
        value = None
        for sign, token, term in terms:
            if isinstance(term, _Unsized):
                if shape is None:
                    term.problem()
                term = self.sized(term, token, rows=shape[0], columns=shape[1])
            value = term if value is None else self.combine(sign, value, term, token)
        return value

    def combine(self, op: str, left, right, where: Token):
        """``left op right`` with a matrix, by the file syntax's rules and size check."""
        try:
            return matrix_operation(op, left, right)
        except ExpressionError as exc:
            self.fail(_in_latex(exc.message), where)

    def sized(self, unsized: _Unsized, where: Token, rows=None, columns=None):
        size = unsized.size_for(rows, columns)
        if size is None:
            unsized.problem()
        try:
            return unsized.sized(self.context, size)
        except ExpressionError as exc:
            self.fail(_in_latex(exc.message), where)

    def signed_term(self):
        if self.token.text in ("+", "-"):
            sign = self.advance().text
            term = self.term()
            return _negated(term) if sign == "-" else term
        return self.term()

    def term(self) -> sp.Expr:
        """Factors joined by \\cdot, \\times, / or written side by side."""
        factors = [("", self.token, self.power())]
        while True:
            token = self.token
            if token.text in _PRODUCTS or token.text == "/":
                self.advance()
                factors.append((token.text, token, self.signed_power()))
            elif self.starts_factor():
                factors.append(("", token, self.power()))
            else:
                return self.product(factors)

    def product(self, factors) -> sp.Expr:
        """The product of ``(operator, token, factor)`` triples ("" side by side, \\cdot, /)."""
        if any(_matrix_like(factor) or _one_by_one(factor) for _, _, factor in factors):
            return self.matrix_product(factors)
        built = []
        for op, token, factor in factors:
            if op == "/":
                if factor == 0:
                    self.fail("division by zero", token)
                factor = 1 / factor
            built.append(factor)
        return built[0] if len(built) == 1 else sp.Mul(*built)

    def matrix_product(self, factors):
        """Factors of which one is a matrix, multiplied from the left as the file syntax does:
        matrices side by side are a matrix product (X^\\top X \\mathbf{w}), a scalar times a
        matrix a scaling; an I or \\mathbf{1} without its size takes it from its neighbour."""
        value, waiting = None, None  # waiting: c I, sized by the matrix on its right
        for op, token, factor in factors:
            if op == "/" and waiting is not None and not is_matrix(factor):
                if factor == 0:
                    self.fail("division by zero", token)
                waiting = waiting.scaled(1 / factor)
                continue
            if op == "/":
                value = self.combine("/", value, factor, token)
                continue
            if isinstance(factor, _Unsized):
                if is_matrix(value):
                    factor = self.sized(factor, token, rows=value.shape[1])
                else:
                    if waiting is not None:
                        factor.problem()
                    waiting = factor if value is None else factor.scaled(value)
                    value = None
                    continue
            if waiting is not None:
                if not is_matrix(factor):
                    waiting = waiting.scaled(factor)
                    continue
                value = self.sized(waiting, token, columns=factor.shape[0])
                waiting = None
            value = factor if value is None else self.times(op, value, factor, token)
        return value if waiting is None else waiting

    def times(self, op: str, left, right, where: Token):
        """Two factors side by side (op "") or joined by \\cdot, \\times or *."""
        if op:
            if is_matrix(left) and is_matrix(right):
                self.fail(f"{op} between two matrices or vectors is read no way here: write a "
                          r"matrix product side by side (X^\top X), a dot product as "
                          r"\mathbf{x}^\top \mathbf{y}", where)
            return self.combine("*", left, right, where) if is_matrix(left) or is_matrix(right) \
                else left * right
        if all(_one_by_one(x) and not isinstance(x.arg, sp.MatrixSymbol) for x in (left, right)):
            return left * right  # (b^T w)(c^T w): two scalars, as a file writes them
        if all(is_matrix(x) or _one_by_one(x) for x in (left, right)):
            # a 1 by 1 product (x^T y) beside a matrix it cannot multiply is the scalar it holds
            fits = _as_matrix(left).shape[1] == _as_matrix(right).shape[0]
            if fits or not (_one_by_one(left) or _one_by_one(right)):
                return self.combine("@", left, right, where)
        if is_matrix(left) or is_matrix(right):
            return self.combine("*", left, right, where)
        return left * right

    def signed_power(self):
        if self.token.text == "-":
            self.advance()
            return _negated(self.power())
        return self.power()

    def starts_factor(self) -> bool:
        token = self.token
        if token.kind in ("num", "word"):
            return True
        if token.kind == "sym":
            return token.text in "([{" or (token.text == "|" and not self.in_abs)
        if token.kind == "cmd":
            if token.text in _ABS:
                return token.text == r"\lvert" or (token.text == r"\vert" and not self.in_abs)
            if token.text in (r"\|", r"\Vert", r"\rVert"):
                return token.text != r"\rVert" and not self.in_norm
            return token.text not in _PRODUCTS and token.text not in _CLOSE and \
                token.text not in RELATIONS and token.text not in (r"\right", r"\iff") and \
                token.text not in _ROW_END
        return False

    def power(self) -> sp.Expr:
        base_token = self.token
        base = self.atom()
        if self.token.text == "!":
            bang = self.advance()
            if _matrix_like(base):
                self.fail("the factorial of a matrix or vector is not defined", bang)
            if base.is_number and (not base.is_Integer or abs(base) > MAX_FACTORIAL):
                self.fail(f"factorial of a number needs an integer up to {MAX_FACTORIAL}", bang)
            base = sp.factorial(base)
        if self.token.text == "^":
            caret = self.advance()
            marks = self.transpose_mark(base)
            if marks:
                self.at += marks
                base = self.transposed(base, caret)
            else:
                base = self.raise_to(base, self.script(), caret)
            if self.token.text == "^":
                self.fail("a double superscript: write x^{a b} or {x^a}^b")
        if self.token.text == "_" and base_token.text in _NORMS:
            self.norm_subscript()  # \|v\|^2_2
        if self.token.text == "_":
            self.fail(f"only a declared sequence takes an index here (after {base_token.text!r})")
        return base

    def transpose_mark(self, base) -> int:
        """How many tokens after ^ write a transpose (0 if they do not): ^T is a power when T
        is a declared symbol and the base a scalar; of a 1 by 1 product (a scalar that is also
        a matrix) it would be either, and is refused."""
        texts = [t.text for t in self.tokens[self.at:self.at + 6]]
        for mark in _TRANSPOSES:
            for written in (list(mark), ["{", *mark, "}"]):
                if texts[:len(written)] != written:
                    continue
                if mark == ("T",) and not _matrix_like(base) and self.context.lookup("T") is not None:
                    if _one_by_one(base):
                        self.fail(r"^T of a 1 by 1 product, with T a declared symbol, is a power or a "
                                  r"transpose: write ^\top for the transpose, ^{(T)} for the power")
                    return 0
                return len(written)
        return 0

    def transposed(self, base, where: Token):
        if isinstance(base, _Unsized):
            return base.flipped()
        try:
            return transpose(base)
        except ExpressionError as exc:
            self.fail(_in_latex(exc.message), where)

    def raise_to(self, base, exponent, where: Token):
        if is_matrix(base) and exponent == -1:  # A^{-1} as the file's inverse(A)
            try:
                return matrix_function(self.context, "inverse", base)
            except ExpressionError as exc:
                self.fail(_in_latex(exc.message), where)
        if is_matrix(base) or is_matrix(exponent):
            return self.combine("**", base, exponent, where)
        if exponent.is_Number:
            if abs(exponent) > MAX_EXPONENT:
                self.fail(f"an exponent is larger than {MAX_EXPONENT}", where)
            if base.is_Number and base != 0 and abs(base) != 1:
                digits = abs(float(sp.log(abs(base), 10))) * float(abs(exponent))
                if digits > MAX_NUMBER_DIGITS:
                    self.fail(f"a power of numbers with more than {MAX_NUMBER_DIGITS} digits", where)
        elif exponent.is_number and exponent.has(sp.Pow, sp.exp, sp.log):
            self.fail("an exponent must be a plain number or contain a symbol", where)
        if base == 0 and exponent.is_Number and exponent <= 0:
            self.fail("0 to a non-positive power", where)
        return base**exponent

    def script(self) -> sp.Expr:
        """What follows ^ or _: a braced group, or one character or command."""
        token = self.token
        if token.text == "{":
            return self.group()
        if token.kind == "num":
            if len(token.text) > 1:
                self.fail(f"write ^{{{token.text}}}: without braces only one character is raised")
            self.advance()
            return sp.Integer(token.text)
        if token.kind == "word" and len(token.text) > 1:
            self.fail(f"write {{{token.text}}} in braces: without braces only one letter is raised")
        if token.text == "-":
            self.fail("write a negative exponent in braces, such as x^{-1}")
        return self.atom()

    def argument(self) -> sp.Expr:
        """The argument of ``\\frac`` or ``\\sqrt``: a braced group, or as TeX reads it without
        braces, one character or command (``\\frac12`` is 1/2, ``\\sqrt2\\pi`` is sqrt(2) pi)."""
        token = self.token
        if token.text == "{":
            return self.group()
        if token.kind == "num" and "." in token.text[:2]:
            self.fail("write a decimal argument in braces, such as \\frac{1.5}{2}")
        if token.kind in ("num", "word") and len(token.text) > 1:
            self.tokens[self.at:self.at + 1] = [Token(token.kind, token.text[0], token.position),
                                                Token(token.kind, token.text[1:], token.position + 1)]
        if self.token.kind in ("num", "word") or (self.token.kind == "cmd" and
                                                  self.token.text[1:] in GREEK):
            return self.atom()
        return self.fail("write the argument in braces, such as \\frac{a}{b}")

    def group(self) -> sp.Expr:
        opening = self.expect("{")
        value = self.expression()
        if self.token.text != "}":
            found = repr(self.token.text) if self.token.kind != "end" else "the end of the row"
            self.fail(f"this '{{' is never closed: found {found} where its '}}' should be", opening)
        self.advance()
        return value

    def bracketed(self) -> sp.Expr:
        opening = self.advance()
        (self.in_abs, self.in_norm), outer = (0, 0), (self.in_abs, self.in_norm)
        value = self.expression()
        self.in_abs, self.in_norm = outer
        self.expect(_OPEN[opening.text], f" to close the {opening.text!r} at column {opening.position + 1}")
        return value

    # -- atoms ----------------------------------------------------------------------------------
    def atom(self) -> sp.Expr:
        token = self.token
        if self.printed_forms and (token.kind in ("word", "cmd") or token.text == "{"):
            declaration = self.printed_name()
            if declaration is not None:
                return self.declared(token, declaration)
        if token.kind == "num":
            self.advance()
            digits = token.text.replace(".", "")
            if len(digits) > MAX_LITERAL_DIGITS:
                self.fail(f"a number has more than {MAX_LITERAL_DIGITS} digits", token)
            return sp.Rational(token.text)
        if token.kind == "word":
            return self.word(self.advance())
        if token.text == "{":
            return self.group()
        if token.text in _OPEN:
            return self.bracketed()
        if token.text in _ABS and token.text != r"\rvert":
            return self.absolute()
        if token.text in _NORMS:
            return self.norm()
        if token.kind == "end" or token.text in (r"\\", r"\end"):
            self.fail("an expression is missing here")
        if token.kind == "arg":
            self.fail("arg max / arg min is allowed only at the start of a side of a row")
        if token.kind != "cmd":
            self.fail(f"unexpected {token.text!r}")
        return self.command(self.advance())

    def absolute(self):
        opening = self.advance()
        self.in_abs += 1
        value = self.expression()
        self.in_abs -= 1
        closing = r"\rvert" if opening.text == r"\lvert" else opening.text
        self.expect(closing, f" to close the absolute value at column {opening.position + 1}")
        if is_matrix(value) or _one_by_one(value) and isinstance(value.arg, sp.MatrixSymbol):
            return self.determinant_of(value, opening)
        return sp.Abs(value)

    def determinant_of(self, value, where: Token):
        """|A|: the determinant of A only where it cannot be read otherwise, A a declared
        positive definite matrix, its inverse or a positive multiple (|2\\pi\\Sigma|), whose
        determinant is its absolute value; |v| of a vector (its norm? entry by entry?) and |A| of
        another matrix (det A or |det A|, as in a change of variables) are refused."""
        inner = value
        if isinstance(inner, sp.MatMul):
            scalars = [a for a in inner.args if not is_matrix(a)]
            matrices = [a for a in inner.args if is_matrix(a)]
            if len(matrices) == 1 and sp.Mul(*scalars).is_positive:
                inner = matrices[0]
        inner = inner.arg if isinstance(inner, sp.Inverse) else inner
        if is_matrix(value) and isinstance(inner, sp.MatrixSymbol) and \
                self.context.structure_of(inner) == "positive definite":
            return matrix_function(self.context, "det", value)
        self.fail(r"|...| of a vector or matrix is ambiguous here: write \|v\| for a norm, "
                  r"\det(A) or |\det(A)| for a determinant (|A| is read as \det A only for a "
                  "matrix declared positive definite)", where)

    def norm(self):
        """``\\|v\\|``, ``\\lVert v \\rVert``, ``\\Vert v \\Vert``, also with ``_2``: the Euclidean
        norm of a vector."""
        opening = self.advance()
        self.in_norm, outer = 1, self.in_norm
        value = self.expression()
        self.in_norm = outer
        self.expect(_NORMS[opening.text], f" to close the norm at column {opening.position + 1}")
        subscript = self.norm_subscript() or self.subscript_after_power()
        if isinstance(value, _Unsized):
            value.problem()
        if is_matrix(value) and 1 not in value.shape and subscript != "F":
            self.fail(r"the norm of a matrix is read as the Frobenius norm only, written "
                      r"\|A\|_F (\|A\| or \|A\|_2 may mean the spectral norm)", opening)
        try:
            return matrix_function(self.context, "norm", value)
        except ExpressionError as exc:
            self.fail(_in_latex(exc.message), opening)

    def subscript_after_power(self) -> str | None:
        r"""The subscript of a norm written after its power (``\|A\|^2_F``), looked at only:
        ``power`` reads it."""
        texts = [t.text for t in self.tokens[self.at:self.at + 8]]
        for start in (2, 4):  # ^2_F, ^{2}_F
            if texts[:1] == ["^"] and texts[start:start + 1] == ["_"] and (
                    texts[start + 1:start + 2] == ["F"] or texts[start + 1:start + 4] == ["{", "F", "}"]):
                return "F"
        return None

    def norm_subscript(self) -> str | None:
        """The subscript of a norm: "2" (Euclidean), "F" (Frobenius) or None."""
        if self.token.text != "_":
            return None
        underscore = self.advance()
        texts = [t.text for t in self.tokens[self.at:self.at + 6]]
        for kind, written in (("2", ["2"]), ("2", ["{", "2", "}"]), ("F", ["F"]),
                              ("F", ["{", "F", "}"]), ("F", [r"\mathrm", "{", "F", "}"]),
                              ("F", ["{", r"\mathrm", "{", "F", "}", "}"])):
            if texts[:len(written)] == written:
                self.at += len(written)
                return kind
        self.fail(r"only the Euclidean norm \|v\|_2 and the Frobenius norm \|A\|_F are read",
                  underscore)

    def command(self, token: Token) -> sp.Expr:
        name = token.text
        if name in _FRACTIONS:
            return self.fraction(token)
        if name == r"\begin":
            return self.cases(token)
        if name in (r"\underbrace", r"\overbrace"):
            return self.braced_note(token)
        if name == r"\sqrt":
            if self.token.text == "[":
                self.advance()
                degree = self.expression()
                self.expect("]")
                if not (degree.is_Integer and 2 <= degree <= MAX_EXPONENT):
                    self.fail("the degree of a root is a whole number from 2", token)
                return sp.root(self.argument(), degree)
            radicand = self.argument()
            return self.entrywise(token, sp.sqrt, radicand) if _matrix_like(radicand) \
                else sp.sqrt(radicand)
        if name == r"\det":
            return self.function(token, "det")
        if name == r"\nabla":
            return self.gradient(token)
        if name in (r"\sum", r"\prod"):
            return self.big_operator(token, sp.Sum if name == r"\sum" else sp.Product)
        if name == r"\mathbb":
            if self.braced_text(token) != "E":
                self.fail(r"\mathbb{E} is the only blackboard letter read: an expectation", token)
            return self.expectation(token)
        if name in _FUNCTIONS:
            return self.function(token, _FUNCTIONS[name])
        if name in (r"\max", r"\min"):
            if self.token.text == "_":
                self.fail(f"{name}_... over a variable is not an expression: write "
                          rf"\arg{name} at the start of a row", token)
            arguments = self.arguments(token)
            if any(_matrix_like(a) for a in arguments):
                self.fail(f"{name} of a vector or matrix is not defined here", token)
            if len(arguments) < 2:
                self.fail(f"{name} takes two or more arguments, such as {name}(a, b)", token)
            return (sp.Max if name == r"\max" else sp.Min)(*arguments)
        if name in _DECORATIONS:
            return self.word(Token("name", self.inner_name(token) + _DECORATIONS[name], token.position))
        if name in _TYPEFACES:
            return self.typeface(token)
        if name in _WORD_COMMANDS:
            return self.word(Token("name", self.braced_text(token), token.position))
        if name[1:] in GREEK:
            return self.word(Token("name", name[1:], token.position))
        if name == r"\pi":
            return self.word(Token("name", "pi", token.position))
        if name == r"\partial":
            self.fail(r"write a derivative as \frac{\partial}{\partial\theta} f or "
                      r"\frac{\partial f}{\partial\theta}", token)
        fix = _FIXES.get(name + self.token.text if name == r"\exp" else name)
        if fix is None:
            known = [r"\frac", r"\sqrt", r"\sum", r"\prod", r"\log", r"\exp", r"\max", r"\min",
                     r"\cdot", r"\hat", r"\bar", r"\mathrm"] + ["\\" + g for g in GREEK]
            close = difflib.get_close_matches(name, known, n=1)
            fix = f"did you mean {close[0]}?" if close else "see docs/notes.md for what is allowed"
        self.fail(f"unknown command {name}: {fix}", token)

    def cases(self, token: Token) -> sp.Expr:
        """``\\begin{cases} a & \\text{if } x > 0 \\\\ b & \\text{otherwise} \\end{cases}``: a
        piecewise expression, each condition one comparison; only the last row may be otherwise."""
        environment = self.braced_text(token)
        if environment != "cases":
            self.fail(f"\\begin{{{environment}}} is not read in a formula (only cases is)", token)
        rows = []
        while True:
            row = self.token
            if rows and rows[-1][1] is sp.true:
                self.fail("the otherwise row of cases must be its last row", row)
            value = self.expression()
            if self.token.text == ",":
                self.advance()
            self.expect("&", ": a row of cases is 'value & condition'")
            rows.append((value, self.condition()))
            if self.token.text != r"\\":
                break
            self.advance()
            if self.token.text == r"\end":  # a \\ after the last row
                break
        end = self.expect(r"\end", ": rows of cases are separated by \\\\")
        if self.braced_text(end) != "cases":
            self.fail(r"\begin{cases} is closed by \end{cases}", end)
        return sp.Piecewise(*rows)

    def condition(self):
        """The condition of a cases row: ``\\text{if} a < b`` (one comparison), or otherwise."""
        if self.token.text in _WORD_COMMANDS:
            said = self.advance()
            word = self.braced_text(said)
            if word in _OTHERWISE_WORDS:
                return sp.true
            if word not in _IF_WORDS:
                self.fail(rf"a condition is written \text{{if}} a < b, or the last row says "
                          rf"\text{{otherwise}}; found \text{{{word}}}", said)
        left = self.expression()
        relation = self.token
        if relation.text not in _CONDITIONS:
            self.fail("a condition of cases is one comparison, such as x > 0", relation)
        self.advance()
        right = self.expression()
        if self.token.text in _CONDITIONS:
            self.fail("one comparison per condition: a < x < b is two rows or nested cases",
                      self.token)
        condition = _CONDITIONS[relation.text](left, right)
        if condition is sp.false:
            self.fail("this condition is never true, so its row is never taken", relation)
        return condition

    def braced_note(self, token: Token) -> sp.Expr:
        """``\\underbrace{A}_{\\text{...}}`` reads as A: the note under it is not read."""
        value = self.group()
        if self.token.text in ("_", "^"):
            self.advance()
            if self.token.text != "{":
                self.fail(f"the note of {token.text} is written in braces")
            depth = 0
            while True:
                part = self.advance()
                depth += {"{": 1, "}": -1}.get(part.text, 0)
                if part.kind == "end":
                    self.fail(f"the note of {token.text} is never closed", token)
                if depth == 0:
                    return value
        return value

    def braced_text(self, token: Token) -> str:
        """The letters of ``\\mathrm{NLL}``: a name, not an expression."""
        self.expect("{", f" after {token.text}")
        parts = []
        while self.token.text != "}":
            part = self.advance()
            if part.kind not in ("word", "num") and part.text not in _SPACING:
                self.fail(f"{token.text}{{...}} holds a name (letters and digits)", part)
            parts.append(part.text)
        self.advance()
        if not parts or not parts[0][0].isalpha():
            self.fail(f"{token.text}{{...}} holds a name starting with a letter", token)
        return "".join(parts)

    def typeface(self, token: Token) -> sp.Expr:
        """``\\mathbf{w}``, ``\\boldsymbol{\\mu}``, ``\\bm{x_{1}}``: the declared name (bold is
        typography); ``\\mathbf{1}`` the vector of ones, ``\\mathbf{I}`` the identity."""
        texts = [t.text for t in self.tokens[self.at:self.at + 3]] + ["", ""]
        if texts[0] == "1" or texts[:3] == ["{", "1", "}"]:
            self.at += 1 if texts[0] == "1" else 3
            return self.identity_or_ones("ones", token)
        if texts[0] != "{" or texts[2] == "}":
            braced = texts[0] == "{"
            inner = self.tokens[self.at + braced]
            if self.tokens[self.at + 1 + 2 * braced].text == "_" and (
                    inner.kind == "word" or inner.text[1:] in GREEK):
                # \mathbf{x}_1, \bm{\mu}_k: the name as if not bold, with its subscript
                self.tokens[self.at:self.at + 1 + 2 * braced] = [inner]
                return self.atom()
            return self.word(Token("name", self.inner_name(token), token.position))
        inside = self.token
        value = self.group()  # a name printed as more than one token, such as x_{1}
        if not (isinstance(value, (sp.Symbol, sp.MatrixSymbol)) or
                _one_by_one(value) and isinstance(value.arg, sp.MatrixSymbol)):
            self.fail(f"{token.text} decorates a name, such as {token.text}{{y}}", inside)
        return value

    def identity_or_ones(self, kind: str, token: Token):
        """I or \\mathbf{1}, with its size as a subscript (I_{d}) or without (sized later)."""
        if self.token.text != "_":
            return _Unsized(kind, token.position)
        self.advance()
        size = self.script()
        try:
            return matrix_function(self.context, kind, size)
        except ExpressionError as exc:
            self.fail(_in_latex(exc.message), token)

    def gradient(self, token: Token):
        """``\\nabla_{\\mathbf{w}} f``: the gradient of a scalar f by a declared vector or matrix;
        f is the bracket or the term that follows, as for \\frac{\\partial}{\\partial w} f."""
        self.expect("_", r": write \nabla_{\mathbf{w}} f")
        variable_token = self.token
        variable = self.script()
        if not isinstance(variable, sp.MatrixSymbol):
            self.fail(r"\nabla_{...} takes a declared vector or matrix (for a scalar \theta, write "
                      r"\frac{\partial}{\partial\theta} f)", variable_token)
        body = self.power() if self.token.text in _OPEN else self.term()
        if isinstance(body, _Unsized):
            body.problem()
        if is_matrix(body):
            self.fail(r"\nabla of a vector is written both for the Jacobian and for its "
                      r"transpose: write the Jacobian as \frac{\partial \mathbf{v}}{\partial "
                      r"\mathbf{z}}", token)
        return matrix_derivative(body, variable)

    def entrywise(self, token: Token, function, vector):
        """A scalar function of a vector, entry by entry (``\\sigma(X\\mathbf{w})``)."""
        if isinstance(vector, _Unsized):
            vector.problem()
        if function not in _ENTRYWISE:
            self.fail(f"{token.text} of a vector or matrix is not defined here (log, exp, sqrt, "
                      r"sigmoid, softplus and \operatorname{abs} apply to a vector entry by "
                      "entry)", token)
        try:
            return entrywise(_ENTRYWISE[function], vector)
        except ExpressionError as exc:
            self.fail(_in_latex(exc.message), token)

    def inner_name(self, token: Token) -> str:
        """The name under ``\\hat``, ``\\mathbf``, ...: one letter or Greek letter."""
        braced = self.token.text == "{"
        if braced:
            self.advance()
        inner = self.advance()
        if inner.kind == "word" or (inner.kind == "cmd" and inner.text[1:] in GREEK):
            name = inner.text.lstrip("\\")
        else:
            self.fail(f"{token.text} decorates a name, such as {token.text}{{y}}", inner)
        if braced:
            self.expect("}", f" to close {token.text}{{...}}")
        return name

    # -- names ----------------------------------------------------------------------------------
    def word(self, token: Token) -> sp.Expr:
        """A name: declared, a definition, a named function, a constant; letters written side by
        side that are not declared together are a product of one-letter names."""
        text = token.text
        if text in self.scope:
            return self.indexed_or_plain(text, self.scope[text], token)
        declaration = self.context.lookup(text)
        if declaration is None and text in self.notation.definitions:
            return self.defined(token)
        if declaration is None and text in _NAMED and self.token.text in (*_OPEN, "{"):
            return self.function(token, _NAMED[text])
        if declaration is None and text == "sigma" and self.token.text in _OPEN:
            return self.function(token, sigmoid)
        if declaration is None and text in _MATRIX_NAMED and token.kind == "name":
            return self.function(token, _MATRIX_NAMED[text])
        if declaration is None and text == "I":
            return self.identity_or_ones("Identity", token)
        if declaration is None and text == "delta" and self.token.text == "_":
            self.advance()
            indices = self.indices(superscript=False, rank=2)
            if len(indices) != 2:
                self.fail("Kronecker's delta takes two indices, such as \\delta_{jk}", token)
            return sp.KroneckerDelta(*indices)
        if declaration is None and len(text) > 1 and token.kind == "word":
            pieces = [Token("word", c, token.position + k) for k, c in enumerate(text)]
            self.tokens[self.at:self.at] = pieces[1:]
            return self.word(pieces[0])
        if declaration is None:
            if text == "e":
                return sp.E
            if text == "pi":
                return sp.pi
            self.unknown(token)
        return self.declared(token, declaration)

    def declared(self, token: Token, declaration) -> sp.Expr:
        """A declared name read at ``token``: a function applied, an entry, or a symbol."""
        text = declaration.name
        if declaration.kind == "function":
            arguments = self.arguments(token)
            if len(arguments) != declaration.rank:
                self.fail(f"{text} takes {declaration.rank} argument(s), not {len(arguments)}", token)
            return declaration.obj(*arguments)
        if declaration.kind == "sequence":
            return self.entry(token, declaration)
        return _scalar_if_one_by_one(self.indexed_or_plain(text, declaration.obj, token))

    def printed_name(self):
        """The declared name whose printed form (``p_{X}``, ``x_{1}``, ``\\dot{x}``; for a
        sequence also in braces, ``{p_{X}}_{a}``) starts here, with its tokens read; or None."""
        for form, declaration, otherwise in self.printed_forms:
            braced = declaration.kind == "sequence" and self.token.text == "{"
            texts = [t.text for t in self.tokens[self.at:self.at + len(form) + 2 * braced]]
            if texts != (["{", *form, "}"] if braced else list(form)):
                continue
            if otherwise is not None:
                self.fail(f"{''.join(form)} is ambiguous: it is how the name {declaration.name!r} "
                          f"is written, and it also reads as {otherwise}; rename "
                          f"{declaration.name!r}", self.tokens[self.at + braced])
            self.at += len(texts)
            return declaration
        return None

    def indexed_or_plain(self, text, value, token):
        if self.token.text == "_":
            self.fail(f"{text!r} is not a declared sequence, so it takes no index", self.token)
        return value

    def unknown(self, token: Token):
        known = [d.name for d in self.context.declarations] + list(self.notation.definitions)
        close = difflib.get_close_matches(token.text, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else "; declare it under 'symbols'"
        self.fail(f"undeclared name {token.text!r}{hint}", token)

    def entry(self, token: Token, declaration) -> sp.Expr:
        """``x_i``, ``x_{ij}``, ``x_{i,j}``, or ``y^{(i)}`` under ``superscript index``."""
        if self.token.text == "^" and declaration.name in self.notation.superscript_index:
            self.advance()
            indices = self.indices(superscript=True, rank=declaration.rank)
        elif self.token.text == "_":
            self.advance()
            indices = self.indices(superscript=False, rank=declaration.rank)
        else:
            self.fail(f"{declaration.name!r} is a sequence: write it with an index, such as "
                      f"{declaration.name}_i", token)
        if len(indices) != declaration.rank:
            self.fail(f"{declaration.name!r} takes {declaration.rank} index(es), not {len(indices)}",
                      token)
        for index in indices:
            if not index.is_integer:
                self.fail(f"an index of {declaration.name!r} must be an integer", token)
        return declaration.obj[tuple(indices)]

    def comma_ahead(self) -> bool:
        """Whether the group being read holds a comma outside brackets."""
        depth = 0
        for token in self.tokens[self.at:]:
            if token.text in ("(", "[", "{", r"\{"):
                depth += 1
            elif token.text in (")", "]", "}", r"\}"):
                depth -= 1
                if depth < 0:
                    return False
            elif token.text == "," and depth == 0:
                return True
        return False

    def indices(self, superscript: bool, rank: int) -> list[sp.Expr]:
        braced = self.token.text == "{"
        if not braced:
            if superscript:
                self.fail("write the index in braces, such as y^{(i)}")
            token = self.advance()
            if token.kind == "num" and len(token.text) > 1:
                self.fail(f"write _{{{token.text}}}: without braces only one character is an index",
                          token)
            if token.kind == "word" and len(token.text) > 1:
                self.tokens.insert(self.at, Token("word", token.text[1:], token.position + 1))
                token = Token("word", token.text[0], token.position)
            self.tokens.insert(self.at, token)
            return [self.atom()]
        self.advance()
        if superscript:
            self.expect("(", ": a superscript index is written y^{(i)}")
        if rank > 1 and not self.comma_ahead():
            # x_{ij}, x_{i j}, \delta_{k w_{t}}: indices written side by side
            indices = []
            while self.token.text not in ("}", ")") and self.token.kind != "end":
                if self.token.kind == "word" and len(self.token.text) > 1 and \
                        self.context.lookup(self.token.text) is None:
                    word = self.advance()
                    self.tokens[self.at:self.at] = [Token("word", c, word.position + k)
                                                    for k, c in enumerate(word.text)]
                indices.append(self.power())
        else:
            indices = [self.expression()]
            while self.token.text == ",":
                self.advance()
                indices.append(self.expression())
        if superscript:
            self.expect(")")
        self.expect("}")
        return indices

    def defined(self, token: Token) -> sp.Expr:
        """A name defined by an earlier row, applied to the same arguments as there."""
        parameters, body, read_arguments = self.notation.definitions[token.text]
        arguments = read_arguments(self, token)
        if arguments != parameters:
            shown = ", ".join(map(str, parameters))
            self.fail(f"{token.text} is defined for ({shown}); apply it to the same arguments", token)
        return body

    # -- operators ------------------------------------------------------------------------------
    def arguments(self, token: Token) -> list[sp.Expr]:
        if self.token.text not in ("(", r"\{", "["):
            self.fail(f"{token.text} needs its arguments in brackets, such as {token.text}(x)")
        opening = self.advance()
        arguments = [self.expression()]
        while self.token.text == ",":
            self.advance()
            arguments.append(self.expression())
        self.expect(_OPEN[opening.text], f" to close the arguments of {token.text}")
        return arguments

    def function(self, token: Token, function) -> sp.Expr:
        """``\\log x``, ``\\log(x)``, ``\\log_2 x``, ``\\exp\\{x\\}``: without brackets the
        argument is the run of factors written side by side (``\\log 2\\pi\\sigma``).  A
        ``function`` given by name ("det", "trace", ...) is one of the file syntax's functions of
        a matrix; a scalar one applies to a vector entry by entry."""
        base = None
        if self.token.text == "_" and function is sp.log:
            underscore = self.advance()
            base = self.script()
            if not (base.is_positive and base != 1):
                self.fail("the base of a logarithm is a positive number other than 1", underscore)
        if self.token.text == "^":
            self.fail(f"write ({token.text} x)^2 rather than a power on {token.text}"
                      if token.text != r"\exp" else r"write \exp(...) or e^{...}")
        if self.token.text in _OPEN:
            argument = self.bracketed()
        else:
            if not self.starts_factor():
                self.fail(f"{token.text} needs an argument")
            factors = [("", self.token, self.power())]
            while self.starts_factor() and not self.token.text.startswith(("\\log", "\\ln", "\\exp",
                                                                              "\\sum", "\\prod")):
                factors.append(("", self.token, self.power()))
            argument = self.product(factors)
        if isinstance(function, str):
            if isinstance(argument, _Unsized):
                argument.problem()
            try:
                return matrix_function(self.context, function, argument)
            except ExpressionError as exc:
                self.fail(_in_latex(exc.message), token)
        if _matrix_like(argument):
            if base is not None:
                self.fail(f"{token.text} with a base of a vector is not defined here", token)
            return self.entrywise(token, function, argument)
        if function is sp.log and argument.is_number and not argument.is_positive:
            self.fail("the logarithm of a number that is not positive", token)
        value = function(argument)
        return value if base is None else value / sp.log(base)

    def fraction(self, token: Token) -> sp.Expr:
        if self.derivative_ahead():
            return self.derivative(token)
        numerator = self.argument()
        denominator_token = self.token
        denominator = self.argument()
        if _matrix_like(numerator) or _matrix_like(denominator):
            return self.product([("", token, numerator), ("/", denominator_token, denominator)])
        if denominator == 0:
            self.fail("division by zero", denominator_token)
        return numerator / denominator

    def derivative_ahead(self) -> bool:
        texts = [t.text for t in self.tokens[self.at:self.at + 5]]
        over_d = texts[3:4] == ["{"] and texts[4:5] != [] and texts[4].startswith("d")
        return texts[:2] == ["{", r"\partial"] or (texts[:3] == ["{", "d", "}"] and over_d) or \
            (texts[:2] == ["{", "d"] and self.context.lookup("d") is None)

    def derivative(self, token: Token) -> sp.Expr:
        """``\\frac{\\partial}{\\partial\\theta} f`` or ``\\frac{\\partial f}{\\partial\\theta}``
        (also with ``d``): the derivative of f with respect to a declared symbol or entry."""
        self.expect("{")
        self.advance()  # \partial or d
        body = None if self.token.text == "}" else self.expression()
        self.expect("}")
        self.expect("{")
        if self.token.text not in (r"\partial", "d"):
            self.fail(r"the denominator of a derivative is \partial\theta (or d\theta)")
        self.advance()
        variable_token = self.token
        variable = self.power()
        self.expect("}")
        if not isinstance(variable, (sp.Symbol, sp.Indexed, sp.MatrixSymbol)):
            self.fail("differentiate with respect to a declared symbol, x_k, or a declared vector "
                      "or matrix", variable_token)
        if body is None:
            body = self.power() if self.token.text in _OPEN else self.term()
        if isinstance(variable, sp.MatrixSymbol) or _matrix_like(body):
            if isinstance(body, _Unsized):
                body.problem()
            try:
                return matrix_derivative(body, variable)
            except ExpressionError as exc:
                self.fail(_in_latex(exc.message), token)
        return sp.Derivative(body, variable)

    def expectation(self, token: Token) -> sp.Expr:
        """``\\mathbb{E}_{x \\sim \\mathcal{N}(\\mu, \\sigma^{2}), y}[body]``, as the printer writes
        it: each variable a declared random variable, its law (when written) exactly the
        declared one as the printer writes it, an unknown law's variable alone."""
        from ..documents.notation import law_latex  # the printer, reversed here
        self.expect("_", r": write \mathbb{E}_{x \sim p}[...]")
        self.expect("{", r": write \mathbb{E}_{x \sim p}[...]")
        over = []
        while True:
            where = self.token
            variable = self.atom()
            declaration = self.context.lookup(getattr(variable, "name", ""))
            if declaration is None or declaration.law is None or declaration.obj != variable:
                self.fail("under E goes a declared random variable, such as x: Normal(mu, sigma)",
                          where)
            written, depth = [], 0
            if self.token.text == r"\sim":
                self.advance()
                while depth > 0 or self.token.text not in (",", "}"):
                    if self.token.kind == "end":
                        self.fail("the subscript of E is not closed", where)
                    depth += (self.token.text in "({[") - (self.token.text in ")}]")
                    written.append(self.advance().text)
            expected = law_latex(declaration.law)
            if tuple(written) != (tuple(t.text for t in tokenize(expected)[:-1]) if expected else ()):
                self.fail(f"{declaration.name} is declared with the law {expected or 'random'}; "
                          "write that law under E", where)
            over.append(variable)
            if self.token.text != ",":
                break
            self.advance()
        self.expect("}")
        self.expect("[", r": the body of an expectation is in brackets, \mathbb{E}_{x}[...]")
        body = self.expression()
        self.expect("]")
        try:
            return expectation_over(self.context, body, over)
        except ExpressionError as exc:
            self.fail(exc.message, token)

    def big_operator(self, token: Token, kind) -> sp.Expr:
        """``\\sum_{i=1}^{n} body``: the body is the term that follows (up to + or -)."""
        self.expect("_", f": write {token.text}_{{i=1}}^{{n}}")
        self.expect("{", f": write {token.text}_{{i=1}}^{{n}}")
        index_token = self.token
        if index_token.kind != "word" or len(index_token.text) != 1 and \
                self.context.lookup(index_token.text) is None:
            self.fail("the index of a sum or product is one declared integer name", index_token)
        self.advance()
        declaration = self.context.lookup(index_token.text)
        if declaration is None or declaration.kind != "scalar" or not declaration.obj.is_integer:
            self.fail(f"the index {index_token.text!r} of a sum or product must be declared as an "
                      "integer", index_token)
        self.expect("=", ": the limits are written {i=1}^{n}")
        first = self.expression()
        self.expect("}")
        self.expect("^", f": {token.text} needs an upper limit, such as ^{{n}}")
        last = self.script()
        for bound in (first, last):
            if not bound.is_integer:
                self.fail("the limits of a sum or product must be integers", index_token)
        name = index_token.text
        outer = self.scope.get(name)
        bound_index = bound_index_for(name, outer)
        self.scope[name] = bound_index
        try:
            body = self.signed_term()
        finally:
            if outer is None:
                del self.scope[name]
            else:
                self.scope[name] = outer
        return kind(body, (bound_index, first, last))


@lru_cache(maxsize=4096)
def _printed_tokens(name: str, kind: str) -> tuple[tuple[str, ...], ...]:
    """The token texts of ``name`` as the printer writes it, and, if a subscript or superscript
    is one character, as people write it without braces (``p_X`` for ``p_{X}``)."""
    from ..documents.notation import name_latex  # the printer, reversed here
    texts = tuple(t.text for t in tokenize(name_latex(name, kind))[:-1])
    loose = list(texts)
    for at in range(len(loose) - 4, -1, -1):
        if loose[at] in ("_", "^") and loose[at + 1] == "{" and loose[at + 3] == "}" and \
                len(loose[at + 2]) == 1:
            loose[at:at + 4] = [loose[at], loose[at + 2]]
    return tuple(dict.fromkeys((texts, tuple(loose))))


def printed_forms(context: Context) -> list[tuple[tuple[str, ...], object, sp.Expr | None]]:
    """The declared names that the printer writes as more than one token (``p_X`` as ``p_{X}``),
    longest first, so that the reader takes them back whole; each with what its tokens read as
    otherwise (``x_{1}`` is also the entry x[1] of a sequence x), or None when nothing."""
    plain = sorted(((texts, declaration, None) for declaration in context.declarations
                    for texts in _printed_tokens(declaration.name, declaration.kind) if len(texts) > 1),
                   key=lambda form: -len(form[0]))
    forms = []
    for texts, declaration, _ in plain:
        others = [form for form in plain if form[1] is not declaration]
        otherwise = _read_otherwise(texts, context, others)
        # \hat{y} also reads as yhat without the table: the same name, not an ambiguity
        forms.append((texts, declaration, None if otherwise == declaration.obj else otherwise))
    return forms


def _read_otherwise(texts: tuple[str, ...], context: Context, others: list) -> sp.Expr | None:
    """What the tokens of a printed name read as without it (other names as printed), if anything."""
    reader = Reader(tokenize(" ".join(texts)), context, forms=others)
    try:
        value = reader.expression()
    except (ExpressionError, TypeError, ValueError, ArithmeticError, RecursionError):
        return None
    return value if reader.token.kind == "end" else None


def read_expression(text: str, context: Context, notation: Notation | None = None) -> sp.Expr:
    """The SymPy expression written in LaTeX in ``text``, using only declared names."""
    tokens = tokenize(text)
    return read_tokens(tokens, context, notation)


def read_equation(text: str, context: Context) -> sp.Expr:
    """An expression, or an equation ``lhs = rhs`` (between matrices of one size, 0 the zero
    matrix), written in LaTeX: a step of a derivation file written in LaTeX alone."""
    return read_tokens(tokenize(text), context, equation=True)


def read_tokens(tokens: list[Token], context: Context, notation: Notation | None = None,
                equation: bool = False) -> sp.Expr:
    """The expression of ``tokens`` (ending with an "end" token), all of them; with
    ``equation``, ``lhs = rhs`` is read as an equation."""
    reader = Reader(list(tokens), context, notation)
    try:
        value = reader.expression()
        if equation and reader.token.text == "=":
            equals = reader.advance()
            lhs, rhs = value, reader.expression()
            # I without its size on one side takes the other side's: Sigma = \sigma^2 I
            if isinstance(lhs, _Unsized) and is_matrix(rhs):
                lhs = reader.sized(lhs, equals, *rhs.shape)
            if isinstance(rhs, _Unsized) and is_matrix(lhs):
                rhs = reader.sized(rhs, equals, *lhs.shape)
            value = equation_between(lhs, rhs, equals.position)
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply", reader.token.position) from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        if isinstance(exc, ExpressionError):
            raise
        raise ExpressionError(f"not a valid expression: {exc}", reader.token.position) from None
    if reader.token.kind != "end":
        token = reader.token
        hint = " (a closing bracket without its opening one?)" if token.text in _CLOSE | {"}", ")"} else ""
        reader.fail(f"unexpected {token.text!r}{hint}")
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ExpressionError("the expression is not finite (a division by zero or log(0))",
                              tokens[0].position)
    return value
