"""Issue #7: check the whole catalog at close to the cost of importing SymPy.

Run with the project installed (matplotlib for the plot: ``pip install '.[bench]'``):

    python bench/perf.py             # the full run, several minutes
    python bench/perf.py --quick     # a smoke run: fewer runs, shorter series
    python bench/perf.py --runs 9 --profile

It prints one line per figure (medians of ``--runs`` runs, default 5; three times as many for
whole commands) and writes the same to ``bench/results/perf.md`` with a plot in
``bench/results/perf.png``.  The targets:

| figure | target |
|---|---|
| ``derive --help`` | at most 3x ``python -c pass`` |
| ``derive check --all``, empty cache | at most 4x ``python -c "import sympy"`` |
| ``derive check --all``, warm cache | at most 1.6x ``python -c "import sympy"`` |
| one step's verdict, in process | median under 15 ms |
| against ``simplify(before - after) == 0`` on the same equality steps | at least 10x faster |
| categorical cross-entropy with C = 10,000 classes | under 1 s, about constant in C |
| refuting a wrong Gaussian normaliser with n data points | linear in n at worst |
| each logistic-regression gradient step (``bench/logistic-gradient.deriv.yaml``) | under 1 s |

The command-line figures are wall times of fresh processes; every ``derive check`` gets its own
``DERIVATIONS_CACHE_DIR`` (a new empty folder per cold run).  Each command runs in turn with its
baseline (``python -c pass`` or ``import sympy``), and its ratio is of the two medians of those
same runs, so that a slow spell of a shared machine weighs on both alike.  In-process figures come from the
checker's own step times (``StepReport.seconds``) after a warm-up pass; SymPy's cache is cleared
before every timed in-process run, so a repeat does not recall the work of the one before.
The naive ``simplify`` runs once per step under a 10 s limit (a timeout counts as 10 s); the
scaling series run ``check`` with a 600 s step limit and do not repeat a run longer than 5 s.
``--profile`` adds a cProfile of the categorical cross-entropy check with C = 1,000.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import importlib.metadata
import io
import math
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import sympy as sp
from sympy.core.cache import clear_cache

from derivations.settings import CheckSettings
from derivations import catalog
from derivations.checker import check
from derivations.kernel import Context, Given, Relation, apply_givens
from derivations.model import Derivation, Step
from derivations.timelimit import StepTimeout, time_limit

RESULTS = Path(__file__).parent / "results"
NAIVE_CAP = 10.0  # seconds; a naive simplify that runs out counts as this long
SERIES_TIMEOUT = 600.0  # the checker's per-step limit in the scaling series (n = 100,000: minutes)
REPEAT_LIMIT = 5.0  # a series run longer than this is not repeated
FULL = {"classes": (10, 100, 1_000, 10_000), "points": (10, 100, 1_000, 10_000, 100_000),
        "chain": 100}
QUICK = {"classes": (10, 100), "points": (10, 100, 1_000), "chain": 20}


def _derive() -> str:
    """The ``derive`` beside this Python (the venv's), else the one on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "derive")
    return beside if os.path.exists(beside) else (shutil.which("derive") or beside)


DERIVE = _derive()


class MeasurementError(Exception):
    """A measurement that could not be made; the message says why."""


# -- reporting ---------------------------------------------------------------------------------
class Results:
    """Figures as they are measured: printed at once, written as Markdown at the end."""

    def __init__(self, machine: str):
        self.machine = machine
        self.rows: list[tuple[str, str, str, str]] = []
        self.sections: list[str] = []
        self.series: dict = {}
        print(machine)

    def row(self, label: str, value: str, compare: str = "", target: str = "",
            met: bool | None = None) -> None:
        verdict = "" if met is None else ("met" if met else "MISSED")
        print(f"  {label:<46} {value:>12}  {compare}"
              + (f"  [target {target}: {verdict}]" if target else ""))
        self.rows.append((label, value, compare, f"{target} {verdict}".strip()))

    def note(self, text: str) -> None:
        print(f"  note: {text}")
        self.rows.append((f"note: {text}", "", "", ""))

    def table(self, title: str, header: tuple[str, ...], rows: list[tuple]) -> None:
        print(f"  {title}:")
        for values in rows:
            print("    " + " | ".join(str(v) for v in values))
        lines = [f"### {title}", "", "| " + " | ".join(header) + " |",
                 "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_cell(v) for v in values) + " |" for values in rows]
        self.sections.append("\n".join(lines))

    def block(self, title: str, text: str) -> None:
        print(f"  {title}:\n" + "\n".join("    " + line for line in text.splitlines()))
        self.sections.append(f"### {title}\n\n```text\n{text}\n```")

    def markdown(self) -> str:
        lines = ["# Performance (issue #7)", "", self.machine, "",
                 "| measurement | median | compared | target |", "|---|---:|---|---|"]
        for label, value, compare, target in self.rows:
            lines.append("| " + " | ".join(map(_cell, (label, value, compare, target))) + " |")
        return "\n".join(lines + [""] + [s + "\n" for s in self.sections])


def _cell(value) -> str:
    return str(value).replace("|", "\\|")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"machine: {platform.platform()}, {cpu}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, SymPy {importlib.metadata.version('sympy')}")


def seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def verdicts(report) -> str:
    counts = Counter(s.verdict.value for s in report.steps)
    return ", ".join(f"{count} {verdict}" for verdict, count in counts.items())


# -- command line ------------------------------------------------------------------------------
def run(command: list[str], env: dict | None = None) -> float:
    """Wall time of one process; a non-zero exit code is a MeasurementError."""
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env)
    except OSError as exc:
        raise MeasurementError(f"{command[0]}: {exc}") from None
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-3:]
        raise MeasurementError(f"`{' '.join(command[1:])}` exited with {done.returncode}: "
                               + " / ".join(tail))
    return elapsed


