"""The clinic outcome report: meaningful improvement at 3, 6 and 12 months per condition and intervention.

The cohort is every patient of the clinic whose first score on an outcome instrument (outcomes.yaml:
NRS, PEG, ODI, NDI, PHQ-9, GAD-7) falls in the period; that first score is the baseline. For each
horizon the follow-up is the score nearest to baseline + horizon within a window (none → no follow-up
data at that horizon). Improvement is judged exactly as the engine judges it (outcomes.yaml: the MCID in
points or in percent of the baseline; lower is better), and "at goal" is the latest score at or below
the measure's at-goal value.

One SQL statement (window functions, portable between SQLite and PostgreSQL) reduces the measurements to
one row per patient and instrument; the grouping by condition and intervention and the medians are done
in Python over those rows, because a patient belongs to several intervention groups.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection

from stepcare.clinical import outcomes as outcome_knowledge
from stepcare.clinical.plan import step_catalog
from stepcare.clinical.procedures import knowledge as procedure_knowledge
from stepcare.procedures.models import DONE_STATUSES, ProcedureRecord
from stepcare.records.vocab import diagnosis_label

# Report definitions (not clinical thresholds): the follow-up horizons and how far a score may lie from one.
HORIZONS: tuple[tuple[int, int], ...] = ((3, 91), (6, 182), (12, 365))  # (months, days after baseline)
HORIZON_WINDOW_DAYS = 45  # half the gap between the 3- and 6-month horizons, so windows never overlap
_EPS = 1e-9
ALL = "all"
UNSPECIFIED = "unspecified"


@dataclass(frozen=True)
class PatientOutcome:
    """One patient's baseline, latest and horizon scores on one instrument."""

    patient_id: int
    instrument: str
    condition: str
    baseline: float
    latest: float
    at_horizon: dict[int, float | None]


@dataclass
class HorizonStats:
    months: int
    followed: int = 0
    improved: int = 0
    changes: list[float] = field(default_factory=list)

    def median_change(self) -> float | None:
        return round(statistics.median(self.changes), 2) if self.changes else None


@dataclass
class GroupRow:
    kind: str  # all / condition / intervention
    key: str
    label: str
    instrument: str
    instrument_label: str
    patients: int = 0
    at_goal: int = 0
    followed_any: int = 0
    horizons: dict[int, HorizonStats] = field(default_factory=dict)

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return round(part / whole * 100, 1) if whole else None

    def cells(self) -> list[dict[str, Any]]:
        """Per horizon, for the table: followed up (n, %), improved (n, % of followed up), median change."""
        return [
            {
                "months": months,
                "followed": h.followed,
                "followed_share": self.share(h.followed, self.patients),
                "improved": h.improved,
                "improved_share": self.share(h.improved, h.followed),
                "median_change": h.median_change(),
            }
            for months, h in sorted(self.horizons.items())
        ]

    def at_goal_share(self) -> float | None:
        return self.share(self.at_goal, self.patients)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "group_kind": self.kind,
            "group": self.key,
            "group_label": self.label,
            "instrument": self.instrument,
            "patients": self.patients,
            "followed_up_any": self.followed_any,
            "followed_up_any_share": self.share(self.followed_any, self.patients),
        }
        for months, h in sorted(self.horizons.items()):
            out[f"followed_up_{months}m"] = h.followed
            out[f"followed_up_share_{months}m"] = self.share(h.followed, self.patients)
            out[f"improved_{months}m"] = h.improved
            out[f"improved_share_{months}m"] = self.share(h.improved, h.followed)
            out[f"median_change_{months}m"] = h.median_change()
        out["at_goal"] = self.at_goal
        out["at_goal_share"] = self.share(self.at_goal, self.patients)
        return out


@dataclass(frozen=True)
class OutcomeReport:
    start: datetime.date
    end: datetime.date
    rows: list[GroupRow]
    patients: int

    def columns(self) -> list[str]:
        cols = [
            "group_kind",
            "group",
            "group_label",
            "instrument",
            "patients",
            "followed_up_any",
            "followed_up_any_share",
        ]
        for months, _ in HORIZONS:
            cols += [
                f"followed_up_{months}m",
                f"followed_up_share_{months}m",
                f"improved_{months}m",
                f"improved_share_{months}m",
                f"median_change_{months}m",
            ]
        return [*cols, "at_goal", "at_goal_share"]


