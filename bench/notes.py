"""Reading time of a long lecture note: a generated 40-page LaTeX file with 100 chains.

    python bench/notes.py [--chains 100] [--check]

Prints the file's size, the time to read every chain (target: under 2 s), the time the
derivation-file reader takes for the same expressions (building SymPy objects, whose assumption
queries are most of both times) and, with --check, the time to check them and the verdicts.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from sympy import sstr
from sympy.core.cache import clear_cache

from derivations.reading import notes
from derivations.reading.expressions import parse_expression
from derivations.checker import check

CHAIN = r"""
\subsection{Example %(k)d}
Some prose about the example, as a lecture has between its formulas. %(prose)s
%% derive: Gaussian example %(k)d
%% symbols: {theta: real, sigma: positive, n: positive integer, i: integer,
%%           x: real sequence, y: real sequence}
%% optimize: {over: [theta], sense: maximize}
\begin{align*}
L(\theta) &= \prod_{i=1}^{n} \frac{1}{\sqrt{2\pi}\,\sigma}
             \exp\Big(-\frac{(y_i - %(k)d\theta x_i)^2}{2\sigma^2}\Big) \\
\arg\max_\theta L(\theta) &= \arg\max_\theta \log L(\theta)
             && \text{the logarithm is strictly increasing} \\
  &= \arg\min_\theta \big(-\log L(\theta)\big)
             && \text{maximising a function is minimising its negative} \\
-\log L(\theta) &= -\sum_{i=1}^{n} \log\Big(\frac{1}{\sqrt{2\pi}\,\sigma}
             \exp\Big(-\frac{(y_i - %(k)d\theta x_i)^2}{2\sigma^2}\Big)\Big) \\
  &= n\log\big(\sqrt{2\pi}\,\sigma\big) + \frac{1}{2\sigma^2}\sum_{i=1}^{n}(y_i - %(k)d\theta x_i)^2
             && \text{expand each logarithm}
\end{align*}
"""


def note(chains: int) -> str:
    prose = "Words words words. " * 60  # about 40 pages of text with 100 chains
    body = "".join(CHAIN % {"k": k, "prose": prose} for k in range(1, chains + 1))
    return "\\documentclass{article}\n\\begin{document}\n" + body + "\\end{document}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chains", type=int, default=100)
    parser.add_argument("--check", action="store_true", help="also check every chain")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lecture.tex"
        path.write_text(note(arguments.chains))
        started = time.perf_counter()
        chains = notes.read(path)
        reading = time.perf_counter() - started
        errors = [c for c in chains if isinstance(c, Exception)]
        print(f"{path.stat().st_size / 1000:.0f} kB, {len(chains)} chains "
              f"({len(errors)} unreadable), {sum(len(c.steps) for c in chains if c not in errors)} "
              f"steps: read in {reading:.2f} s (target < 2 s)")
        # The floor SymPy sets: the same expressions read from the syntax of derivation files.
        clear_cache()
        started = time.perf_counter()
        for chain in chains:
            if chain not in errors:
                for expr in [chain.start] + [s.expr for s in chain.steps]:
                    parse_expression(sstr(expr), chain.context)
        print(f"the same {sum(len(c.steps) + 1 for c in chains if c not in errors)} expressions "
              f"in derivation-file syntax: {time.perf_counter() - started:.2f} s")
        if arguments.check:
            started = time.perf_counter()
            verdicts = Counter(s.judgement.verdict.value for c in chains if c not in errors
                               for s in check(c).steps)
            print(f"checked in {time.perf_counter() - started:.1f} s: {dict(verdicts)}")


if __name__ == "__main__":
    main()
