"""Reports as a person reads them in a terminal, and as the JSON object of the spec.

``derive check`` prints from summaries (``derivations.summary``), which need no SymPy."""

from __future__ import annotations

import json
from pathlib import Path

from ..reading.sources import SUFFIX
from ..summary import VERDICTS, Summary, consistency_text
from ..verdicts import MARKS

_HINTS = {
    "refuted": "evaluate both sides at these values to see the difference; the step, not the "
               "ones around it, is where the slip is",
    "undecided": "split the step into smaller ones, or give a longer --timeout",
}


def step_lines(summary: Summary, strict: bool) -> list[str]:
    """The per-step table, with both sides and the counterexample under a refuted step."""
    recalled = " (unchanged: recalled from the verdict cache; --no-cache checks afresh)" \
        if summary.recalled_whole else ""
    lines = [f"{summary.source}: {summary.title}{recalled}",
             f"  {'step':>4}  {'relation':<16} {'verdict':<10} {'time':>8}  method"]
    for step in summary.steps:
        lines.append(f"  {step.index:>4}  {step.relation:<16} {step.verdict:<10} "
                     f"{step.seconds * 1000:>6.1f}ms  {step.method}"
                     + (" (cached)" if step.cached else ""))
        if step.verdict == "refuted":
            where = f"{summary.source}:{step.line}" if step.line else summary.source
            lines += [
                f"        {where}: step {step.index} refuted: {refutation(step)}",
                f"        left:  {step.left_text}",
                f"        right: {step.right_text}",
                f"        hint: {consistency_text(step) or _HINTS['refuted']}",
            ]
        elif step.verdict == "undecided":
            lines.append(f"        hint: {_HINTS['undecided']}")
    lines.append("  " + summary_line(summary, strict))
    return lines


def refutation(step) -> str:
    """What refutes a step, as a sentence: the two values and where (an ``approx`` step: the
    value and the decimal it does not round to)."""
    if step.relation == "approx":
        return f"its value is {step.left}, which does not round to {step.right}."
    values = ", ".join(f"{k}={v}" for k, v in (step.counterexample or {}).items())
    where = f" at {values}" if values else ""  # a closed step has nothing to choose
    if step.left == "solves it":  # an objective's optimisers claimed at an equation
        return (f"this point solves the equation, yet the objective is not stationary there "
                f"(its derivative is not 0), so it is no optimiser{where}")
    if step.left in ("holds", "fails"):  # between equations: which one holds here
        return (f"the {'first' if step.left == 'holds' else 'second'} equation holds and the "
                f"other certainly fails{where}, so they are not related by "
                f"'{step.relation}'")
    if step.relation == "same optimizers":
        return (f"the old objective gives {step.left}, the new one {step.right}: they rank "
                f"these points in opposite orders{where}")
    sign = {"=": "≠", "<=": "is not ≤", ">=": "is not ≥", "<": "is not <",
            ">": "is not >"}.get(step.relation, f"is not {step.relation}")
    close = " (equal to the digits shown: the method gives their certified difference)" \
        if step.left == step.right else ""
    return f"left {step.left} {sign} right {step.right}{where}{close}"


def summary_line(summary: Summary, strict: bool) -> str:
    counts = ", ".join(f"{summary.count(v)} {v}" for v in VERDICTS)
    verdict = "passed" if summary.passed(strict) else "FAILED"
    seconds = sum(s.seconds for s in summary.steps)
    return f"{verdict}: {counts} ({seconds:.2f} s)"


def run_summary(summaries: list[Summary], errors: int, strict: bool) -> str:
    passed = sum(1 for s in summaries if s.passed(strict))
    steps = sum(len(s.steps) for s in summaries)
    counts = ", ".join(f"{sum(s.count(v) for s in summaries)} {v}" for v in VERDICTS)
    text = f"{len(summaries) + errors} derivation(s): {passed} passed, {len(summaries) - passed} failed"
    if errors:
        text += f", {errors} unreadable"
    return f"{text}; {steps} steps: {counts}"


