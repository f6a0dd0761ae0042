"""What the commands do, kept out of the CLI: pick derivations, check them, write documents.

Importing this module does not import SymPy: ``check_summaries`` prints a run whose summaries
are all in the verdict cache without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import catalog
from ..reading.sources import (
    MAX_FILE_BYTES, NOTES_SUFFIXES, InputError, Source, UsageError, resolve,
)
from ..storage import write_atomically
from ..summary import Summary, summarize
from ..settings import CheckSettings


def select(names: tuple[str, ...], everything: bool) -> list:
    """The derivations named by built-in id or by path (a folder gives every ``*.deriv.yaml``
    under it), or the whole catalog.  A file that cannot be read stands in the list as its
    ``InputError``, so the other files are still checked."""
    return [item for source in resolve(names, everything) for item in _load_all(source)]


def _load_all(source: Source) -> list:
    """The derivations of a source: one, or every chain of a notes file (``notes.tex#2`` is
    its second chain), each as itself or its ``InputError``."""
    if not source.is_file or not _is_notes(source):
        loaded = _load(source)
        return loaded if isinstance(loaded, list) else [loaded]
    from ..reading import notes

    path, _, number = source.name.partition("#")
    try:
        chains = notes.read(path)
    except InputError as exc:
        return [exc]
    if not number:
        return chains
    if not (number.isdigit() and 1 <= int(number) <= len(chains)):
        raise UsageError(f"{path} has {len(chains)} chain(s): name one as {path}#1 to "
                         f"{path}#{len(chains)}")
    return [chains[int(number) - 1]]


def _is_notes(source: Source) -> bool:
    return source.name.split("#", 1)[0].lower().endswith(NOTES_SUFFIXES)


def _load(source: Source, data: bytes | None = None):
    """The derivation of a source, or the file's ``InputError``."""
    if not source.is_file:
        return catalog.get(source.name)
    return _read(Path(source.name), data if data is not None else source.data)


def _read(path: Path, data: bytes | None = None):
    from ..reading import files

    try:
        chains = files.read_all(path, data)
    except InputError as exc:
        return exc
    return chains[0] if len(chains) == 1 else chains


def check_all(selected, settings: CheckSettings = CheckSettings()):
    """Reports for the derivations, and the input errors (``InputError``) of those that could
    not be checked.
    ``settings.cache`` recalls unchanged steps (``derivations.running.cache``);
    ``settings.jobs`` > 1 checks the steps in that many worker processes
    (``derivations.running.parallel``), 0 picks a number."""
    from ..model import DerivationError

    derivations = [item for item in selected if not isinstance(item, InputError)]
    jobs = settings.jobs
    if jobs == 0:
        from .parallel import workers_for

        jobs = workers_for(derivations)
    if jobs > 1:
        from .parallel import check_in_workers

        outcomes = check_in_workers(derivations, replace(settings, jobs=jobs))
    else:
        known: dict = {}  # the chains of a file, checked once where later ones cite them
        outcomes = [_check_or_error(item, settings, known) for item in derivations]
    reports, errors = [], [item for item in selected if isinstance(item, InputError)]
    for item, outcome in zip(derivations, outcomes):
        if isinstance(outcome, DerivationError):
            errors.append(InputError(item.source, str(outcome), outcome.line,
                                     1 if outcome.line else None))
        else:
            reports.append(outcome)
    return reports, errors


def _check_or_error(derivation, settings: CheckSettings, known: dict):
    from ..checker import check
    from ..model import DerivationError

    try:
        return known.get(id(derivation)) or check(derivation, settings, known)
    except DerivationError as exc:
        return exc