def cache_env(folder: str) -> dict:
    return {**os.environ, "DERIVATIONS_CACHE_DIR": folder}


def median_run(command: list[str], runs: int) -> float:
    """The median wall time; each run gets an empty cache folder."""
    return median_pair(command, None, runs)[0]


def median_pair(command: list[str], base: list[str] | None, runs: int,
                folder: str | None = None) -> tuple[float, float | None]:
    """The median wall times of ``command`` and of ``base``, run one after the other in turn,
    so that a slow spell of a shared machine weighs on both sides of their ratio alike.  Each
    run of ``command`` gets an empty cache folder unless ``folder`` is given."""
    times, base_times = [], []
    for _ in range(runs):
        if base is not None:
            base_times.append(run(base))
        with tempfile.TemporaryDirectory(prefix="perf-cache-") as empty:
            times.append(run(command, cache_env(folder or empty)))
    return statistics.median(times), statistics.median(base_times) if base_times else None


def measure_cli(results: Results, runs: int) -> None:
    """Whole commands are short and noisy on a shared machine: three times the runs."""
    runs *= 3
    python = [sys.executable, "-c"]
    floor = median_run(python + ["pass"], runs)
    sympy_floor = median_run(python + ["import sympy"], runs)
    results.row("python -c pass", seconds(floor))
    results.row('python -c "import sympy"', seconds(sympy_floor))

    def versus(label, command, base, base_name, target, folder=None):
        try:
            value, alongside = median_pair(command, python + [base], runs, folder)
        except MeasurementError as exc:
            results.row(label, "error", str(exc))
            return None
        ratio = value / alongside
        results.row(label, seconds(value), f"{ratio:.2f}x {base_name} ({seconds(alongside)} "
                    "in turn)", f"<= {target}x" if target else "",
                    ratio <= target if target else None)
        return value

    versus("derive --help", [DERIVE, "--help"], "pass", "python -c pass", 3)
    versus("derive list", [DERIVE, "list"], "pass", "python -c pass", None)
    cold = versus("derive check --all, cold", [DERIVE, "check", "--all"], "import sympy",
                  "import sympy", 4)
    versus(f"derive check --all --jobs {os.cpu_count()}, cold",
           [DERIVE, "check", "--all", "--jobs", str(os.cpu_count())], "import sympy",
           "import sympy", 4)
    if cold is not None:
        with tempfile.TemporaryDirectory(prefix="perf-cache-") as folder:
            run([DERIVE, "check", "--all"], cache_env(folder))  # fills the cache
            versus("derive check --all, warm", [DERIVE, "check", "--all"], "import sympy",
                   "import sympy", 1.6, folder)


