"""Issue #15: how long the steps between equations and from an objective to its estimator take.

    python bench/equations.py            # 5 runs of each file
    python bench/equations.py --runs 9

Checks the maximum-likelihood files of ``tests/derivations/good`` and the wrong ones of
``tests/derivations/bad`` that are about equations, with SymPy's cache cleared before every
run, and prints each step's verdict and median time (the checker's own ``StepReport.seconds``);
writes the same table to ``bench/results/equations.md``.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from sympy.core.cache import clear_cache

from derivations.checker import check
from derivations.reading import files
from derivations.settings import CheckSettings

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "tests" / "derivations"
FILES = ["good/gaussian-mean-mle", "good/gaussian-variance-mle", "good/bernoulli-mle",
         "good/categorical-mle-lagrange",
         "bad/divide-by-zero-iff", "bad/wrong-estimator", "bad/stationary-not-maximum"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    lines = ["| file | step | relation | verdict | median ms |", "|---|---|---|---|---|"]
    total = []
    for name in FILES:
        derivation = files.read(CORPUS / f"{name}.deriv.yaml")
        times: dict[int, list[float]] = {}
        verdicts = {}
        for _ in range(runs):
            clear_cache()
            report = check(derivation, CheckSettings(cache=None))
            for step in report.steps:
                times.setdefault(step.index, []).append(step.seconds)
                verdicts[step.index] = (step.step.relation.value, step.verdict.value)
        for index, found in times.items():
            median = statistics.median(found) * 1000
            total.append(median)
            lines.append(f"| {name} | {index} | {verdicts[index][0]} | {verdicts[index][1]} | "
                         f"{median:.1f} |")
    lines.append(f"\n{len(total)} steps: median {statistics.median(total):.1f} ms, "
                 f"slowest {max(total):.1f} ms ({runs} runs each)")
    text = "\n".join(lines)
    print(text)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "equations.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
