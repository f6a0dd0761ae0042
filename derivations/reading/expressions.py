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
from sympy.core.parameters import evaluate
from sympy.matrices.expressions import ZeroMatrix

from ..errors import InputProblem
from ..kernel import Context, sigmoid, softplus
from ..kernel.context import MAX_MATRIX_SIZE
from ..kernel.definitions import Defined, DefinedName, ln as written_ln
from ..kernel.extrema import MaxOver, MinOver
from ..kernel.laws import Expectation
from ..kernel.matrices import (
    Diag, Entrywise, Gradient, Jacobian, Norm, as_scalar, entry, is_matrix, softmax,
)
from ..kernel.substitution import BoundIndex, BoundReal, bound_like

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
    "Piecewise": (1, 20), "Integral": (2, 2), "E": (1, 2), "Var": (1, 2),
    "norm": (1, 1), "trace": (1, 1), "det": (1, 1), "inverse": (1, 1),
    "Identity": (1, 1), "ones": (1, 1), "diag": (1, 1), "softmax": (1, 1),
    "ln": (1, 1), "Gamma": (1, 1), "gamma": (1, 1), "loggamma": (1, 1),
    "digamma": (1, 1), "binomial": (2, 2),
}
_MATRIX_FUNCTIONS = ("norm", "trace", "det", "inverse", "Identity", "ones", "diag", "softmax")
# Applied to a vector, entry by entry.
_ENTRYWISE = ("log", "exp", "sqrt", "Abs", "sigmoid", "softplus")
_SIMPLE = {"exp": sp.exp, "sqrt": sp.sqrt, "Abs": sp.Abs, "sign": sp.sign, "sigmoid": sigmoid,
           "softplus": softplus, "KroneckerDelta": sp.KroneckerDelta, "Max": sp.Max, "Min": sp.Min,
           "Gamma": sp.gamma, "gamma": sp.gamma, "loggamma": sp.loggamma,
           "digamma": sp.digamma, "binomial": sp.binomial}
_CONSTANTS = {"pi": sp.pi, "E": sp.E}
_COMPARISONS = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge, ast.Eq: sp.Eq,
                ast.NotEq: sp.Ne}
# gamma may still be declared as a symbol (a discount factor, a focusing parameter): then it is
# that symbol, and Gamma is the function.  oo is an end of an integral.
RESERVED_NAMES = (frozenset(_FUNCTIONS) - {"gamma"}) | frozenset(_CONSTANTS) | {"oo"}
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
              ast.MatMult: "@"}


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


def parse_equation(text: str, context: Context, definitions: dict | None = None,
                   display: bool = False):
    """An expression, or an equation ``lhs == rhs`` (a SymPy ``Eq``, not evaluated)."""
    return parse_expression(text, context, definitions, equation=True, display=display)


def parse_expression(text: str, context: Context, definitions: dict | None = None,
                     parameters: dict | None = None, equation: bool = False,
                     display: bool = False) -> sp.Expr:
    """The SymPy expression written in ``text``, using only names declared in ``context``, the
    ``definitions`` written before it (name: a ``Defined`` class or a ``DefinedName``) and, in
    a definition's body, its ``parameters`` (name: a fresh symbol or sequence); with
    ``equation``, ``lhs == rhs`` at the top is read as an equation.  With ``display``, sums,
    products, powers and square roots are left unevaluated, in the order written: the form
    documents print, never one to check."""
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
        raise ExpressionError(_syntax_problem(text.strip(), exc), max((exc.offset or 1) - 1, 0)) from None
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
        builder = _Builder(context, text.strip(), definitions, parameters, display)
        if sides is not None:
            built = equation_between(*(builder.build(side) for side in sides), sides[1].col_offset)
        else:
            built = builder.build(body)
    except ExpressionError as exc:
        exc.column += offset
        raise
    except (TypeError, ValueError, ArithmeticError, RecursionError) as exc:
        # SymPy refusing what it was asked to build: Max of a complex number, say.
        raise ExpressionError(f"not a valid expression: {exc}", offset) from None
    if _infinite_outside_limits(built):
        raise ExpressionError("the expression is not finite (a division by zero or log(0))", offset)
    return built