# -- in process: the catalog -------------------------------------------------------------------
def catalog_pass() -> dict[tuple[str, int], tuple[float, str]]:
    """(id, step) -> (seconds, method) for every step of the catalog, SymPy's cache cleared."""
    clear_cache()
    found = {}
    for name in catalog.ids():
        for step in check(catalog.get(name)).steps:
            found[(name, step.index)] = (step.seconds, step.judgement.method)
    return found


def measure_steps(results: Results, runs: int) -> None:
    """Per-step times (median over passes) after one warm-up pass."""
    catalog_pass()
    passes = [catalog_pass() for _ in range(runs)]
    times = {key: statistics.median(p[key][0] for p in passes) for key in passes[0]}
    values = sorted(times.values())
    median = statistics.median(values)
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8]
    results.row(f"one step, median of {len(values)} steps", seconds(median), "",
                "< 15 ms", median < 0.015)
    results.row("one step, p90", seconds(p90))
    results.row("one step, max", seconds(values[-1]))
    slowest = sorted(times, key=times.get, reverse=True)[:5]
    results.table("slowest steps (in process)", ("id", "step", "time", "method"),
                  [(name, index, seconds(times[(name, index)]), passes[0][(name, index)][1])
                   for name, index in slowest])
    results.series["steps"] = times


def equality_claims():
    """(id, step, before, after) for every equality step, givens applied to both sides."""
    for name in catalog.ids():
        derivation = catalog.get(name)
        before = derivation.start
        for index, step in enumerate(derivation.steps, start=1):
            if step.relation is Relation.EQ:
                givens = tuple(derivation.givens[g] for g in step.using)
                yield (name, index, apply_givens(before, givens),
                       apply_givens(step.expr, givens))
            before = step.expr


def naive(before, after) -> tuple[float, str]:
    """Seconds for ``simplify(before - after) == 0`` (capped) and what came of it."""
    started = time.perf_counter()
    try:
        with time_limit(NAIVE_CAP):
            outcome = "proved" if sp.simplify(before - after) == 0 else "not proved"
    except StepTimeout:
        return NAIVE_CAP, "timeout"
    except Exception as exc:  # noqa: BLE001 - SymPy may raise anything; it is "not proved"
        outcome = f"error ({type(exc).__name__})"
    return time.perf_counter() - started, outcome


def measure_naive(results: Results) -> None:
    ours = results.series["steps"]
    clear_cache()
    timed = {(name, index): naive(before, after)
             for name, index, before, after in equality_claims()}
    outcomes = Counter(outcome for _, outcome in timed.values())
    theirs = [timed[key][0] for key in timed]
    mine = [ours[key] for key in timed]
    ratio = statistics.median(theirs) / statistics.median(mine)
    results.row("equality steps, naive simplify proves",
                f"{outcomes['proved']} of {len(timed)}",
                f"{outcomes['timeout']} timeouts (counted as {NAIVE_CAP:g} s), "
                f"{len(timed) - outcomes['proved'] - outcomes['timeout']} not proved or errors")
    results.row("naive simplify, median per step", seconds(statistics.median(theirs)))
    results.row("ours on the same steps, median", seconds(statistics.median(mine)),
                f"naive/ours {ratio:.2f}x", ">= 10x", ratio >= 10)
    results.row("naive/ours, summed over the same steps", f"{sum(theirs) / sum(mine):.2f}x",
                f"naive {sum(theirs):.2f} s, ours {sum(mine):.2f} s")
    results.series["naive"] = {key: (timed[key][0], ours[key]) for key in timed}


# -- in process: scaling series ----------------------------------------------------------------
def with_size(derivation: Derivation, name: str, value: int) -> Derivation:
    """The derivation with the size ``name`` (n, C) fixed to ``value``: every expression,
    given and declared bound; the other names keep their SymPy symbols."""
    fixed = {derivation.context.lookup(name).obj: sp.Integer(value)}
    context = Context()
    for declaration in derivation.context.declarations:
        if declaration.name == name:
            continue
        domain = dataclasses.replace(declaration.domain,
                                     lower=declaration.domain.lower.xreplace(fixed),
                                     upper=declaration.domain.upper.xreplace(fixed))
        if declaration.kind == "scalar":
            made = context.symbol(declaration.name, domain)
        elif declaration.kind == "sequence":
            made = context.sequence(declaration.name, domain, declaration.rank)
        else:
            made = context.function(declaration.name, declaration.rank)
        if made != declaration.obj:
            raise MeasurementError(f"fixing {name} changed the symbol {declaration.name}")
    return dataclasses.replace(
        derivation, id=f"{derivation.id}-{name}{value}", context=context,
        start=derivation.start.xreplace(fixed),
        steps=tuple(dataclasses.replace(s, expr=s.expr.xreplace(fixed)) for s in derivation.steps),
        givens={key: Given(g.name, g.lhs.xreplace(fixed), g.rhs.xreplace(fixed))
                for key, g in derivation.givens.items()},
    )


