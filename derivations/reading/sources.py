"""Where derivations come from: built-in ids and ``*.deriv.yaml`` files, named on the command
line.  Resolving names reads no file and imports no SymPy, so a run whose verdicts are all in
the cache never needs it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .. import catalog
from ..errors import InputError, UsageError  # noqa: F401  (importable from here too)

SUFFIX = ".deriv.yaml"
NOTES_SUFFIXES = (".tex", ".md")  # lecture notes: every marked chain is a derivation
MAX_FILE_BYTES = 1_000_000  # a derivation is a few kilobytes; a bigger file is refused


@dataclass(frozen=True)
class Source:
    """One derivation to check: a built-in id, or a file's path."""

    name: str
    is_file: bool
    data: bytes | None = None  # what was read from standard input (named ``-``)


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes, or the ``InputError`` that says why not (missing, unreadable, larger than
    ``limit``, which is checked before anything is read)."""
    shown = str(path)
    try:
        if path.stat().st_size > limit:
            raise InputError(shown, f"the file is larger than {limit} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(shown, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > limit:  # it grew while being read
        raise InputError(shown, f"the file is larger than {limit} bytes")
    return data


STDIN, STDIN_NAME = "-", "<stdin>"  # ``derive check -`` reads one derivation file from stdin


def read_stdin(limit: int = MAX_FILE_BYTES) -> bytes:
    """Standard input, once, as a derivation file's bytes (refused beyond ``limit``)."""
    import sys

    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise InputError(STDIN_NAME, f"standard input is larger than {limit} bytes")
    return data


def find(folder: Path) -> list[Path]:
    """Every ``*.deriv.yaml`` under ``folder``, sorted; links to folders are not followed, so a
    link loop cannot trap the search."""
    found = []
    for root, _, names in os.walk(folder, followlinks=False):
        found += [Path(root) / n for n in names if n.endswith(SUFFIX) and (Path(root) / n).is_file()]
    return sorted(found)


def find_some(folder: Path) -> list[Path]:
    """``find``, where finding nothing is the caller's mistake (a usage error)."""
    found = find(folder)
    if not found:
        raise UsageError(f"no *{SUFFIX} file under {folder}")
    return found


def resolve(names: tuple[str, ...], everything: bool) -> list[Source]:
    """The derivations named by built-in id or by path (a folder gives every ``*.deriv.yaml``
    under it), or the whole catalog."""
    if everything and names:
        raise UsageError("give ids or --all, not both")
    if everything:
        names = catalog.ids()
    if not names:
        raise UsageError("name a derivation (an id from 'derive list', a file or a folder) "
                         "or pass --all")
    sources = []
    for name in names:
        path = Path(name)
        if name == STDIN:
            sources.append(Source(STDIN_NAME, True, read_stdin()))
        elif path.is_dir():
            sources += [Source(str(p), True) for p in find_some(path)]
        elif name.split("#", 1)[0].lower().endswith(NOTES_SUFFIXES):
            sources.append(Source(name, True))  # notes.tex, or one chain of it: notes.tex#2
        elif path.exists() or name.endswith((".yaml", ".yml")) or "/" in name:
            sources.append(Source(str(path), True))
        elif name in catalog.ids():
            sources.append(Source(name, False))
        else:
            raise UsageError(f"{catalog.UnknownDerivation(name)}, and there is no file {name!r}")
    return sources