def check_summaries(names: tuple[str, ...], everything: bool,
                    settings: CheckSettings = CheckSettings()) -> tuple[list[Summary], list]:
    """``derive check``: the summary of every named derivation, in order, and the input errors.
    With a ``settings.cache``, an unchanged file or built-in is not even read: its summary is
    recalled; the rest are checked (their unchanged steps recalled) and their summaries kept."""
    cache = settings.cache
    sources = resolve(names, everything)
    found: dict[tuple[int, int], Summary] = {}
    # (position, chain) -> (key, derivation or error); a notes file has several chains
    pending: dict[tuple[int, int], tuple[str | None, object]] = {}
    for position, source in enumerate(sources):
        if source.is_file and _is_notes(source):  # several chains: not recalled as one summary
            for number, item in enumerate(_load_all(source)):
                pending[(position, number)] = (None, item)
            continue
        data = _bytes(source)
        key = None
        if cache is not None and (data is not None or not source.is_file):
            key = cache.summary_key(source.name, data)
            recalled = cache.get_summary(key)
            if recalled is not None:
                found[(position, 0)] = recalled
                continue
        loaded = _load(source, data)
        if isinstance(loaded, list):  # a file of several chains: each summarised on its own
            for number, item in enumerate(loaded):
                pending[(position, number)] = (None, item)
            continue
        pending[(position, 0)] = (key, loaded)
    if not pending:
        return [found[p] for p in sorted(found)], []
    reports, errors = check_all([item for _, item in pending.values()], settings)
    by_derivation = {id(report.derivation): report for report in reports}
    for position, (key, item) in pending.items():
        report = by_derivation.get(id(item))
        if report is not None:
            found[position] = summarize(report)
            if key is not None:
                cache.put_summary(key, found[position])
    return [found[p] for p in sorted(found)], errors


def _bytes(source: Source) -> bytes | None:
    """A file's bytes (None for a built-in, or a file that cannot be read: its reader says
    why)."""
    if not source.is_file:
        return None
    if source.data is not None:
        return source.data
    try:
        if Path(source.name).stat().st_size > MAX_FILE_BYTES:
            return None
        return Path(source.name).read_bytes()
    except OSError:
        return None


def check_one(name: str, settings: CheckSettings = CheckSettings()):
    """The report on one derivation (an id or a file); its input error is raised."""
    sources = resolve((name,), False)
    selected = [item for source in sources for item in _load_all(source)]
    if len(selected) != 1:
        hint = f"name one chain, such as {name}#1" if _is_notes(Source(name, True)) else (
            f"its chains go into one document with: derive handout {name} --title T -o FILE"
            if len(sources) == 1 else "name one file or id")
        raise UsageError(f"{name} names {len(selected)} derivations; {hint}")
    reports, errors = check_all(selected, replace(settings, jobs=1))
    if errors:
        raise errors[0]
    return reports[0]


def check_chains(name: str, settings: CheckSettings = CheckSettings()) -> list:
    """The reports on every chain of one file (one for a file of one chain, or an id), in
    order; the file's input error is raised."""
    selected = select((name,), False)
    reports, errors = check_all(selected, replace(settings, jobs=1))
    if errors:
        raise errors[0]
    return reports


SUFFIXES = {"latex": ".tex", "markdown": ".md"}
HANDOUT_NAME = "handout"  # output/handout.tex, .md and .pdf
WEB_PAGE = "index.html"  # output/index.html: the handout as a web page
HANDOUT_TITLE = "Losses from likelihoods"
# The date of the catalog's handout PDF when SOURCE_DATE_EPOCH is not set (2026-11-29 UTC):
# a rebuild of the same catalog gives the same bytes.  Change it with the catalog.
CATALOG_EPOCH = 1795910400


@dataclass
class Written:
    """What a handout or build wrote, and what it could not (with the reason)."""

    paths: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reports: list = field(default_factory=list)  # of ``Report``


def build(reports: list, directory: Path, *, pdf: bool = True):
    """Write the LaTeX and Markdown document of every report that passed, and the handout of
    them all (``handout.tex``, ``handout.md``, the web page ``index.html`` and, with ``pdf``
    and a TeX engine, ``handout.pdf``).  Returns a ``Written``: the paths, and notes on what was not
    written and why."""
    from ..documents import tex
    from ..documents.handout import handout, write_pdf
    from ..documents.render import render

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
    for fmt, name in [*((f, f"{HANDOUT_NAME}{s}") for f, s in SUFFIXES.items()),
                      ("html", WEB_PAGE)]:
        sources[fmt] = handout(passed, fmt, title=HANDOUT_TITLE)
        write_atomically(directory / name, sources[fmt])
        written.paths.append(directory / name)
    target = directory / f"{HANDOUT_NAME}.pdf"
    if not pdf:
        written.notes.append(f"{target} not written (--no-pdf)")
    elif not tex.available():
        written.notes.append(f"{target} not written: no TeX engine; {tex.INSTALL_HINT}, "
                             "then run this command again")
    else:
        written.paths.append(write_pdf(sources["latex"], target, reports=passed,
                                       epoch=CATALOG_EPOCH))
    return written


FORMAT_SUFFIXES = {".tex": "latex", ".md": "markdown", ".markdown": "markdown", ".html": "html",
                   ".htm": "html", ".pdf": "latex"}