def equation_between(lhs, rhs, column: int) -> sp.Equality:
    """``lhs == rhs``, not evaluated; between matrices both sides of one size, where a side
    written 0 is the zero matrix of the other's size."""
    if is_matrix(lhs) or is_matrix(rhs):
        if rhs == 0 or lhs == 0:
            shape = (lhs if is_matrix(lhs) else rhs).shape
            lhs, rhs = (ZeroMatrix(*shape) if side == 0 else side for side in (lhs, rhs))
        if not (is_matrix(lhs) and is_matrix(rhs) and lhs.shape == rhs.shape):
            raise ExpressionError(f"dimension mismatch: the two sides of the equation are "
                                  f"{shape_text(lhs)} and {shape_text(rhs)}; an equation between "
                                  "vectors or matrices needs two sides of one size", column)
    return sp.Eq(lhs, rhs, evaluate=False)


def _infinite_outside_limits(expr) -> bool:
    """Whether ``expr`` has an infinity or an undefined number anywhere but at the ends of an
    integral (``Integral(f, (x, 0, oo))``)."""
    if isinstance(expr, sp.Integral):  # SymPy gathers nested integrals into one, limits and all
        return _infinite_outside_limits(expr.function) or any(
            end.has(sp.zoo, sp.nan) or (end not in (sp.oo, -sp.oo)
                                        and _infinite_outside_limits(end))
            for _, *ends in expr.limits for end in ends)
    if expr in (sp.zoo, sp.nan, sp.oo, -sp.oo):
        return True
    return any(_infinite_outside_limits(a) for a in expr.args)


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
    def __init__(self, context: Context, source: str, definitions=None, parameters=None,
                 display: bool = False):
        self.context = context
        self.display = display  # build +, -, *, /, ** and sqrt unevaluated, as written
        self.source = source
        self.definitions = definitions or {}
        self.parameters = parameters or {}
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
        if name in self.parameters:
            if isinstance(self.parameters[name], sp.IndexedBase):
                self.fail(node, f"{name!r} is a sequence: write it with an index, such as {name}[i]")
            return self.parameters[name]
        if name in self.definitions:
            defined = self.definitions[name]
            if isinstance(defined, DefinedName):
                return defined
            self.fail(node, f"{name!r} is a defined function: call it, such as "
                            f"{_call_form(defined)}")
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        declaration = self.context.lookup(name)
        if declaration is None:
            self._unknown(node, name)
        if declaration.kind == "sequence":
            self.fail(node, f"{name!r} is a sequence: write it with an index, such as {name}[i]")
        if declaration.kind == "function":
            self.fail(node, f"{name!r} is a function: call it, such as {name}(x)")
        return _scalar_if_one_by_one(declaration.obj)

    def _Attribute(self, node):
        """``M.T``, the transpose of a matrix: the only attribute an expression may use."""
        if node.attr != "T":
            self.fail(node, f"attribute access is not allowed (only M.T, a transpose), not .{node.attr}")
        try:
            return transpose(self.build(node.value))
        except ExpressionError as exc:
            self.fail(node, exc.message)

    def _unknown(self, node, name):
        if name == "e":
            raise UndeclaredName("undeclared name 'e': for Euler's number use E (or exp(x) for "
                                 "E**x)", getattr(node, "col_offset", 0))
        known = [d.name for d in self.context.declarations] + list(_CONSTANTS) + list(_FUNCTIONS)
        known += list(self.definitions)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else "; declare it under 'symbols'"
        raise UndeclaredName(f"undeclared name {name!r}{hint}", getattr(node, "col_offset", 0))

    # -- operators ------------------------------------------------------------------------------
    def _BinOp(self, node):
        if isinstance(node.op, ast.BitXor):
            self.fail(node, "'^' is not a power here: write ** for powers, such as x**2")
        if type(node.op) not in _OPERATORS:
            self.fail(node, f"the operator {type(node.op).__name__} is not allowed")
        left, right = self.build(node.left), self.build(node.right)
        if is_matrix(left) or is_matrix(right) or isinstance(node.op, ast.MatMult):
            return self._matrix_operation(node, left, right)
        if self.display:
            return self._as_written(node, left, right)
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

    def _as_written(self, node, left, right):
        """A scalar operation left unevaluated: ``a - b`` is ``Add(a, Mul(-1, b))``, ``a / b``
        is ``Mul(a, Pow(b, -1))``, each in the order written."""
        op = node.op
        if isinstance(op, ast.Add):
            return sp.Add(left, right, evaluate=False)
        if isinstance(op, ast.Sub):
            return sp.Add(left, _negated(right), evaluate=False)
        if isinstance(op, ast.Mult):
            return sp.Mul(left, right, evaluate=False)
        if isinstance(op, ast.Div):
            return sp.Mul(left, sp.Pow(right, -1, evaluate=False), evaluate=False)
        return sp.Pow(left, right, evaluate=False)

    def _matrix_operation(self, node, left, right):
        try:
            return matrix_operation(_OPERATORS[type(node.op)], left, right)
        except ExpressionError as exc:
            self.fail(node, exc.message)

    def _power(self, node, base, exponent):
        problem = _power_size_problem(base, exponent)
        if exponent.is_number and not exponent.is_Number and base.is_number:
            problem = "an exponent must be a plain number or contain a symbol"
        if base == 0 and exponent.is_Number and exponent <= 0:
            problem = "0 to a non-positive power"
        if problem:
            self.fail(node, problem)
        return base**exponent

    def _UnaryOp(self, node):
        operand = self.build(node.operand)
        if isinstance(node.op, ast.USub):
            if self.display and not is_matrix(operand):
                return _negated(operand)
            return -operand if not is_matrix(operand) else -1 * operand
        if isinstance(node.op, ast.UAdd):
            return operand
        self.fail(node, f"the operator {type(node.op).__name__} is not allowed")

    def _Subscript(self, node):
        if not isinstance(node.value, ast.Name):
            self.fail(node, "only a declared sequence can be indexed, such as x[i]")
        name = node.value.id
        parameter = self.parameters.get(name)
        if parameter is not None and not isinstance(parameter, sp.IndexedBase):
            self.fail(node, f"{name!r} is a parameter used without an index")
        declaration = self.context.lookup(name)
        if parameter is None and declaration is None:
            self._unknown(node.value, name)
        if parameter is None and declaration.kind != "sequence":
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
        return (parameter if parameter is not None else declaration.obj)[tuple(indices)]

    # -- calls ----------------------------------------------------------------------------------
    def _Call(self, node):
        if not isinstance(node.func, ast.Name):
            self.fail(node, "only named functions can be called, such as log(x)")
        if node.keywords:
            self.fail(node, "keyword arguments are not allowed")
        name = node.func.id
        if any(isinstance(a, ast.Starred) for a in node.args):
            self.fail(node, "starred arguments are not allowed")
        if name in self.definitions:
            return self._defined(node, self.definitions[name])
        declaration = self.context.lookup(name)
        if declaration is not None and declaration.kind == "function":
            if len(node.args) != declaration.rank:
                self.fail(node, f"{name} takes {declaration.rank} argument(s), not {len(node.args)}")
            return declaration.obj(*[self.build(a) for a in node.args])
        if declaration is not None and name == "gamma":
            self.fail(node, "gamma is declared as a symbol here: write Gamma(x) for the "
                            "gamma function")
        if name not in _FUNCTIONS:
            self._unknown(node.func, name)
        low, high = _FUNCTIONS[name]
        if not low <= len(node.args) <= high:
            self.fail(node, f"{name} takes {low}{'' if low == high else f' to {high}'} argument(s)")
        if name in ("Sum", "Product"):
            return self._big_operator(node, sp.Sum if name == "Sum" else sp.Product)
        if name in ("Max", "Min") and len(node.args) == 2 and isinstance(node.args[1], ast.Tuple) \
                and len(node.args[1].elts) == 3:
            return self._big_operator(node, MaxOver if name == "Max" else MinOver)
        if name == "Piecewise":
            return self._piecewise(node)
        if name == "Integral":
            return self._integral(node)
        if name in ("E", "Var"):
            body = self.build(node.args[0])
            over = self._random_variables(node.args[1]) if len(node.args) == 2 else None
            if name == "E":
                return self._expectation(node, body, over)
            mean = self._expectation(node, body, over)
            deviation = sp.Pow(sp.Add(body, _negated(mean), evaluate=False), 2, evaluate=False) \
                if self.display else (body - mean) ** 2
            return self._expectation(node, deviation, over)
        args = [self.build(a) for a in node.args[:1]] if name == "Derivative" else \
            [self.build(a) for a in node.args]
        if name in _MATRIX_FUNCTIONS:
            return self._matrix_function(node, name, args[0])
        if name in _ENTRYWISE and len(args) == 1 and is_matrix(args[0]):
            return self._entrywise(node, name, args[0])
        if name != "Derivative" and any(is_matrix(a) for a in args):
            self.fail(node, f"{name} of a matrix or vector is not defined here (log, exp, sqrt, "
                      "Abs, sigmoid and softplus apply to a vector entry by entry)")
        if name == "ln":
            return written_ln(args[0])
        if name == "log":
            if len(args) == 2 and (not args[1].is_positive or args[1] == 1):
                self.fail(node.args[1], "the base of a logarithm is a positive number other than 1")
            return sp.log(args[0]) if len(args) == 1 else sp.log(args[0]) / sp.log(args[1])
        if name in ("factorial", "Gamma", "gamma", "loggamma", "digamma", "binomial"):
            for argument in args:  # SymPy computes these of a number at once
                if _factorial_problem(argument):
                    self.fail(node, _factorial_problem(argument).replace("factorial", name))
        if name == "factorial":
            return sp.factorial(args[0])
        if name == "sqrt" and self.display:  # SymPy would split sqrt(2*pi) into sqrt(2)*sqrt(pi)
            return sp.Pow(args[0], sp.S.Half, evaluate=False)
        if name == "Derivative":
            return self._derivative(node, args[0], node.args[1])
        if name in ("Max", "Min") and all(a.is_number for a in args):
            # Closed numbers stay as written: SymPy would compare them with evalf.
            return _SIMPLE[name](*args, evaluate=False)
        return _SIMPLE[name](*args)

    def _entrywise(self, node, name, vector):
        try:
            return entrywise(name, vector)
        except ExpressionError as exc:
            self.fail(node, exc.message)

    def _matrix_function(self, node, name, argument):
        try:
            return matrix_function(self.context, name, argument)
        except ExpressionError as exc:
            self.fail(node, exc.message)

    def _defined(self, node, defined):
        """A use of a definition: as many arguments as parameters, a sequence's name for a
        sequence parameter and an expression for the others."""
        name = node.func.id
        if isinstance(defined, DefinedName):
            self.fail(node, f"{name!r} is a defined expression, not a function: write {name}")
        parameters = defined.definition.parameters
        if len(node.args) != len(parameters):
            self.fail(node, f"{name} takes {len(parameters)} argument(s), not {len(node.args)}: "
                            f"write {_call_form(defined)}")
        arguments = []
        for position, (parameter, argument) in enumerate(zip(parameters, node.args), start=1):
            if isinstance(parameter, sp.IndexedBase):
                arguments.append(self._sequence_argument(node, argument, position))
            else:
                built = self.build(argument)
                if isinstance(built, sp.IndexedBase):
                    self.fail(argument, f"argument {position} of {name} is a number, not a "
                                        f"sequence: write {_call_form(defined)}")
                if parameter.is_integer and not built.is_integer:
                    self.fail(argument, f"argument {position} of {name} is an integer (it "
                                        "bounds a sum): pass a declared integer")
                arguments.append(built)
        return defined(*arguments)

    def _sequence_argument(self, node, argument, position):
        name = node.func.id
        problem = (f"argument {position} of {name} is a sequence: pass the name of a declared "
                   f"sequence, such as {name}(p) with p: sequence")
        if not isinstance(argument, ast.Name):
            self.fail(argument, problem)
        parameter = self.parameters.get(argument.id)
        if isinstance(parameter, sp.IndexedBase):
            return parameter
        declaration = self.context.lookup(argument.id)
        if declaration is None:
            self._unknown(argument, argument.id)
        if declaration.kind != "sequence" or argument.id in self.parameters:
            self.fail(argument, problem)
        return declaration.obj

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
        if is_matrix(function) or isinstance(variable, sp.MatrixSymbol):
            if order != 1:
                self.fail(how, "a derivative with respect to a vector or matrix is a first one")
            return self._matrix_derivative(node, function, variable)
        if isinstance(variable, (sp.Symbol, sp.Indexed)):
            return sp.Derivative(function, (variable, order))
        symbols = [s for s in variable.free_symbols if not isinstance(s, BoundIndex)]
        if order != 1 or len(symbols) != 1 or variable.has(sp.Indexed, sp.Sum, sp.Product) \
                or not isinstance(variable, sp.Expr):
            self.fail(how, "differentiate with respect to a symbol, x[k], or an expression of "
                      "one symbol such as sigma**2 (first derivatives only)")
        inner = symbols[0]
        return sp.Derivative(function, inner) / sp.diff(variable, inner)

    def _matrix_derivative(self, node, function, variable):
        try:
            return matrix_derivative(function, variable)
        except ExpressionError as exc:
            self.fail(node, exc.message)

    def _big_operator(self, node, kind):
        limits = node.args[1]
        if not (isinstance(limits, ast.Tuple) and len(limits.elts) == 3):
            self.fail(limits, "limits are written (index, first, last), such as (i, 1, n)")
        index_node = limits.elts[0]
        if isinstance(index_node, ast.Name) and index_node.id not in self.scope \
                and self.context.lookup(index_node.id) is None \
                and index_node.id not in self.parameters:
            raise UndeclaredName(f"undeclared index {index_node.id!r}: declare "
                                 f"{index_node.id}: integer under 'symbols'",
                                 index_node.col_offset)
        index = self.build(index_node)
        if not (isinstance(index, sp.Symbol) and index.is_integer):
            self.fail(index_node, "the index of a sum, product, Max or Min must be a declared "
                                  "integer")
        first, last = self.build(limits.elts[1]), self.build(limits.elts[2])
        for bound, where in ((first, limits.elts[1]), (last, limits.elts[2])):
            if not bound.is_integer:
                self.fail(where, "the limits of a sum or product must be integers")
        # The bound index is an integer, whatever the declaration of its name says: the range,
        # not the declared domain, says which values it takes.  It is never the declared
        # symbol, and differs from the index of a sum around it with the same name.
        if kind in (MaxOver, MinOver) and first.is_Integer and last.is_Integer and last < first:
            self.fail(node, f"a {'maximum' if kind is MaxOver else 'minimum'} over the empty "
                            f"range {first}..{last} has no value: the last index must be at "
                            "least the first")
        bound_index = bound_index_for(index.name, self.scope.get(index.name))
        return kind(self._bound_in(node.args[0], bound_index), (bound_index, first, last))

    def _bound_in(self, body, bound):
        """``body`` built with the name of ``bound`` meaning it, the enclosing meaning of that
        name restored afterwards."""
        outer = self.scope.get(bound.name)
        self.scope[bound.name] = bound
        try:
            built = self.build(body)
            if is_matrix(built):
                self.fail(body, f"a sum, product, maximum or integral of a vector or matrix is not "
                          f"supported (its body is {shape_text(built)}): write it with a matrix "
                          "product, such as X.T @ c for the sum of c[i] times the rows x_i, or "
                          "take the scalar it is made of")
            return built
        finally:
            if outer is None:
                del self.scope[bound.name]
            else:
                self.scope[bound.name] = outer

    def _integral(self, node):
        limits = node.args[1]
        if not (isinstance(limits, ast.Tuple) and len(limits.elts) == 3):
            self.fail(limits, "limits are written (variable, from, to), such as (x, 0, oo)")
        variable_node = limits.elts[0]
        variable = self.build(variable_node)
        declaration = self.context.lookup(getattr(variable, "name", ""))
        if not (isinstance(variable, sp.Symbol) and variable.is_real and not variable.is_integer
                and declaration is not None and declaration.law is None):
            self.fail(variable_node, "the variable of an integral is a declared real symbol "
                      "(not an integer, not a random variable)")
        ends = [self._end(end) for end in limits.elts[1:]]
        # Bound, like a sum's index: never the declared symbol of its name.
        outer = self.scope.get(variable.name)
        bound = BoundReal(variable.name, 0 if outer is None else outer.tag + 1)
        body = self._bound_in(node.args[0], bound)
        if body.has(sp.Integral) or any(end.has(sp.Integral) for end in ends):
            self.fail(node, "an integral inside another integral is not supported yet: "
                      "integrate the inner one by hand and write the result")
        return sp.Integral(body, (bound, *ends))

    def _end(self, node):
        """An end of an integral: a real expression, or oo / -oo."""
        negative = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
        inner = node.operand if negative else node
        if isinstance(inner, ast.Name) and inner.id == "oo":
            return -sp.oo if negative else sp.oo
        end = self.build(node)
        if not end.is_extended_real:
            self.fail(node, "an end of an integral is a real expression, oo or -oo")
        return end

    def _random_variables(self, node) -> list:
        """The random variables named by E's second argument: x, or (x, y)."""
        parts = node.elts if isinstance(node, ast.Tuple) else [node]
        found = []
        for part in parts:
            declaration = self.context.lookup(getattr(part, "id", ""))
            if not isinstance(part, ast.Name) or declaration is None or declaration.law is None:
                self.fail(part, "E(expr, x) averages over x, a declared random variable, such "
                          "as x: Normal(mu, sigma)")
            found.append(declaration.obj)
        return found

    def _expectation(self, node, body, over=None):
        try:
            if self.display:  # binding the variables rebuilds the body: keep it as written
                with evaluate(False):
                    return expectation_over(self.context, body, over)
            return expectation_over(self.context, body, over)
        except ExpressionError as exc:
            self.fail(node, exc.message)

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