def _error_entry(error) -> dict:
    name = Path(error.path).name
    identifier = name[: -len(SUFFIX)] if name.endswith(SUFFIX) else Path(error.path).stem
    return {"path": error.path, "id": identifier, "passed": False,
            "error": {"message": error.message, "line": error.line, "column": error.column}}


def json_report(summaries: list[Summary], errors: list, strict: bool) -> str:
    """The machine-readable report of the spec: one JSON object."""
    files = []
    for summary in summaries:
        steps = []
        for step in summary.steps:
            entry = {"index": step.index, "line": step.line, "relation": step.relation,
                     "verdict": step.verdict, "method": step.method,
                     "seconds": round(step.seconds, 4), "cached": step.cached}
            if step.verdict == "refuted":
                entry.update(counterexample=step.counterexample, left=step.left,
                             right=step.right, consistent_with=step.consistent_with)
            steps.append(entry)
        files.append({"path": summary.source, "id": summary.id,
                      "passed": summary.passed(strict), "error": None,
                      "recalled": summary.recalled_whole, "steps": steps})
    files += [_error_entry(e) for e in errors]
    totals = {v: sum(s.count(v) for s in summaries) for v in VERDICTS}
    totals["errors"] = len(errors)
    passed = not errors and all(s.passed(strict) for s in summaries)
    return json.dumps({"passed": passed, "files": files, "summary": totals}, indent=1)


def _law_text(law) -> str:
    """A random variable's law as the file declares it: Normal(mu, sigma), or random."""
    from ..kernel.laws import Arbitrary
    from .notation import to_text
    return "random" if isinstance(law, Arbitrary) else to_text(law)


def show_lines(report) -> list[str]:
    """The chain for a terminal in SymPy's Unicode pretty printing: each step's relation,
    expression, justification and verdict, and the conclusion, marked as not established when
    the chain did not pass."""
    from .notation import conclusion_pretty, definition_text, pretty_lines
    derivation = report.derivation
    lines = [derivation.title, "=" * len(derivation.title)]
    if derivation.summary:
        lines += [derivation.summary.strip(), ""]
    lines.append("Assumptions:")
    lines += [f"  {d.name}: {_described(d)}" for d in derivation.context.declarations]
    for given in derivation.givens.values():
        lines += pretty_lines(f"  given {given.name}: ", given.lhs, " = ", given.rhs)
    lines += [f"  where {definition_text(d)}" for d in derivation.definitions]
    if derivation.optimization:
        over = ", ".join(str(v) for v in derivation.optimization.over)
        lines.append(f"  {derivation.optimization.sense.value} over {over}")
    lines += [""] + pretty_lines("     ", derivation.start)
    for step in report.steps:
        lines += pretty_lines(f"  {step.step.relation.symbol:>2} ", step.step.expr)
        consistent = consistency_text(step)
        lines.append(f"       [{step.index}] {step.step.by}  — {MARKS[step.verdict].terminal}"
                     + (f" ({consistent})" if consistent else ""))
    heading = "Conclusion" if report.passed() else "Conclusion (not established)"
    lines += [""] + conclusion_pretty(report, f"{heading}: ")
    return lines


def _described(declaration) -> str:
    """A declaration as the file writes it: ``real in (0, 1) sequence``, ``real matrix of size
    n by d``, ``positive definite matrix of size d``, ``real matrix of size n by d with full column rank``, ``real vector of size n``, a law."""
    if declaration.law is not None:
        return _law_text(declaration.law)
    if declaration.kind == "matrix":
        rows, columns = declaration.obj.shape
        if columns == 1:
            return f"real vector of size {rows}"
        if declaration.structure == "full column rank":
            return f"real matrix of size {rows} by {columns} with full column rank"
        return f"{declaration.structure or 'real'} matrix of size {rows}" + \
            ("" if declaration.structure else f" by {columns}")
    kind = f" {declaration.kind}" if declaration.kind != "scalar" else ""
    return declaration.domain.describe() + kind
