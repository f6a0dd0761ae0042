"""Wall time of checking the four core derivations: in one process after import, and as a cold
`derive check` run.  Prints medians of several runs; run with the project installed:

    python bench/core.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

CORE = ["gaussian-least-squares", "bernoulli-bce", "categorical-ce", "ce-kl-entropy"]


def after_import(runs: int) -> tuple[float, float]:
    """Import time and the median time of checking the four in this process."""
    started = time.perf_counter()
    from derivations import catalog
    from derivations.checker import check

    imported = time.perf_counter() - started
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        for name in CORE:
            assert check(catalog.get(name)).passed(strict=True), name
        times.append(time.perf_counter() - started)
    return imported, statistics.median(times)


def cold_cli(runs: int) -> float:
    derive = shutil.which("derive") or os.path.join(os.path.dirname(sys.executable), "derive")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([derive, "check", "--strict", *CORE], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    imported, checking = after_import(runs)
    cold = cold_cli(runs)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"import derivations + sympy:          {imported:.3f} s")
    print(f"check the four, after import:        {checking:.3f} s (median of {runs}; aim < 1 s)")
    print(f"cold `derive check --strict` of four: {cold:.3f} s (median of {runs}; aim < 2 s)")


if __name__ == "__main__":
    main()