def _negated(expr):
    """``-expr`` as written: a number negated, anything else ``Mul(-1, expr)`` unevaluated
    (SymPy would distribute -1 over a sum and reorder a product)."""
    return -expr if expr.is_Number else sp.Mul(sp.S.NegativeOne, expr, evaluate=False)


def expectation_over(context: Context, body: sp.Expr, over=None) -> Expectation:
    """𝔼[body] over the random variables ``over`` or, by default, over every declared random
    variable it mentions (independent ones, in the order of their names), each bound: the
    declared symbol outside stays free.  The one way both readers build an expectation."""
    def law_of(symbol):
        declaration = context.lookup(symbol.name)
        return getattr(declaration, "law", None) if declaration is not None \
            and declaration.obj == symbol else None
    randoms = sorted(set(over) if over is not None else (
        s for s in body.free_symbols if isinstance(s, sp.Symbol)
        and not isinstance(s, BoundIndex) and law_of(s) is not None), key=lambda s: s.name)
    if not randoms:
        raise ExpressionError("E(...) averages over a random variable, and this has none: "
                              "declare one under 'symbols', such as x: Normal(mu, sigma)")
    if is_matrix(body):
        raise ExpressionError(f"the expectation of a vector or matrix is not supported (its "
                              f"body is {shape_text(body)}): take that of each scalar it is "
                              "made of")
    limits = []
    for symbol in randoms:
        tags = [b.tag for b in body.atoms(BoundIndex) if b.name == symbol.name]
        bound = bound_like(symbol, max(tags, default=-1) + 1)
        body = body.xreplace({symbol: bound})
        limits.append((bound, law_of(symbol)))
    return Expectation(body, *limits)


