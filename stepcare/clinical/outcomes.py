"""Outcomes: per measure baseline, latest, change and status by the instrument's MCID (knowledge/outcomes.yaml).

A plan is judged by whether the patient's pain, function, mood and own goals move by a clinically
meaningful amount; a plateau short of the goal means the plan should evolve, and a measure not repeated
in time means nobody can tell. Both raise alerts; every number and word of them is in the YAML.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from pydantic import Field

from stepcare.clinical.case import Case, Goal
from stepcare.clinical.knowledge import Entry, KnowledgeError, KnowledgeFile, cite, load
from stepcare.clinical.result import Alert, Outcome, PlanStep, Score
from stepcare.clinical.vocab import OutcomeStatus, Severity

__all__ = ["OutcomesFile", "assess", "knowledge"]

_EPS = 1e-9


class Measure(Entry):
    label: str
    mcid_points: float = Field(gt=0)
    mcid_percent: float | None = Field(default=None, gt=0, le=100)
    at_goal_max: float


class GoalMeasures(Entry):
    mcid_fraction_of_gap: float = Field(gt=0, le=1)


class PlateauRule(Entry):
    assessments: int = Field(ge=2)
    min_span_days: int = Field(ge=1)


class Reassessment(Entry):
    measure_interval_days: int = Field(ge=1)
    opioid_interval_days: int = Field(ge=1)
    opioid_first_within_days: int = Field(ge=1)


class AlertText(Entry):
    code: str | None = None
    severity: Severity
    message: str
    action: str
    action_generic: str | None = None


class OutcomesFile(KnowledgeFile):
    measures: tuple[Measure, ...] = Field(min_length=1)
    goal_measures: GoalMeasures
    plateau: PlateauRule
    reassessment: Reassessment
    alerts: tuple[AlertText, ...]


_ALERTS = ("plan-plateau", "reassessment-due", "reassessment-due-opioid")


@dataclass(frozen=True, slots=True)
class _Kb:
    measures: dict[str, Measure]
    measure_cites: dict[str, str]
    goal: GoalMeasures
    goal_cite: str
    plateau: PlateauRule
    reassess: Reassessment
    alerts: dict[str, AlertText]
    alert_cites: dict[str, str]


@functools.cache
def knowledge() -> OutcomesFile:
    kb = load("outcomes.yaml", OutcomesFile)
    have = {a.id for a in kb.alerts}
    missing = [a for a in _ALERTS if a not in have]
    if missing:
        raise KnowledgeError(f"knowledge/outcomes.yaml: alerts missing {missing}")
    return kb


@functools.cache
def _kb() -> _Kb:
    kb = knowledge()
    return _Kb(
        measures={m.id: m for m in kb.measures},
        measure_cites={m.id: cite(m.citation) for m in kb.measures},
        goal=kb.goal_measures,
        goal_cite=cite(dict.fromkeys((*kb.goal_measures.citation, *kb.plateau.citation))),
        plateau=kb.plateau,
        reassess=kb.reassessment,
        alerts={a.id: a for a in kb.alerts},
        alert_cites={a.id: cite(a.citation) for a in kb.alerts},
    )


# ----------------------------------------------------------------------------------------- the series


@dataclass(frozen=True, slots=True)
class _Track:
    """One measure's rule: direction, what a meaningful change is, and when it is at goal."""

    key: str
    label: str
    lower_is_better: bool
    mcid_points: float
    mcid_percent: float | None
    goal_value: float
    goal: Goal | None
    citation: str

    def meaningful(self, delta: float, ref: float) -> bool:
        if abs(delta) >= self.mcid_points - _EPS:
            return True
        return (
            self.mcid_percent is not None and ref > 0 and abs(delta) / ref * 100 >= self.mcid_percent - _EPS
        )

    def improvement(self, before: float, after: float) -> float:
        return before - after if self.lower_is_better else after - before

    def at_goal(self, value: float) -> bool:
        return value <= self.goal_value + _EPS if self.lower_is_better else value >= self.goal_value - _EPS


def _series(case: Case, scores: Mapping[str, Score], key: str) -> list[tuple[dt.date, float]]:
    """Points by date, the current score overriding a history entry of the same date."""
    by_date: dict[dt.date, float] = {}
    for h in case.history:
        if h.instrument == key:
            by_date[h.date] = h.score
    if key == "nrs" and case.pain.nrs is not None and "nrs" not in scores:
        by_date[case.as_of] = float(case.pain.nrs)
    s = scores.get(key)
    if s is not None and s.score is not None:
        by_date[s.date or case.as_of] = float(s.score)
    return sorted(by_date.items())