def timed_check(derivation: Derivation, runs: int):
    """Median wall time of ``check`` (a run over REPEAT_LIMIT is not repeated) and a report."""
    times = []
    for _ in range(runs):
        clear_cache()
        started = time.perf_counter()
        report = check(derivation, CheckSettings(timeout=SERIES_TIMEOUT))
        times.append(time.perf_counter() - started)
        if times[-1] > REPEAT_LIMIT:
            break
    return statistics.median(times), report


def limits_hit(report) -> str:
    """The reasons of undecided steps, such as a time limit or the term budget."""
    reasons = {s.judgement.method for s in report.steps if s.verdict.value == "undecided"}
    return "; ".join(sorted(reasons))


def measure_classes(results: Results, sizes, runs: int) -> None:
    base = catalog.get("categorical-ce")
    rows, figures = [], {}
    for size in sizes:
        taken, report = timed_check(with_size(base, "C", size), runs)
        figures[size] = taken
        rows.append((f"{size:,}", seconds(taken), verdicts(report), limits_hit(report)))
        print(f"    C = {size:,}: {seconds(taken)} ({verdicts(report)})", flush=True)
    results.table(f"categorical-ce with a concrete C (per-step limit {SERIES_TIMEOUT:g} s)",
                  ("C", "check()", "verdicts", "undecided because"), rows)
    largest, smallest = max(figures), min(figures)
    results.row(f"categorical-ce, C = {largest:,}", seconds(figures[largest]),
                f"{figures[largest] / figures[smallest]:.1f}x C = {smallest:,}", "< 1 s",
                figures[largest] < 1)
    results.series["classes"] = figures


def wrong_normaliser(size: int) -> tuple[Derivation, int]:
    """The README's slip on the catalog's Gaussian chain, n fixed: -log of the likelihood, the
    (true) sum of logarithms, then n*log(sqrt(2*pi*sigma)) for n*log(sqrt(2*pi)*sigma).
    Returns the derivation and the index of its false step."""
    base = catalog.get("gaussian-least-squares")
    n, sigma = (base.context.lookup(name).obj for name in ("n", "sigma"))
    negated, as_sum, expanded = base.steps[1], base.steps[2], base.steps[3]
    wrong = (expanded.expr - n * sp.log(sp.sqrt(2 * sp.pi) * sigma)
             + n * sp.log(sp.sqrt(2 * sp.pi * sigma)))
    derivation = dataclasses.replace(
        base, id="wrong-normaliser", start=negated.expr, optimization=None,
        steps=(Step(as_sum.expr, by=as_sum.by), Step(wrong, by="expand each logarithm")))
    return with_size(derivation, "n", size), 2


def measure_points(results: Results, sizes, runs: int) -> None:
    rows, figures = [], {}
    for size in sizes:
        derivation, false_step = wrong_normaliser(size)
        taken, report = timed_check(derivation, runs)
        step = report.steps[false_step - 1]
        if step.verdict.value == "refuted":
            figures[size] = step.seconds
        rows.append((f"{size:,}", seconds(taken), seconds(step.seconds), verdicts(report),
                     limits_hit(report)))
        print(f"    n = {size:,}: {seconds(taken)}, false step {step.verdict.value} in "
              f"{seconds(step.seconds)}", flush=True)
    results.table(f"refuting the wrong Gaussian normaliser with a concrete n "
                  f"(per-step limit {SERIES_TIMEOUT:g} s)",
                  ("n", "check()", "false step", "verdicts", "undecided because"), rows)
    if len(figures) >= 2:
        slope = loglog_slope(figures)
        results.row("refutation time vs n, log-log slope", f"{slope:.2f}",
                    f"over n = {min(figures):,}..{max(figures):,} (refuted only)",
                    "<= 1.1 (linear)", slope <= 1.1)
        small, large = sorted(figures)[-2:]
        top = loglog_slope({small: figures[small], large: figures[large]})
        results.row("the same, between the two largest n", f"{top:.2f}",
                    f"n = {small:,} to {large:,}", "<= 1.1 (linear)", top <= 1.1)
    missing = [f"{s:,}" for s in sizes if s not in figures]
    if missing:
        results.note(f"the false step was not refuted for n = {', '.join(missing)}")
    results.series["points"] = figures


