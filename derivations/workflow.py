"""What the commands do, kept out of the CLI: pick derivations, check them, write documents."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from . import catalog
from .checker import DEFAULT_TIMEOUT, check
from .report import Report


class UsageError(ValueError):
    """A request that names nothing, or something unknown; the CLI turns it into exit code 2."""


def select(names: tuple[str, ...], everything: bool) -> list:
    """The derivations named by id (or all of the catalog)."""
    if everything and names:
        raise UsageError("give ids or --all, not both")
    if everything:
        names = catalog.ids()
    if not names:
        raise UsageError("name a derivation (see 'derive list') or pass --all")
    try:
        return [catalog.get(name) for name in names]
    except catalog.UnknownDerivation as exc:
        raise UsageError(str(exc)) from exc


def check_all(derivations, timeout: float = DEFAULT_TIMEOUT) -> list[Report]:
    if timeout <= 0:
        raise UsageError("--timeout must be positive")
    return [check(d, timeout) for d in derivations]


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file and a rename, so no reader sees half a document."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


SUFFIXES = {"latex": ".tex", "markdown": ".md"}


def build(reports: list[Report], directory: Path) -> list[Path]:
    """Write the LaTeX and Markdown document of every report that passed; return the paths."""
    from .render import render

    written = []
    for report in reports:
        if not report.passed():
            continue
        for fmt, suffix in SUFFIXES.items():
            path = directory / f"{report.derivation.id}{suffix}"
            write_atomically(path, render(report, fmt))
            written.append(path)
    return written
