"""Reading derivation files (``NAME.deriv.yaml``): the contract of the spec, with a line and a
column for every error, and bounds on everything a hostile file could inflate."""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import sympy as sp
import yaml

from ..model import DerivationError, check_shape
from ..kernel.definitions import Definition, DefinedName, defined_function
from ..kernel import (
    is_equation, NEGATIVE, NONNEGATIVE, POSITIVE, REAL, Context, ContextError, Domain, Given, Optimization,
    Relation, RuleError, Sense,
)
from ..kernel.bounds import BoundsOracle
from ..kernel.laws import LAWS, Arbitrary, Law, parameter_conditions
from ..kernel.matrices import has_matrices, is_matrix
from ..model import Derivation, Step
from .expressions import (
    RESERVED_NAMES, ExpressionError, UndeclaredName, parse_equation, parse_expression, shape_text,
    substitution_problem,
)
from .sources import MAX_FILE_BYTES, STDIN_NAME, SUFFIX, InputError, read_bytes

MAX_YAML_NODES = 20_000
MAX_STEPS = 500

TOP_KEYS = ("title", "id", "summary", "symbols", "given", "define", "optimize", "start", "steps",
            "chains")
CHAIN_KEYS = ("id", "title", "summary", "optimize", "start", "steps")
STEP_KEYS = ("expr", "relation", "by", "using", "sense", "latex", "solve for")
RELATIONS = {"=": Relation.EQ, "<=": Relation.LE, "<": Relation.LT, ">=": Relation.GE,
             ">": Relation.GT, "approx": Relation.APPROX, "same optimizers": Relation.SAME_OPTIMIZERS,
             "iff": Relation.IFF, "<=>": Relation.IFF, "⇔": Relation.IFF,
             "implies": Relation.IMPLIES, "=>": Relation.IMPLIES, "⇒": Relation.IMPLIES,
             "implied by": Relation.IMPLIED_BY, "⇐": Relation.IMPLIED_BY,
             "optimized where": Relation.OPTIMIZED_WHERE,
             "optimizers satisfy": Relation.OPTIMIZERS_SATISFY}
MAX_CONJUNCTION = 50  # equations in one item
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass
class _Value:
    """A YAML value with where it starts."""

    value: object
    line: int
    column: int


