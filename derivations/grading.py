"""Grading submissions against an assignment (``derive grade``).

A submission is an ordinary derivation file; ``derive check`` says whether its chain holds.
Grading also asks whether it proves *the assigned statement*: that it starts at the assigned
start and ends at the required conclusion (each shown equal by a proved step, in the
assignment's declarations), with a relation at least as strong as required, under no
hypothesis the assignment does not grant (no given of its own, no narrower domain).  Every
verdict comes from the checker; nothing here compares text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.etree import ElementTree

import sympy as sp

from .reading import files
from .kernel import Context, Domain, Relation, Sense, Verdict
from .model import Derivation, Step
from .reading.sources import InputError, UsageError, find_some, read_bytes
from .settings import CheckSettings

ASSIGNMENT_KEYS = ("title", "symbols", "given", "optimize", "start", "conclusion", "relation",
                   "sense", "required", "points")
POINTS_KEYS = ("total", "per step", "max partial", "checked penalty")
MAX_REQUIRED = 20
MAX_GRADED_STEPS = 100  # each step may take the whole time limit: a longer chain is refused
MAX_POINTS = 10_000
# The composed relations of a chain that establish each required relation.
ESTABLISHES = {
    Relation.EQ: {Relation.EQ},
    Relation.LE: {Relation.EQ, Relation.LE, Relation.LT},
    Relation.LT: {Relation.LT},
    Relation.GE: {Relation.EQ, Relation.GE, Relation.GT},
    Relation.GT: {Relation.GT},
    Relation.SAME_OPTIMIZERS: {Relation.EQ, Relation.SAME_OPTIMIZERS},
}
CREDITED = (Verdict.PROVED, Verdict.CHECKED)


@dataclass(frozen=True)
class Points:
    total: float = 10.0
    per_step: float = 1.0  # partial credit per credited step before the first wrong one
    max_partial: float = 5.0  # a chain that does not prove the statement gets at most this
    checked_penalty: float = 0.0  # taken off for each step that is only checked


@dataclass(frozen=True)
class Assignment:
    title: str
    context: Context
    start: sp.Expr
    conclusion: sp.Expr
    relation: Relation
    sense: Sense | None  # the sense of the conclusion, for 'same optimizers'
    givens: dict
    optimization: object
    required: dict  # name -> expression the chain must pass through
    points: Points
    path: str


@dataclass(frozen=True)
class Check:
    """One thing the grader verified: a Gradescope test, a JUnit test case, a line of feedback."""

    name: str
    passed: bool
    message: str


@dataclass(frozen=True)
class Grade:
    path: str
    score: float
    max_score: float
    checks: tuple[Check, ...]

    @property
    def full_marks(self) -> bool:
        return self.score >= self.max_score

    @property
    def feedback(self) -> str:
        failed = [c for c in self.checks if not c.passed]
        lines = [f"{c.name}: {c.message}" for c in failed] or ["the statement is proved"]
        return "\n".join(lines + [f"score: {_number(self.score)} / {_number(self.max_score)}"])


# -- reading the assignment ------------------------------------------------------------------
def read_assignment(path: Path | str) -> Assignment:
    """The assignment in a YAML file; ``InputError`` with a position for anything wrong."""
    path = Path(path)
    data = read_bytes(path)
    reader = files._Reader(str(path))
    root = reader.load(data)
    top = reader.mapping(root, "the assignment", ASSIGNMENT_KEYS)
    for required in ("title", "start", "conclusion", "relation"):
        if required not in top:
            reader.fail(f"missing {required!r}: an assignment needs a title, a start, a "
                        "conclusion and a relation", root)
    context = Context()
    if "symbols" in top:
        reader.symbols(top["symbols"], context)
    givens = reader.givens(top["given"], context) if "given" in top else {}
    optimization = reader.optimization(top["optimize"], context) if "optimize" in top else None
    word = " ".join(reader.text(top["relation"], "relation").split())
    relation = files.RELATIONS.get(word)
    if relation not in ESTABLISHES:
        reader.fail(f"relation is one of {', '.join(r.value for r in ESTABLISHES)}, "
                    f"not {word!r}", top["relation"])
    if relation is Relation.SAME_OPTIMIZERS and optimization is None:
        reader.fail("'same optimizers' needs 'optimize: {over: [...], sense: ...}'", top["relation"])
    sense = None
    if relation is Relation.SAME_OPTIMIZERS:
        sense = reader.sense(top["sense"]) if "sense" in top else optimization.sense
    elif "sense" in top:
        reader.fail("'sense' belongs to a 'same optimizers' assignment", top["sense"])
    required = {}
    if "required" in top:
        items = reader.mapping(top["required"], "required", files._names(top["required"]))
        if len(items) > MAX_REQUIRED:
            reader.fail(f"more than {MAX_REQUIRED} required results", top["required"])
        required = {name: reader.expression(item, context, f"required {name!r}")
                    for name, item in items.items()}
    return Assignment(
        title=reader.text(top["title"], "title"), context=context,
        start=reader.expression(top["start"], context, "start"),
        conclusion=reader.expression(top["conclusion"], context, "conclusion"),
        relation=relation, sense=sense, givens=givens, optimization=optimization,
        required=required, points=_points(reader, top.get("points")), path=str(path))


def _points(reader, value) -> Points:
    if value is None:
        return Points()
    spec = reader.mapping(value, "points", POINTS_KEYS)
    numbers = {}
    for key, item in spec.items():
        text = str(item.value)
        if not re.fullmatch(r"\d{1,6}(\.\d{1,4})?", text.strip()):
            reader.fail(f"points {key!r} is a number from 0 to {MAX_POINTS}", item)
        numbers[key] = float(text)
        if numbers[key] > MAX_POINTS:
            reader.fail(f"points {key!r} is a number from 0 to {MAX_POINTS}", item)
    total = numbers.get("total", Points.total)
    return Points(total=total, per_step=numbers.get("per step", Points.per_step),
                  max_partial=min(numbers.get("max partial", total / 2), total),
                  checked_penalty=numbers.get("checked penalty", Points.checked_penalty))


# -- finding submissions ---------------------------------------------------------------------
def submissions(names: tuple[str, ...]) -> list[Path]:
    """The submission files named: files as given, folders searched for ``*.deriv.yaml``."""
    if not names:
        raise UsageError("name submission files or folders")
    found = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found += find_some(path)
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise UsageError(f"no submission {name!r}")
    return found


# -- grading ---------------------------------------------------------------------------------
@dataclass
class _Plan:
    """One submission read and vetted, with the derivations whose verdicts decide its grade."""

    path: str
    checks: list[Check] = field(default_factory=list)
    chain: Derivation | None = None
    start: Derivation | None = None  # assigned start = submitted start
    conclusion: Derivation | None = None  # required conclusion = submitted end
    required: dict = field(default_factory=dict)  # name -> [derivations, one per expression]
    final: Grade | None = None  # a grade already decided (zero)

    def derivations(self) -> list[Derivation]:
        found = [d for d in (self.chain, self.start, self.conclusion) if d is not None]
        return found + [d for group in self.required.values() for d in group]


def grade_all(assignment: Assignment, paths: list[Path],
              settings: CheckSettings = CheckSettings()) -> list[Grade]:
    """The grade of every submission, in order.  The derivations are checked in three rounds,
    each over the whole class at once (in ``settings.jobs`` processes, so that steps shared by
    many students are checked once and then recalled from ``settings.cache``): the starts; the chains and
    conclusions of those that start at the assigned start; the required results of those
    whose chains reach the conclusion.  A round is skipped where its answer cannot change the
    grade."""
    plans = [_plan(assignment, path) for path in paths]
    if settings.jobs == 0:
        from .running.parallel import workers_for

        settings = replace(settings, jobs=workers_for(
            [d for plan in plans if plan.final is None for d in plan.derivations()]))
    reports: dict = {}
    _check_round(assignment, plans, lambda plan: [plan.start], reports, settings)
    for plan in plans:
        if plan.final is None:
            _start_check(assignment, plan, reports.get(id(plan.start)))
    _check_round(assignment, plans, lambda plan: [d for d in (plan.chain, plan.conclusion) if d],
                 reports, settings)
    _check_round(assignment, plans,
                 lambda plan: [d for group in plan.required.values() for d in group]
                 if _reaches_conclusion(assignment, plan, reports) else [],
                 reports, settings)
    return [plan.final or _grade(assignment, plan, reports) for plan in plans]


def _check_round(assignment, plans, derivations_of, reports: dict, settings) -> None:
    """Check the derivations ``derivations_of`` each undecided plan, into ``reports`` (by the
    derivation's id)."""
    from .running.workflow import check_all

    pending = [(plan, derivations_of(plan)) for plan in plans if plan.final is None]
    if settings.jobs > 1:  # a worker turns a failure of the checker into an undecided step
        checked, _ = check_all([d for _, found in pending for d in found], settings)
        reports.update((id(report.derivation), report) for report in checked)
        return
    for plan, found in pending:
        try:
            checked, _ = check_all(found, replace(settings, jobs=1))
        except Exception as exc:  # a bug of the checker costs this submission, not the run
            _zero(assignment, plan, "steps", f"the checker failed: {type(exc).__name__}")
            continue
        reports.update((id(report.derivation), report) for report in checked)


def _start_check(assignment, plan: _Plan, report) -> None:
    """Record whether the chain starts at the assigned start; if not, its grade is zero."""
    if report is None or report.steps[0].verdict is not Verdict.PROVED:
        _zero(assignment, plan, "start", "the chain does not start at the assigned start"
              + _why(report) + ": it proves another statement")
    else:
        plan.checks.append(Check("start", True, "proved equal to the assigned start"))


def _reaches_conclusion(assignment, plan: _Plan, reports: dict) -> bool:
    report = reports.get(id(plan.chain))
    return report is not None and report.chain.passed and \
        _conclusion_check(assignment, plan, report, reports).passed


def _zero(assignment, plan: _Plan, name: str, message: str) -> _Plan:
    plan.checks.append(Check(name, False, _printable(message)))
    plan.final = Grade(plan.path, 0.0, assignment.points.total, tuple(plan.checks))
    return plan


def _plan(assignment: Assignment, path: Path) -> _Plan:
    plan = _Plan(str(path))
    try:
        return _vet(assignment, path, plan)
    except Exception as exc:  # a bug must cost this submission its grade, never pass it
        return _zero(assignment, plan, "file", f"could not be graded: {type(exc).__name__}")


def _vet(assignment: Assignment, path: Path, plan: _Plan) -> _Plan:
    if path.is_symlink() or not path.is_file():
        return _zero(assignment, plan, "file", "not a regular file (links are not followed)")
    try:
        derivation = files.read(path)
    except InputError as exc:
        return _zero(assignment, plan, "file", f"cannot be read: {exc}")
    if len(derivation.steps) > MAX_GRADED_STEPS:
        return _zero(assignment, plan, "file", f"more than {MAX_GRADED_STEPS} steps")
    plan.checks.append(Check("file", True, "read"))
    mapping, problem = _translation(assignment.context, derivation.context)
    if problem:
        return _zero(assignment, plan, "declarations", problem)
    plan.checks.append(Check("declarations", True, "no assumption beyond the assignment's"))
    problem = _foreign_given(assignment, derivation, mapping)
    if problem:
        return _zero(assignment, plan, "givens", problem)
    plan.checks.append(Check("givens", True, "only the assignment's givens"))
    problem = _optimization_mismatch(assignment, derivation, mapping)
    if problem:
        return _zero(assignment, plan, "optimization", problem)
    extra = _extra_objects(assignment.context, derivation.context)
    plan.chain = derivation
    start = _translate(derivation.start, mapping)
    if _uses(start, extra):
        return _zero(assignment, plan, "start", "the start uses names the assignment does not "
                     f"declare ({', '.join(sorted(_uses(start, extra)))}): start from the "
                     "assigned start")
    plan.start = _equality(assignment, "start", assignment.start, start)
    end = _translate(derivation.steps[-1].expr, mapping)
    if not _uses(end, extra):
        plan.conclusion = _equality(assignment, "conclusion", assignment.conclusion, end)
    for name, expression in assignment.required.items():
        plan.required[name] = [
            _equality(assignment, f"required {name}", expression, translated)
            for translated in (_translate(s.expr, mapping) for s in derivation.steps)
            if not _uses(translated, extra)]
    return plan


def _equality(assignment: Assignment, what: str, assigned, submitted) -> Derivation:
    """The one-step derivation ``assigned = submitted`` in the assignment's declarations."""
    return Derivation(id=what.replace(" ", "-"), title=what, context=assignment.context,
                      start=assigned, steps=(Step(expr=submitted),), path=assignment.path)


def _grade(assignment: Assignment, plan: _Plan, reports: dict) -> Grade:
    points = assignment.points
    checks = plan.checks
    report = reports.get(id(plan.chain))
    if report is None:
        checks.append(Check("steps", False, "the chain could not be checked"))
        return Grade(plan.path, 0.0, points.total, tuple(checks))
    steps = report.steps
    credited = 0
    for step in steps:
        if step.verdict not in CREDITED:
            break
        credited += 1
    checked = sum(1 for s in steps[:credited] if s.verdict is Verdict.CHECKED)
    wrong = steps[credited] if credited < len(steps) else None
    if wrong is None:
        note = f"; {checked} only checked (numeric evidence, no proof)" if checked else ""
        checks.append(Check("steps", True, f"all {len(steps)} steps hold{note}"))
    else:
        checks.append(Check("steps", False, _printable(_wrong_step(wrong))))
    checks.append(_conclusion_check(assignment, plan, report, reports))
    assessed = _reaches_conclusion(assignment, plan, reports)
    for name, group in plan.required.items() if assessed else ():  # once the rest holds
        found = any(reports.get(id(d)) is not None
                    and reports[id(d)].steps[0].verdict is Verdict.PROVED for d in group)
        checks.append(Check(f"required {name}", found,
                            "reached" if found else "missing: no step is proved equal to it"))
    complete = all(c.passed for c in checks)
    if checked and points.checked_penalty:
        checks.append(Check("proofs", False, f"{checked} step{'s' if checked > 1 else ''} only "
                            f"checked (numeric evidence, no proof): "
                            f"-{_number(points.checked_penalty)} each"))
    if complete:
        score = points.total - points.checked_penalty * checked
    else:
        score = min(points.per_step * credited, points.max_partial) - points.checked_penalty * checked
    return Grade(plan.path, max(0.0, round(score, 4)), points.total, tuple(checks))


def _conclusion_check(assignment, plan, report, reports) -> Check:
    required = f"{assignment.relation.symbol} the required conclusion"
    end = reports.get(id(plan.conclusion))
    if end is None or end.steps[0].verdict is not Verdict.PROVED:
        return Check("conclusion", False, f"missing: the chain does not end at the required "
                     f"conclusion{_why(end)}")
    established = report.relation
    if established not in ESTABLISHES[assignment.relation]:
        return Check("conclusion", False, f"the chain establishes '{established.symbol}', "
                     f"which is not '{assignment.relation.symbol}'")
    if assignment.relation is Relation.SAME_OPTIMIZERS:
        sense = report.chain.sense or (assignment.optimization.sense)
        if sense is not assignment.sense:
            return Check("conclusion", False, f"the chain ends with sense {sense.value}, the "
                         f"assignment asks for {assignment.sense.value}")
    return Check("conclusion", True, f"reached: start {required}")


def _why(report) -> str:
    if report is None:
        return " (it uses names the assignment does not declare)"
    judgement = report.steps[0].judgement
    if judgement.verdict is Verdict.REFUTED:
        return f" (they differ at {_point(judgement.counterexample)})"
    if judgement.verdict is Verdict.CHECKED:
        return " (equal at sample points, but no proof was found: write it as assigned)"
    return f" ({judgement.method})" if judgement.method else ""


def _wrong_step(step) -> str:
    judgement = step.judgement
    where = f"step {step.index}" + (f" (line {step.step.line})" if step.step.line else "")
    if judgement.verdict is Verdict.REFUTED:
        return (f"{where} is false: at {_point(judgement.counterexample)} the left side is "
                f"{judgement.left} and the right side {judgement.right}")
    return f"{where} is undecided: {judgement.method}"


def _point(values) -> str:
    return ", ".join(f"{k} = {v}" for k, v in (values or {}).items()) or "a point"


# -- comparing declarations ------------------------------------------------------------------
def _translation(assigned: Context, submitted: Context) -> tuple[dict, str | None]:
    """The map from the submission's declared objects to the assignment's of the same name,
    or why none is allowed: a different kind, or a domain narrower than the assignment's."""
    mapping = {}
    for mine in submitted.declarations:
        theirs = assigned.lookup(mine.name)
        if theirs is None:
            problem = _auxiliary_problem(mine)
            if problem:
                return {}, problem
            continue
        if _kind(mine) != _kind(theirs):
            return {}, (f"{mine.name} is declared as a {_kind(mine)}, the assignment declares "
                        f"a {_kind(theirs)}")
        if mine.obj != theirs.obj:
            mapping[mine.obj] = theirs.obj
    for mine in submitted.declarations:
        theirs = assigned.lookup(mine.name)
        if theirs is not None and mine.kind != "function":
            if not _contains(_translated_domain(mine.domain, mapping), theirs.domain):
                return {}, (f"{mine.name} is declared {mine.domain.describe()}, narrower than "
                            f"the assignment's {theirs.domain.describe()}: a student may not "
                            "add assumptions")
    return mapping, None


def _translated_domain(domain: Domain, mapping) -> Domain:
    return Domain(domain.integer, _translate(domain.lower, mapping),
                  _translate(domain.upper, mapping), domain.lower_open, domain.upper_open)


def _kind(declaration) -> str:
    """What a declaration is, beyond its domain: a matrix with its size and structure (a
    symmetric one where the assignment has any would be an added assumption)."""
    if declaration.kind == "matrix":
        rows, columns = declaration.obj.shape
        return f"{declaration.structure or 'real'} matrix of size {rows} by {columns}"
    if declaration.kind == "function":
        return f"function of {declaration.rank} arguments"
    return f"sequence of {declaration.rank} indices" if declaration.kind == "sequence" else "scalar"


def _auxiliary_problem(declaration) -> str | None:
    """A name of the submission's own is allowed only with numeric bounds and a non-empty
    domain: bounds naming other symbols would be hypotheses about them."""
    domain = declaration.domain
    if declaration.kind == "function":
        return None
    lower, upper = _integer_ends(domain)
    if not (lower.is_number and upper.is_number):
        return (f"{declaration.name} is not in the assignment and its bounds name other "
                "symbols, which would add hypotheses about them; give it numeric bounds")
    if lower > upper or (lower == upper and (domain.lower_open or domain.upper_open)
                         and not domain.integer):
        return f"{declaration.name} is declared with an empty domain"
    return None


def _integer_ends(domain: Domain):
    """The ends of a domain; an integer domain's numeric ends as its closed integer ends."""
    lower, upper = domain.lower, domain.upper
    if domain.integer:
        if lower.is_number and lower.is_finite:
            lower = sp.floor(lower) + 1 if domain.lower_open else sp.ceiling(lower)
        if upper.is_number and upper.is_finite:
            upper = sp.ceiling(upper) - 1 if domain.upper_open else sp.floor(upper)
    return lower, upper


def _contains(wide: Domain, narrow: Domain) -> bool:
    """Whether every number of ``narrow`` is in ``wide``, shown from the bounds alone (symbolic
    bounds must be the same expression); when that cannot be shown, no."""
    if wide.integer and not narrow.integer:
        return False
    wide_lower, wide_upper = _integer_ends(wide)
    narrow_lower, narrow_upper = _integer_ends(narrow)
    closed_wide_lower, closed_wide_upper = _closed(wide, wide_lower, wide_upper)
    closed_narrow_lower, closed_narrow_upper = _closed(narrow, narrow_lower, narrow_upper)
    return (_below(wide_lower, narrow_lower, closed_wide_lower or not closed_narrow_lower)
            and _below(narrow_upper, wide_upper, closed_wide_upper or not closed_narrow_upper))


def _closed(domain: Domain, lower, upper) -> tuple[bool, bool]:
    """Whether each end belongs to the domain (an integer domain's numeric ends do, once
    normalised by ``_integer_ends``)."""
    return (domain.integer and lower.is_number and lower.is_finite or not domain.lower_open,
            domain.integer and upper.is_number and upper.is_finite or not domain.upper_open)


def _below(low, high, equal_allowed: bool) -> bool:
    if low == sp.S.NegativeInfinity or high == sp.S.Infinity:
        return True
    if low == high:
        return equal_allowed
    if low.is_number and high.is_number:
        return bool(low < high)
    return False


def _foreign_given(assignment: Assignment, derivation: Derivation, mapping) -> str | None:
    """A given of the submission that is not one of the assignment's (in either orientation)."""
    allowed = [(g.lhs, g.rhs) for g in assignment.givens.values()]
    for name, given in derivation.givens.items():
        lhs, rhs = _translate(given.lhs, mapping), _translate(given.rhs, mapping)
        if (lhs, rhs) not in allowed and (rhs, lhs) not in allowed:
            return (f"given {name!r} is not one of the assignment's givens: a chain may rely "
                    "only on the hypotheses the assignment grants")
        # A given about a sequence entry holds for every value of its indices (y[k] = ... for
        # every k): over a wider domain of k it would be a stronger hypothesis.
        indices = {index for side in (given.lhs, given.rhs) if isinstance(side, sp.Indexed)
                   for index in side.indices if isinstance(index, sp.Symbol)}
        for symbol in sorted(indices, key=str):
            mine = derivation.context.lookup(str(symbol))
            theirs = assignment.context.lookup(str(symbol))
            if mine is None or theirs is None or mine.kind != "scalar":
                continue
            domain = _translated_domain(mine.domain, mapping)
            if not (_contains(domain, theirs.domain) and _contains(theirs.domain, domain)):
                return (f"{symbol} occurs in given {name!r}, so it must be declared as in the "
                        f"assignment ({theirs.domain.describe()}): over a wider domain the "
                        "given is a stronger hypothesis")
    return None


def _optimization_mismatch(assignment: Assignment, derivation: Derivation, mapping) -> str | None:
    mine, theirs = derivation.optimization, assignment.optimization
    if mine is None or theirs is None:
        return None  # without 'optimize' a chain has no 'same optimizers' step to misuse
    over = {_translate(o, mapping) for o in mine.over}
    if over != set(theirs.over) or mine.sense is not theirs.sense:
        return (f"optimize must be over {', '.join(str(o) for o in theirs.over)} with sense "
                f"{theirs.sense.value}, as in the assignment")
    return None


def _extra_objects(assigned: Context, submitted: Context) -> dict:
    """The submission's own declared objects (not in the assignment), by name."""
    return {d.name: d for d in submitted.declarations if assigned.lookup(d.name) is None}


def _uses(expr, extra: dict) -> set[str]:
    """Which of the submission's own names occur free in ``expr``."""
    free = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    bases = {b.label.name for b in expr.atoms(sp.Indexed) for b in [b.base]}
    calls = {type(f).__name__ for f in expr.atoms(sp.core.function.AppliedUndef)}
    return {name for name, d in extra.items()
            if (d.kind == "scalar" and name in free and d.obj in expr.free_symbols)
            or (d.kind == "sequence" and name in bases) or (d.kind == "function" and name in calls)}


def _translate(expr, mapping: dict):
    """``expr`` with the submission's declared objects replaced by the assignment's; the index
    of a sum or product is bound, so it is never replaced inside its body."""
    if not mapping or not isinstance(expr, sp.Basic):
        return expr
    if expr in mapping:
        return mapping[expr]
    if isinstance(expr, (sp.Sum, sp.Product)):
        (index, first, last), = expr.limits
        inner = {k: v for k, v in mapping.items() if k != index}
        return type(expr)(_translate(expr.function, inner),
                          (index, _translate(first, mapping), _translate(last, mapping)))
    if isinstance(expr, sp.core.function.AppliedUndef) and type(expr) in mapping:
        return mapping[type(expr)](*[_translate(a, mapping) for a in expr.args])
    if not expr.args:
        return expr
    return expr.func(*[_translate(a, mapping) for a in expr.args])


# -- output ----------------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _printable(text: str) -> str:
    """Text from a submission with control characters (terminal escapes, bidirectional
    overrides) made visible, and cut to a readable length."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
    return text if len(text) <= 2000 else text[:2000] + "…"


def _number(value: float) -> str:
    return f"{value:g}"


def gradescope(grade: Grade) -> dict:
    """Gradescope's autograder ``results.json`` for one submission."""
    tests = [{"name": c.name, "score": 0.0, "max_score": 0.0, "output": c.message,
              "status": "passed" if c.passed else "failed"} for c in grade.checks]
    tests.append({"name": "score", "score": grade.score, "max_score": grade.max_score,
                  "output": grade.feedback,
                  "status": "passed" if grade.full_marks else "failed"})
    return {"score": grade.score, "output": grade.feedback, "tests": tests}


def junit(grades: list[Grade]) -> str:
    """JUnit XML: one test suite per submission, one test case per check."""
    root = ElementTree.Element("testsuites", name="derive grade")
    for grade in grades:
        failures = sum(1 for c in grade.checks if not c.passed)
        suite = ElementTree.SubElement(root, "testsuite", name=_printable(grade.path),
                                       tests=str(len(grade.checks)), failures=str(failures))
        ElementTree.SubElement(ElementTree.SubElement(suite, "properties"), "property",
                               name="score", value=f"{_number(grade.score)}/"
                                                   f"{_number(grade.max_score)}")
        for check in grade.checks:
            case = ElementTree.SubElement(suite, "testcase", name=check.name,
                                          classname=_printable(grade.path))
            if not check.passed:
                ElementTree.SubElement(case, "failure", message=_xml_safe(check.message))
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _xml_safe(text: str) -> str:
    return re.sub(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "?", text)


def summary(grades: list[Grade]) -> dict:
    """The class's grades as JSON data."""
    return {"grades": [{"path": g.path, "score": g.score, "max_score": g.max_score,
                        "full_marks": g.full_marks,
                        "checks": [{"name": c.name, "passed": c.passed, "message": c.message}
                                   for c in g.checks]} for g in grades]}


def csv_text(grades: list[Grade]) -> str:
    """One row per submission; a cell a spreadsheet would read as a formula is quoted with '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["path", "score", "max_score", "full_marks", "feedback"])
    for g in grades:
        failed = "; ".join(f"{c.name}: {c.message}" for c in g.checks if not c.passed)
        writer.writerow([_cell(_printable(g.path)), _number(g.score), _number(g.max_score),
                         "yes" if g.full_marks else "no", _cell(failed)])
    return out.getvalue()


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def table(grades: list[Grade]) -> list[str]:
    """The readable terminal table: one line per submission, its feedback under it."""
    lines = []
    width = min(max([len(g.path) for g in grades] + [10]), 60)
    for g in grades:
        mark = "full" if g.full_marks else "    "
        lines.append(f"{_shortened(_printable(g.path)):<{width}}  {_number(g.score):>6} / "
                     f"{_number(g.max_score):<6} {mark}")
        lines += [f"    {c.name}: {c.message}" for c in g.checks if not c.passed]
    full = sum(1 for g in grades if g.full_marks)
    lines.append(f"{len(grades)} submission{'s' if len(grades) != 1 else ''} graded, "
                 f"{full} with full marks")
    return lines


def _shortened(path: str) -> str:
    return path if len(path) <= 60 else "…" + path[-59:]


def dumps(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