def _tracks(case: Case, scores: Mapping[str, Score]) -> list[_Track]:
    kb = _kb()
    goals = {g.measure: g for g in case.goals if g.measure and g.target is not None}
    out: list[_Track] = []
    for m in kb.measures.values():
        present = m.id in scores or m.id in goals or any(h.instrument == m.id for h in case.history)
        if m.id == "nrs" and case.pain.nrs is not None:
            present = True
        if not present:
            continue
        g = goals.get(m.id)
        out.append(
            _Track(
                key=m.id,
                label=m.label,
                lower_is_better=True,
                mcid_points=m.mcid_points,
                mcid_percent=m.mcid_percent,
                goal_value=g.target if g is not None and g.target is not None else m.at_goal_max,
                goal=g,
                citation=kb.measure_cites[m.id],
            )
        )
    for key, g in goals.items():
        if key in kb.measures or g.target is None:
            continue
        points = _series(case, scores, key)
        start = points[0][1] if points else 0.0
        lower = g.target < start
        gap = abs(g.target - start)
        out.append(
            _Track(
                key=key,
                label=g.text,
                lower_is_better=lower,
                mcid_points=max(gap * kb.goal.mcid_fraction_of_gap, _EPS),
                mcid_percent=None,
                goal_value=g.target,
                goal=g,
                citation=kb.goal_cite,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class _Plateau:
    values: tuple[float, ...]
    first: dt.date
    last: dt.date


def _plateau(track: _Track, points: Sequence[tuple[dt.date, float]]) -> _Plateau | None:
    rule = _kb().plateau
    if len(points) < rule.assessments:
        return None
    window = points[-rule.assessments :]
    first_date, first = window[0]
    if (window[-1][0] - first_date).days < rule.min_span_days:
        return None
    if any(track.meaningful(v - first, first) for _, v in window[1:]):
        return None
    if track.at_goal(window[-1][1]):
        return None
    return _Plateau(values=tuple(v for _, v in window), first=first_date, last=window[-1][0])


def _num(x: float) -> float:
    return round(x, 2) + 0.0


def _outcome(track: _Track, points: Sequence[tuple[dt.date, float]]) -> tuple[Outcome, _Plateau | None]:
    extra: dict[str, object] = {"label": track.label, "points": len(points), "citation": track.citation}
    if track.key in _kb().measures:
        extra["mcid"] = track.mcid_points
    if track.goal is not None:
        extra["goal"] = track.goal.text
        extra["goal_kind"] = track.goal.kind
        extra["target"] = track.goal_value
    if not points:
        extra["goal_attained"] = False
        return Outcome(None, None, None, None, "insufficient-data", extra), None
    (b_date, base), (l_date, latest) = points[0], points[-1]
    extra["baseline_date"] = b_date.isoformat()
    extra["latest_date"] = l_date.isoformat()
    attained = track.at_goal(latest)
    extra["at_goal" if track.goal is None else "goal_attained"] = attained
    if track.goal is not None and track.goal_value and not track.lower_is_better:
        extra["percent_of_target"] = round(latest / track.goal_value * 100, 1)
    if len(points) < 2:
        return Outcome(_num(base), _num(latest), None, None, "insufficient-data", extra), None
    change = _num(latest - base)
    change_percent = round(change / base * 100, 1) + 0.0 if base else None
    gained = track.improvement(base, latest)
    plateau = _plateau(track, points)
    status: OutcomeStatus
    if gained < 0 and track.meaningful(gained, base):
        status = "worsening"
    elif plateau is not None:
        status = "plateau"
    elif gained > 0 and track.meaningful(gained, base):
        status = "meaningful-improvement"
    elif gained > _EPS:
        status = "improving"
    else:
        status = "plateau"
    return Outcome(_num(base), _num(latest), change, change_percent, status, extra), plateau


# ------------------------------------------------------------------------------------------- alerts


def _next_steps(case: Case, plan: Sequence[PlanStep]) -> list[PlanStep]:
    """Untried plan steps of the lowest numeric tier above the highest tier already tried."""
    tried = {t.code for t in case.therapies} | {p.code for p in case.procedures}
    numeric = [s for s in plan if isinstance(s.tier, int)]
    current = max((int(s.tier) for s in numeric if s.code in tried), default=0)
    later = [s for s in numeric if int(s.tier) > current and s.code not in tried]
    if not later:
        return []
    tier = min(int(s.tier) for s in later)
    return [s for s in later if s.tier == tier]


def _plateau_alert(track: _Track, p: _Plateau, steps: Sequence[PlanStep]) -> Alert:
    text = _kb().alerts["plan-plateau"]
    goal = f"target {track.goal_value:g}"
    message = text.message.format(
        measure=track.label,
        n=len(p.values),
        values=", ".join(f"{v:g}" for v in p.values),
        weeks=(p.last - p.first).days // 7,
        first=p.first.isoformat(),
        last=p.last.isoformat(),
        goal=goal,
    )
    if steps:
        action = text.action.format(
            next_steps=", ".join(f"{s.label} ({s.code}, tier {s.tier})" for s in steps)
        )
    else:
        action = text.action_generic or text.action.format(next_steps="the next tier")
    cited = f"{_kb().alert_cites['plan-plateau']}; {track.citation}"
    return Alert(
        code=text.code or text.id, severity=text.severity, message=message, citation=cited, action=action
    )


def _opioid_alert(case: Case, opioids: Collection[str]) -> Alert | None:
    """Overdue when the last review is older than the interval, or a newer opioid start went unreviewed."""
    kb = _kb()
    names = {n.lower() for n in opioids}
    if not names:
        return None
    rule = kb.reassess
    starts = [
        m.start
        for m in case.medications
        if m.start is not None
        and (m.name.lower() in names or any(i.name.lower() in names for i in m.ingredients))
    ]
    latest_start = max(starts) if starts else None
    last = case.monitoring.opioid_reassessed
    if last is not None and (latest_start is None or last >= latest_start):
        ago = (case.as_of - last).days
        if ago <= rule.opioid_interval_days:
            return None
        detail = (
            f"last reassessed {last.isoformat()}, {ago} days ago (every {rule.opioid_interval_days} days)"
        )
    elif latest_start is not None:
        ago = (case.as_of - latest_start).days
        if ago <= rule.opioid_first_within_days:
            return None
        detail = (
            f"no reassessment recorded since the opioid started {latest_start.isoformat()}, {ago} days ago "
            f"(first review within {rule.opioid_first_within_days} days)"
        )
    else:
        detail = "no reassessment and no start date recorded"
    text = kb.alerts["reassessment-due-opioid"]
    return Alert(
        code=text.code or text.id,
        severity=text.severity,
        message=text.message.format(detail=detail),
        citation=kb.alert_cites[text.id],
        action=text.action,
    )


def assess(
    case: Case,
    scores: Mapping[str, Score],
    *,
    plan: Sequence[PlanStep] = (),
    opioids: Collection[str] = (),
) -> tuple[dict[str, Outcome], list[Alert]]:
    """Outcome per tracked measure and goal, with plateau and reassessment alerts.

    `plan` supplies the next tier's candidates for a plateau; `opioids` names the active opioids (the
    engine passes the MME items) for the opioid reassessment check.
    """
    kb = _kb()
    outcomes: dict[str, Outcome] = {}
    alerts: list[Alert] = []
    overdue: list[str] = []
    steps: list[PlanStep] | None = None
    for track in _tracks(case, scores):
        points = _series(case, scores, track.key)
        outcome, plateau = _outcome(track, points)
        outcomes[track.key] = outcome
        if plateau is not None:
            if steps is None:
                steps = _next_steps(case, plan)
            alerts.append(_plateau_alert(track, plateau, steps))
        if points:
            ago = (case.as_of - points[-1][0]).days
            if ago > kb.reassess.measure_interval_days:
                overdue.append(f"{track.key} last {points[-1][0].isoformat()} ({ago} days ago)")
    if overdue:
        text = kb.alerts["reassessment-due"]
        alerts.append(
            Alert(
                code=text.code or text.id,
                severity=text.severity,
                message=text.message.format(days=kb.reassess.measure_interval_days, items="; ".join(overdue)),
                citation=kb.alert_cites[text.id],
                action=text.action,
            )
        )
    opioid = _opioid_alert(case, opioids)
    if opioid is not None:
        alerts.append(opioid)
    return outcomes, alerts
