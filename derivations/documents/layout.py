"""Long formulas broken across display lines, as a typesetter would: at + and − signs, the
outermost first, with every \\left ... \\right pair that a break cuts closed by ``\\right.`` and
reopened by ``\\left.`` at the same height (``\\vphantom`` of the bracketed material).

The width of a formula is estimated from its LaTeX (Computer Modern, 10 pt, display style), a
little generously; ``tests/test_tex.py`` compiles every generated document with a real TeX
engine and fails on an overfull line, which keeps the estimate honest.  Only text the printer
made is broken here: the ``latex`` display field of a derivation file is the author's and is
placed as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Budget of one display line, in points at 10 pt.  The documents are A4 with 25 mm margins at
# 11 pt (455 pt of text, 414 pt at 10 pt), less the relation, an indent and the equation tag.
LINE_WIDTH = 330.0
CONTINUATION = r"\qquad "  # indent of a continued line, after the alignment point

_TOKEN = re.compile(r"\\[a-zA-Z]+\*?|\\.|.", re.S)

# Widths in points (cmmi10 / cmr10 / cmsy10 / cmex10 at 10 pt, rounded up a little).
_LETTERS = dict(zip("abcdefghijklmnopqrstuvwxyz",
                    [5.3, 4.3, 4.4, 5.3, 4.7, 5.9, 4.9, 5.8, 3.5, 4.7, 5.3, 3.0, 8.8,
                     6.0, 4.9, 5.1, 4.5, 4.6, 4.7, 3.7, 5.8, 5.2, 7.3, 5.8, 5.0, 4.7]))
_UPPER = 7.9
_DIGIT = 5.0
_UPRIGHT = 5.0  # a letter of \operatorname, \mathrm, \text
_BIN = 7.8 + 4.5  # + - \cdot-like: glyph and a medium space either side
_REL = 7.8 + 5.6  # = < \le: glyph and a thick space either side
_SYMBOLS = {
    "(": 3.9, ")": 3.9, "[": 2.8, "]": 2.8, ",": 4.5, ";": 4.5, ".": 2.8, "|": 2.8, "/": 5.0,
    "!": 2.8, "'": 2.8, ":": 2.8 + 5.6, "=": _REL, "<": _REL, ">": _REL, "+": _BIN, "-": _BIN,
    "*": 5.0 + 4.5,
}
_COMMANDS = {
    r"\,": 1.7, r"\:": 2.2, r"\;": 2.8, r"\!": -1.7, r"\ ": 3.4, r"\quad": 10.0,
    r"\qquad": 20.0, r"\|": 5.0, r"\{": 5.0, r"\}": 5.0, r"\lbrace": 5.0, r"\rbrace": 5.0,
    r"\dots": 13.4, r"\ldots": 13.4, r"\cdots": 13.4, r"\cdot": 2.8 + 4.5, r"\times": _BIN,
    r"\pm": _BIN, r"\mp": _BIN, r"\le": _REL, r"\leq": _REL, r"\ge": _REL, r"\geq": _REL,
    r"\ne": _REL, r"\neq": _REL, r"\approx": _REL, r"\in": 6.7 + 5.6, r"\notin": 6.7 + 5.6,
    r"\to": 10.0 + 5.6, r"\colon": 2.8 + 3.0, r"\Leftrightarrow": 10.0 + 5.6,
    r"\Rightarrow": 10.0 + 5.6, r"\iff": 16.0 + 5.6, r"\partial": 5.7, r"\nabla": 8.4,
    r"\infty": 10.0, r"\checkmark": 8.4, r"\prime": 2.8, r"\mid": 2.8 + 5.6, r"\ell": 4.2,
    r"\log": 12.8, r"\ln": 8.0, r"\exp": 15.3, r"\sin": 11.7, r"\cos": 13.4, r"\tan": 13.4,
    r"\max": 17.8, r"\min": 15.6, r"\lim": 13.4, r"\det": 13.4, r"\sup": 13.4, r"\inf": 10.6,
    r"\Pr": 12.0, r"\sum": 14.5 + 1.7, r"\prod": 12.9 + 1.7, r"\int": 8.4, r"\bigl": 0.0, r"\bigr": 0.0,
}
_GREEK = 5.9
_BIG_OPERATORS = {r"\sum", r"\prod", r"\operatorname*", r"\max", r"\min", r"\lim", r"\sup",
                  r"\inf"}
_ZERO = {r"\left", r"\right", r"\displaystyle", r"\textstyle", r"\limits", r"\nolimits",
         r"\bigl", r"\bigr", r"\Bigl", r"\Bigr", r"\biggl", r"\biggr", r"\mathbf", r"\boldsymbol"}
_SCRIPT = 0.72


def _parse(tokens: list[str], start: int = 0) -> tuple[list, int]:
    """Tokens as a tree: a ``{...}`` group becomes a nested list."""
    items, i = [], start
    while i < len(tokens):
        token = tokens[i]
        if token == "{":
            group, i = _parse(tokens, i + 1)
            items.append(group)
        elif token == "}":
            return items, i + 1
        elif not token.isspace():
            items.append(token)
            i += 1
            continue
        else:
            i += 1
            continue
    return items, i


def _text_width(item) -> float:
    """Upright text such as an operator name: every character about the same width."""
    flat = "".join(_flatten(item))
    flat = re.sub(r"\\[,;:!]", " ", flat).replace("\\", "")
    return len(flat) * _UPRIGHT


def _flatten(item) -> list[str]:
    return [t for x in item for t in _flatten(x)] if isinstance(item, list) else [item]


def _delimiter_width(items: list, start: int) -> float:
    """How wide a \\left delimiter grows: by the tallest thing up to its \\right."""
    depth, inside = 1, []
    for item in items[start:]:
        if item == r"\left":
            depth += 1
        elif item == r"\right":
            depth -= 1
            if depth == 0:
                break
        inside += _flatten(item)
    if r"\sum" in inside or r"\prod" in inside:
        return 8.0
    if r"\frac" in inside:
        return 7.4
    return 4.6 if "^" in inside else 3.9


def _width(items: list, display: bool = True, scale: float = 1.0) -> float:
    total, i, last_limits, previous, sizes = 0.0, 0, None, None, []
    while i < len(items):
        item = items[i]
        i += 1
        if isinstance(item, list):
            total += _width(item, display, scale)
            previous = "ord"
            continue
        if item in ("_", "^"):
            script = items[i] if i < len(items) else []
            i += 1
            width = _width(script if isinstance(script, list) else [script], False, scale * _SCRIPT)
            if last_limits is not None:  # limits under/over a big operator in display style
                extra = max(0.0, width - last_limits[1])
                total += extra
                last_limits = (last_limits[0], max(last_limits[1], width))
            else:
                total += width + 0.5 * scale
            continue
        last_limits = None
        if item in (r"\vphantom", r"\phantom", r"\label", r"\tag"):
            i += 1
            previous = "ord"
            continue
        if item in (r"\text", r"\textbf", r"\textit", r"\mathrm", r"\mathit", r"\operatorname",
                    r"\operatorname*", r"\mathsf", r"\texttt", r"\mbox"):
            argument = items[i] if i < len(items) else []
            i += 1
            width = _text_width(argument) * scale + (3.3 * scale if item.startswith(r"\operator") else 0)
            total += width
            if item == r"\operatorname*" and display:
                last_limits = (total, width)
            previous = "ord"
            continue
        if item == r"\mathbb":
            i += 1
            total += 7.3 * scale
            previous = "ord"
            continue
        if item == r"\frac":
            parts = [items[i] if i < len(items) else [], items[i + 1] if i + 1 < len(items) else []]
            i += 2
            inner = scale if display else scale * _SCRIPT
            total += max(_width(p if isinstance(p, list) else [p], False, inner) for p in parts) + 2.4 * scale
            previous = "ord"
            continue
        if item == r"\sqrt":
            argument = items[i] if i < len(items) else []
            i += 1
            total += 8.4 * scale + _width(argument if isinstance(argument, list) else [argument],
                                          display, scale)
            previous = "ord"
            continue
        if item in (r"\left", r"\right"):
            delimiter = items[i] if i < len(items) else "."
            i += 1
            if item == r"\left":
                sizes.append(_delimiter_width(items, i))
            size = sizes[-1] if sizes else 5.0
            if item == r"\right" and sizes:
                sizes.pop()
            total += (1.2 if delimiter == "." else size) * scale
            previous = "open" if item == r"\left" else "ord"
            continue
        if item in _ZERO:
            continue
        if item in ("+", "-") and previous in (None, "open", "op"):
            total += 7.8 * scale  # a sign, not an operation
            previous = "ord"
            continue
        if item in _COMMANDS:
            width = _COMMANDS[item]
            if item in (r"\sum", r"\prod") and not display:
                width *= 0.73
            total += width * scale
            if item in _BIG_OPERATORS and display:
                last_limits = (total, width * scale)
            previous = "op" if width in (_BIN, _REL) or item in (r"\in", r"\to", r"\cdot") else "ord"
            continue
        if item.startswith("\\") and item[1:].isalpha():
            total += _GREEK * scale  # a Greek letter or another single symbol
            previous = "ord"
            continue
        if item.isalpha():
            total += (_LETTERS.get(item, 5.5) if item.islower() else _UPPER) * scale
        elif item.isdigit():
            total += _DIGIT * scale
        else:
            total += _SYMBOLS.get(item, 5.0) * scale
        previous = "op" if item in "=<>+-(" else "open" if item in "([" else "ord"
    return total


def width(tex: str) -> float:
    """The estimated width of ``tex`` set in display style, in points at 10 pt."""
    return 1.04 * _width(_parse(_TOKEN.findall(tex))[0])


# -- breaking ----------------------------------------------------------------------------------
# After these a + or - is a sign (unary), not an operation to break at.
_NOT_AN_OPERAND = {"(", "[", "{", "=", "<", ">", ",", "+", "-", "&", "|", *(
    c for c, w in _COMMANDS.items() if w in (_BIN, _REL) or c in (r"\in", r"\to", r"\cdot"))}

@dataclass(frozen=True)
class _Break:
    at: int  # index in the text where the continued line starts (at the sign)
    depth: int  # how many \left pairs are open there
    groups: tuple  # (start, end) of the contents of each open pair, outermost first


def _breaks(tex: str) -> list[_Break] | None:
    """Where ``tex`` may be broken: before a binary + or − outside every ``{...}``. None when
    the text is not the balanced kind the printer makes (then it is left whole)."""
    braces, open_pairs, found, pairs = 0, [], [], {}
    i = 0
    while i < len(tex):
        match = _TOKEN.match(tex, i)
        token = match.group()
        end = match.end()
        if token == "{":
            braces += 1
        elif token == "}":
            braces -= 1
            if braces < 0:
                return None
        elif token == r"\left":
            delimiter = _TOKEN.match(tex, end)
            if delimiter is None:
                return None
            end = delimiter.end()
            open_pairs.append(end)
        elif token == r"\right":
            delimiter = _TOKEN.match(tex, end)
            if delimiter is None or not open_pairs:
                return None
            pairs[open_pairs[-1]] = i
            open_pairs.pop()
            end = delimiter.end()
        elif braces == 0 and token in "+-" and tex[i - 1:i] == " " and tex[i + 1:i + 2] == " ":
            before = _TOKEN.findall(tex[:i].rstrip())
            if before and before[-1] not in _NOT_AN_OPERAND:  # not a sign such as -x
                found.append((i, tuple(open_pairs)))
        i = end
    if braces or open_pairs:
        return None
    return [_Break(at, len(opened), tuple((s, pairs[s]) for s in opened)) for at, opened in found]


def _cut(tex: str, chosen: list[_Break]) -> list[str]:
    """``tex`` cut before each chosen sign.  A pair open at a cut is closed by ``\\right.`` at
    the end of the line and reopened by ``\\left.`` on the next; every piece of the pair gets a
    ``\\vphantom`` of its whole contents, so that all its delimiters have the same height."""
    phantoms = {s: r"\vphantom{%s}" % tex[s:e].strip() for p in chosen for s, e in p.groups}
    bounds = [0, *(p.at for p in chosen), len(tex)]
    opened = [(), *(p.groups for p in chosen), ()]
    lines = []
    for index in range(len(bounds) - 1):
        begin, end = bounds[index], bounds[index + 1]
        pieces, cursor = [], begin
        for position in sorted(k for k in phantoms if begin <= k < end):
            pieces += [tex[cursor:position], phantoms[position]]
            cursor = position
        pieces.append(tex[cursor:end])
        body = "".join(pieces).strip()
        reopen = "".join(r"\left.%s " % phantoms[s] for s, _ in opened[index])
        if index and not reopen:
            reopen = "{}"  # so that a leading + or - stays an operation
        close = r" \right." * len(opened[index + 1])
        lines.append(reopen + body + close)
    return lines


def _choose(tex: str, points: list[_Break], budget: float) -> list[_Break]:
    """The breaks that set ``tex`` best: no line wider than ``budget`` where that can be
    helped, lines of even length, few of them, and breaks inside brackets only when the
    bracketed material does not fit otherwise (a cost per open bracket, as TeX penalises
    breaks).  Dynamic programming over the break opportunities, on estimated widths."""
    bounds = [0, *(p.at for p in points), len(tex)]
    # "{}" so that a segment's leading sign is measured as an operation, not as a sign
    segments = [width(("{}" if a else "") + tex[a:b]) for a, b in zip(bounds, bounds[1:])]
    prefix = [0.0]
    for w in segments:
        prefix.append(prefix[-1] + w)
    indent, per_line, per_depth = width(CONTINUATION), (0.3 * budget) ** 2, (0.5 * budget) ** 2
    count = len(segments)
    best = [0.0] + [float("inf")] * count
    previous = [0] * (count + 1)
    for end in range(1, count + 1):
        for begin in range(end - 1, -1, -1):
            opened = points[begin - 1].depth if begin else 0
            closing = points[end - 1].depth if end < count else 0
            line = prefix[end] - prefix[begin] + (indent if begin else 0) + 3.0 * (opened + closing)
            if line > budget and end - begin > 1:
                break  # longer lines starting earlier are wider still
            cost = (1e9 if line > budget else (budget - line) ** 2) + per_line
            cost += per_depth * closing
            if best[begin] + cost < best[end]:
                best[end], previous[end] = best[begin] + cost, begin
    chosen, end = [], count
    while end:
        end = previous[end]
        if end:
            chosen.append(points[end - 1])
    return chosen[::-1]


def break_lines(tex: str, budget: float = LINE_WIDTH) -> list[str]:
    """``tex`` as display lines of at most about ``budget`` points: each line after the first
    starts with its sign (``{} + ...``, so that the sign keeps its spacing) and is meant to be
    indented by :data:`CONTINUATION`."""
    if width(tex) <= budget:
        return [tex]
    points = _breaks(tex)
    if not points:
        return [tex]
    return _cut(tex, _choose(tex, points, budget))
