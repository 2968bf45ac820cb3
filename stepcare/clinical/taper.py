"""Opioid taper planner (CDC 2022 paces, knowledge/taper.yaml): a suggestion to agree with the patient.

Invariants the tests hold it to: no dose ever rises, every dose is made of marketed strengths, the
last step before stopping a drug is one unit of its smallest strength, and the plan reaches its target.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from stepcare.clinical.case import Case, Medication, parse_case
from stepcare.clinical.knowledge import Entry, KnowledgeFile, cite, load
from stepcare.clinical.medications import DoseItem, compute_mme, dose_items

__all__ = ["TaperDose", "TaperPlan", "TaperStep", "knowledge", "plan"]

Pace = Literal["standard", "slow", "faster"]
_SCALE = 10  # doses become integers in tenths, so 12.5 and 7.5 add up exactly
_MAX_STEPS = 400


class PaceRule(Entry):
    id: Pace
    unit: Literal["week", "month"]
    interval_days: int = Field(gt=0)
    percent_of_original: float = Field(gt=0, le=50)
    switch_at_fraction: float | None = Field(default=None, gt=0, lt=1)
    then_percent_of_remaining: float | None = Field(default=None, gt=0, le=50)


class Advice(Entry):
    text: str


class Strengths(Entry):
    drug: str
    kind: Literal["ir", "er", "patch"]
    unit: Literal["mg", "mcg/hr"]
    values: tuple[float, ...] = Field(min_length=1)


class TaperFile(KnowledgeFile):
    paces: tuple[PaceRule, ...]
    advice: tuple[Advice, ...]
    strengths: tuple[Strengths, ...]


@functools.cache
def knowledge() -> TaperFile:
    return load("taper.yaml", TaperFile)


@functools.cache
def _strengths() -> dict[tuple[str, str], Strengths]:
    return {(s.drug, s.kind): s for s in knowledge().strengths}


@dataclass(frozen=True, slots=True)
class TaperDose:
    drug: str
    daily: float
    unit: str
    units: tuple[tuple[float, int], ...]  # (strength, count) making up the daily dose

    def describe(self) -> str:
        if self.daily == 0:
            return f"{self.drug}: stop"
        parts = " + ".join(f"{n} x {s:g} {self.unit}" for s, n in self.units)
        per = "" if self.unit == "mcg/hr" else "/day"
        return f"{self.drug} {self.daily:g} {self.unit}{per}" + (f" (per day: {parts})" if parts else "")


@dataclass(frozen=True, slots=True)
class TaperStep:
    number: int
    day: int
    period: int  # week or month number
    doses: tuple[TaperDose, ...]
    mme: float
    hold: bool = False


@dataclass(frozen=True, slots=True)
class TaperPlan:
    pace: Pace
    unit: Literal["week", "month"]
    table: str
    steps: tuple[TaperStep, ...]
    advice: tuple[str, ...]
    citation: str

    def to_text(self) -> str:
        rule = next(p for p in knowledge().paces if p.id == self.pace)
        lines = [
            f"Opioid taper plan ({self.pace}): {rule.note or ''}",
            "Clinical decision support for licensed clinicians: agree each step with the patient.",
        ]
        for step in self.steps:
            when = "Now" if step.number == 0 else f"{self.unit.capitalize()} {step.period}"
            hold = " (hold: the available strengths allow no smaller step)" if step.hold else ""
            doses = "; ".join(d.describe() for d in step.doses)
            lines.append(f"{when}: {doses} = {step.mme:g} MME/day{hold}")
        lines.extend(f"- {a}" for a in self.advice)
        lines.append(f"Sources: {self.citation}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pace": self.pace,
            "unit": self.unit,
            "table": self.table,
            "steps": [
                {
                    "number": s.number,
                    "day": s.day,
                    "period": s.period,
                    "mme": s.mme,
                    "hold": s.hold,
                    "doses": [{"drug": d.drug, "daily": d.daily, "unit": d.unit} for d in s.doses],
                }
                for s in self.steps
            ],
            "advice": list(self.advice),
            "citation": self.citation,
        }


def _combos(values: Sequence[int], limit: int) -> list[tuple[int, ...] | None]:
    """Fewest-units composition of every total up to `limit` (None where no combination exists)."""
    best: list[tuple[int, ...] | None] = [None] * (limit + 1)
    best[0] = ()
    for total in range(1, limit + 1):
        for v in values:
            prev = best[total - v] if v <= total else None
            if prev is not None and (best[total] is None or len(prev) + 1 < len(best[total] or ())):
                best[total] = (*prev, v)
    return best


@dataclass
class _Track:
    item: DoseItem
    strengths: Strengths
    combos: list[tuple[int, ...] | None]
    original: int
    current: int
    target: float

    @property
    def smallest(self) -> int:
        return min(round(v * _SCALE) for v in self.strengths.values)

    def nearest(self, target: float) -> int:
        """The achievable dose nearest the target, never above the current dose (ties go lower)."""
        best = 0
        best_gap = abs(target)
        for total in range(self.current, 0, -1):
            if self.combos[total] is None:
                continue
            gap = abs(total - target)
            if gap < best_gap:
                best, best_gap = total, gap
            if total < target - best_gap:
                break
        if best == 0 and self.current > self.smallest:
            return self.smallest  # stopping only from one unit of the smallest strength
        return best

    def dose(self) -> TaperDose:
        units: dict[int, int] = {}
        if self.current:
            for v in self.combos[self.current] or ():
                units[v] = units.get(v, 0) + 1
        return TaperDose(
            drug=self.item.name,
            daily=self.current / _SCALE,
            unit=self.strengths.unit,
            units=tuple((v / _SCALE, n) for v, n in sorted(units.items(), reverse=True)),
        )


def _regimen(case_or_regimen: Case | Sequence[Medication | Mapping[str, Any]]) -> Case:
    if isinstance(case_or_regimen, Case):
        return case_or_regimen
    meds = [
        m.model_dump(exclude_none=True) if isinstance(m, Medication) else dict(m) for m in case_or_regimen
    ]
    # Only the medication list matters for a taper; the patient block is a placeholder the model requires.
    return parse_case({"patient": {"age": 18}, "medications": meds})


def plan(
    case_or_regimen: Case | Sequence[Medication | Mapping[str, Any]],
    *,
    pace: Pace = "standard",
    target_mme: float = 0.0,
    table: str = "cdc-2022",
) -> TaperPlan:
    """A stepwise taper of every active opioid, each by the same share of its own starting dose.

    Raises ValueError for an unknown pace, no active opioid, or an opioid without strengths on file.
    """
    kb = knowledge()
    rules = {p.id: p for p in kb.paces}
    if pace not in rules:
        raise ValueError(f"pace: unknown pace {pace!r}; known paces: {', '.join(rules)}")
    if target_mme < 0:
        raise ValueError("target_mme: must be >= 0")
    rule = rules[pace]
    case = _regimen(case_or_regimen)
    items, _ = dose_items(case)
    opioids = [it for it in items if it.drug is not None and it.drug.has("opioid")]
    if not opioids:
        raise ValueError("medications: no active opioid to taper")
    tracks: list[_Track] = []
    for it in opioids:
        kind = "patch" if it.unit == "mcg/hr" else ("er" if it.long_acting else "ir")
        found = _strengths().get((it.name, kind)) or _strengths().get((it.name, "ir"))
        if found is None or found.unit != it.unit:
            raise ValueError(f"{it.path}: no {kind} strengths of {it.name} in {it.unit} on file for a taper")
        original = round(it.daily * _SCALE)
        values = sorted({round(v * _SCALE) for v in found.values})
        tracks.append(_Track(it, found, _combos(values, original), original, original, float(original)))

    def mme_now() -> float:
        now = [dataclasses.replace(t.item, daily=t.current / _SCALE) for t in tracks if t.current]
        return compute_mme(now, table=table).total if now else 0.0

    steps = [TaperStep(0, 0, 0, tuple(t.dose() for t in tracks), mme_now())]
    for k in range(1, _MAX_STEPS + 1):
        if all(t.current == 0 for t in tracks) or (steps[-1].mme <= target_mme and target_mme > 0):
            break
        changed = False
        for t in tracks:
            switch = rule.switch_at_fraction
            if (
                switch is not None
                and rule.then_percent_of_remaining
                and t.target <= switch * t.original + 1e-9
            ):
                t.target *= 1 - rule.then_percent_of_remaining / 100
            else:
                t.target = max(0.0, t.original * (1 - k * rule.percent_of_original / 100))
            new = t.nearest(t.target)
            if new != t.current:
                changed = True
            t.current = new
        steps.append(
            TaperStep(k, k * rule.interval_days, k, tuple(t.dose() for t in tracks), mme_now(), not changed)
        )
    else:
        raise AssertionError("taper did not finish within the step limit")
    advice = tuple(a.text for a in kb.advice)
    keys = [
        *rule.citation,
        *(k for a in kb.advice for k in a.citation),
        *(k for t in tracks for k in t.strengths.citation),
    ]
    return TaperPlan(pace, rule.unit, table, tuple(steps), advice, cite(dict.fromkeys(keys)))
