"""What the commands do, kept out of the CLI: pick derivations, check them, write documents."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from . import catalog, files
from .checker import DEFAULT_TIMEOUT, DerivationError, check
from .report import Report


class UsageError(ValueError):
    """A request that names nothing, or something unknown; the CLI turns it into exit code 2."""


def select(names: tuple[str, ...], everything: bool) -> list:
    """The derivations named by built-in id or by path (a folder gives every ``*.deriv.yaml``
    under it), or the whole catalog.  A file that cannot be read stands in the list as its
    ``InputError``, so the other files are still checked."""
    if everything and names:
        raise UsageError("give ids or --all, not both")
    if everything:
        names = catalog.ids()
    if not names:
        raise UsageError("name a derivation (an id from 'derive list', a file or a folder) "
                         "or pass --all")
    selected = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found = files.find(path)
            if not found:
                raise UsageError(f"no *{files.SUFFIX} file under {name}")
            selected += [_read(p) for p in found]
        elif path.exists() or name.endswith((".yaml", ".yml")) or "/" in name:
            selected.append(_read(path))
        else:
            try:
                selected.append(catalog.get(name))
            except catalog.UnknownDerivation as exc:
                raise UsageError(f"{exc}, and there is no file {name!r}") from None
    return selected


def _read(path: Path):
    try:
        return files.read(path)
    except files.InputError as exc:
        return exc


def check_all(selected, timeout: float = DEFAULT_TIMEOUT) -> tuple[list[Report], list[files.InputError]]:
    """Reports for the derivations, and the input errors of those that could not be checked."""
    if timeout <= 0:
        raise UsageError("--timeout must be positive")
    reports, errors = [], []
    for item in selected:
        if isinstance(item, files.InputError):
            errors.append(item)
            continue
        try:
            reports.append(check(item, timeout))
        except DerivationError as exc:
            errors.append(files.InputError(item.source, str(exc), exc.line, 1 if exc.line else None))
    return reports, errors


def check_one(name: str, timeout: float = DEFAULT_TIMEOUT) -> Report:
    """The report on one derivation (an id or a file); its input error is raised."""
    selected = select((name,), False)
    if len(selected) != 1:
        raise UsageError(f"{name} names {len(selected)} derivations; name one file or id")
    reports, errors = check_all(selected, timeout)
    if errors:
        raise errors[0]
    return reports[0]


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write through a temporary file and a rename, so no reader sees half a document."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8") if isinstance(text, str) else text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a document is for reading
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


SUFFIXES = {"latex": ".tex", "markdown": ".md"}
HANDOUT_NAME = "handout"  # output/handout.tex, .md and .pdf
HANDOUT_TITLE = "Losses from likelihoods"


def build(reports: list[Report], directory: Path, *, pdf: bool = True):
    """Write the LaTeX and Markdown document of every report that passed, and the handout of
    them all (``handout.tex``, ``handout.md`` and, with ``pdf`` and a TeX engine,
    ``handout.pdf``).  Returns a ``handout.Written``: the paths, and notes on what was not
    written and why."""
    from . import tex
    from .handout import Written, handout, write_pdf
    from .render import render

    written = Written(reports=reports)
    passed = [report for report in reports if report.passed()]
    for report in passed:
        for fmt, suffix in SUFFIXES.items():
            path = directory / f"{report.derivation.id}{suffix}"
            write_atomically(path, render(report, fmt))
            written.paths.append(path)
    if not passed:
        return written
    sources = {}
    for fmt, suffix in SUFFIXES.items():
        path = directory / f"{HANDOUT_NAME}{suffix}"
        sources[fmt] = handout(passed, fmt, title=HANDOUT_TITLE)
        write_atomically(path, sources[fmt])
        written.paths.append(path)
    target = directory / f"{HANDOUT_NAME}.pdf"
    if not pdf:
        written.notes.append(f"{target} not written (--no-pdf)")
    elif not tex.available():
        written.notes.append(f"{target} not written: no TeX engine; {tex.INSTALL_HINT}, "
                             "then run this command again")
    else:
        written.paths.append(write_pdf(sources["latex"], target))
    return written
