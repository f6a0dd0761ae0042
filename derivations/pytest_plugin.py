"""A pytest plugin: every ``*.deriv.yaml`` under the test paths is collected as tests, one item
per step (``file.deriv.yaml::step-3``), the way pytest collects doctests.  Every item has the
marker ``derivation`` (``-m derivation`` selects them, ``-m "not derivation"`` leaves them out);
``-v`` says PROVED or CHECKED for a passing step, with "(cached)" when the verdict was recalled.

Installed with the package (entry point ``pytest11``).  Options: ``--derivations-strict`` (every
step must be proved), ``--derivations-timeout S``, ``--derivations-no-cache`` (check every step
afresh instead of recalling unchanged ones from the verdict cache, ``$DERIVATIONS_CACHE_DIR`` or
the user's cache folder, as ``derive check`` does), ``--no-derivations`` (or ``-p
no:derivations``) to collect none.  A file that cannot be read is one failing item with its error.
"""

from __future__ import annotations

import dataclasses
import os

import pytest

from .reading import files
from .settings import DEFAULT_TIMEOUT, CheckSettings

MARKER = "derivation"


_SETTINGS = pytest.StashKey[CheckSettings]()


def pytest_addoption(parser):
    group = parser.getgroup("derivations", "derivation files (*.deriv.yaml)")
    group.addoption("--derivations-strict", action="store_true",
                    help="a derivation step passes only when it is proved")
    group.addoption("--derivations-timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                    help=f"seconds allowed per derivation step (default {DEFAULT_TIMEOUT:g})")
    group.addoption("--derivations-no-cache", action="store_true",
                    help="check every step afresh: neither recall nor keep verdicts")
    group.addoption("--no-derivations", action="store_true",
                    help="do not collect *.deriv.yaml files")


def pytest_configure(config):
    """The marker, and the run's settings from the plugin's options, validated once."""
    from .running.cache import VerdictCache

    config.addinivalue_line("markers", f"{MARKER}: a step of a derivation file (*.deriv.yaml)")
    cache = None if config.getoption("derivations_no_cache") else VerdictCache()
    config.stash[_SETTINGS] = CheckSettings(timeout=config.getoption("derivations_timeout"),
                                            strict=config.getoption("derivations_strict"),
                                            cache=cache)


def pytest_report_teststatus(report, config):
    """A passing step says how it passed: PROVED, or CHECKED (numeric evidence only)."""
    verdict = dict(report.user_properties).get(MARKER)
    if report.when == "call" and report.passed and verdict is not None:
        cached = " (cached)" if dict(report.user_properties).get("cached") else ""
        return "passed", "." if verdict == "proved" else "c", f"{verdict.upper()}{cached}"
    return None


def pytest_collect_file(file_path, parent):
    if file_path.name.endswith(files.SUFFIX) and not parent.config.getoption("no_derivations"):
        return DerivationFile.from_parent(parent, path=file_path)
    return None


class DerivationFile(pytest.File):
    """One derivation file, checked once; its steps are the items."""

    _report = None

    def collect(self):
        try:
            chains = files.read_all(self.path)
        # The class the reader raises, even where pytester has imported the package again.
        except files.InputError as error:
            yield UnreadableFile.from_parent(self, name="read", error=error)
            return
        self.derivations = chains
        self.derivation = chains[-1]
        for chain, derivation in enumerate(chains):
            # A file of several chains names each step by its chain: loss/step-1.
            prefix = f"{derivation.chain}/" if len(chains) > 1 else ""
            for index, step in enumerate(derivation.steps, start=1):
                yield StepItem.from_parent(self, name=f"{prefix}step-{index}", index=index,
                                           line=step.line, chain=chain)

    def report(self, chain: int | None = None):
        """The report on one chain (the last by default); each chain is checked once, the
        chains it cites before it."""
        if self._report is None:
            from .checker import check

            settings, known = self.config.stash[_SETTINGS], {}
            self._report = [check(d, settings, known) for d in self.derivations]
        return self._report[-1 if chain is None else chain]


class StepFailed(Exception):
    """A step that is refuted or undecided (or, strictly, not proved)."""


def _where(item: pytest.Item, line: int | None) -> str:
    """``path:line`` relative to where pytest was started (as an editor or terminal opens it)."""
    path = os.path.relpath(item.path, item.config.invocation_params.dir)
    return f"{path}:{line}" if line else path


class StepItem(pytest.Item):
    def __init__(self, *, index: int, line: int | None, chain: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.index, self.line, self.chain = index, line, chain
        self.add_marker(MARKER)

    def runtest(self):
        report = self.parent.report(self.chain)
        strict = self.config.stash[_SETTINGS].strict
        step = report.steps[self.index - 1]
        self.user_properties += [(MARKER, step.verdict.value), ("cached", step.judgement.recalled)]
        if not step.verdict.passes(strict):
            raise StepFailed(self._explain(report, strict))

    def _explain(self, report, strict: bool) -> str:
        from .documents.terminal import step_lines
        from .summary import summarize

        step = report.steps[self.index - 1]
        summary = dataclasses.replace(summarize(report), source=_where(self, None))
        lines = step_lines(summary, strict)
        # The header, this step's row and what follows it until the next row.
        start = next(i for i, line in enumerate(lines) if line.startswith(f"  {self.index:>4}  "))
        body = [lines[start]]
        for line in lines[start + 1:]:
            if not line.startswith("        "):
                break
            body.append(line)
        wanted = "proved (--derivations-strict)" if strict else "proved or checked"
        return "\n".join([f"{_where(self, self.line)}: step {self.index} is "
                          f"{step.verdict.value}, not {wanted}", lines[1], *body])

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, StepFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        # The failure's header names the file too, not only "step-2".
        return self.path, (self.line or 1) - 1, f"{self.nodeid} (line {self.line})" \
            if self.line else self.nodeid


class UnreadableFile(pytest.Item):
    def __init__(self, *, error: files.InputError, **kwargs):
        super().__init__(**kwargs)
        self.error = error
        self.add_marker(MARKER)

    def runtest(self):
        error = self.error
        column = f":{error.column}" if error.line and error.column else ""
        raise StepFailed(f"{_where(self, error.line)}{column}: {error.message}")

    def repr_failure(self, excinfo, style=None):
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, (self.error.line or 1) - 1, self.nodeid
