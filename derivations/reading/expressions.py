"""A safe reader for expressions in derivation files.

Text from a file is never given to ``eval``, ``sympify`` or ``parse_expr``.  Python's ``ast``
parses it; a whitelist of node types, names and calls is then walked to build SymPy objects
directly.  Sizes are bounded before anything is built: text length, nesting depth, node count,
literal digits, exponents and the digits of a power of numbers.
"""

from __future__ import annotations

import ast
import difflib
import re
import warnings
from dataclasses import dataclass

import sympy as sp

from ..errors import InputProblem
from ..kernel import Context, sigmoid, softplus
from ..kernel.substitution import BoundIndex

MAX_LENGTH = 5_000
MAX_DEPTH = 60
MAX_NODES = 2_000
MAX_LITERAL_DIGITS = 40
MAX_EXPONENT = 1_000
MAX_NUMBER_DIGITS = 1_000
MAX_FACTORIAL = 1_000
MAX_ORDER = 10  # of a derivative
# A number of about 3,900 digits at most: Python writes no longer an integer in decimal (4,300),
# and printing, cache keys and documents all write numbers out.
MAX_NUMBER_BITS = 13_000

_FUNCTIONS = {
    "log": (1, 2), "exp": (1, 1), "sqrt": (1, 1), "Abs": (1, 1), "sign": (1, 1),
    "sigmoid": (1, 1), "softplus": (1, 1), "factorial": (1, 1), "KroneckerDelta": (2, 2),
    "Max": (2, 20), "Min": (2, 20), "Sum": (2, 2), "Product": (2, 2), "Derivative": (2, 2),
    "Piecewise": (1, 20),
}
_SIMPLE = {"exp": sp.exp, "sqrt": sp.sqrt, "Abs": sp.Abs, "sign": sp.sign, "sigmoid": sigmoid,
           "softplus": softplus, "KroneckerDelta": sp.KroneckerDelta, "Max": sp.Max, "Min": sp.Min}
_CONSTANTS = {"pi": sp.pi, "E": sp.E}
_COMPARISONS = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge, ast.Eq: sp.Eq,
                ast.NotEq: sp.Ne}
RESERVED_NAMES = frozenset(_FUNCTIONS) | frozenset(_CONSTANTS)
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


@dataclass
class ExpressionError(InputProblem):
    """What is wrong and where: ``column`` counts from 0 within the expression's text."""

    message: str
    column: int = 0

    def __str__(self) -> str:
        return self.message


class UndeclaredName(ExpressionError):
    """A name that is not declared (yet): a bound may name a symbol declared after it."""


def _nesting(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


# ``lambda`` is a Python keyword, so a symbol of that name (a Lagrange multiplier) is read as
# this stand-in, of the same length (columns stay right) and never a declarable name.
_KEYWORD_STANDINS = {"lambda": "lambd_"}
_KEYWORDS = re.compile(r"\b(" + "|".join(_KEYWORD_STANDINS) + r")\b")


def parse_equation(text: str, context: Context):
    """An expression, or an equation ``lhs == rhs`` (a SymPy ``Eq``, not evaluated)."""
    return parse_expression(text, context, equation=True)


def parse_expression(text: str, context: Context, equation: bool = False) -> sp.Expr:
    """The SymPy expression written in ``text``, using only names declared in ``context``;
    with ``equation``, ``lhs == rhs`` at the top is read as an equation."""
    if not isinstance(text, str):
        raise ExpressionError("an expression must be text")
    text = _KEYWORDS.sub(lambda m: _KEYWORD_STANDINS[m.group(1)], text)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    if _nesting(text) > MAX_DEPTH:
        raise ExpressionError(f"brackets are nested deeper than {MAX_DEPTH} levels")
    try:
        with warnings.catch_warnings():  # escape sequences in a string literal, refused below
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not an expression: {exc.msg}", max((exc.offset or 1) - 1, 0)) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the expression is too deeply nested or malformed") from None
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise ExpressionError(f"the expression has more than {MAX_NODES} parts")
    if _depth(tree) > MAX_DEPTH:
        raise ExpressionError(f"the expression is nested deeper than {MAX_DEPTH} levels")
    offset = len(text) - len(text.lstrip())
    body = tree.body
    sides = None
    if equation and isinstance(body, ast.Compare) and len(body.ops) == 1 \
            and isinstance(body.ops[0], ast.Eq):
        sides = (body.left, body.comparators[0])
    try:
        builder = _Builder(context, text.strip())
        if sides is not None:
            built = sp.Eq(*(builder.build(side) for side in sides), evaluate=False)
        else:
            built = builder.build(body)
    except ExpressionError as exc:
        exc.column += offset
        raise
    except (TypeError, ValueError, ArithmeticError, RecursionError) as exc:
        # SymPy refusing what it was asked to build: Max of a complex number, say.
        raise ExpressionError(f"not a valid expression: {exc}", offset) from None
    if built.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ExpressionError("the expression is not finite (a division by zero or log(0))", offset)
    return built


