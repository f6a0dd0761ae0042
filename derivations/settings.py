"""How a run checks, in one object: built by the CLI, the pytest plugin and
``derivations.testing``, validated once here, and handed down unchanged to every layer (the
workflow, the worker processes, each claim and each step)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import UsageError

DEFAULT_TIMEOUT = 5.0  # seconds per step


@dataclass(frozen=True)
class CheckSettings:
    timeout: float = DEFAULT_TIMEOUT  # seconds per step; a step that runs out is undecided
    cache: object | None = None  # a ``cache.VerdictCache`` to recall unchanged steps, or None
    jobs: int = 1  # worker processes; 1 checks here, 0 picks one per core
    strict: bool = False  # only proved steps pass

    def __post_init__(self):
        timeout = self.timeout
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
                or not (math.isfinite(timeout) and timeout > 0):
            raise UsageError(f"--timeout must be a finite positive number of seconds, "
                             f"not {timeout!r}")
        if isinstance(self.jobs, bool) or not isinstance(self.jobs, int) or self.jobs < 0:
            raise UsageError(f"--jobs must be 0 (one per core) or more, not {self.jobs!r}")
