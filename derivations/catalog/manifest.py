"""What ``derive list`` shows, read without importing SymPy: each built-in derivation's title,
conclusion and how its steps were verified, as recorded in ``manifest.json`` when the catalog
was last checked.  ``tests/test_catalog.py`` checks the whole catalog and fails while the record
differs; refresh it on purpose with ``DERIVATIONS_UPDATE_GOLDEN=1``."""

from __future__ import annotations

import json
from pathlib import Path

PATH = Path(__file__).with_name("manifest.json")


def entries(reports) -> dict[str, dict]:
    """The record of checked built-in derivations, by id."""
    from ..kernel import Verdict
    from ..documents.notation import conclusion_text

    return {report.derivation.id: {
        "title": report.derivation.title,
        "steps": len(report.steps),
        "proved": report.count(Verdict.PROVED),
        "passed": report.passed(),
        "conclusion": conclusion_text(report),
    } for report in reports}


def load() -> dict[str, dict]:
    return json.loads(PATH.read_text(encoding="utf-8"))


def write(recorded: dict[str, dict]) -> None:
    PATH.write_text(json.dumps(recorded, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def lines(recorded: dict[str, dict], groups: dict[str, list[str]]) -> list[str]:
    """The catalog by group: each id, its title, what it proves and whether every step is
    proved."""
    width = max(len(i) for i in recorded)
    found = []
    for group, ids in groups.items():
        found.append(f"{group}:")
        for identifier in ids:
            entry = recorded[identifier]
            status = ("all steps proved" if entry["proved"] == entry["steps"]
                      else f"{entry['proved']} of {entry['steps']} steps proved, the rest "
                           + ("checked" if entry["passed"] else "NOT verified"))
            found.append(f"  {identifier:<{width}}  {entry['title']}  [{status}]")
            found.append(f"  {'':<{width}}  {entry['conclusion']}")
    return found
