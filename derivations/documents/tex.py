"""LaTeX to PDF with a real TeX engine, treating the source as untrusted.

A document can hold an author's raw LaTeX (the ``latex`` display field of a derivation file), so
the engine runs with ``-no-shell-escape`` (no ``\\write18``), with kpathsea's ``openin_any=p``
and ``openout_any=p`` (no reading or writing of files by absolute path, in parent folders or
dot files: ``\\input{/etc/passwd}`` fails), in a fresh temporary folder, without rc files
(``latexmk -norc``), in ``nonstopmode`` with ``-halt-on-error``, and under a time limit after
which the whole process group is killed.  The PDF's dates are ``SOURCE_DATE_EPOCH`` when it is
set, else the ``epoch`` the caller gives (``derive build``: the catalog's date), else the time of
the run; with a fixed date (``FORCE_SOURCE_DATE=1``; the documents set ``\\pdftrailerid{}``) the
same source gives the same bytes with the same engine.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputProblem, UsageError

DEBIAN_PACKAGES = ("texlive-latex-base", "texlive-latex-recommended",
                   "texlive-fonts-recommended", "latexmk")
INSTALL_HINT = ("install TeX Live, e.g. on Debian or Ubuntu: "
                f"apt-get install {' '.join(DEBIAN_PACKAGES)}")
TIME_LIMIT = 120.0  # seconds for the whole compilation
JOB = "document"
_OVERFULL = re.compile(r"^Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)(.*)$", re.M)
_RERUN = re.compile(r"Rerun to get|Label\(s\) may have changed|No file \S+\.toc")


class TexUnavailable(UsageError, RuntimeError):
    """No TeX engine is installed."""

    def __init__(self, done: str = ""):
        super().__init__((f"{done}: " if done else "")
                         + f"no TeX engine (latexmk or pdflatex) on PATH; {INSTALL_HINT}")


class TexFailed(InputProblem, RuntimeError):
    """The engine stopped with an error or ran out of time; ``lines`` are the relevant ones of
    its log, each with the line of the source it points at."""

    def __init__(self, message: str, lines: list[str], log: str = ""):
        self.lines, self.log = lines, log
        super().__init__("\n".join([message, *("  " + line for line in lines)]))


@dataclass(frozen=True)
class Compiled:
    pdf: bytes
    log: str
    engine: str  # "latexmk" or "pdflatex"

    @property
    def overfull(self) -> list[float]:
        """How many points each overfull line sticks out, in the order of the log."""
        return overfull_hboxes(self.log)


def engine() -> str | None:
    """``latexmk`` when it and pdflatex are installed, else ``pdflatex``, else None."""
    if shutil.which("pdflatex") is None:
        return None
    return "latexmk" if shutil.which("latexmk") else "pdflatex"


def available() -> bool:
    return engine() is not None


def overfull_hboxes(log: str) -> list[float]:
    return [float(m.group(1)) for m in _OVERFULL.finditer(log)]


_NOISE = re.compile(r"^(Type |or enter new name|Enter file name|See the |You're in trouble|"
                    r"<read \*>|<\*>|\s*$)")


def error_lines(log: str, source: str, limit: int = 8) -> list[str]:
    """The errors of a log: each message (``file:line: message`` or ``! message``) with the
    place TeX shows it at (``<argument> ...``: the text up to the error ends the first line),
    and the source line it names.  An error inside a display is named at the display's end, so
    TeX's context is the useful part."""
    lines = log.splitlines()
    source_lines = source.splitlines()
    errors = []
    for index, line in enumerate(lines):
        located = re.match(rf"^(?:\./)?{JOB}\.tex:(\d+): (.*)", line)
        if not (located or line.startswith("! ")):
            continue
        message = (located.group(2) if located else line[2:]).strip()
        if message.startswith(("Emergency stop", "==> Fatal error")):
            continue  # what follows an error, not the error
        number = int(located.group(1)) if located else None
        context = []
        if index >= 2 and lines[index - 2].startswith("Runaway argument"):
            context.append(lines[index - 1].rstrip()[:160])
        for follow in lines[index + 1:index + 14]:
            place = re.match(r"^l\.(\d+)", follow)
            if place:
                number = number or int(place.group(1))
                break
            stop = re.match(rf"^(?:\./)?{JOB}\.tex:(\d+): (Emergency stop)?", follow)
            if stop or follow.startswith("! "):
                if stop and stop.group(2):  # the place of an error raised by a package
                    number = number or int(stop.group(1))
                break
            if not _NOISE.match(follow) and len(context) < 4:
                context.append(follow.rstrip()[:160])
        entry = [f"line {number}: {message}" if number else message]
        entry += [f"    {text}" for text in context]
        if number and 0 < number <= len(source_lines) and source_lines[number - 1].strip():
            entry.append(f"    source line {number}: {source_lines[number - 1].strip()[:160]}")
        text = "\n".join(entry)
        if text not in errors:
            errors.append(text)
    if not errors:  # no TeX error message: the last lines say what happened
        errors = [line for line in lines[-6:] if line.strip()]
    return errors[:limit]


