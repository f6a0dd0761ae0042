"""Issue #17: each step of the expectation and integral targets decided in under 1 s.

    python bench/expectations.py            # 5 runs per file
    python bench/expectations.py --runs 9

Checks each good file of the issue in process (SymPy's cache cleared before every run, the
verdict cache off), and prints, per step, its verdict, the rule or normal form and the median
of its step times (``StepReport.seconds``); the same table goes to
``bench/results/expectations.md``.  The target: every step under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from sympy.core.cache import clear_cache

from derivations.checker import check
from derivations.reading import files
from derivations.settings import CheckSettings

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("gaussian-entropy", "gaussian-kl", "bias-variance", "jensen-log", "elbo-discrete")
LIMIT = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    lines = ["| file | step | verdict | how | median (ms) |", "|---|---|---|---|---|"]
    slowest = 0.0
    for name in TARGETS:
        derivation = files.read(ROOT / "tests" / "derivations" / "good" / f"{name}.deriv.yaml")
        times: dict[int, list[float]] = {}
        for _ in range(runs):
            clear_cache()
            report = check(derivation, CheckSettings(strict=True))
            for number, step in enumerate(report.steps, start=1):
                times.setdefault(number, []).append(step.seconds)
        for number, step in enumerate(report.steps, start=1):
            median = statistics.median(times[number])
            slowest = max(slowest, median)
            lines.append(f"| {name} | {number} | {step.judgement.verdict.value} | "
                         f"{step.judgement.method} | {1000 * median:.1f} |")
    lines.append(f"\nslowest step: {1000 * slowest:.1f} ms (target: under {1000 * LIMIT:.0f} ms)")
    text = "\n".join(lines)
    print(text)
    out = ROOT / "bench" / "results" / "expectations.md"
    out.write_text("# Expectation and integral targets (issue 17)\n\n" + text + "\n")
    return 0 if slowest < LIMIT else 1


if __name__ == "__main__":
    raise SystemExit(main())
