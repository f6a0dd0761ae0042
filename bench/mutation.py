"""Mutation testing of the checker over the catalog and the correct test corpus.

    python bench/mutation.py [--per-step 7] [--seeds 4]

Prints the number of mutants, the false ones, the false accepts (must be 0), the share of false
mutants refuted outright, and the verdicts on the mutants not shown false.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from derivations import catalog
from derivations.reading import files
from derivations.mutation import mutate, summary

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "derivations" / "good"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-step", type=int, default=7, help="mutants per step and seed")
    parser.add_argument("--seeds", type=int, default=4, help="rounds with different mutants")
    arguments = parser.parse_args()
    derivations = [catalog.get(i) for i in catalog.ids()] + [d for p in sorted(CORPUS.glob("*.deriv.yaml")) for d in files.read_all(p)]
    started = time.perf_counter()
    outcomes = [o for seed in range(arguments.seeds)
                for o in mutate(derivations, arguments.per_step, seed)]
    result = summary(outcomes)
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=1))
    raise SystemExit(1 if result["false accepts"] else 0)


if __name__ == "__main__":
    main()