def _depth(tree) -> int:
    """The depth of the syntax tree, without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack += [(child, depth + 1) for child in ast.iter_child_nodes(node)]
    return deepest


def bound_index_for(name: str, outer: BoundIndex | None) -> BoundIndex:
    """The variable a sum or product binds: a ``BoundIndex``, never equal to a free symbol of
    its name, tagged one deeper than an enclosing index of the same name (which it shadows)."""
    return BoundIndex(name, 0 if outer is None else outer.tag + 1)


class _Builder:
    def __init__(self, context: Context, source: str):
        self.context = context
        self.source = source
        self.ranks: dict[str, int] = {}
        self.scope: dict[str, BoundIndex] = {}  # indices bound by the sums being read

    def fail(self, node, message):
        raise ExpressionError(message, getattr(node, "col_offset", 0))

    def build(self, node) -> sp.Expr:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            self.fail(node, f"{_describe(node)} is not allowed in an expression")
        built = method(node)
        if _too_long(built):
            self.fail(node, f"a number of more than {MAX_NUMBER_BITS} bits (about 3,900 digits)")
        return built

    # -- leaves ---------------------------------------------------------------------------------
    def _Constant(self, node):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(node, f"{_describe(node)} is not allowed in an expression")
        return self._number(node)

    def _number(self, node):
        if isinstance(node.value, int):
            if len(str(abs(node.value))) > MAX_LITERAL_DIGITS:
                self.fail(node, f"a number has more than {MAX_LITERAL_DIGITS} digits")
            return sp.Integer(node.value)
        # A decimal is read exactly as written: 0.731 is 731/1000, not a binary float.
        text = ast.get_source_segment(self.source, node) or repr(node.value)
        if len(text) > MAX_LITERAL_DIGITS or "e" in text.lower() or "inf" in text or "nan" in text:
            self.fail(node, "write decimals plainly, with at most "
                      f"{MAX_LITERAL_DIGITS} characters (no exponent)")
        return sp.Rational(text)

    def _Name(self, node):
        name = {v: k for k, v in _KEYWORD_STANDINS.items()}.get(node.id, node.id)
        if name in self.scope:
            return self.scope[name]
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        declaration = self.context.lookup(name)
        if declaration is None:
            self._unknown(node, name)
        if declaration.kind == "sequence":
            self.fail(node, f"{name!r} is a sequence: write it with an index, such as {name}[i]")
        if declaration.kind == "function":
            self.fail(node, f"{name!r} is a function: call it, such as {name}(x)")
        return declaration.obj

    def _unknown(self, node, name):
        known = [d.name for d in self.context.declarations] + list(_CONSTANTS) + list(_FUNCTIONS)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else "; declare it under 'symbols'"
        raise UndeclaredName(f"undeclared name {name!r}{hint}", getattr(node, "col_offset", 0))

    # -- operators ------------------------------------------------------------------------------
    def _BinOp(self, node):
        if type(node.op) not in _OPERATORS:
            self.fail(node, f"the operator {type(node.op).__name__} is not allowed")
        left, right = self.build(node.left), self.build(node.right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            if right == 0:
                self.fail(node, "division by zero")
            return left / right
        return self._power(node, left, right)

    def _power(self, node, base, exponent):
        problem = _power_size_problem(base, exponent)
        if exponent.is_number and not exponent.is_Number:
            problem = "an exponent must be a plain number or contain a symbol"
        if base == 0 and exponent.is_Number and exponent <= 0:
            problem = "0 to a non-positive power"
        if problem:
            self.fail(node, problem)
        return base**exponent

    def _UnaryOp(self, node):
        operand = self.build(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        self.fail(node, f"the operator {type(node.op).__name__} is not allowed")

    def _Subscript(self, node):
        if not isinstance(node.value, ast.Name):
            self.fail(node, "only a declared sequence can be indexed, such as x[i]")
        name = node.value.id
        declaration = self.context.lookup(name)
        if declaration is None:
            self._unknown(node.value, name)
        if declaration.kind != "sequence":
            self.fail(node, f"{name!r} is not declared as a sequence")
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if not parts:
            self.fail(node, f"{name}[()] has no index: write {name}[i]")
        indices = [self.build(p) for p in parts]
        rank = self.ranks.setdefault(name, len(indices))
        if rank != len(indices):
            self.fail(node, f"{name!r} is used with {rank} and with {len(indices)} indices")
        for part, index in zip(parts, indices):
            if not index.is_integer:
                self.fail(part, f"an index of {name!r} must be an integer")
        return declaration.obj[tuple(indices)]

    # -- calls ----------------------------------------------------------------------------------
    def _Call(self, node):
        if not isinstance(node.func, ast.Name):
            self.fail(node, "only named functions can be called, such as log(x)")
        if node.keywords:
            self.fail(node, "keyword arguments are not allowed")
        name = node.func.id
        if any(isinstance(a, ast.Starred) for a in node.args):
            self.fail(node, "starred arguments are not allowed")
        declaration = self.context.lookup(name)
        if declaration is not None and declaration.kind == "function":
            if len(node.args) != declaration.rank:
                self.fail(node, f"{name} takes {declaration.rank} argument(s), not {len(node.args)}")
            return declaration.obj(*[self.build(a) for a in node.args])
        if name not in _FUNCTIONS:
            self._unknown(node.func, name)
        low, high = _FUNCTIONS[name]
        if not low <= len(node.args) <= high:
            self.fail(node, f"{name} takes {low}{'' if low == high else f' to {high}'} argument(s)")
        if name in ("Sum", "Product"):
            return self._big_operator(node, sp.Sum if name == "Sum" else sp.Product)
        if name == "Piecewise":
            return self._piecewise(node)
        args = [self.build(a) for a in node.args[:1]] if name == "Derivative" else \
            [self.build(a) for a in node.args]
        if name == "log":
            if len(args) == 2 and (not args[1].is_positive or args[1] == 1):
                self.fail(node.args[1], "the base of a logarithm is a positive number other than 1")
            return sp.log(args[0]) if len(args) == 1 else sp.log(args[0]) / sp.log(args[1])
        if name == "factorial":
            if _factorial_problem(args[0]):
                self.fail(node, _factorial_problem(args[0]))
            return sp.factorial(args[0])
        if name == "Derivative":
            return self._derivative(node, args[0], node.args[1])
        return _SIMPLE[name](*args)

    def _derivative(self, node, function, how):
        """``Derivative(f, x)``, ``Derivative(f, (x, k))`` (the k-th, k a literal from 1 to
        MAX_ORDER) or ``Derivative(f, g)`` for an expression g of one symbol x (σ², log σ): by
        the chain rule, (df/dx)/g'(x), which has a value only where g'(x) is not 0."""
        order = 1
        if isinstance(how, ast.Tuple):
            if len(how.elts) != 2 or not (isinstance(how.elts[1], ast.Constant)
                                          and type(how.elts[1].value) is int
                                          and 1 <= how.elts[1].value <= MAX_ORDER):
                self.fail(how, f"a higher derivative is written (x, k), k from 1 to {MAX_ORDER}")
            how, order = how.elts[0], how.elts[1].value
        variable = self.build(how)
        if isinstance(variable, (sp.Symbol, sp.Indexed)):
            return sp.Derivative(function, (variable, order))
        symbols = [s for s in variable.free_symbols if not isinstance(s, BoundIndex)]
        if order != 1 or len(symbols) != 1 or variable.has(sp.Indexed, sp.Sum, sp.Product) \
                or not isinstance(variable, sp.Expr):
            self.fail(how, "differentiate with respect to a symbol, x[k], or an expression of "
                      "one symbol such as sigma**2 (first derivatives only)")
        inner = symbols[0]
        return sp.Derivative(function, inner) / sp.diff(variable, inner)

    def _big_operator(self, node, kind):
        limits = node.args[1]
        if not (isinstance(limits, ast.Tuple) and len(limits.elts) == 3):
            self.fail(limits, "limits are written (index, first, last), such as (i, 1, n)")
        index_node = limits.elts[0]
        index = self.build(index_node)
        if not (isinstance(index, sp.Symbol) and index.is_integer):
            self.fail(index_node, "the index of a sum or product must be a declared integer")
        first, last = self.build(limits.elts[1]), self.build(limits.elts[2])
        for bound, where in ((first, limits.elts[1]), (last, limits.elts[2])):
            if not bound.is_integer:
                self.fail(where, "the limits of a sum or product must be integers")
        # The bound index is an integer, whatever the declaration of its name says: the range,
        # not the declared domain, says which values it takes.  It is never the declared
        # symbol, and differs from the index of a sum around it with the same name.
        outer = self.scope.get(index.name)
        bound_index = bound_index_for(index.name, outer)
        self.scope[index.name] = bound_index
        try:
            body = self.build(node.args[0])
        finally:
            if outer is None:
                del self.scope[index.name]
            else:
                self.scope[index.name] = outer
        return kind(body, (bound_index, first, last))

    def _piecewise(self, node):
        pieces = []
        for piece in node.args:
            if not (isinstance(piece, ast.Tuple) and len(piece.elts) == 2):
                self.fail(piece, "Piecewise takes pairs (expression, condition)")
            pieces.append((self.build(piece.elts[0]), self._condition(piece.elts[1])))
        return sp.Piecewise(*pieces)

    def _condition(self, node):
        if isinstance(node, ast.Constant) and node.value is True:
            return sp.true
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARISONS:
            return _COMPARISONS[type(node.ops[0])](self.build(node.left), self.build(node.comparators[0]))
        self.fail(node, "a condition is one comparison such as x < 1, or True")


def _power_size_problem(base, exponent) -> str | None:
    """Why ``base**exponent`` is too large to build (SymPy would compute the number at once,
    in C, where no time limit reaches), or None."""
    if exponent.is_Number:
        if abs(exponent) > MAX_EXPONENT:
            return f"an exponent is larger than {MAX_EXPONENT}"
        if base.is_Number and base != 0 and abs(base) != 1:
            digits = abs(float(sp.log(abs(base), 10))) * float(abs(exponent))
            if digits > MAX_NUMBER_DIGITS:
                return f"a power of numbers with more than {MAX_NUMBER_DIGITS} digits"
    return None


def _factorial_problem(argument) -> str | None:
    if argument.is_number and (not argument.is_Integer or abs(argument) > MAX_FACTORIAL):
        return f"factorial of a number needs an integer up to {MAX_FACTORIAL}"
    return None


def _too_long(expr) -> bool:
    return expr.is_Rational and max(abs(expr.p), expr.q).bit_length() > MAX_NUMBER_BITS


def substitution_problem(expr: sp.Expr, lhs: sp.Expr, rhs: sp.Expr) -> str | None:
    """Why replacing ``lhs`` by ``rhs`` in ``expr`` (as a given does: ``y[k]`` stands for every
    entry of y) would build a number too large (``3**k`` with ``k = 10**40``), or None.  Found
    by rebuilding the expression node by node with the parser's bounds, before SymPy builds
    it: its eager arithmetic runs in C, where no time limit reaches."""
    pattern = isinstance(lhs, sp.Indexed) and all(isinstance(i, sp.Symbol) for i in lhs.indices)

    def rebuilt(e, replace, entries=pattern):
        """``entries``: whether entries of the given's sequence are replaced here (not inside
        a replacement: a given applies once, so x[k] = x[k - 1] + 1 does not recur)."""
        if e in replace:
            return replace[e]
        if not e.args or isinstance(e, sp.IndexedBase):
            return e
        if isinstance(e, (sp.Sum, sp.Product)):  # a sum's own index is not the given's
            bound = {index for index, *_ in e.limits}
            replace = {k: v for k, v in replace.items() if k not in bound}
        args = [rebuilt(a, replace, entries) for a in e.args]
        if entries and isinstance(e, sp.Indexed) and e.base == lhs.base \
                and len(e.indices) == len(lhs.indices):
            return rebuilt(rhs, dict(zip(lhs.indices, args[1:])), entries=False)
        if all(a is b for a, b in zip(args, e.args)):
            return e
        problem = (_power_size_problem(*args) if isinstance(e, sp.Pow) else
                   _factorial_problem(args[0]) if isinstance(e, sp.factorial) else None)
        if problem:
            raise ExpressionError(problem)
        built = e.func(*args)
        if _too_long(built):
            raise ExpressionError(f"a number of more than {MAX_NUMBER_BITS} bits")
        return built

    try:
        rebuilt(expr, {} if pattern else {lhs: rhs})
    except ExpressionError as exc:
        return exc.message
    except (TypeError, ValueError, ArithmeticError):
        return None  # nothing too large was built; the checker meets what SymPy refused
    return None


def _describe(node) -> str:
    names = {ast.Attribute: "attribute access", ast.Lambda: "a lambda",
             ast.ListComp: "a comprehension", ast.GeneratorExp: "a comprehension",
             ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
             ast.Dict: "a dict", ast.List: "a list", ast.Set: "a set", ast.IfExp: "a conditional",
             ast.NamedExpr: "an assignment", ast.Await: "await", ast.Compare: "a comparison",
             ast.BoolOp: "'and'/'or'", ast.Tuple: "a tuple", ast.Slice: "a slice",
             ast.JoinedStr: "an f-string", ast.Starred: "a starred argument"}
    if isinstance(node, ast.Constant):
        return f"the literal {node.value!r}"
    return names.get(type(node), type(node).__name__)