def matrix_operation(op: str, left, right):
    """``left op right`` (op one of + - * / @ **) where a side is a matrix: +, -, @, scalar
    times matrix, matrix over scalar, and A**k for a square A (A**-1 its inverse), each with its
    sizes checked, a 1 by 1 result the scalar it holds.  The one size check of both readers: a
    mismatch is an ``ExpressionError`` (column 0: the caller says where)."""
    shapes = f"{shape_text(left)} and {shape_text(right)}"
    if op in ("+", "-"):
        if not (is_matrix(left) and is_matrix(right) and left.shape == right.shape):
            raise ExpressionError(f"dimension mismatch: {op} needs two matrices of the same "
                                  f"size, not {shapes}")
        return _scalar_if_one_by_one(left + right if op == "+" else left - right)
    if op == "@":
        left, right = (_as_matrix(x) for x in (left, right))
        if not (is_matrix(left) and is_matrix(right)):
            raise ExpressionError(f"@ multiplies two matrices or vectors, not {shapes}; write a "
                                  "scalar times a matrix with *")
        if left.shape[1] != right.shape[0]:
            raise ExpressionError(
                f"dimension mismatch: {shape_text(left)} @ {shape_text(right)}: the columns of "
                f"the left ({left.shape[1]}) must equal the rows of the right ({right.shape[0]}); "
                "a transpose .T may be missing")
        return _scalar_if_one_by_one(left @ right)
    if op == "*":
        if is_matrix(left) and is_matrix(right):
            raise ExpressionError("write a matrix product with @ (A @ B); * multiplies by a scalar")
        return _scalar_if_one_by_one(left * right)
    if op == "/":
        if is_matrix(right):
            raise ExpressionError("division by a matrix: write inverse(A) or A**-1")
        if right == 0:
            raise ExpressionError("division by zero")
        return _scalar_if_one_by_one(left / right)
    if is_matrix(right):
        raise ExpressionError("a power with a matrix exponent is not defined here")
    if not (right.is_Integer and (right == -1 or 1 <= right <= MAX_EXPONENT)):
        raise ExpressionError("a matrix power is a positive whole number, or -1 for the inverse")
    return _scalar_if_one_by_one(_square(left, "a power") ** right)


