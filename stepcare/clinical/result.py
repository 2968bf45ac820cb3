"""The evaluation: what the engine returns (engine contract, "Evaluation (output)").

Plain frozen dataclasses so the core stays cheap to build and trivially serialisable; `to_dict()` gives
the contract's JSON shape.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

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

_T = TypeVar("_T")


class _Factory:
    """The default shown in a signature for a field with a default factory (as dataclasses shows it)."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def _fast_init(cls: type[_T]) -> type[_T]:
    """Give a frozen slots dataclass an `__init__` that sets each slot through its descriptor.

    Same signature, defaults and immutability as the generated one, about a third cheaper: the
    dataclass's own `__init__` goes through `object.__setattr__` once per field, and the engine builds
    dozens of these per evaluation.
    """
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    params: list[str] = []
    body: list[str] = []
    env: dict[str, Any] = {"_FACTORY": _FACTORY}
    for f in fields:
        env[f"_set_{f.name}"] = getattr(cls, f.name).__set__
        if f.default is not dataclasses.MISSING:
            env[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
            body.append(f"    _set_{f.name}(self, {f.name})")
        elif f.default_factory is not dataclasses.MISSING:
            env[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_FACTORY")
            body.append(f"    _set_{f.name}(self, _factory_{f.name}() if {f.name} is _FACTORY else {f.name})")
        else:
            params.append(f.name)
            body.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body) + "\n"
    exec(source, env)  # noqa: S102 - code built above from the class's own field names
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = dict(cls.__init__.__annotations__)
    setattr(cls, "__init__", init)  # noqa: B010 - mypy forbids assigning to a method
    return cls


@_fast_init
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


@_fast_init
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


@_fast_init
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


@_fast_init
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


@_fast_init
@dataclass(frozen=True, slots=True)
class Mme:
    total: float
    table: str
    items: tuple[MmeItem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "table": self.table, "items": [i.to_dict() for i in self.items]}


@_fast_init
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


@_fast_init
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


@_fast_init
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


@_fast_init
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


@_fast_init
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

    def json_ready(self) -> dict[str, Any]:
        """`to_dict()` for an encoder that writes tuples as arrays and dates as ISO dates (orjson).

        The same keys in the same order and the same JSON, without copying each tuple into a list or
        formatting each date first (the batch command writes every evaluation this way).
        """
        return self._build(_keep, _keep)

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON shape with plain lists and ISO date strings."""
        return self._build(list, _iso)

    def _build(self, seq: Callable[[Any], Any], day: Callable[[Any], Any]) -> dict[str, Any]:
        # The parts' own to_dict() inlined (the same keys in the same order): this runs once per
        # evaluation in batch mode, where the method calls were a measurable share of the cost.
        tri = self.triage
        mme = self.mme
        scores: dict[str, Any] = {}
        for key, s in self.scores.items():
            out = {"score": s.score, "band": s.band, "loinc": s.loinc, "date": day(s.date), "mcid": s.mcid}
            if s.extra:
                out.update(s.extra)
            scores[key] = out
        outcomes: dict[str, Any] = {}
        for key, o in self.outcomes.items():
            out = {"baseline": o.baseline, "latest": o.latest, "change": o.change,
                   "change_percent": o.change_percent, "status": o.status}  # fmt: skip
            if o.extra:
                out.update(o.extra)
            outcomes[key] = out
        return {
            "id": self.id,
            "as_of": day(self.as_of),
            "knowledge_version": self.knowledge_version,
            "triage": {"level": tri.level, "reasons": seq(tri.reasons), "action": tri.action,
                       "citation": tri.citation},
            "chronicity": self.chronicity,
            "mechanism": self.mechanism,
            "differential": [
                {"code": d.code, "label": d.label, "score": d.score, "confirmed": d.confirmed,
                 "supporting": seq(d.supporting), "against": seq(d.against), "citation": d.citation}
                for d in self.differential
            ],
            "scores": scores,
            "mme": {
                "total": mme.total,
                "table": mme.table,
                "items": [
                    {"name": i.name, "daily_dose": i.daily_dose, "unit": i.unit, "factor": i.factor, "mme": i.mme,
                     "note": i.note}
                    for i in mme.items
                ],
            },
            "alerts": [
                {"code": a.code, "severity": a.severity, "message": a.message, "action": a.action,
                 "citation": a.citation}
                for a in self.alerts
            ],
            "plan": [
                {"order": p.order, "tier": p.tier, "code": p.code, "label": p.label, "rationale": p.rationale,
                 "citation": p.citation, "condition": p.condition}
                for p in self.plan
            ],
            "eligibility": {
                k: {"eligible": e.eligible, "met": seq(e.met), "unmet": seq(e.unmet), "citation": e.citation}
                for k, e in self.eligibility.items()
            },
            "outcomes": outcomes,
        }  # fmt: skip


def _keep(value: Any) -> Any:
    return value


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None
