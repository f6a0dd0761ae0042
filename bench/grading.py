"""Issue #19: grade 1,000 generated submissions and report submissions per second.

    python bench/grading.py                 # 1,000 submissions, --jobs 2, cold then warm cache
    python bench/grading.py --count 200 --jobs 1

The submissions are made from those under ``tests/grading/<assignment>/submissions`` (a
quarter per assignment): half correct chains (copied, as a class's correct answers mostly are),
three in ten slips with a constant drawn at random (so each slip is a claim of its own to
refute), and two in ten tricks and hostile files.  Every submission is graded as the CLI does
(``derivations.grading.grade_all``), first with an empty verdict cache (cold), then again with
the cache it filled (warm).  The script checks that every generated correct chain gets full
marks and every slip, trick and hostile file does not, and writes its figures to
``bench/results/grading.md``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "grading"
# For each assignment, a slip made unique by a random constant c: (template, pattern, replacement)
SLIPS = {
    "gaussian-least-squares": ("slip-factor", r"/sigma\*\*2\n", "/({c}*sigma**2)\n"),
    "bernoulli-bce": ("slip-softplus-sign", r"\+ y\[i\]\*z\[i\]", "+ {c}*y[i]*z[i]"),
    "categorical-ce": ("slip-lost-log", r"  - expr: -q\[j\]", "  - expr: -{c}*q[j]"),
    "ce-kl-entropy": ("slip-entropy-sign", r"\+ Sum\(p\[k\]\*log\(p\[k\]\), \(k, 1, C\)\)",
                      "+ {c}*Sum(p[k]*log(p[k]), (k, 1, C))"),
}


def generate(folder: Path, count: int, seed: int) -> dict[str, list[tuple[Path, str]]]:
    """``count`` submissions under ``folder``, by assignment: (path, kind) with kind
    'correct', 'slip' or 'hostile'."""
    chooser = random.Random(seed)
    made: dict[str, list[tuple[Path, str]]] = {}
    for number in range(count):
        name = sorted(SLIPS)[number % len(SLIPS)]
        templates = sorted((CORPUS / name / "submissions").glob("*.deriv.yaml"))
        draw = chooser.random()
        if draw < 0.5:
            kind = "correct"
            text = chooser.choice([t for t in templates if t.name.startswith("correct")]).read_text()
        elif draw < 0.8:
            kind = "slip"
            template, pattern, replacement = SLIPS[name]
            text = (CORPUS / name / "submissions" / f"{template}.deriv.yaml").read_text()
            text = re.sub(pattern, replacement.format(c=chooser.randint(3, 10_000)), text, count=1)
        else:
            kind = "hostile"
            text = chooser.choice([t for t in templates
                                   if t.name.startswith(("trick-", "hostile-"))]).read_text()
        path = folder / name / f"s{number:04d}.deriv.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        made.setdefault(name, []).append((path, kind))
    return made


def grade_everything(made, cache, jobs: int, timeout: float) -> tuple[float, list]:
    from derivations import grading
    from derivations.settings import CheckSettings

    started = time.perf_counter()
    results = []
    for name, submissions in made.items():
        assignment = grading.read_assignment(CORPUS / name / "assignment.yaml")
        grades = grading.grade_all(assignment, [p for p, _ in submissions],
                                   CheckSettings(timeout=timeout, cache=cache, jobs=jobs))
        results += [(kind, grade) for (_, kind), grade in zip(submissions, grades)]
    return time.perf_counter() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=19)
    arguments = parser.parse_args()
    import sympy  # noqa: F401  (imported before timing, as a grading run has it loaded)

    from derivations.running.cache import VerdictCache

    with tempfile.TemporaryDirectory() as work:
        made = generate(Path(work) / "submissions", arguments.count, arguments.seed)
        cache = VerdictCache(Path(work) / "verdicts")
        cold, results = grade_everything(made, cache, arguments.jobs, arguments.timeout)
        warm, again = grade_everything(made, cache, arguments.jobs, arguments.timeout)
    wrong = [(kind, grade.path, grade.score) for kind, grade in results
             if (kind == "correct") != grade.full_marks or (kind != "correct" and
                                                           grade.score >= grade.max_score)]
    kinds = {k: sum(1 for kind, _ in results if kind == k) for k in ("correct", "slip", "hostile")}
    undecided = sum(1 for _, g in results if "undecided" in g.feedback)
    same = [g.score for _, g in results] == [g.score for _, g in again]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# Grading benchmark (bench/grading.py)",
        "",
        f"{arguments.count} submissions ({kinds['correct']} correct, {kinds['slip']} slips with "
        f"a random constant, {kinds['hostile']} tricks and hostile files) over the four core "
        f"assignments, --jobs {arguments.jobs}, {len(os.sched_getaffinity(0))} cores, load "
        f"average {load:.1f} at the end.",
        "",
        "| cache | seconds | submissions per second |",
        "|---|---|---|",
        f"| cold (empty) | {cold:.1f} | {arguments.count / cold:.1f} |",
        f"| warm | {warm:.1f} | {arguments.count / warm:.1f} |",
        "",
        f"Misgraded: {len(wrong)} (a correct chain without full marks, or anything else with "
        f"them). Same scores cold and warm: {'yes' if same else 'NO'}. Submissions with an "
        f"undecided step (out of time on the loaded machine; not cached, so checked again "
        f"when warm): {undecided}.",
    ]
    lines += [f"- {kind} {path}: {score}" for kind, path, score in wrong[:20]]
    text = "\n".join(lines) + "\n"
    print(text)
    results_folder = Path(__file__).parent / "results"
    results_folder.mkdir(exist_ok=True)
    (results_folder / "grading.md").write_text(text)
    raise SystemExit(1 if wrong or not same else 0)


if __name__ == "__main__":
    main()
