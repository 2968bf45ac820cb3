"""The evaluation: what the engine returns (engine contract, "Evaluation (output)").

Plain frozen dataclasses so the core stays cheap to build and trivially serialisable; `to_dict()` gives
the contract's JSON shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from stepcare.clinical.vocab import Chronicity, Mechanism, OutcomeStatus, Severity, Tier, TriageLevel

__all__ = [
    "Alert",
    "DifferentialItem",
    "Eligibility",
    "Evaluation",
    "Mme",
    "MmeItem",
    "Outcome",
    "PlanStep",
    "Score",
    "Triage",
]


@dataclass(frozen=True, slots=True)
class Triage:
    level: TriageLevel
    reasons: tuple[str, ...]
    action: str
    citation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "reasons": list(self.reasons),
            "action": self.action,
            "citation": self.citation,
        }


@dataclass(frozen=True, slots=True)
class DifferentialItem:
    code: str
    score: float
    supporting: tuple[str, ...]
    against: tuple[str, ...]
    confirmed: bool = False
    label: str = ""
    citation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "score": self.score,
            "confirmed": self.confirmed,
            "supporting": list(self.supporting),
            "against": list(self.against),
            "citation": self.citation,
        }


@dataclass(frozen=True, slots=True)
class Score:
    instrument: str
    score: float | None
    band: str | None
    loinc: str | None
    date: dt.date | None
    mcid: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "score": self.score,
            "band": self.band,
            "loinc": self.loinc,
            "date": self.date.isoformat() if self.date else None,
            "mcid": self.mcid,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True)
class MmeItem:
    name: str
    daily_dose: float
    unit: str
    factor: float | None
    mme: float
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "daily_dose": self.daily_dose,
            "unit": self.unit,
            "factor": self.factor,
            "mme": self.mme,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Mme:
    total: float
    table: str
    items: tuple[MmeItem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "table": self.table, "items": [i.to_dict() for i in self.items]}


@dataclass(frozen=True, slots=True)
class Alert:
    code: str
    severity: Severity
    message: str
    citation: str
    action: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "action": self.action,
            "citation": self.citation,
        }


@dataclass(frozen=True, slots=True)
class PlanStep:
    order: int
    tier: Tier
    code: str
    label: str
    rationale: str
    citation: str
    condition: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "tier": self.tier,
            "code": self.code,
            "label": self.label,
            "rationale": self.rationale,
            "citation": self.citation,
            "condition": self.condition,
        }


@dataclass(frozen=True, slots=True)
class Eligibility:
    eligible: bool
    met: tuple[str, ...]
    unmet: tuple[str, ...]
    citation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "met": list(self.met),
            "unmet": list(self.unmet),
            "citation": self.citation,
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    baseline: float | None
    latest: float | None
    change: float | None
    change_percent: float | None
    status: OutcomeStatus
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "baseline": self.baseline,
            "latest": self.latest,
            "change": self.change,
            "change_percent": self.change_percent,
            "status": self.status,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True)
class Evaluation:
    id: str | None
    as_of: dt.date
    knowledge_version: str
    triage: Triage
    chronicity: Chronicity | None
    mechanism: Mechanism | None
    differential: tuple[DifferentialItem, ...]
    scores: dict[str, Score]
    mme: Mme
    alerts: tuple[Alert, ...]
    plan: tuple[PlanStep, ...]
    eligibility: dict[str, Eligibility]
    outcomes: dict[str, Outcome]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "as_of": self.as_of.isoformat(),
            "knowledge_version": self.knowledge_version,
            "triage": self.triage.to_dict(),
            "chronicity": self.chronicity,
            "mechanism": self.mechanism,
            "differential": [d.to_dict() for d in self.differential],
            "scores": {k: s.to_dict() for k, s in self.scores.items()},
            "mme": self.mme.to_dict(),
            "alerts": [a.to_dict() for a in self.alerts],
            "plan": [p.to_dict() for p in self.plan],
            "eligibility": {k: e.to_dict() for k, e in self.eligibility.items()},
            "outcomes": {k: o.to_dict() for k, o in self.outcomes.items()},
        }