def loglog_slope(figures: dict[int, float]) -> float:
    """The least-squares slope of log(time) against log(size)."""
    xs = [math.log(s) for s in figures]
    ys = [math.log(t) for t in figures.values()]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return (sum((x - mx) * (y - my) for x, y in zip(xs, ys))
            / sum((x - mx) ** 2 for x in xs))


def long_chain(length: int) -> Derivation:
    """The catalog's expanded Gaussian negative log-likelihood, then ``length`` true steps that
    alternately add a zero in disguise ((theta+k)^2 - theta^2 - 2k theta - k^2, or
    log(sigma^k) - k log(sigma)) and take it away."""
    base = catalog.get("gaussian-least-squares")
    theta, sigma = (base.context.lookup(name).obj for name in ("theta", "sigma"))
    start = base.steps[3].expr
    steps = []
    for k in range(1, length + 1):
        if k % 2 == 0:
            steps.append(Step(start, by="take the zero away"))
        elif k % 4 == 1:
            zero = (theta + k) ** 2 - theta**2 - 2 * k * theta - k**2
            steps.append(Step(start + zero, by="add a square minus its expansion"))
        else:
            zero = sp.log(sigma**k) - k * sp.log(sigma)
            steps.append(Step(start + zero, by="add the log of a power minus its expansion"))
    return dataclasses.replace(base, id=f"chain-{length}", start=start, steps=tuple(steps),
                               optimization=None)


def measure_chain(results: Results, length: int, runs: int) -> None:
    taken, report = timed_check(long_chain(length), runs)
    results.row(f"a chain of {length} steps", seconds(taken),
                f"{seconds(taken / length)} per step; {verdicts(report)}")


def profile_classes(results: Results, size: int = 1_000, top: int = 15) -> None:
    derivation = with_size(catalog.get("categorical-ce"), "C", size)
    clear_cache()
    profiler = cProfile.Profile()
    profiler.runcall(check, derivation, CheckSettings(timeout=SERIES_TIMEOUT))
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats("derivations/", top)
    text = out.getvalue()
    text = text[text.find("ncalls"):] if "ncalls" in text else text
    results.block(f"cProfile of categorical-ce with C = {size:,} (top {top} cumulative in "
                  "derivations/)", text.rstrip())