def _square(matrix, what: str):
    if not is_matrix(matrix) or matrix.shape[0] != matrix.shape[1]:
        raise ExpressionError(f"{what} needs a square matrix, not {shape_text(matrix)}")
    return matrix


def transpose(matrix):
    """The transpose of a matrix or vector; a 1 by 1 product is its own."""
    if not is_matrix(matrix) and not _one_by_one(matrix):
        raise ExpressionError("only a matrix or a vector has a transpose .T")
    return matrix if not is_matrix(matrix) else _scalar_if_one_by_one(matrix.T)


def entrywise(name: str, vector):
    """f(v) for a vector v and f one of ``_ENTRYWISE``: the vector of f(v_i); f(g(v)) one
    entrywise vector."""
    if vector.shape[1] != 1:
        raise ExpressionError(f"{name} applies entry by entry to a vector, not {shape_text(vector)}")
    function = sp.log if name == "log" else _SIMPLE[name]
    if isinstance(vector, Entrywise):
        return Entrywise(function(vector.body), vector.rows, vector.vectors)
    return Entrywise(function(entry(0)), vector.shape[0], (vector,))


def matrix_function(context: Context, name: str, argument):
    """One of ``_MATRIX_FUNCTIONS`` applied, its argument's size checked (``Identity(d)`` and
    ``ones(d)``: d a whole number from 1 to MAX_MATRIX_SIZE or a declared positive integer)."""
    if name in ("Identity", "ones"):
        if not (argument.is_Integer and 1 <= argument <= MAX_MATRIX_SIZE) and \
                argument not in context.size_symbols():
            raise ExpressionError(f"{name}(d) needs a size: a whole number from 1 to "
                                  f"{MAX_MATRIX_SIZE} or a declared positive integer")
        if name == "ones":
            return _scalar_if_one_by_one(Entrywise(1, argument))
        return _scalar_if_one_by_one(sp.Identity(argument))
    argument = _as_matrix(argument)
    if name in ("diag", "softmax"):
        if not (is_matrix(argument) and argument.shape[1] == 1):
            raise ExpressionError(f"{name}(v) takes a vector, not {shape_text(argument)}")
        if name == "diag":
            return _scalar_if_one_by_one(Diag(argument))
        return softmax(argument)
    if name == "norm":  # of a matrix, the Frobenius norm sqrt(trace(A.T @ A)), as numpy's
        if not is_matrix(argument):
            raise ExpressionError(f"norm(v) takes a vector or matrix, not {shape_text(argument)}")
        return Norm(argument.T if argument.shape[0] == 1 and argument.shape[1] != 1 else argument)
    matrix = _square(argument, name)
    if name == "inverse":
        return _scalar_if_one_by_one(sp.Inverse(matrix))
    return sp.Trace(matrix) if name == "trace" else sp.Determinant(matrix)