class _Reader:
    def __init__(self, path: str):
        self.path = path
        self.nodes = 0
        self.defined: dict = {}  # name -> a Defined class or a DefinedName, in file order
        self.chain_ids: set[str] = set()
        self.given_displays: dict = {}  # name -> (lhs, rhs) as written, for documents

    def fail(self, message, at: _Value | None = None, column_offset: int = 0):
        if at is None:
            raise InputError(self.path, message)
        raise InputError(self.path, message, at.line, at.column + column_offset)

    # -- YAML with positions ------------------------------------------------------------------
    def load(self, data: bytes) -> _Value:
        if len(data) > MAX_FILE_BYTES:
            self.fail(f"the file is larger than {MAX_FILE_BYTES} bytes")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            raise InputError(self.path, "the file is not UTF-8 text", line, column) from None
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except RecursionError:
            raise InputError(self.path, "bad YAML: nested too deeply") from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "malformed YAML"
            line_text = text.splitlines()[mark.line] if mark and mark.line < len(
                text.splitlines()) else ""
            if problem.startswith("mapping values are not allowed") and \
                    re.match(r"\s*(title|summary|by)\s*:", line_text):
                problem += (f" (a colon inside the {line_text.split(':')[0].strip()}): quote "
                            "the text, such as title: \"MLE: the mean\"")
            raise InputError(self.path, f"bad YAML: {problem}",
                             mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
        except yaml.YAMLError as exc:
            raise InputError(self.path, f"bad YAML: {exc}") from None
        if node is None:
            self.fail("the file is empty")
        return self.convert(node)

    def convert(self, node) -> _Value:
        """Plain values with positions; aliases are expanded but the total size is bounded."""
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            raise InputError(self.path, f"the document has more than {MAX_YAML_NODES} values "
                             "(aliases included)", node.start_mark.line + 1, node.start_mark.column + 1)
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if isinstance(node, yaml.MappingNode):
            mapping = {}
            for key, value in node.value:
                key_value = self.convert(key)
                if not isinstance(key_value.value, str):
                    self.fail("keys must be text", key_value)
                if key_value.value in mapping:
                    self.fail(f"{key_value.value!r} is given twice", key_value)
                mapping[key_value.value] = (key_value, self.convert(value))
            return _Value(mapping, line, column)
        if isinstance(node, yaml.SequenceNode):
            return _Value([self.convert(v) for v in node.value], line, column)
        if node.tag.endswith(":str"):
            return _Value(node.value, line, column)
        return _Value(_scalar(node), line, column)

    # -- the document -------------------------------------------------------------------------
    def text(self, value: _Value, what: str) -> str:
        if not isinstance(value.value, str):
            self.fail(f"{what} must be text", value)
        return value.value

    def mapping(self, value: _Value, what: str, known: tuple[str, ...]) -> dict:
        if not isinstance(value.value, dict):
            self.fail(f"{what} must be a mapping (key: value)", value)
        for key, (key_value, _) in value.value.items():
            if key == "latex_expr":
                self.fail("unknown key 'latex_expr': write a step's expression in LaTeX as "
                          "'latex' alone, without 'expr'", key_value)
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
                self.fail(f"unknown key {key!r} in {what}{hint}", key_value)
        return {key: item for key, (_, item) in value.value.items()}

    def expression(self, value: _Value, context: Context, what: str, latex: bool = False):
        """The expression written in ``value``: in the file syntax, or in LaTeX for a step
        written in LaTeX alone (``latex:`` without ``expr:``)."""
        if not latex and isinstance(value.value, list):
            return self.conjunction(value, context, what)
        source = self.text(value, what)
        try:
            if latex:
                from .latex import read_equation
                return read_equation(source, context)
            return parse_equation(source, context, self.defined)
        except ExpressionError as exc:
            self.fail(f"{what}: {exc}", value, exc.column)

    def display(self, value: _Value, context: Context):
        """The expression of ``value`` as the author wrote it (``parse_equation`` with
        ``display``), for documents only; read after the checked form, so every problem with
        the text is already reported; None for a list of equations, or where SymPy refuses the
        unevaluated form."""
        if not isinstance(value.value, str):
            return None
        try:
            return parse_equation(value.value, context, self.defined, display=True)
        except (ExpressionError, TypeError, ValueError, ArithmeticError, RecursionError):
            return None

    def conjunction(self, value: _Value, context: Context, what: str):
        """A YAML list of equations: all of them hold (a system, such as stationarity with a
        Lagrange multiplier and the constraint)."""
        if not value.value or len(value.value) > MAX_CONJUNCTION:
            self.fail(f"{what}: a list of 1 to {MAX_CONJUNCTION} equations", value)
        found = []
        for item in value.value:
            equation = self.expression(item, context, what)
            if not isinstance(equation, sp.Equality):
                self.fail(f"{what}: each item of a list is an equation lhs == rhs", item)
            found.append(equation)
        return sp.And(*found) if len(found) > 1 else found[0]

    def document(self, root: _Value, default_id: str) -> list[Derivation]:
        """Every chain of the file, in order: the top-level chain, or each of ``chains:``."""
        top = self.mapping(root, "the file", TOP_KEYS)
        if "chains" in top:
            for alone in ("start", "steps", "optimize"):
                if alone in top:
                    self.fail(f"{alone!r} belongs inside each chain when the file has 'chains'",
                              top[alone])
            required = ("title",)
        else:
            required = ("title", "start", "steps")
        for key in required:
            if key not in top:
                self.fail(f"missing {key!r}: a derivation needs a title, a start and steps", root)
        context = Context()
        self.defined, self.chain_ids = {}, set()
        if "symbols" in top:
            self.symbols(top["symbols"], context)
        if "define" in top:
            self.definitions(top["define"], context)
        givens = self.givens(top["given"], context) if "given" in top else {}
        identifier = self.text(top["id"], "id") if "id" in top else default_id
        if not ID_PATTERN.match(identifier):
            self.fail("an id is letters, digits, '-', '_' or '.', at most 100", top.get("id", root))
        title = self.prose(top["title"], "title")
        summary = self.prose(top["summary"], "summary") if "summary" in top else ""
        if "chains" not in top:
            found = [self.chain(top, root, context, givens, {}, identifier, title, summary)]
            _count_indices(context, found)
            return found
        items = top["chains"].value
        if not isinstance(items, list) or not items:
            self.fail("'chains' must be a non-empty list of chains, each with an id, a start "
                      "and steps", top["chains"])
        chains: dict[str, Derivation] = {}
        self.chain_ids = {item.value["id"][1].value for item in items
                          if isinstance(item.value, dict) and "id" in item.value}
        for item in items:
            spec = self.mapping(item, "a chain", CHAIN_KEYS)
            for key in ("id", "start", "steps"):
                if key not in spec:
                    self.fail(f"a chain needs {key!r} (an id, a start and steps)", item)
            name = self.text(spec["id"], "a chain's id")
            if not ID_PATTERN.match(name):
                self.fail("an id is letters, digits, '-', '_' or '.', at most 100", spec["id"])
            if name in chains or name in givens:
                self.fail(f"{name!r} names another chain or a given: give each chain its own id",
                          spec["id"])
            chain_title = self.prose(spec["title"], "title") if "title" in spec else \
                f"{title}: {name}"
            chains[name] = self.chain(spec, item, context, givens, chains,
                                      f"{identifier}.{name}", chain_title, summary, name)
        _count_indices(context, list(chains.values()))
        return list(chains.values())

    def chain(self, spec: dict, where: _Value, context, givens, earlier: dict, identifier,
              title, summary, name: str = "") -> Derivation:
        """One chain; its steps may cite the givens and, as lemmas, the earlier chains."""
        optimization = self.optimization(spec["optimize"], context) if "optimize" in spec else None
        lemmas = {key: chain for key, chain in earlier.items()}
        start = self.expression(spec["start"], context, "start")
        steps = self.steps(spec["steps"], context, givens, optimization, start, lemmas)
        cited = {n for step in steps for n in step.using if n in lemmas}
        derivation = Derivation(
            id=identifier, title=title, context=context, start=start, steps=steps,
            summary=summary, optimization=optimization,
            givens={**givens, **{n: _conclusion(lemmas[n]) for n in sorted(cited)}},
            path=self.path, lemmas={n: lemmas[n] for n in sorted(cited)}, chain=name,
            definitions=tuple(d.definition for d in self.defined.values()),
            start_display=self.display(spec["start"], context),
            givens_display={n: self.given_displays[n] for n in givens if n in self.given_displays})
        try:
            check_shape(derivation)
        except DerivationError as exc:
            item = spec["steps"].value[exc.step - 1]
            self.fail(str(exc), item.value.get("relation", (None, item))[1])
        return derivation

    def definitions(self, value: _Value, context: Context) -> None:
        """``define:``, in order: ``name: body`` or ``name(p, q): body``.  A body uses declared
        names, its parameters and the definitions above it (so none is recursive)."""
        if not isinstance(value.value, dict):
            self.fail("'define' must be a mapping such as 'H(p): -Sum(p[k]*log(p[k]), (k, 1, K))'",
                      value)
        names = [re.match(r"\s*([A-Za-z][A-Za-z0-9]*)", key) for key in value.value]
        all_names = {found.group(1) for found in names if found}
        for key, (key_value, body_value) in value.value.items():
            head = re.fullmatch(r"\s*([A-Za-z][A-Za-z0-9]*)\s*(?:\((.*)\))?\s*", key)
            if head is None:
                self.fail(f"{key!r}: a definition is named like 'xbar' or 'H(p)' or 'KL(p, q)'",
                          key_value)
            name, listed = head.group(1), head.group(2)
            if name in RESERVED_NAMES or name == "ln" or context.lookup(name) is not None \
                    or name in self.defined:
                self.fail(f"{name!r} is already a declared or built-in name: give the "
                          "definition another name", key_value)
            parameters = [] if listed is None else [p.strip() for p in listed.split(",")]
            if listed is not None and (not all(re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", p)
                                               for p in parameters)
                                       or len(set(parameters)) != len(parameters)):
                self.fail(f"{key!r}: the parameters are distinct names, such as H(p) or "
                          "KL(p, q)", key_value)
            for parameter in parameters:
                if parameter in RESERVED_NAMES or parameter in self.defined or parameter == name:
                    self.fail(f"{key!r}: the parameter {parameter!r} is a built-in or defined "
                              "name; call it otherwise", key_value)
            body = self.text(body_value, f"the definition of {name!r}")
            used = _names_in(body)
            if name in used:
                self.fail(f"{name!r} is used in its own definition: a definition cannot refer "
                          "to itself (write the expression out, or use a sum)", body_value)
            later = sorted((used & all_names) - set(self.defined) - set(parameters))
            if later:
                self.fail(f"the definition of {name!r} uses {later[0]!r}, defined after it: "
                          f"define {later[0]!r} first (definitions cannot refer to each other "
                          "in a circle)", body_value)
            limits = _limit_names(body)
            passed = _passed_as_sequences(body, self.defined)
            fresh = {p: (sp.IndexedBase(sp.Dummy(p), real=True)
                         if _indexed(body, p) or p in passed
                         else sp.Dummy(p, integer=True) if p in limits
                         else sp.Dummy(p, real=True)) for p in parameters}
            try:
                expr = parse_expression(body, context, self.defined, fresh)
            except ExpressionError as exc:
                self.fail(f"the definition of {name!r}: {exc}", body_value, exc.column)
            definition = Definition(name, tuple(fresh[p] for p in parameters), expr)
            self.defined[name] = defined_function(definition) if listed is not None \
                else DefinedName(definition)

    def symbols(self, value: _Value, context: Context) -> None:
        """Declare in order; a declaration whose bound names a later symbol waits for it."""
        pending = list(self.mapping(value, "symbols", tuple(_names(value))).items())
        while pending:
            waiting = []
            for name, spec in pending:
                if not re.match(r"^[A-Za-z][A-Za-z0-9]*$", name):
                    self.fail(f"{name!r}: a name is a letter followed by letters or digits", spec)
                if name in RESERVED_NAMES:
                    self.fail(f"{name!r} is a built-in name and cannot be declared", spec)
                try:
                    _declare(context, name, self.text(spec, f"the assumptions of {name!r}"))
                except _Later:
                    waiting.append((name, spec))
                except (ValueError, TypeError, ContextError, ExpressionError) as exc:
                    self.fail(f"{name}: {exc}", spec)
            if len(waiting) == len(pending):
                name, spec = waiting[0]
                self.fail(f"{name}: its bounds name an undeclared symbol", spec)
            pending = waiting

    def givens(self, value: _Value, context: Context) -> dict[str, Given]:
        givens = {}
        for name, item in self.mapping(value, "given", tuple(_names(value))).items():
            text = self.text(item, f"given {name!r}")
            sides = re.split(r"(?<![<>=!])=(?!=)", text)
            if len(sides) != 2:
                self.fail(f"given {name!r} must be one equation 'LHS = RHS'", item)
            lhs = self._side(sides[0], item, context, f"given {name!r}", 0)
            rhs = self._side(sides[1], item, context, f"given {name!r}", len(sides[0]) + 1)
            problem = _matrix_given_problem(lhs, rhs)
            if problem:
                self.fail(f"given {name!r}: a given about a vector or matrix names it on the "
                          f"left and says what it is on the right, of the same size, such "
                          f"as 'Sigma = sigma**2 * Identity(d)'; here {problem}", item)
            givens[name] = Given(name, lhs, rhs)
            written = [self._written_side(side, context) for side in sides]
            if None not in written:
                self.given_displays[name] = tuple(written)
        return givens

    @staticmethod
    def _written_side(text, context):
        """A given's side as written, for documents (see ``display``); None if refused."""
        try:
            return parse_expression(text, context, display=True)
        except (ExpressionError, TypeError, ValueError, ArithmeticError, RecursionError):
            return None

    def _side(self, text, item, context, what, offset):
        try:
            return parse_expression(text, context)
        except ExpressionError as exc:
            self.fail(f"{what}: {exc}", item, offset + exc.column)

    def optimization(self, value: _Value, context: Context) -> Optimization:
        spec = self.mapping(value, "optimize", ("over", "sense"))
        if "over" not in spec or "sense" not in spec:
            self.fail("optimize needs 'over' (a list of names) and 'sense' (maximize or minimize)", value)
        over_items = spec["over"].value if isinstance(spec["over"].value, list) else [spec["over"]]
        over = []
        for item in over_items:
            name = self.text(item, "a name in 'over'")
            declaration = context.lookup(name)
            if declaration is None or declaration.kind == "function" or (
                    declaration.kind == "matrix" and declaration.structure):
                self.fail(f"optimize over {name!r}: not a declared symbol, sequence, vector or "
                          "matrix (one with a structure, such as symmetric, is not optimised "
                          "over: its entries are not free)", item)
            over.append(declaration.obj)
        return Optimization(tuple(over), self.sense(spec["sense"]))

    def sense(self, value: _Value) -> Sense:
        text = self.text(value, "sense")
        try:
            return Sense(text.strip())
        except ValueError:
            self.fail(f"sense is 'maximize' or 'minimize', not {text!r}", value)

    def steps(self, value: _Value, context, givens, optimization, start,
              lemmas: dict | None = None) -> tuple[Step, ...]:
        if not isinstance(value.value, list) or not value.value:
            self.fail("'steps' must be a non-empty list of steps", value)
        if len(value.value) > MAX_STEPS:
            self.fail(f"more than {MAX_STEPS} steps", value)
        steps = []
        for number, item in enumerate(value.value, start=1):
            spec = self.mapping(item, f"step {number}", STEP_KEYS)
            if "expr" not in spec and "latex" not in spec:
                self.fail(f"step {number} has no 'expr' (or 'latex')", item)
            relation = Relation.EQ
            if "relation" in spec:
                word = " ".join(self.text(spec["relation"], "relation").split())
                if word not in RELATIONS:
                    close = difflib.get_close_matches(word, RELATIONS, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else \
                        f"; one of: {', '.join(RELATIONS)}"
                    self.fail(f"unknown relation {word!r}{hint}", spec["relation"])
                relation = RELATIONS[word]
            if relation is Relation.SAME_OPTIMIZERS and optimization is None:
                self.fail("'same optimizers' needs 'optimize: {over: [...], sense: ...}' at the top",
                          spec["relation"])
            using, items = (), []
            if "using" in spec:
                items = spec["using"].value if isinstance(spec["using"].value, list) else [spec["using"]]
                using = tuple(self.text(u, "using") for u in items)
                for name, where in zip(using, items):
                    if name in (lemmas or {}):
                        if lemmas[name].relation_established() is not Relation.EQ:
                            self.fail(f"chain {name!r} establishes "
                                      f"{lemmas[name].relation_established().value!r}: only a "
                                      "chain of equalities can be cited with 'using'", where)
                    elif name in self.chain_ids and name not in givens:
                        self.fail(f"chain {name!r} is not before this step's chain: a chain "
                                  "cites only chains above it (no circles)", where)
                    elif name not in givens:
                        self.fail(f"no given called {name!r}", where)
            written = spec["expr"] if "expr" in spec else spec["latex"]
            expr_source = "" if isinstance(written.value, list) else self.text(written, "expr")
            expr = self.expression(spec["expr"], context, f"step {number}") if "expr" in spec \
                else self.expression(spec["latex"], context, f"step {number}", latex=True)
            before = steps[-1].expr if steps else start
            if relation is Relation.LE and is_equation(before) and is_equation(expr):
                relation = Relation.IMPLIED_BY  # '<=' between equations is the arrow
            self.shapes(number, before, expr, relation, written)
            cited = [givens[name] if name in givens else _conclusion(lemmas[name])
                     for name in using]
            solve_for = self.solve_for(spec["solve for"], context) if "solve for" in spec else ()
            for side in (before, expr):
                self.substitutions(side, cited, items)
            steps.append(Step(
                expr=expr,
                relation=relation,
                by=self.prose(spec["by"], "by") if "by" in spec else "",
                sense=self.sense(spec["sense"]) if "sense" in spec else None,
                using=using,
                latex=self.latex(spec["latex"]) if "latex" in spec else None,
                display=self.display(spec["expr"], context) if "expr" in spec else None,
                line=item.line,
                decimals=_decimals(expr_source) if relation is Relation.APPROX else None,
                solve_for=solve_for,
            ))
            if relation is Relation.APPROX and steps[-1].decimals is None:
                self.fail("an 'approx' step's expr is the number it rounds to, such as 0.7219",
                          spec["expr"])
        return tuple(steps)

    def shapes(self, number: int, before, expr, relation: Relation, where: _Value) -> None:
        """A step has the size of the expression before it (a scalar, or a matrix of the same
        rows and columns), and between matrices the relation is '='."""
        if _shape(before) != _shape(expr):
            self.fail(f"dimension mismatch: step {number} is {shape_text(expr)}, but the "
                      f"expression before it is {shape_text(before)}; a step must keep its size "
                      "(a transpose .T may be missing or extra)", where)
        if _shape(expr) is not None and relation is not Relation.EQ:
            self.fail(f"step {number}: matrices and vectors are related by '=' only", where)

    def solve_for(self, value: _Value, context: Context) -> tuple:
        items = value.value if isinstance(value.value, list) else [value]
        found = []
        for item in items:
            name = self.text(item, "a name in 'solve for'")
            declaration = context.lookup(name)
            if declaration is None or declaration.kind != "scalar":
                self.fail(f"solve for {name!r}: not a declared symbol", item)
            found.append(declaration.obj)
        return tuple(found)

    def substitutions(self, expr, cited: list[Given], where: list[_Value]) -> None:
        """Applying the cited givens in turn must not build a number too large to write:
        refused here, before the checker builds it (SymPy computes ``3**k`` with ``k =
        10**40`` at once, beyond any time limit)."""
        for given, item in zip(cited, where):
            problem = substitution_problem(expr, given.lhs, given.rhs)
            if problem:
                self.fail(f"using given {given.name!r} here: {problem}", item)
            try:
                expr = given.apply(expr)
            except RuleError as exc:  # a given fixing what a derivative here is taken in
                self.fail(f"using given {given.name!r} here: {exc}", item)

    def latex(self, value: _Value) -> str:
        """A step's display, copied into documents as written (``latex_problem``)."""
        text = self.text(value, "latex")
        problem = latex_problem(text)
        if problem:
            self.fail(f"latex: {problem}", value)
        return text

    def prose(self, value: _Value, what: str) -> str:
        """Prose (a title, a summary, a reason) whose ``$...$`` is math, copied into documents
        as written: each formula is held to what a ``latex`` display may hold."""
        text = self.text(value, what)
        for formula in math_in_prose(text):
            problem = latex_problem(formula)
            if problem:
                self.fail(f"{what}: in ${formula}$: {problem}", value)
        return text


# $...$ as Pandoc reads it: not \$ or $$; no space inside either dollar; no digit after the
# closing one ("$5 and $6" is money)
MATH_IN_PROSE = re.compile(r"(?<![\\$])\$(?=[^\s$])((?:\\.|[^$\\])+?)(?<=\S)\$(?![$\d])")


def math_in_prose(text: str) -> list[str]:
    """The formulas written as ``$...$`` in prose (``\\$`` is a dollar sign)."""
    return [found.group(1) for found in MATH_IN_PROSE.finditer(text)]


def latex_problem(text: str) -> str | None:
    """Why the author's LaTeX ``text`` may not be copied into a document, or None: its braces
    must balance, and it may use none of the TeX primitives that read or write files, run
    programs, loop, write PDF objects (a link or a script) or redefine commands (nor ``^^``,
    which TeX reads as any character), nor end the document."""
    if _unbalanced(text) is not None:
        return f"the brace at character {_unbalanced(text) + 1} is not matched"
    if "^^" in text:  # TeX reads ^^5c as a backslash: a command no pattern would see
        return "TeX's ^^ notation is not allowed in a display"
    for found in _LATEX_COMMAND.finditer(text):
        if _latex_refused(found.group(1)):
            return (f"\\{found.group(1)} is not allowed in a display (it reads or writes files, "
                    "runs programs, loops, writes PDF objects or redefines commands); write "
                    "only the formula")
    if _DOCUMENT_ENVIRONMENT.search(text):
        return "\\begin{document} and \\end{document} are not allowed in a display"
    return None


def _latex_refused(name: str) -> bool:
    """A command no formula needs and TeX obeys: a listed primitive, an internal (@) one, a
    conditional (\\iftrue ... \\repeat loops for ever; \\iff is the symbol), or a pdfTeX or
    LuaTeX one (\\pdfannot writes a JavaScript action into the PDF)."""
    return (name in _LATEX_REFUSED or "@" in name or name.startswith(("pdf", "lua", "latelua"))
            or (name.startswith("if") and name != "iff"))


_DOCUMENT_ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{\s*document\s*\}")


_LATEX_COMMAND = re.compile(r"\\([A-Za-z@]+)")
_LATEX_REFUSED = frozenset({
    "input", "include", "includeonly", "InputIfFileExists", "IfFileExists", "includegraphics",
    "write", "immediate", "openin", "openout", "read", "readline", "closein", "closeout",
    "catcode", "def", "edef", "gdef", "xdef", "let", "futurelet", "csname", "endcsname",
    "expandafter", "newcommand", "renewcommand", "providecommand", "DeclareRobustCommand",
    "newenvironment", "renewenvironment", "usepackage", "RequirePackage", "documentclass",
    "special", "href", "url", "makeatletter", "shipout", "output", "everypar", "everymath",
    "everydisplay",
    "everyjob", "scantokens", "endinput", "directlua", "luaexec", "pdfprimitive", "primitive",
    "globaldefs", "afterassignment", "aftergroup", "batchmode", "nonstopmode", "scrollmode",
    "loop", "repeat", "iterate", "else", "fi", "or", "unless", "everyhbox", "everyvbox",
    "everycr", "everyeof", "toks", "toksdef",
})


def _unbalanced(text: str) -> int | None:
    """The offset of the first brace without its partner (``\\{`` and ``\\}`` are
    characters, not braces), or None."""
    opened, backslashes = [], 0
    for offset, char in enumerate(text):
        if char in "{}" and backslashes % 2 == 0:
            if char == "{":
                opened.append(offset)
            elif opened:
                opened.pop()
            else:
                return offset
        backslashes = backslashes + 1 if char == "\\" else 0
    return opened[0] if opened else None


def _matrix_given_problem(lhs, rhs) -> str | None:
    """What is wrong with ``lhs = rhs`` as a given about a vector or matrix, if anything."""
    if not (has_matrices(lhs) or has_matrices(rhs)):
        return None
    if not isinstance(lhs, sp.MatrixSymbol):
        return "the left side is not a declared vector or matrix"
    if not (is_matrix(rhs) and lhs.shape == rhs.shape):
        return f"the sides are {shape_text(lhs)} and {shape_text(rhs)}"
    return f"the right side names {lhs} too" if rhs.has(lhs) else None


def _shape(expr):
    return expr.shape if is_matrix(expr) else None


def _count_indices(context: Context, chains: list[Derivation]) -> None:
    """Each sequence written everywhere with the same number of indices, more than one
    (``P[a, b]``), is declared so (what documents and the LaTeX reader go by)."""
    counts: dict[str, set[int]] = {}
    for chain in chains:
        expressions = [chain.start, *(s.expr for s in chain.steps),
                       *(side for g in chain.givens.values() for side in (g.lhs, g.rhs)),
                       *(d.body for d in chain.definitions)]
        for expr in expressions:
            for entry in sp.S(expr).atoms(sp.Indexed):
                declaration = context.lookup(entry.base.label.name)
                if declaration is not None and declaration.obj == entry.base:
                    counts.setdefault(declaration.name, set()).add(len(entry.indices))
    for name, found in counts.items():
        if len(found) == 1 and next(iter(found)) > 1:
            context.index_count(name, next(iter(found)))


def _conclusion(chain: Derivation) -> Given:
    """What an earlier chain of equalities concludes, as a hypothesis named by its id."""
    return Given(chain.chain, chain.start, chain.steps[-1].expr)


def _formula_tree(text: str):
    """The syntax tree of a formula, or None if it is not one (the parser says why later)."""
    try:
        return ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _names_in(text: str) -> set[str]:
    """The names a formula mentions."""
    tree = _formula_tree(text)
    return set() if tree is None else {node.id for node in ast.walk(tree)
                                       if isinstance(node, ast.Name)}


def _limit_names(text: str) -> set[str]:
    """The names a formula writes in the limits of a sum or product: parameters used there
    are integers."""
    tree = _formula_tree(text)
    found = set()
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("Sum", "Product") and len(node.args) == 2 \
                and isinstance(node.args[1], ast.Tuple):
            for limit in node.args[1].elts[1:]:
                found |= {n.id for n in ast.walk(limit) if isinstance(n, ast.Name)}
    return found


def _passed_as_sequences(text: str, defined: dict) -> set[str]:
    """The names a body passes to an earlier definition where that takes a sequence
    (``CE(r, s): H(r) + KL(r, s)``): such a parameter is a sequence too."""
    tree = _formula_tree(text)
    if tree is None:
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and isinstance(defined.get(node.func.id), type):
            parameters = defined[node.func.id].definition.parameters
            for parameter, argument in zip(parameters, node.args):
                if isinstance(parameter, sp.IndexedBase) and isinstance(argument, ast.Name):
                    found.add(argument.id)
    return found


def _indexed(text: str, name: str) -> bool:
    """Whether the body of a definition writes the parameter ``name`` with an index."""
    return re.search(rf"\b{re.escape(name)}\s*\[", text) is not None


def _scalar(node):
    """A non-text scalar as its text (``expr: 0.7219`` keeps its decimals); null is None.
    Tags are ignored: nothing but text and structure is read from a file."""
    return None if node.tag.endswith(":null") else node.value


def _names(value: _Value):
    return tuple(value.value) if isinstance(value.value, dict) else ()


def _decimals(text: str) -> int | None:
    match = re.fullmatch(r"\s*-?\d+(?:\.(\d+))?\s*", text)
    return len(match.group(1) or "") if match else None


class _Later(Exception):
    """A bound names a symbol not declared yet."""


_WORDS = {"real", "positive", "nonnegative", "negative", "integer", "sequence"}
_INTERVAL = re.compile(r"^(?P<words>[a-z ]*?)\s*in\s*(?P<open>[(\[])(?P<lo>[^,]+),(?P<hi>[^)\]]+)(?P<close>[)\]])\s*$")
_FUNCTION = re.compile(r"^function of (?P<n>\d+) arguments?$")
_MATRIX = re.compile(r"^(?:real )?(?P<structure>symmetric |positive definite |invertible )?"
                     r"(?P<kind>vector|matrix) of size (?P<rows>[A-Za-z0-9]+)"
                     r"(?: by (?P<columns>[A-Za-z0-9]+))?(?P<rank> with full column rank)?$")


def _declare_matrix(context: Context, name: str, found: re.Match) -> None:
    """``w: real vector of size d`` (d by 1), ``X: real matrix of size n by d`` (``... with full
    column rank``), ``S: symmetric matrix of size d``, ``A: positive definite matrix of size d``
    or ``B: invertible matrix of size d`` (d by d)."""
    kind, structure = found.group("kind"), (found.group("structure") or "").strip()
    if kind == "vector" and (structure or found.group("columns") or found.group("rank")):
        raise ValueError("a vector has one size, such as 'real vector of size d'; a symmetric, "
                         "positive definite, invertible or full-rank one is a matrix")
    if found.group("rank"):
        if structure:
            raise ValueError(f"a {structure} matrix is square: 'with full column rank' says "
                             "nothing more; write one of the two")
        structure = "full column rank"
    sizes = []
    for text in (found.group("rows"), found.group("columns") or
                 ("1" if kind == "vector" else found.group("rows"))):
        if text.isdigit():
            sizes.append(sp.Integer(int(text)))
            continue
        declaration = context.lookup(text)
        if declaration is None:
            raise _Later()
        sizes.append(declaration.obj)
    context.matrix(name, *sizes, structure)


_LAW = re.compile(r"^(?P<law>[A-Z][A-Za-z]*)\s*\((?P<parameters>.*)\)$")


_FINITE_SET = re.compile(r"^(?P<words>[a-z ]*?)\s*in\s*\{(?P<members>[^{}]*)\}\s*$")


def _declare(context: Context, name: str, spec: str) -> None:
    spec = " ".join(spec.split())
    if spec == "random":
        context.random(name, Arbitrary(name))
        return
    if re.match(r"^[A-Z][A-Za-z]*\s*\([^)]*$", spec):
        raise ValueError(f"the law in {spec!r} was cut at its comma: inside {{…}} YAML splits at "
                         "every comma, so quote it, such as x: 'Normal(mu, sigma)', or write the "
                         "symbols one per line")
    law = _LAW.match(spec)
    if law:
        context.random(name, _law(context, law.group("law"), law.group("parameters")))
        return
    matrix = _MATRIX.match(spec)
    if matrix:
        _declare_matrix(context, name, matrix)
        return
    if re.search(r"\b(vector|matrix)\b", spec):
        raise ValueError(f"a matrix is declared as 'real matrix of size n by d' (optionally "
                         f"'... with full column rank'), 'symmetric matrix of size d', 'positive "
                         f"definite matrix of size d' or 'invertible matrix of size d', and a "
                         f"vector as 'real vector of size d', not {spec!r}")
    finite = _FINITE_SET.match(spec)
    if finite:  # {0, 1}: a set of consecutive integers is an integer range
        members = [m.strip() for m in finite.group("members").split(",")]
        if not all(re.fullmatch(r"-?\d{1,6}", m) for m in members) or len(set(members)) < 2:
            raise ValueError(f"a finite set is of two or more integers, such as {{0, 1}}, "
                             f"not {{{finite.group('members')}}}")
        values = sorted({int(m) for m in members})
        if values != list(range(values[0], values[-1] + 1)):
            raise ValueError(f"the set {{{finite.group('members')}}} has gaps: only sets of "
                             "consecutive integers are supported, such as {0, 1} or {1, 2, 3}")
        if set(finite.group("words").split()) - {"integer", "sequence"}:
            raise ValueError("write a finite set alone, such as 'in {0, 1}' or "
                             "'sequence in {0, 1}'")
        spec = f"{'sequence ' if 'sequence' in finite.group('words') else ''}integer in " \
               f"[{values[0]}, {values[-1]}]"
    function = _FUNCTION.match(spec)
    if function:
        count = int(function.group("n"))
        if not 1 <= count <= 10:
            raise ValueError("a function takes 1 to 10 arguments")
        context.function(name, count)
        return
    interval = _INTERVAL.match(spec)
    if interval is None and re.search(r"\bin\s*[(\[][^,)\]]*$", spec):
        raise ValueError(f"the interval in {spec!r} was cut at its comma: inside {{…}} YAML "
                         "splits at every comma, so quote it, such as "
                         "q: 'sequence in (0, 1)', or write the symbols one per line")
    words = set((interval.group("words") if interval else spec).split())
    unknown = words - _WORDS
    if unknown:
        close = difflib.get_close_matches(sorted(unknown)[0], _WORDS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else \
            "; use real, positive, nonnegative, negative, integer, sequence, 'in (a, b)', " \
            "or 'function of N arguments'"
        raise ValueError(f"unknown assumption {sorted(unknown)[0]!r}{hint}")
    signs = words & {"positive", "nonnegative", "negative"}
    if len(signs) > 1 or (signs and interval):
        raise ValueError("give one of positive, nonnegative, negative or an interval")
    integer = "integer" in words
    domain = {"positive": POSITIVE, "nonnegative": NONNEGATIVE, "negative": NEGATIVE}.get(
        next(iter(signs), ""), REAL)
    if interval:
        lower, upper = (_bound(context, interval.group(k)) for k in ("lo", "hi"))
        domain = Domain(integer, lower, upper, interval.group("open") == "(",
                        interval.group("close") == ")")
    elif integer:
        lower = 1 if "positive" in words else 0 if "nonnegative" in words else sp.S.NegativeInfinity
        upper = -1 if "negative" in words else sp.S.Infinity
        domain = Domain(True, sp.S(lower), sp.S(upper), lower == sp.S.NegativeInfinity,
                        upper == sp.S.Infinity)
    if "sequence" in words:
        context.sequence(name, domain)
    else:
        context.symbol(name, domain)


def _law(context: Context, name: str, text: str) -> Law:
    """A law such as Normal(mu, sigma) with declared, non-random parameters that are proved to
    make it a law (sigma > 0, 0 <= p <= 1, ...)."""
    kind = LAWS.get(name)
    if kind is None:
        close = difflib.get_close_matches(name, LAWS, n=1)
        raise ValueError(f"unknown law {name!r}" + (f"; did you mean {close[0]!r}?" if close else
                                                   f"; one of: {', '.join(LAWS)}, or random"))
    texts = [t.strip() for t in text.split(",")] if text.strip() else []
    if len(texts) != len(kind.parameters):
        raise ValueError(f"{name} takes {len(kind.parameters)} parameter(s): "
                         f"{name}({', '.join(kind.parameters)})")
    parameters = []
    for position, part in enumerate(texts):
        declaration = context.lookup(part)
        if name == "Categorical" and position == 0:
            if declaration is None:
                raise _Later()
            if declaration.kind != "sequence" or \
                    not BoundsOracle(context).bounds(declaration.domain.lower).nonnegative:
                raise ValueError(f"the weights of Categorical are a declared sequence of "
                                 f"nonnegative numbers, such as q: sequence in [0, 1]; not {part!r}")
            parameters.append(declaration.obj)
            continue
        try:
            value = parse_expression(part, context)
        except UndeclaredName:
            raise _Later() from None
        if any(getattr(context.lookup(s.name), "law", None) is not None
               for s in value.free_symbols if isinstance(s, sp.Symbol)):
            raise ValueError(f"a parameter of a law names no random variable, as {part!r} does")
        parameters.append(value)
    law = kind(*parameters)
    if name == "Categorical" and not parameters[1].is_integer:
        raise ValueError("Categorical(q, K): K is a positive integer")
    oracle = BoundsOracle(context)
    for expr, sign in parameter_conditions(law):
        if not getattr(oracle.bounds(expr), sign):
            raise ValueError(f"{name}({text}) is a law only if {sp.sstr(expr)} is {sign}, and "
                             "the declarations do not prove it: declare the parameters so")
    return law


def _bound(context: Context, text: str) -> sp.Expr:
    text = text.strip()
    if text in ("oo", "inf"):
        return sp.S.Infinity
    if text in ("-oo", "-inf"):
        return sp.S.NegativeInfinity
    try:
        value = parse_expression(text, context)
    except UndeclaredName:
        raise _Later() from None
    if not ((value.is_number and value.is_extended_real) or value.is_Symbol):
        raise ValueError(f"a bound is a real number or a declared symbol, not {text!r}")
    return value


def read_all(path: Path | str, data: bytes | None = None) -> list[Derivation]:
    """Every chain in a file, in order; InputError with a location for anything wrong in it."""
    path = Path(path)
    if data is None:
        data = read_bytes(path)
    reader = _Reader(str(path))
    name = path.name[: -len(SUFFIX)] if path.name.endswith(SUFFIX) else path.stem
    if str(path) == STDIN_NAME:
        name = "stdin"
    return reader.document(reader.load(data), name)


def read(path: Path | str, data: bytes | None = None) -> Derivation:
    """The derivation in a file: its one chain, or the last of its ``chains`` (the one the file
    builds up to; checking it checks the chains it cites).  ``read_all`` gives every chain."""
    return read_all(path, data)[-1]
