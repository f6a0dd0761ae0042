"""A pytest plugin: every ``*.deriv.yaml`` under the test paths is collected as tests, one item
per step (``file.deriv.yaml::step-3``), the way pytest collects doctests.

Installed with the package (entry point ``pytest11``).  Options: ``--derivations-strict`` (every
step must be proved), ``--derivations-timeout S``, ``--no-derivations`` (or ``-p
no:derivations``) to collect none.  A file that cannot be read is one failing item with its error.
"""

from __future__ import annotations

import pytest

from . import files
from .settings import DEFAULT_TIMEOUT, CheckSettings
from .sources import InputError


_SETTINGS = pytest.StashKey[CheckSettings]()


def pytest_configure(config):
    """The run's settings from the plugin's options, validated once."""
    config.stash[_SETTINGS] = CheckSettings(timeout=config.getoption("derivations_timeout"),
                                            strict=config.getoption("derivations_strict"))


def pytest_addoption(parser):
    group = parser.getgroup("derivations", "derivation files (*.deriv.yaml)")
    group.addoption("--derivations-strict", action="store_true",
                    help="a derivation step passes only when it is proved")
    group.addoption("--derivations-timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                    help=f"seconds allowed per derivation step (default {DEFAULT_TIMEOUT:g})")
    group.addoption("--no-derivations", action="store_true",
                    help="do not collect *.deriv.yaml files")


def pytest_collect_file(file_path, parent):
    if file_path.name.endswith(files.SUFFIX) and not parent.config.getoption("no_derivations"):
        return DerivationFile.from_parent(parent, path=file_path)
    return None


class DerivationFile(pytest.File):
    """One derivation file, checked once; its steps are the items."""

    _report = None

    def collect(self):
        try:
            derivation = files.read(self.path)
        except InputError as error:
            yield UnreadableFile.from_parent(self, name="read", error=error)
            return
        self.derivation = derivation
        for index, step in enumerate(derivation.steps, start=1):
            yield StepItem.from_parent(self, name=f"step-{index}", index=index, line=step.line)

    def report(self):
        if self._report is None:
            from .checker import check

            self._report = check(self.derivation, self.config.stash[_SETTINGS])
        return self._report


class StepFailed(Exception):
    """A step that is refuted or undecided (or, strictly, not proved)."""


class StepItem(pytest.Item):
    def __init__(self, *, index: int, line: int | None, **kwargs):
        super().__init__(**kwargs)
        self.index, self.line = index, line

    def runtest(self):
        report = self.parent.report()
        strict = self.config.stash[_SETTINGS].strict
        step = report.steps[self.index - 1]
        if not step.verdict.passes(strict):
            raise StepFailed(self._explain(report, strict))

    def _explain(self, report, strict: bool) -> str:
        from .formatting import step_lines
        from .summary import summarize

        step = report.steps[self.index - 1]
        lines = step_lines(summarize(report), strict)
        # The header, this step's row and what follows it until the next row.
        start = next(i for i, line in enumerate(lines) if line.startswith(f"  {self.index:>4}  "))
        body = [lines[start]]
        for line in lines[start + 1:]:
            if not line.startswith("        "):
                break
            body.append(line)
        wanted = "proved (--derivations-strict)" if strict else "proved or checked"
        return "\n".join([f"{self.path}:{self.line}: step {self.index} is {step.verdict.value}, "
                          f"not {wanted}", lines[1], *body])

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, StepFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, (self.line or 1) - 1, self.name


class UnreadableFile(pytest.Item):
    def __init__(self, *, error: InputError, **kwargs):
        super().__init__(**kwargs)
        self.error = error

    def runtest(self):
        raise StepFailed(str(self.error))

    def repr_failure(self, excinfo, style=None):
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, (self.error.line or 1) - 1, self.name
