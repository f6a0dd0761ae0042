"""Issue #17: each step of the vector and matrix targets decided in under 1 s.

    python bench/vectors.py            # 5 timed runs per file after a warm-up
    python bench/vectors.py --runs 9

Checks every ``tests/derivations/good/vector-*.deriv.yaml`` file in process (SymPy's cache
cleared before each timed run, so a repeat does not recall the run before), and prints, per
step, its verdict and the median of the checker's own step times (``StepReport.seconds``),
then writes the same table to ``bench/results/vectors.md``.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from sympy.core.cache import clear_cache

from derivations.checker import check
from derivations.reading import files

HERE = Path(__file__).resolve().parent
GOOD = HERE.parent / "tests" / "derivations" / "good"
TARGET = 1.0  # seconds per step


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    lines = ["| file | step | verdict | median time (s) |", "|---|---|---|---|"]
    slowest = 0.0
    for path in sorted(GOOD.glob("vector-*.deriv.yaml")):
        derivation = files.read(path)
        check(derivation)  # warm-up: imports, the printer, SymPy's own tables
        times: dict[int, list[float]] = {}
        for _ in range(runs):
            clear_cache()
            report = check(derivation)
            for step in report.steps:
                times.setdefault(step.index, []).append(step.seconds)
        for step in report.steps:
            median = statistics.median(times[step.index])
            slowest = max(slowest, median)
            lines.append(f"| {path.name} | {step.index} | {step.verdict.value} | {median:.3f} |")
    lines.append("")
    lines.append(f"Slowest step: {slowest:.3f} s (target: under {TARGET:g} s); {runs} runs.")
    text = "\n".join(lines)
    print(text)
    (HERE / "results" / "vectors.md").write_text(
        "# Vector and matrix targets: time per step\n\n" + text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
