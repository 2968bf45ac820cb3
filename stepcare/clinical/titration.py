"""Start-and-titrate plans for neuropathic-pain drugs, with renal bands (knowledge/titration.yaml).

The renal bands come from drugs.yaml (labels give creatinine clearance; eGFR stands in for it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from stepcare.clinical.knowledge import Entry, KnowledgeFile, cite, load
from stepcare.clinical.medications import RenalBand
from stepcare.clinical.medications import knowledge as medication_knowledge
from stepcare.clinical.vocab import LiverDisease

__all__ = ["TitrationPlan", "TitrationStep", "knowledge", "plan"]


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    day: int = Field(ge=1)
    daily_mg: float = Field(gt=0)
    per_day: int = Field(ge=1, le=4)


class DrugTitration(Entry):
    steps: tuple[_Step, ...] = Field(min_length=1)
    step_mg: float = Field(gt=0)
    interval_days: int = Field(gt=0)
    per_day: int = Field(ge=1, le=4)
    ceiling_mg: float = Field(gt=0)
    indications: dict[str, float] = Field(default_factory=dict)
    watch_for: tuple[str, ...]
    stopping: str


class TitrationFile(KnowledgeFile):
    drugs: tuple[DrugTitration, ...]


@functools.cache
def knowledge() -> TitrationFile:
    return load("titration.yaml", TitrationFile)


@dataclass(frozen=True, slots=True)
class TitrationStep:
    day: int
    daily_mg: float
    per_day: int

    def describe(self) -> str:
        doses = "once daily" if self.per_day == 1 else f"in {self.per_day} divided doses"
        return f"day {self.day}: {self.daily_mg:g} mg/day {doses}"


@dataclass(frozen=True, slots=True)
class TitrationPlan:
    drug: str
    steps: tuple[TitrationStep, ...]
    interval_days: int
    ceiling_mg: float | None
    renal_band: str | None
    avoid: str | None
    watch_for: tuple[str, ...]
    stopping: str
    evidence: str
    citation: str

    def to_text(self) -> str:
        lines = [f"{self.drug.capitalize()} titration (clinical decision support; evidence: {self.evidence})"]
        if self.avoid:
            lines.append(f"Avoid: {self.avoid}")
        else:
            lines.extend(s.describe() for s in self.steps)
            lines.append(f"Ceiling {self.ceiling_mg:g} mg/day; raise only if tolerated and needed.")
        if self.renal_band:
            lines.append(f"Kidney function: {self.renal_band}")
        lines.append("Watch for: " + "; ".join(self.watch_for))
        lines.append(self.stopping)
        lines.append(f"Sources: {self.citation}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "drug": self.drug,
            "steps": [{"day": s.day, "daily_mg": s.daily_mg, "per_day": s.per_day} for s in self.steps],
            "interval_days": self.interval_days,
            "ceiling_mg": self.ceiling_mg,
            "renal_band": self.renal_band,
            "avoid": self.avoid,
            "watch_for": list(self.watch_for),
            "stopping": self.stopping,
            "evidence": self.evidence,
            "citation": self.citation,
        }


def _band(bands: tuple[RenalBand, ...], egfr: float) -> RenalBand:
    return next(b for b in bands if egfr >= b.egfr_from)


def plan(
    drug: str,
    *,
    egfr: float | None = None,
    indication: str | None = None,
    liver_disease: LiverDisease = "none",
) -> TitrationPlan:
    """A titration from the label's start to the ceiling, limited by the renal band for `egfr`.

    Raises ValueError naming the drug (or indication) when it has no titration plan on file.
    """
    by_id = {d.id: d for d in knowledge().drugs}
    if drug not in by_id:
        raise ValueError(f"drug: no titration plan for {drug!r}; known: {', '.join(by_id)}")
    if egfr is not None and egfr < 0:
        raise ValueError("egfr: must be >= 0")
    t = by_id[drug]
    info = medication_knowledge().by_name[drug].entry
    ceiling = t.ceiling_mg
    if indication is not None:
        if indication not in t.indications:
            raise ValueError(
                f"indication: no {drug} ceiling for {indication!r}; known: {', '.join(t.indications)}"
            )
        ceiling = t.indications[indication]
    keys = list(dict.fromkeys([*t.citation, *info.citation]))
    avoid = None
    if liver_disease in info.avoid_liver_disease:
        avoid = (
            f"{drug} with {liver_disease} liver disease (the label advises avoiding it in hepatic impairment)"
        )
    steps = [TitrationStep(s.day, s.daily_mg, s.per_day) for s in t.steps]
    band_text = None
    if egfr is not None and info.renal:
        band = _band(info.renal, egfr)
        upper = next((b.egfr_from for b in reversed(info.renal) if b.egfr_from > band.egfr_from), None)
        span = f"eGFR {egfr:g}: band {band.egfr_from:g}" + (f"-{upper:g}" if upper is not None else "+")
        if band.avoid:
            avoid = (
                f"{drug} at eGFR {egfr:g} (the label advises avoiding it below {info.renal[0].egfr_from:g})"
            )
            band_text = span
        elif band is not info.renal[0]:
            low, high = band.min_daily_mg, band.max_daily_mg
            assert low is not None and high is not None
            band_text = f"{span}, label range {low:g}-{high:g} mg/day"
            ceiling = min(ceiling, high)
            steps = [TitrationStep(1, low, min(t.per_day, 3))]
        else:
            band_text = f"{span}, no reduction"
    if avoid:
        return TitrationPlan(
            drug, (), t.interval_days, None, band_text, avoid, t.watch_for, t.stopping, t.evidence, cite(keys)
        )
    steps = [s for s in steps if s.daily_mg <= ceiling]
    day, dose = steps[-1].day, steps[-1].daily_mg
    while dose < ceiling:
        dose = min(ceiling, dose + t.step_mg)
        day += t.interval_days
        steps.append(TitrationStep(day, dose, t.per_day))
    return TitrationPlan(
        drug,
        tuple(steps),
        t.interval_days,
        ceiling,
        band_text,
        None,
        t.watch_for,
        t.stopping,
        t.evidence,
        cite(keys),
    )
