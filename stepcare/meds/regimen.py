"""The engine's medication assessment arranged for the medication list: MME and alerts per order line.

No Django here: a case dict in (its `medications` list is the order lines, in display order), the
engine's answer out, keyed by the line's index. The engine's alerts do not name the line they concern,
so an alert sits beside every line whose medicine it names (generic name, brand as written, or an
ingredient); an alert that names no line (total MME, for instance) is a patient-level alert.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stepcare.clinical import CaseError, parse_case
from stepcare.clinical.case import Case
from stepcare.clinical.medications import (
    Combination,
    DrugInfo,
    MedicationError,
    assess,
    dose_items,
    knowledge,
    monitoring_status,
    resolve,
)
from stepcare.clinical.result import Alert, Mme, MmeItem

_LINE_PATH = re.compile(r"^medications\[(\d+)\]")
_MAX_REPAIRS = 20


@dataclass(frozen=True)
class Regimen:
    """What the engine says about one medication list under one MME table."""

    table: str
    mme: Mme | None
    alerts: list[Alert]
    patient_alerts: list[Alert]
    line_alerts: dict[int, list[Alert]]
    line_mme: dict[int, list[MmeItem]]
    line_problems: dict[int, str] = field(default_factory=dict)
    monitoring: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    @property
    def total(self) -> float:
        return self.mme.total if self.mme is not None else 0.0


@functools.cache
def table_choices() -> tuple[tuple[str, str], ...]:
    """(id, label) of each MME table in mme.yaml, the default first."""
    return tuple((t.id, t.label) for t in knowledge().mme.tables)


def table_citation(table: str) -> str:
    return knowledge().table_citations.get(table, "")


@functools.cache
def drug_names() -> tuple[str, ...]:
    """Every generic, brand and combination name the knowledge base knows, for the order form's datalist."""
    kb = knowledge()
    names: set[str] = set()
    for d in kb.drugs.drugs:
        names.add(d.id)
        names.update(d.aliases)
    for c in kb.drugs.combinations:
        names.add(c.id)
        names.update(c.aliases)
    return tuple(sorted(names, key=str.lower))


def unknown_names(medication: Mapping[str, Any]) -> list[str]:
    """The names in one medication line (its ingredients, else its name) the knowledge base does not know."""
    parts = medication.get("ingredients") or []
    names = [str(p.get("name", "")) for p in parts] if parts else [str(medication.get("name", ""))]
    return [n for n in names if n and resolve(n) is None]


def _terms(medication: Mapping[str, Any]) -> set[str]:
    """The words an alert may use for this line: the name as written, its drug ids, its ingredients."""
    raw = [str(medication.get("name", ""))]
    raw += [str(p.get("name", "")) for p in medication.get("ingredients") or []]
    out: set[str] = set()
    for name in raw:
        name = name.strip()
        if not name:
            continue
        out.add(name.lower())
        found = resolve(name)
        if isinstance(found, DrugInfo):
            out.add(found.id)
        elif isinstance(found, Combination):
            out.add(found.id)
            out.update(found.ingredients)
    return out


def _mentions(text: str, terms: Iterable[str]) -> bool:
    lowered = text.lower()
    return any(re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", lowered) for t in terms)


def _line_index(message: str) -> int | None:
    found = _LINE_PATH.match(message)
    return int(found.group(1)) if found else None


def parse_lines(case: dict[str, Any]) -> tuple[Case, dict[int, int], dict[int, str]]:
    """Parse the case; a medication line the engine cannot read is left out and its problem kept.

    Returns the parsed case, a map from original line index to its index in the parsed case, and the
    problems by original index. Problems outside the medication list are the caller's (CaseError).
    """
    meds: list[Any] = list(case.get("medications") or [])
    kept = list(range(len(meds)))
    problems: dict[int, str] = {}
    for _ in range(_MAX_REPAIRS):
        trial = {**case, "medications": [meds[i] for i in kept]}
        if not trial["medications"]:
            del trial["medications"]
        try:
            parsed = parse_case(trial)
            dose_items(parsed)
        except CaseError as exc:
            if any(_line_index(e) is None for e in exc.errors):
                raise
            bad = {_line_index(e) for e in exc.errors}
            for e in exc.errors:
                i = _line_index(e)
                if i is not None:
                    problems.setdefault(kept[i], e.split(": ", 1)[-1])
            kept = [orig for pos, orig in enumerate(kept) if pos not in bad]
            continue
        except MedicationError as exc:
            i = _line_index(str(exc))
            if i is None:
                raise
            problems.setdefault(kept[i], str(exc).split(": ", 1)[-1])
            kept = [orig for pos, orig in enumerate(kept) if pos != i]
            continue
        return parsed, {orig: pos for pos, orig in enumerate(kept)}, problems
    raise CaseError(["medications: too many unreadable lines"])


def assess_regimen(case: Mapping[str, Any], *, table: str) -> Regimen:
    """MME per line and total, alerts beside the lines they name, and the monitoring status."""
    data = copy.deepcopy(dict(case))
    meds: list[dict[str, Any]] = list(data.get("medications") or [])
    parsed, position, problems = parse_lines(data)
    back = {pos: orig for orig, pos in position.items()}
    mme, alerts = assess(parsed, table=table)

    line_mme: dict[int, list[MmeItem]] = {}
    items, _ = dose_items(parsed)
    opioid_items = [it for it in items if it.drug is not None and it.drug.has("opioid")]
    if len(opioid_items) == len(mme.items):  # the engine lists MME items in dose-item order
        for it, mme_item in zip(opioid_items, mme.items, strict=True):
            line_mme.setdefault(back[it.index], []).append(mme_item)

    terms = {orig: _terms(meds[orig]) for orig in position}
    line_alerts: dict[int, list[Alert]] = {}
    patient_alerts: list[Alert] = []
    for alert in alerts:
        named = [orig for orig, words in terms.items() if _mentions(alert.message, words)]
        for orig in named:
            line_alerts.setdefault(orig, []).append(alert)
        if not named:
            patient_alerts.append(alert)
    return Regimen(
        table=table,
        mme=mme,
        alerts=alerts,
        patient_alerts=patient_alerts,
        line_alerts=line_alerts,
        line_mme=line_mme,
        line_problems=problems,
        monitoring=monitoring_status(parsed),
    )


def with_line(
    case: Mapping[str, Any], medication: Mapping[str, Any], *, replace: int | None = None
) -> dict[str, Any]:
    """A copy of the case with a proposed line added (or replacing line `replace`); the new line's index is last."""
    data = copy.deepcopy(dict(case))
    meds = [m for i, m in enumerate(data.get("medications") or []) if i != replace]
    meds.append(dict(medication))
    data["medications"] = meds
    return data


def new_alerts(before: Regimen, after: Regimen) -> list[Alert]:
    """Alerts the proposed change would raise that the current list does not (same code and message)."""
    seen = {(a.code, a.message) for a in before.alerts}
    return [a for a in after.alerts if (a.code, a.message) not in seen]