def matrix_derivative(function, variable):
    """The gradient of a scalar by a declared vector or matrix, or the Jacobian of a vector by a
    declared vector."""
    if is_matrix(function):
        if not (function.shape[1] == 1 and isinstance(variable, sp.MatrixSymbol)
                and variable.shape[1] == 1):
            raise ExpressionError("the Jacobian Derivative(v, z) takes a vector v and a "
                                  "declared vector z")
        return Jacobian(function, variable)
    return Gradient(function, variable)


def _one_by_one(expr) -> bool:
    return isinstance(expr, sp.Trace) and expr.arg.shape == (1, 1)


def _scalar_if_one_by_one(matrix):
    """A 1 by 1 matrix (xᵀy) is the scalar it holds, so it adds to and multiplies scalars."""
    return as_scalar(matrix) if is_matrix(matrix) and matrix.shape == (1, 1) else matrix


def _as_matrix(expr):
    """A scalar made of a 1 by 1 matrix back as that matrix (for @ and .T)."""
    return expr.arg if _one_by_one(expr) else expr


def shape_text(expr) -> str:
    if is_matrix(expr):
        rows, columns = expr.shape
        return f"a vector of size {rows}" if columns == 1 else \
            f"a matrix of size {rows} by {columns}"
    return "a scalar"


def _call_form(defined) -> str:
    """How a defined function is called, such as ``H(p)``."""
    names = [(p.label if isinstance(p, sp.IndexedBase) else p).name
             for p in defined.definition.parameters]
    return f"{defined.definition.name}({', '.join(names)})"


def _syntax_problem(text: str, exc: SyntaxError) -> str:
    """What a syntax error means in the notation of a formula, not of Python: two terms side
    by side (``n p``) are a product to write with ``*``."""
    import re

    for found in re.finditer(r"([A-Za-z0-9_.]+|\))\s+([A-Za-z_(][A-Za-z0-9_]*)", text):
        before, after = found.group(1), found.group(2)
        if after.split("(")[0] in ("for", "if", "else", "in", "and", "or", "not", "is"):
            continue
        return (f"two terms side by side ('{found.group(0)}'): write the product with *, "
                f"such as {before}*{after}")
    return f"not an expression: {exc.msg}"


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
        if isinstance(e, (sp.Sum, sp.Product, sp.Integral, Expectation)):  # its own variable
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
