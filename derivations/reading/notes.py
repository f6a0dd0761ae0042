"""Reading derivations where lecturers write them: LaTeX notes (``.tex``) and Markdown with
display math (``.md``).  See docs/notes.md.

A chain is announced by a header (``% derive:`` comment lines, or ``<!-- derive ... -->``)
holding YAML with the keys of a derivation file other than ``start`` and ``steps``.  Its rows
are read by ``derivations.reading.latex``; nothing in the file is compiled or run.  Each chain
becomes a ``Derivation``; a chain that cannot be read becomes its ``InputError`` and the others are still
read.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model import DerivationError, check_shape
from .files import ID_PATTERN, MAX_STEPS, _decimals, _Reader, _Value
from ..kernel import Context, Given, Optimization, Relation, Sense
from .latex import RELATIONS, Notation, Reader, Token, read_tokens, tokenize
from ..model import Derivation, Step
from .expressions import MAX_NODES, ExpressionError
from .sources import InputError, read_bytes

MAX_NOTES_BYTES = 4_000_000  # a 40-page note is a few hundred kilobytes
MAX_HEADER_LINES = 200
MAX_CHAINS = 1_000
HEADER_KEYS = ("title", "id", "summary", "symbols", "given", "optimize", "notation")
_RELATION_OF = {"=": Relation.EQ, "<=": Relation.LE, "<": Relation.LT, ">=": Relation.GE,
                ">": Relation.GT, "approx": Relation.APPROX}
_ENVIRONMENTS = r"(?:align|equation|gather|multline|flalign|eqnarray)\*?"
_DISPLAY = re.compile(r"\\begin\{(?P<env>" + _ENVIRONMENTS + r")\}|\\\[")
_INNER = re.compile(r"\\(?:begin|end)\{(?:aligned|split|gathered)\}(?:\[[a-z]\])?")
_DROPPED = re.compile(r"\\(?:label|tag\*?|eqref|ref)\{(?:[^{}]|\{[^{}]*\})*\}|\\(?:nonumber|notag)\b")
_TEXT = re.compile(r"\\(?:text|textrm|mbox|textit|mathrm)\{(?P<text>[^{}]*)\}")
_INTERTEXT = re.compile(r"\\(?:intertext|shortintertext)\{(?P<text>[^{}]*)\}")
_LATEX_HEADER = re.compile(r"^\s*%\s*derive:")
_MD_HEADER = re.compile(r"<!--\s*derive\b(?P<yaml>.*?)-->", re.DOTALL)
_MD_END = re.compile(r"<!--\s*end derive\s*-->")
_MD_BLOCK = re.compile(r"\$\$(?P<dollar>.*?)\$\$|^```math[ \t]*\n(?P<fence>.*?)^```", re.DOTALL | re.MULTILINE)


@dataclass
class _Row:
    text: str  # the row with what is not mathematics blanked out: offsets stay those of the file
    offset: int  # where ``text`` starts in the file
    reason: str = ""


@dataclass
class _Line:
    """A row as tokens, their positions the file's, with the rows that continue it."""

    tokens: list[Token]
    end: int  # where it ends in the file
    reason: str = ""


@dataclass
class _Chain:
    header: str  # the YAML text
    header_offset: int  # where the header's first line starts
    header_columns: int  # how many characters of each header line are not YAML (``% ``)
    rows: list[_Row] = field(default_factory=list)
    offset: int = 0  # where the chain is


class _File:
    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def error(self, message: str, offset: int) -> InputError:
        line, column = self.where(offset)
        return InputError(self.path, message, line, column)