def _environment(folder: str, epoch: int | None = None) -> dict:
    env = dict(os.environ)
    env.update(
        openin_any="p", openout_any="p", shell_escape="f",  # kpathsea: no \write18, no stray files
        TEXMFOUTPUT=folder,
    )
    fixed = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not fixed.isdigit() and epoch is not None:
        fixed = str(int(epoch))
    if fixed.isdigit():  # a reproducible build's date
        env.update(SOURCE_DATE_EPOCH=fixed, FORCE_SOURCE_DATE="1")
    else:
        env.pop("SOURCE_DATE_EPOCH", None)
        env.pop("FORCE_SOURCE_DATE", None)
    return env


_ENGINE_OPTIONS = ["-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
                   "-file-line-error"]


def _run(command: list[str], folder: str, deadline: float, epoch: int | None = None) -> int:
    """Run in its own process group, killed as a whole at the deadline or when the run is
    interrupted; what the programs print goes to ``output.txt`` in the folder."""
    with open(Path(folder, "output.txt"), "ab") as output:
        process = subprocess.Popen(command, cwd=folder, env=_environment(folder, epoch),
                                   stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                   start_new_session=True)
        try:
            return process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except BaseException:  # the deadline, or SIGINT or SIGTERM stopping the run
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise


def _refusals(folder: str) -> list[str]:
    """kpathsea's messages about files it would not open (openin_any / openout_any)."""
    path = Path(folder, "output.txt")
    text = path.read_text(encoding="latin-1") if path.exists() else ""
    return list(dict.fromkeys(line.strip() for line in text.splitlines()
                              if re.search(r"Not (reading from|writing to) ", line)))


def compile_pdf(source: str, *, time_limit: float = TIME_LIMIT, use: str | None = None,
                epoch: int | None = None) -> Compiled:
    """The PDF of ``source``; ``TexUnavailable`` without an engine, ``TexFailed`` on an error.
    ``use`` picks the engine ("latexmk" or "pdflatex"), by default the best installed;
    ``epoch`` dates the PDF when ``SOURCE_DATE_EPOCH`` is not set (None: now)."""
    chosen = use or engine()
    if chosen is None or shutil.which(chosen) is None or shutil.which("pdflatex") is None:
        raise TexUnavailable()
    deadline = time.monotonic() + time_limit
    with tempfile.TemporaryDirectory(prefix="derivations-tex-") as folder:
        Path(folder, f"{JOB}.tex").write_text(source, encoding="utf-8")
        log_path = Path(folder, f"{JOB}.log")
        try:
            if chosen == "latexmk":
                status = _run(["latexmk", "-norc", "-pdf", "-silent", *_ENGINE_OPTIONS,
                               f"{JOB}.tex"], folder, deadline, epoch)
            else:
                for _ in range(3):  # twice for a table of contents; a third time if still asked
                    status = _run(["pdflatex", *_ENGINE_OPTIONS, f"{JOB}.tex"], folder, deadline,
                                  epoch)
                    log = log_path.read_text(encoding="latin-1") if log_path.exists() else ""
                    if status != 0 or not _RERUN.search(log):
                        break
        except subprocess.TimeoutExpired:
            log = log_path.read_text(encoding="latin-1") if log_path.exists() else ""
            raise TexFailed(f"{chosen} ran out of time ({time_limit:g} s)",
                            error_lines(log, source) + _refusals(folder), log) from None
        log = log_path.read_text(encoding="latin-1") if log_path.exists() else ""
        pdf = Path(folder, f"{JOB}.pdf")
        if status != 0 or not pdf.exists():
            raise TexFailed(f"{chosen} failed (exit code {status})",
                            error_lines(log, source) + _refusals(folder), log)
        return Compiled(pdf.read_bytes(), log, chosen)