def format_for(output: Path | None, fmt: str | None, default: str = "latex") -> str:
    """The format asked for, or the one the output's suffix names (``.tex``, ``.md``,
    ``.html``; ``.pdf`` is compiled LaTeX); a ``--format`` that contradicts the suffix is
    refused rather than writing one format under another's name."""
    named = FORMAT_SUFFIXES.get(output.suffix.lower()) if output is not None else None
    if fmt is None:
        return named or default
    if named is not None and named != fmt.split("-")[0]:
        raise UsageError(f"--format {fmt} does not match -o {output.name} ({named}); "
                         f"drop --format or name a {fmt} file")
    return fmt


def _pdf_paths(output: Path | None, fmt: str, pdf: bool) -> tuple[Path | None, Path | None]:
    """Where the LaTeX source and the PDF go: ``-o x.pdf`` writes ``x.tex`` beside it, and
    ``--pdf`` the PDF beside ``-o x.tex``."""
    wants_pdf = pdf or (output is not None and output.suffix.lower() == ".pdf")
    if not wants_pdf:
        return output, None
    if fmt != "latex":
        raise UsageError(f"a PDF is compiled from the LaTeX format, not {fmt}")
    if output is None:
        raise UsageError("--pdf needs -o (the .tex file; the PDF is written beside it)")
    return output.with_suffix(".tex"), output.with_suffix(".pdf")


def write_with_pdf(text: str, source: Path, pdf: Path | None, written: Written) -> Written:
    """Write ``text`` to ``source`` and, when asked, compile it to ``pdf``.  The source is
    written first, so that without a TeX engine the user still has it."""
    from ..documents import tex
    from ..documents.handout import write_pdf

    write_atomically(source, text)
    written.paths.append(source)
    if pdf is not None:
        if not tex.available():
            raise tex.TexUnavailable(f"wrote {source}, but not {pdf}")
        written.paths.append(write_pdf(text, pdf, reports=written.reports))
    return written


def render_document(target: str, *, output: Path | None = None, fmt: str | None = None,
                    pdf: bool = False, allow_unverified: bool = False, template_dir=None,
                    settings: CheckSettings = CheckSettings()) -> tuple[str, Written]:
    """``derive render``: check one derivation and render it; the text, and what was written
    (nothing without ``output``: the caller prints the text)."""
    from ..documents.render import render

    fmt = format_for(output, fmt, default="markdown" if output is None else "latex")
    source, pdf_path = _pdf_paths(output, fmt, pdf)
    report = check_one(target, settings)
    text = render(report, fmt, allow_unverified=allow_unverified, template_dir=template_dir)
    written = Written(reports=[report])
    if source is not None:
        write_with_pdf(text, source, pdf_path, written)
    return text, written


def make_handout(targets: tuple[str, ...], everything: bool, *, output: Path, title: str,
                 fmt: str | None = None, author: str = "", date: str = "", pdf: bool = False,
                 template_dir=None, allow_unverified: bool = False,
                 settings: CheckSettings = CheckSettings()) -> Written:
    """``derive handout``: check the targets as ``derive check`` does (recalling verdicts from
    ``settings.cache``, a ``VerdictCache``), write the handout to ``output`` (its format from
    the suffix unless ``fmt``) and, with ``pdf`` or an ``output`` ending in ``.pdf``, its PDF
    beside the ``.tex``, which is written even when no TeX engine is installed.

    Raises ``UsageError`` for a bad request or an unreadable file (exit code 2),
    ``RenderRefused`` for a derivation that did not pass (exit code 1), ``tex.TexUnavailable``
    and ``tex.TexFailed`` for the PDF (exit code 2)."""
    from ..documents.handout import handout

    fmt = format_for(output, fmt)
    if not title.strip():
        raise UsageError("--title must not be empty")
    source, pdf_path = _pdf_paths(output, fmt, pdf)
    if template_dir is not None and not Path(template_dir).is_dir():
        raise UsageError(f"--template-dir {template_dir}: not a folder")
    reports, errors = check_all(select(targets, everything), settings)
    if errors:
        raise UsageError("cannot read " + "; ".join(str(e) for e in errors))
    text = handout(reports, fmt, title=title, author=author, date=date,
                   allow_unverified=allow_unverified, template_dir=template_dir)
    return write_with_pdf(text, source, pdf_path, Written(reports=reports))