# ------------------------------------------------------------------------------------------- rules
@dataclass(frozen=True)
class _Rule:
    label: str
    mcid_points: float
    mcid_percent: float | None
    at_goal_max: float

    def meaningful_improvement(self, baseline: float, value: float) -> bool:
        gained = baseline - value  # lower is better for every outcomes.yaml measure
        if gained <= 0:
            return False
        if gained >= self.mcid_points - _EPS:
            return True
        return (
            self.mcid_percent is not None
            and baseline > 0
            and gained / baseline * 100 >= self.mcid_percent - _EPS
        )


def rules() -> dict[str, _Rule]:
    return {
        m.id: _Rule(m.label, m.mcid_points, m.mcid_percent, m.at_goal_max)
        for m in outcome_knowledge.knowledge().measures
    }


# ------------------------------------------------------------------------------------------- query
def _days(a: str, b: str) -> str:
    if connection.vendor == "postgresql":
        return f"({a} - {b})"
    return f"CAST(ROUND(julianday({a}) - julianday({b})) AS INTEGER)"


_ID_SPAN = 10**12  # a follow-up's sort key is distance * _ID_SPAN + id: ties go to the earlier row


def _per_patient_sql(instruments: int) -> str:
    """One sort by (patient, instrument, date): baseline, latest and the reading nearest each horizon.

    The nearest reading is the one with the smallest key (twice the distance from the horizon, +1 when
    after it, so a tie goes to the earlier day; then the row id), found by MIN over the partition, which
    PostgreSQL evaluates on the same sort. No derived table is joined to another (the planner misestimates
    such joins into quadratic nested loops).
    """
    from stepcare.care.models import Measurement
    from stepcare.records.models import Patient

    m = Measurement._meta.db_table
    p = Patient._meta.db_table
    marks = ", ".join(["%s"] * instruments)
    days = _days("o.date", "o.base_date")
    window = int(HORIZON_WINDOW_DAYS)
    keys, bests, picks = [], [], []
    for months, target in HORIZONS:
        t = int(target)
        keys.append(
            f"CASE WHEN {days} > 0 AND ABS({days} - {t}) <= {window} THEN "
            f"(ABS({days} - {t}) * 2 + CASE WHEN {days} > {t} THEN 1 ELSE 0 END) * {_ID_SPAN} + o.id END AS k{months}"
        )
        bests.append(f"MIN(k.k{months}) OVER pw AS b{months}")
        picks.append(f"MAX(CASE WHEN b.k{months} = b.b{months} THEN b.score END) AS s{months}")
    key_sql = ",\n         ".join(keys)
    best_sql = ", ".join(bests)
    pick_sql = ",\n       ".join(picks)
    # Only table names and the module's integer constants are interpolated; every value is a parameter.
    return f"""
WITH ordered AS (
  SELECT m.patient_id, m.instrument, m.id, m.date, m.score, p.primary_condition,
         FIRST_VALUE(m.date) OVER w AS base_date,
         FIRST_VALUE(m.score) OVER w AS base_score,
         LAST_VALUE(m.score) OVER w AS latest_score
  FROM {m} m JOIN {p} p ON p.id = m.patient_id
  WHERE p.clinic_id = %s AND m.instrument IN ({marks})
  WINDOW w AS (PARTITION BY m.patient_id, m.instrument ORDER BY m.date, m.id
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
),
keyed AS (
  SELECT o.patient_id, o.instrument, o.primary_condition, o.score, o.base_score, o.latest_score,
         {key_sql}
  FROM ordered o
  WHERE o.base_date >= %s AND o.base_date <= %s
),
best AS (
  SELECT k.*, {best_sql}
  FROM keyed k
  WINDOW pw AS (PARTITION BY k.patient_id, k.instrument)
)
SELECT b.patient_id, b.instrument, b.primary_condition, MAX(b.base_score), MAX(b.latest_score),
       {pick_sql}
FROM best b
GROUP BY b.patient_id, b.instrument, b.primary_condition
"""  # noqa: S608


def patient_outcomes(*, clinic_id: int, start: datetime.date, end: datetime.date) -> list[PatientOutcome]:
    """One row per cohort patient and instrument, from a single SQL statement."""
    instruments = sorted(rules())
    sql = _per_patient_sql(len(instruments))
    params: list[Any] = [clinic_id, *instruments, start, end]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out: list[PatientOutcome] = []
    for patient_id, instrument, condition, base, latest, *picks in rows:
        out.append(
            PatientOutcome(
                patient_id=patient_id,
                instrument=instrument,
                condition=condition or UNSPECIFIED,
                baseline=float(base),
                latest=float(latest),
                at_horizon={
                    months: None if v is None else float(v)
                    for (months, _), v in zip(HORIZONS, picks, strict=True)
                },
            )
        )
    return out


