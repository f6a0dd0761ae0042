"""Reports as a person reads them in a terminal, and as the JSON object of the spec."""

from __future__ import annotations

import json
from pathlib import Path

from .files import SUFFIX
from .kernel import Relation, Verdict
from .printing import conclusion_text, to_text
from .report import Report

_HINTS = {
    Verdict.REFUTED: "evaluate both sides at these values to see the difference; the step, "
                     "not the ones around it, is where the slip is",
    Verdict.UNDECIDED: "split the step into smaller ones, or give a longer --timeout",
}


def _step_label(report: Report, index: int, line: int | None) -> str:
    return f"{report.derivation.source}:{line}" if line else report.derivation.source


def step_lines(report: Report, strict: bool) -> list[str]:
    """The per-step table, with both sides and the counterexample under a refuted step."""
    lines = [f"{report.derivation.source}: {report.derivation.title}",
             f"  {'step':>4}  {'relation':<16} {'verdict':<10} {'time':>8}  method"]
    previous = report.derivation.start
    for step in report.steps:
        judgement = step.judgement
        lines.append(f"  {step.index:>4}  {step.step.relation.value:<16} "
                     f"{judgement.verdict.value:<10} {step.seconds * 1000:>6.1f}ms  {judgement.method}")
        if judgement.verdict is Verdict.REFUTED:
            where = _step_label(report, step.index, step.step.line)
            values = ", ".join(f"{k}={v}" for k, v in (judgement.counterexample or {}).items())
            sign = "≠" if step.step.relation is Relation.EQ else "violates"
            lines += [
                f"        {where}: step {step.index} refuted: left {judgement.left} {sign} "
                f"right {judgement.right} at {values}",
                f"        left:  {to_text(previous)}",
                f"        right: {to_text(step.step.expr)}",
                f"        hint: {_HINTS[Verdict.REFUTED]}",
            ]
        elif judgement.verdict is Verdict.UNDECIDED:
            lines.append(f"        hint: {_HINTS[Verdict.UNDECIDED]}")
        previous = step.step.expr
    lines.append("  " + summary_line(report, strict))
    return lines


def summary_line(report: Report, strict: bool) -> str:
    counts = ", ".join(f"{report.count(v)} {v.value}" for v in Verdict)
    verdict = "passed" if report.passed(strict) else "FAILED"
    seconds = sum(s.seconds for s in report.steps)
    return f"{verdict}: {counts} ({seconds:.2f} s)"


def run_summary(reports: list[Report], errors: int, strict: bool) -> str:
    passed = sum(1 for r in reports if r.passed(strict))
    steps = sum(len(r.steps) for r in reports)
    counts = ", ".join(f"{sum(r.count(v) for r in reports)} {v.value}" for v in Verdict)
    text = f"{len(reports) + errors} derivation(s): {passed} passed, {len(reports) - passed} failed"
    if errors:
        text += f", {errors} unreadable"
    return f"{text}; {steps} steps: {counts}"


def _error_entry(error) -> dict:
    name = Path(error.path).name
    identifier = name[: -len(SUFFIX)] if name.endswith(SUFFIX) else Path(error.path).stem
    return {"path": error.path, "id": identifier, "passed": False,
            "error": {"message": error.message, "line": error.line, "column": error.column}}


def json_report(reports: list[Report], errors: list, strict: bool) -> str:
    """The machine-readable report of the spec: one JSON object."""
    files = []
    for report in reports:
        steps = []
        for step in report.steps:
            judgement = step.judgement
            entry = {"index": step.index, "line": step.step.line,
                     "relation": step.step.relation.value, "verdict": judgement.verdict.value,
                     "method": judgement.method, "seconds": round(step.seconds, 4)}
            if judgement.verdict is Verdict.REFUTED:
                entry.update(counterexample=judgement.counterexample, left=judgement.left,
                             right=judgement.right)
            steps.append(entry)
        files.append({"path": report.derivation.source, "id": report.derivation.id,
                      "passed": report.passed(strict), "error": None, "steps": steps})
    files += [_error_entry(e) for e in errors]
    summary = {v.value: sum(r.count(v) for r in reports) for v in Verdict}
    summary["errors"] = len(errors)
    passed = not errors and all(r.passed(strict) for r in reports)
    return json.dumps({"passed": passed, "files": files, "summary": summary}, indent=1)


def show_lines(report: Report) -> list[str]:
    """The chain for a terminal: each step's relation, expression, justification and verdict."""
    marks = {Verdict.PROVED: "✓ proved", Verdict.CHECKED: "≈ checked",
             Verdict.REFUTED: "✗ REFUTED", Verdict.UNDECIDED: "? UNDECIDED"}
    derivation = report.derivation
    lines = [derivation.title, "=" * len(derivation.title)]
    if derivation.summary:
        lines += [derivation.summary.strip(), ""]
    lines.append("Assumptions:")
    lines += [f"  {d.name}: {d.domain.describe()}" + (f" {d.kind}" if d.kind != "scalar" else "")
              for d in derivation.context.declarations]
    lines += [f"  given {g.name}: {to_text(g.lhs)} = {to_text(g.rhs)}"
              for g in derivation.givens.values()]
    if derivation.optimization:
        over = ", ".join(str(v) for v in derivation.optimization.over)
        lines.append(f"  {derivation.optimization.sense.value} over {over}")
    lines += ["", f"     {to_text(derivation.start)}"]
    for step in report.steps:
        lines.append(f"  {step.step.relation.symbol:>2} {to_text(step.step.expr)}")
        lines.append(f"       [{step.index}] {step.step.by}  — {marks[step.verdict]}")
    lines += ["", f"Conclusion: {conclusion_text(report)}"]
    return lines


def catalog_lines(reports: list[Report], groups: dict[str, list[str]]) -> list[str]:
    """The catalog by group: each id, its title, what it proves and whether every step is proved."""
    by_id = {r.derivation.id: r for r in reports}
    width = max(len(i) for i in by_id)
    lines = []
    for group, ids in groups.items():
        lines.append(f"{group}:")
        for identifier in ids:
            report = by_id[identifier]
            proved = report.count(Verdict.PROVED)
            status = ("all steps proved" if proved == len(report.steps)
                      else f"{proved} of {len(report.steps)} steps proved, the rest "
                           + ("checked" if report.passed() else "NOT verified"))
            lines.append(f"  {identifier:<{width}}  {report.derivation.title}  [{status}]")
            lines.append(f"  {'':<{width}}  {conclusion_text(report)}")
    return lines