def read(path: Path | str, data: bytes | None = None) -> list:
    """Every chain of a notes file: a ``Derivation``, or the ``InputError`` of a chain that
    cannot be read.  A file that cannot be read at all raises its ``InputError``."""
    path = Path(path)
    shown = str(path)
    if data is None:
        data = read_bytes(path, MAX_NOTES_BYTES)
    if len(data) > MAX_NOTES_BYTES:
        raise InputError(shown, f"the file is larger than {MAX_NOTES_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(shown, "the file is not UTF-8 text", line, 1) from None
    source = _File(shown, text)
    chains = _markdown_chains(source) if shown.lower().endswith(".md") else _latex_chains(source)
    if not chains:
        raise InputError(shown, "no chain is marked: put a '% derive: TITLE' header before an "
                         "align environment (LaTeX) or '<!-- derive title: ... -->' before $$ "
                         "blocks (Markdown); see docs/notes.md")
    if len(chains) > MAX_CHAINS:
        raise InputError(shown, f"more than {MAX_CHAINS} chains in one file")
    results = []
    for number, chain in enumerate(chains, start=1):
        try:
            results.append(_build(source, chain, f"{path.name}#{number}"))
        except InputError as exc:
            results.append(exc)
    return results


# -- finding chains ------------------------------------------------------------------------------
def _latex_chains(source: _File) -> list[_Chain]:
    text, chains = source.text, []
    lines = text.split("\n")
    displays = list(_DISPLAY.finditer(text))
    display_starts = [d.start() for d in displays]
    header_lines = [k for k, line in enumerate(lines) if _LATEX_HEADER.match(line)]
    number = 0
    while number < len(lines):
        line = lines[number]
        if not _LATEX_HEADER.match(line):
            number += 1
            continue
        start = source.line_starts[number]
        if len(chains) >= MAX_CHAINS:
            raise source.error(f"more than {MAX_CHAINS} chains in one file", start)
        header = [_LATEX_HEADER.sub("title:", line)]
        number += 1
        while number < len(lines) and lines[number].lstrip().startswith("%") and \
                not _LATEX_HEADER.match(lines[number]):
            header.append(re.sub(r"^\s*% ?", "", lines[number]))
            number += 1
            if len(header) > MAX_HEADER_LINES:
                raise source.error(f"a header longer than {MAX_HEADER_LINES} lines", start)
        chain = _Chain("\n".join(header), start, 2)
        after = source.line_starts[number] if number < len(lines) else len(text)
        found = bisect.bisect_left(display_starts, after)
        display = displays[found] if found < len(displays) else None
        later = bisect.bisect_left(header_lines, number)
        following = header_lines[later] if later < len(header_lines) else None
        if display is None or (following is not None and
                               source.line_starts[following] < display.start()):
            chain.offset = start
            chains.append(chain)  # no display: an input error when built
            continue
        closing = (r"\end{%s}" % display.group("env")) if display.group("env") else r"\]"
        end = text.find(closing, display.end())
        chain.offset = display.start()
        if end < 0:
            chain.rows = None  # unclosed: an input error when built
        else:
            chain.rows = _latex_rows(text, display.end(), end)
            number = bisect.bisect_right(source.line_starts, end)
        chains.append(chain)
    return chains


def _spaces(match) -> str:
    """What a match is blanked out with: the same lines, so later offsets do not move."""
    return re.sub(r"[^\n]", " ", match.group())


_CASES = re.compile(r"(\\begin\{cases\}.*?\\end\{cases\})", re.DOTALL)


def _outside_cases(text: str, change) -> str:
    """``text`` with ``change`` applied only outside ``cases`` environments, whose ``\\\\`` and
    ``&`` separate their own rows; ``change`` must keep lengths, so offsets do not move."""
    return "".join(part if k % 2 else change(part) for k, part in enumerate(_CASES.split(text)))


def _split_rows(body: str) -> list[str]:
    """``body`` split at ``\\\\`` outside cases, as ``re.split`` would: rows and separators."""
    pieces = [""]
    for k, part in enumerate(_CASES.split(body)):
        if k % 2:
            pieces[-1] += part
            continue
        split = re.split(r"(\\\\(?:\[[^\]]*\])?)", part)
        pieces[-1] += split[0]
        pieces.extend(split[1:])
    return pieces


def _latex_rows(text: str, start: int, end: int) -> list[_Row]:
    """The rows of an environment's body, split at ``\\\\``; comments, labels, ``&`` and
    reasons blanked out, so every offset is still the file's."""
    body = text[start:end]
    reasons: dict[int, str] = {}  # where a comment is -> its text, a reason

    def comment(match):
        reasons[match.start()] = match.group("text").strip()
        return _spaces(match)

    body = re.sub(r"(?<!\\)%(?P<text>[^\n]*)", comment, body)
    for pattern in (_INNER, _DROPPED):
        body = pattern.sub(_spaces, body)
    comments = sorted(reasons)
    rows, position = [], 0
    pending_reason = ""
    for piece in _split_rows(body):
        if piece.startswith("\\\\"):
            position += len(piece)
            continue
        row_text = piece
        reason = pending_reason
        pending_reason = ""
        for intertext in _INTERTEXT.finditer(row_text):
            reason = intertext.group("text").strip()
        row_text = _INTERTEXT.sub(_spaces, row_text)
        split = re.search(r"&\s*&|\\quad\s*\\text|\\qquad\s*\\text", row_text)
        if split:
            written = _TEXT.search(row_text, split.start())
            reason = (written.group("text") if written else row_text[split.end():]).strip() or reason
            row_text = row_text[:split.start()]
        last_comment = bisect.bisect_left(comments, position + len(piece)) - 1
        if not reason and last_comment >= 0 and comments[last_comment] >= position:
            reason = reasons[comments[last_comment]]
        row_text = _outside_cases(row_text, lambda part: part.replace("&", " "))
        row_text = re.sub(r"[,.]\s*$", lambda m: " " * len(m.group()), row_text)
        if row_text.strip():
            rows.append(_Row(row_text, start + position, reason))
            if len(rows) > MAX_STEPS:
                break  # the chain is refused when built
        elif reason:
            pending_reason = reason
        position += len(piece)
    return rows


def _markdown_chains(source: _File) -> list[_Chain]:
    text, chains = source.text, []
    headers = list(_MD_HEADER.finditer(text))
    for index, header in enumerate(headers):
        limit = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        end_mark = _MD_END.search(text, header.end(), limit)
        if end_mark:
            limit = end_mark.start()
        yaml_text = header.group("yaml")
        chain = _Chain(yaml_text, header.start("yaml"), 0, [], header.start())
        previous = header.end()
        for block in _MD_BLOCK.finditer(text, header.end(), limit):
            prose = " ".join(text[previous:block.start()].split())
            group = "dollar" if block.group("dollar") is not None else "fence"
            rows = _latex_rows(text, block.start(group), block.end(group))
            if rows and prose and not rows[0].reason:
                rows[0].reason = prose
            chain.rows += rows
            previous = block.end()
        chains.append(chain)
    return chains


# -- building a chain ----------------------------------------------------------------------------
@dataclass
class _Side:
    tokens: list[Token]
    arg: str | None = None  # "max" or "min" under \arg\max / \arg\min
    over: tuple = ()


class _Builder:
    def __init__(self, source: _File, chain: _Chain, default_id: str):
        self.source = source
        self.chain = chain
        self.default_id = default_id
        self.context = Context()
        self.notation = Notation()
        self.givens: dict[str, Given] = {}
        self.optimization: Optimization | None = None
        self.start = None
        self.last = None
        self.sense = None
        self.steps: list[Step] = []
        self.row_offset = 0

    def fail(self, message: str, column: int = 0):
        raise self.source.error(message, self.row_offset + column)

    def header(self) -> dict:
        reader = _Reader(self.source.path)
        try:
            root = reader.load(self.chain.header.encode("utf-8"))
            top = reader.mapping(root, "the header", HEADER_KEYS)
            if "title" not in top:
                reader.fail("a header needs a title", root)
            if "symbols" in top:
                reader.symbols(top["symbols"], self.context)
            if "notation" in top:
                self.read_notation(reader, top["notation"])
            if "given" in top:
                self.read_givens(reader, top["given"])
            if "optimize" in top:
                self.optimization = reader.optimization(top["optimize"], self.context)
            identifier = reader.text(top["id"], "id") if "id" in top else self.default_id
            if not ID_PATTERN.match(identifier.replace("#", "-")):
                reader.fail("an id is letters, digits, '-', '_' or '.', at most 100", top["id"])
            return {"id": identifier, "title": reader.text(top["title"], "title"),
                    "summary": reader.text(top["summary"], "summary") if "summary" in top else ""}
        except InputError as exc:
            raise self.header_error(exc) from None

    def header_error(self, exc: InputError) -> InputError:
        if exc.line is None:
            return InputError(self.source.path, exc.message, *self.source.where(self.chain.header_offset))
        line, column = self.source.where(self.chain.header_offset)
        return InputError(self.source.path, exc.message, line + exc.line - 1,
                          (exc.column or 1) + (self.chain.header_columns if exc.line > 1 else column - 1))

    def read_notation(self, reader: _Reader, value: _Value) -> None:
        spec = reader.mapping(value, "notation", ("superscript index",))
        if "superscript index" in spec:
            item = spec["superscript index"]
            names = item.value if isinstance(item.value, list) else [item]
            for name in names:
                declaration = self.context.lookup(reader.text(name, "a name"))
                if declaration is None or declaration.kind != "sequence":
                    reader.fail(f"superscript index: {name.value!r} is not a declared sequence", name)
            self.notation.superscript_index = frozenset(n.value for n in names)

    def read_givens(self, reader: _Reader, value: _Value) -> None:
        """Givens written in LaTeX: ``h_i = \\sigma(z_i)``."""
        for name, item in reader.mapping(value, "given", tuple(value.value or ())).items():
            text = reader.text(item, f"given {name!r}")
            try:
                sides = _split_relations(tokenize(text))
                if len(sides) != 2 or sides[1][0] != "=":
                    raise ExpressionError("a given is one equation 'LHS = RHS'", 0)
                lhs = read_tokens(sides[0][1] + [Token("end", "", len(text))], self.context, self.notation)
                rhs = read_tokens(sides[1][1] + [Token("end", "", len(text))], self.context, self.notation)
            except ExpressionError as exc:
                reader.fail(f"given {name!r}: {exc}", item, exc.column)
            self.givens[name] = Given(name, lhs, rhs)

    def build(self) -> Derivation:
        facts = self.header()
        if not self.chain.rows:
            raise self.source.error(
                "the header is not followed by a display (align, align*, equation, \\[ ... \\], "
                "or $$ ... $$ blocks in Markdown)" if self.chain.rows == [] else
                "the display environment is not closed", self.chain.offset)
        if len(self.chain.rows) > MAX_STEPS:
            raise self.source.error(f"a chain of more than {MAX_STEPS} rows", self.chain.offset)
        for line in self.lines():
            self.line(line)
        if not self.steps:
            raise self.source.error("the chain has no step: write at least one relation after "
                                    "its first expression", self.chain.offset)
        derivation = Derivation(
            id=facts["id"], title=facts["title"], context=self.context, start=self.start,
            steps=tuple(self.steps), summary=facts["summary"], optimization=self.optimization,
            givens=self.givens, path=self.source.path)
        try:
            check_shape(derivation)
        except DerivationError as exc:
            line = exc.line or self.source.where(self.chain.offset)[0]
            raise InputError(self.source.path, str(exc), line, 1) from None
        return derivation

    # -- rows -----------------------------------------------------------------------------------
    def lines(self) -> list[_Line]:
        """The rows as tokens placed in the file; a row without a relation continues the row
        above (``&\\quad + \\frac{1}{2}\\sum …`` on the next line)."""
        lines: list[_Line] = []
        for row in self.chain.rows:
            self.row_offset = row.offset
            try:
                tokens = tokenize(row.text)
            except ExpressionError as exc:
                self.fail(str(exc), exc.column)
            placed = [Token(t.kind, t.text, t.position + row.offset) for t in tokens[:-1]]
            continued = lines and not any(t.kind in ("sym", "cmd") and t.text in RELATIONS
                                          for t in placed)
            if continued:
                lines[-1].tokens += placed
                lines[-1].end = row.offset + len(row.text)
                lines[-1].reason = row.reason or lines[-1].reason
                if len(lines[-1].tokens) > MAX_NODES:
                    self.fail(f"a row of more than {MAX_NODES} parts", 0)
            else:
                lines.append(_Line(placed, row.offset + len(row.text), row.reason))
        self.row_offset = 0  # from here on, every position is the file's
        return lines

    def line(self, line: _Line) -> None:
        try:
            pieces = _split_relations(line.tokens + [Token("end", "", line.end)])
            if len(pieces) == 1 and self.start is not None:
                self.fail("a row without a relation (=, \\le, ...) after the first: write each "
                          "row as '&= B'", line.tokens[0].position)
            sides = [(relation, self.side(piece)) for relation, piece in pieces]
            self.relate(line, sides)
        except ExpressionError as exc:
            self.fail(str(exc), exc.column)

    def side(self, tokens: list[Token]) -> _Side:
        side = _Side(tokens)
        if tokens and tokens[0].kind == "arg":
            side.arg = tokens[0].text
            reader = Reader(tokens[1:] + [Token("end", "", _after(tokens))], self.context,
                            self.notation)
            reader.expect("_", f": write \\arg\\{side.arg}_{{\\theta}}")
            braced = reader.token.text == "{"
            if braced:
                reader.advance()
            over = [self.variable(reader)]
            while braced and reader.token.text == ",":
                reader.advance()
                over.append(self.variable(reader))
            if braced:
                reader.expect("}")
            side.over = tuple(over)
            side.tokens = reader.tokens[reader.at:-1]
            if not side.tokens:
                reader.fail(f"\\arg\\{side.arg} needs the function it optimises")
        return side

    def variable(self, reader: Reader):
        """A variable under \\arg\\max: a declared symbol or sequence (``\\arg\\min_q``)."""
        token = reader.advance()
        name = token.text.lstrip("\\")
        declaration = self.context.lookup(name)
        if declaration is None or declaration.kind == "function":
            reader.fail(f"\\arg\\max and \\arg\\min optimise over declared symbols or "
                        f"sequences, not {token.text!r}", token)
        return declaration.obj

    def expression(self, side: _Side, where: int):
        return read_tokens(side.tokens + [Token("end", "", where)], self.context, self.notation)

    def relate(self, row: _Line, sides) -> None:
        (_, first), rest = sides[0], sides[1:]
        shown = first.tokens or (rest and rest[0][1].tokens) or [Token("end", "", row.end)]
        end = row.end
        if not first.tokens:
            if self.last is None:
                self.fail("the first row starts with a relation: write its left side",
                          shown[0].position)
            previous_arg = None
        elif self.definition(row, first, rest):
            return
        else:
            value = self.expression(first, end)
            self.optimizer(first)
            if self.start is None:
                self.start = self.last = value
            elif not (value == self.last or (first.arg and value == self.start)):
                self.fail(f"this row restates {_show(value)}, but the chain is at {_show(self.last)}: "
                          "start the row with '&=' to go on from there, or give it its own "
                          "'derive' header", first.tokens[0].position)
            if first.arg and self.sense is not None and _sense(first.arg) is not self.sense:
                self.fail(f"\\arg\\{first.arg} here, but the chain is at \\arg\\{self.sense.value[:3]}",
                          first.tokens[0].position)
            previous_arg = first.arg
        for number, (relation, side) in enumerate(rest):
            if not side.tokens:
                self.fail(f"nothing after the relation {relation!r}", row.end)
            value = self.expression(side, end)
            line = self.source.where(side.tokens[0].position)[0]  # where the step's side is
            by = row.reason if number == len(rest) - 1 else ""
            if side.arg or previous_arg:
                if not (side.arg and (previous_arg or self.last is not None)) or relation != "=":
                    self.fail("an \\arg\\max or \\arg\\min row relates two of them by '=': "
                              "\\arg\\max_\\theta A = \\arg\\min_\\theta B", side.tokens[0].position)
                self.optimizer(side)
                sense = _sense(side.arg)
                step = Step(value, Relation.SAME_OPTIMIZERS, by,
                            sense if sense is not self.sense else None,
                            tuple(self.givens), line=line)
                self.sense = sense
            else:
                kind = _RELATION_OF[relation]
                decimals = None
                if kind is Relation.APPROX:
                    first_at, last_at = side.tokens[0].position, side.tokens[-1].position
                    decimals = _decimals(
                        self.source.text[first_at:last_at + len(side.tokens[-1].text)])
                    if decimals is None:
                        self.fail("the right side of \\approx is the number it rounds to, such as "
                                  "0.7219", first_at)
                step = Step(value, kind, by, None, tuple(self.givens), line=line, decimals=decimals)
            self.steps.append(step)
            previous_arg = side.arg
            self.last = value

    def optimizer(self, side: _Side) -> None:
        """An ``\\arg\\max_\\theta`` side: the chain optimises over theta (as its header says,
        or from here on when the header does not say)."""
        if not side.arg:
            return
        if self.optimization is None:
            self.optimization = Optimization(side.over, _sense(side.arg))
            self.sense = _sense(side.arg)
        elif set(side.over) != set(self.optimization.over):
            self.fail(f"\\arg\\{side.arg} over {', '.join(map(str, side.over))}, but the chain "
                      f"optimises over {', '.join(map(str, self.optimization.over))}",
                      side.tokens[0].position if side.tokens else 0)
        if self.sense is None:
            self.sense = self.optimization.sense

    def definition(self, row: _Line, first: _Side, rest) -> bool:
        """``L(\\theta) = ...``: an undeclared name applied to declared symbols is defined by
        the right side; the chain goes on from there (the row is true by definition)."""
        tokens = first.tokens
        if first.arg or len(tokens) < 4 or tokens[-1].text not in (")", r"\right"):
            return False
        head = tokens[0]
        reader = Reader(tokens + [Token("end", "", _after(tokens))], self.context, self.notation)
        if head.kind == "word" and len(head.text) == 1:
            name = reader.advance().text
        elif head.text in (r"\mathrm", r"\operatorname"):
            name = reader.braced_text(reader.advance())
        elif head.kind == "cmd" and head.text[1:].isalpha() and len(head.text) > 2 and \
                head.text[1:] not in ("log", "ln", "exp", "max", "min", "sqrt", "frac"):
            name = reader.advance().text[1:]
        else:
            return False
        if self.context.lookup(name) is not None or reader.token.text != "(":
            return False
        if name in self.notation.definitions:
            return False  # a use of the definition: read as an expression
        parameters = name_arguments(reader, head)
        if reader.token.kind != "end":
            return False
        if rest[0][0] != "=" or rest[0][1].arg:
            self.fail(f"a definition {name}(...) is written '{name}(...) = expression'", head.position)
        body = self.expression(rest[0][1], _after(rest[0][1].tokens))
        self.notation.definitions[name] = (parameters, body, name_arguments)
        if self.start is None:
            self.start = body
        elif body != self.last:
            self.fail(f"the definition of {name} restates {_show(body)}, but the chain is at "
                      f"{_show(self.last)}", head.position)
        self.last = body
        if len(rest) > 1:
            self.relate(row, [("", _Side([]))] + rest[1:])
        return True


def name_arguments(reader: Reader, head: Token) -> tuple:
    """``(\\theta)``, ``(p, q)``: the declared symbols or sequences a definition is written on."""
    reader.expect("(")
    names = []
    while True:
        token = reader.advance()
        declaration = reader.context.lookup(token.text.lstrip("\\"))
        if declaration is None or declaration.kind == "function":
            reader.fail(f"a name defined by a row is applied to declared symbols, such as "
                        f"{head.text.lstrip(chr(92))}(\\theta), not {token.text!r}", token)
        names.append(declaration.obj)
        if reader.token.text != ",":
            break
        reader.advance()
    reader.expect(")")
    return tuple(names)


def _after(tokens: list[Token]) -> int:
    """Where ``tokens`` end in the file: where an error about what is missing points."""
    return tokens[-1].position + len(tokens[-1].text) if tokens else 0


def _sense(word: str) -> Sense:
    return Sense.MAXIMIZE if word == "max" else Sense.MINIMIZE


def _show(expr) -> str:
    from ..documents.notation import to_latex

    return to_latex(expr)


def _split_relations(tokens: list[Token]) -> list[tuple[str, list[Token]]]:
    """``A = B \\le C`` as [("", A), ("=", B), ("<=", C)], split at relations outside brackets."""
    pieces: list[tuple[str, list[Token]]] = [("", [])]
    depth = 0
    for token in tokens:
        if token.kind == "end":
            break
        if token.text in ("(", "[", "{", r"\{", r"\begin"):
            depth += 1
        elif token.text in (")", "]", "}", r"\}", r"\end"):
            depth -= 1
        if depth == 0 and token.kind in ("sym", "cmd") and token.text in RELATIONS:
            pieces.append((RELATIONS[token.text], []))
        elif depth == 0 and token.text in (r"\iff", r"\implies", r"\Leftrightarrow", r"\Rightarrow",
                                           r"\impliedby", r"\Leftarrow", r"\neq", r"\ne"):
            raise ExpressionError(f"the relation {token.text} is not supported yet: rows relate "
                                  "expressions by =, \\le, <, \\ge, > or \\approx", token.position)
        else:
            pieces[-1][1].append(token)
    return pieces


def _build(source: _File, chain: _Chain, default_id: str) -> Derivation:
    return _Builder(source, chain, default_id).build()