def interventions(*, clinic_id: int, patient_ids: Iterable[int] | None = None) -> dict[int, set[str]]:
    """Per patient: performed procedure codes and accepted plan-step codes (care's PlanItem, if installed)."""
    found: dict[int, set[str]] = defaultdict(set)
    done = ProcedureRecord.objects.filter(clinic_id=clinic_id, status__in=DONE_STATUSES)
    for pid, code in done.values_list("patient_id", "code").distinct():
        found[pid].add(code)
    if apps.is_installed("stepcare.care"):
        from stepcare.care.models import PlanDecision, PlanItem

        accepted = (
            PlanItem.objects.filter(
                plan__patient__clinic_id=clinic_id, decision__in=(PlanDecision.ACCEPTED, PlanDecision.EDITED)
            )
            .exclude(code="")
            .values_list("plan__patient_id", "code")
            .distinct()
        )
        for pid, code in accepted:
            found[pid].add(code)
    if patient_ids is not None:
        wanted = set(patient_ids)
        return {k: v for k, v in found.items() if k in wanted}
    return dict(found)


def _intervention_label(code: str) -> str:
    for p in procedure_knowledge().procedures:
        if p.id == code:
            return p.label
    step = step_catalog().get(code)
    return str(step["label"]) if step else code.replace("-", " ")


def aggregate(
    outcomes: Iterable[PatientOutcome],
    treated: Mapping[int, set[str]],
    *,
    start: datetime.date,
    end: datetime.date,
) -> OutcomeReport:
    """Counts, shares and medians per (all | condition | intervention) and instrument."""
    measure_rules = rules()
    groups: dict[tuple[str, str, str], GroupRow] = {}
    labels: dict[str, str] = {}
    patients: set[int] = set()

    def row(kind: str, key: str, instrument: str) -> GroupRow:
        found = groups.get((kind, key, instrument))
        if found is None:
            if key not in labels:
                labels[key] = (
                    "All patients"
                    if kind == ALL
                    else (diagnosis_label(key) if kind == "condition" else _intervention_label(key))
                )
            found = GroupRow(
                kind=kind,
                key=key,
                label=labels[key],
                instrument=instrument,
                instrument_label=measure_rules[instrument].label,
                horizons={months: HorizonStats(months) for months, _ in HORIZONS},
            )
            groups[(kind, key, instrument)] = found
        return found

    for o in outcomes:
        patients.add(o.patient_id)
        rule = measure_rules[o.instrument]
        keys = [(ALL, ALL), ("condition", o.condition)]
        keys += [("intervention", code) for code in sorted(treated.get(o.patient_id, ()))]
        at_goal = o.latest <= rule.at_goal_max + _EPS
        followed_any = any(v is not None for v in o.at_horizon.values())
        for kind, key in keys:
            g = row(kind, key, o.instrument)
            g.patients += 1
            g.at_goal += at_goal
            g.followed_any += followed_any
            for months, value in o.at_horizon.items():
                if value is None:
                    continue
                h = g.horizons[months]
                h.followed += 1
                h.changes.append(value - o.baseline)
                h.improved += rule.meaningful_improvement(o.baseline, value)
    order = {ALL: 0, "condition": 1, "intervention": 2}
    rows = sorted(groups.values(), key=lambda g: (order[g.kind], g.label, g.instrument))
    return OutcomeReport(start=start, end=end, rows=rows, patients=len(patients))


def outcome_report(*, clinic_id: int, start: datetime.date, end: datetime.date) -> OutcomeReport:
    """The whole report for one clinic and period."""
    outcomes = patient_outcomes(clinic_id=clinic_id, start=start, end=end)
    treated = interventions(clinic_id=clinic_id)
    return aggregate(outcomes, treated, start=start, end=end)


def chart_data(report: OutcomeReport) -> dict[str, Any]:
    """Per instrument: conditions on the x axis, one bar series per horizon (% meaningfully improved)."""
    charts: dict[str, dict[str, Any]] = {}
    for g in report.rows:
        if g.kind != "condition":
            continue
        chart = charts.setdefault(
            g.instrument,
            {
                "instrument": g.instrument,
                "title": g.instrument_label,
                "labels": [],
                "series": {m: [] for m, _ in HORIZONS},
            },
        )
        chart["labels"].append(g.label)
        for months, h in g.horizons.items():
            chart["series"][months].append(GroupRow.share(h.improved, h.followed))
    return {
        "charts": [
            {
                "instrument": c["instrument"],
                "title": c["title"],
                "labels": c["labels"],
                "datasets": [{"label": f"{m} months", "data": c["series"][m]} for m, _ in HORIZONS],
            }
            for c in charts.values()
        ]
    }