# -- the plot ----------------------------------------------------------------------------------
def plot(series: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, ((classes, points), (steps, versus)) = plt.subplots(2, 2, figsize=(12, 9))
    if series.get("classes"):
        sizes = sorted(series["classes"])
        classes.plot(sizes, [series["classes"][s] for s in sizes], "o-")
        classes.axhline(1.0, color="gray", linestyle="--", label="target 1 s")
        classes.set(xscale="log", xlabel="classes C", ylabel="check() (s)",
                    title="categorical-ce with a concrete C")
        classes.legend()
    if series.get("points"):
        sizes = sorted(series["points"])
        times = [series["points"][s] for s in sizes]
        points.plot(sizes, times, "o-", label="refuting step")
        points.plot(sizes, [times[0] * s / sizes[0] for s in sizes], "--", color="gray",
                    label="linear in n")
        points.set(xscale="log", yscale="log", xlabel="data points n", ylabel="time (s)",
                   title="numeric falsifier, wrong Gaussian normaliser")
        points.legend()
    if series.get("steps"):
        values = [t * 1000 for t in series["steps"].values()]
        bins = [10 ** (k / 8) for k in range(int(8 * math.log10(max(min(values), 0.1))) - 1,
                                             int(8 * math.log10(max(values))) + 2)]
        steps.hist(values, bins=bins)
        steps.axvline(15, color="gray", linestyle="--", label="target median 15 ms")
        steps.axvline(statistics.median(values), color="red", label="median")
        steps.set(xscale="log", xlabel="ms per step", ylabel="steps",
                  title="per-step verdict time, whole catalog")
        steps.legend()
    if series.get("naive"):
        pairs = sorted(series["naive"].values(), key=lambda pair: pair[0])
        index = range(len(pairs))
        versus.bar([i - 0.2 for i in index], [p[0] for p in pairs], 0.4, label="simplify")
        versus.bar([i + 0.2 for i in index], [p[1] for p in pairs], 0.4, label="ours")
        versus.set(yscale="log", xlabel="equality steps (by naive time)", ylabel="s",
                   title="ours vs simplify(before - after) == 0")
        versus.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


# -- main --------------------------------------------------------------------------------------
GRADIENT_FILE = Path(__file__).parent / "logistic-gradient.deriv.yaml"


def measure_gradients(results: Results, runs: int) -> None:
    """Issue 15: each step that differentiates the log-likelihood of logistic regression
    (through the log of a product, with and without a bias, and a wrong sign that must be
    refuted), decided in under 1 s: the median over ``runs`` of its own check, SymPy's cache
    and the normal forms' cache cleared before each."""
    from derivations.checker import check_claim, claims
    from derivations.kernel.normal_forms import _unfold
    from derivations.kernel.numeric import _differentiated
    from derivations.reading import files

    rows = []
    for derivation in files.read_all(GRADIENT_FILE):
        for claim in claims(derivation):
            times, verdict = [], ""
            for _ in range(runs):
                clear_cache()
                _unfold.cache_clear()
                _differentiated.cache_clear()
                report = check_claim(derivation, claim, CheckSettings(timeout=30.0))
                times.append(report.seconds)
                verdict = f"{report.verdict.value} ({report.judgement.method})"
            taken = statistics.median(times)
            results.row(f"gradient {derivation.chain} step {claim.index}", seconds(taken),
                        verdict, "< 1 s", taken < 1.0)
            rows.append((derivation.chain, claim.index, seconds(taken), verdict))
    results.table("logistic-regression gradient steps", ("chain", "step", "median", "verdict"),
                  rows)


def attempt(results: Results, title: str, measure, *args) -> None:
    """Run one measurement; a failure is printed as a line, not a traceback."""
    print(f"{title}", flush=True)
    try:
        measure(results, *args)
    except Exception as exc:  # noqa: BLE001 - report and go on
        results.note(f"{title}: not measured ({type(exc).__name__}: {exc})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, help="runs per figure (default 5, 2 with --quick)")
    parser.add_argument("--quick", action="store_true", help="fewer runs and shorter series")
    parser.add_argument("--profile", action="store_true",
                        help="add a cProfile of categorical-ce with C = 1,000")
    parser.add_argument("--gradients-only", action="store_true",
                        help="only the logistic-regression gradient steps (section 9)")
    options = parser.parse_args()
    runs = options.runs or (2 if options.quick else 5)
    sizes = QUICK if options.quick else FULL
    results = Results(machine() + f"; {runs} runs per figure ({3 * runs} for whole commands)"
                      + (" (quick)" if options.quick else ""))
    if not options.gradients_only:
        attempt(results, "1-5. the floor and the command line", measure_cli, runs)
        attempt(results, "6. per-step verdict times, in process", measure_steps, runs)
        if "steps" in results.series:
            attempt(results, "7. naive simplify on the same equality steps", measure_naive)
        attempt(results, "8a. categorical-ce with concrete C", measure_classes,
                sizes["classes"], runs)
        attempt(results, "8b. the numeric falsifier with concrete n", measure_points,
                sizes["points"], runs)
        attempt(results, f"8c. a chain of {sizes['chain']} steps", measure_chain,
                sizes["chain"], runs)
    attempt(results, "9. logistic-regression gradient steps", measure_gradients, runs)
    if options.profile:
        attempt(results, "profile", profile_classes)

    RESULTS.mkdir(exist_ok=True)
    if options.gradients_only:  # the full figures in perf.md stay as they are
        (RESULTS / "perf-gradients.md").write_text(results.markdown())
        print(f"wrote {RESULTS / 'perf-gradients.md'}")
        return
    (RESULTS / "perf.md").write_text(results.markdown())
    written = [RESULTS / "perf.md"]
    try:
        plot(results.series, RESULTS / "perf.png")
        written.append(RESULTS / "perf.png")
    except ImportError:
        print("no plot: matplotlib is not installed (pip install '.[bench]')")
    print("wrote " + ", ".join(str(p) for p in written))


if __name__ == "__main__":
    main()
