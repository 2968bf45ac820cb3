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
    plain: dict[str, tuple[_Track, dict[str, object]]]  # a measure without a goal: its track, output head


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
        plain={m.id: _plain(m, cite(m.citation)) for m in kb.measures},
    )


def _plain(m: Measure, citation: str) -> tuple[_Track, dict[str, object]]:
    track = _Track(
        key=m.id,
        label=m.label,
        lower_is_better=True,
        mcid_points=m.mcid_points,
        mcid_percent=m.mcid_percent,
        goal_value=m.at_goal_max,
        goal=None,
        citation=citation,
    )
    return track, {"label": m.label, "points": 0, "citation": citation, "mcid": m.mcid_points}


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

    def at_goal(self, value: float) -> bool:
        return value <= self.goal_value + _EPS if self.lower_is_better else value >= self.goal_value - _EPS


def _history(case: Case) -> dict[str, dict[dt.date, float]]:
    """History points by instrument and date, in one pass (a later entry of the same date wins)."""
    out: dict[str, dict[dt.date, float]] = {}
    for h in case.history:
        by_date = out.get(h.instrument)
        if by_date is None:
            out[h.instrument] = {h.date: h.score}
        else:
            by_date[h.date] = h.score
    return out


def _series(
    case: Case, scores: Mapping[str, Score], key: str, history: dict[str, dict[dt.date, float]]
) -> list[tuple[dt.date, float]]:
    """Points by date, the current score overriding a history entry of the same date.

    Takes over `history[key]`: each key's series is worked out once per evaluation.
    """
    by_date = history.get(key)
    if by_date is None:
        by_date = {}
    if key == "nrs" and case.pain.nrs is not None and "nrs" not in scores:
        by_date[case.as_of] = float(case.pain.nrs)
    s = scores.get(key)
    if s is not None and s.score is not None:
        by_date[s.date or case.as_of] = float(s.score)
    return sorted(by_date.items())


_Tracked = tuple[_Track, list[tuple[dt.date, float]], dict[str, object]]


def _tracks(case: Case, scores: Mapping[str, Score]) -> list[_Tracked]:
    """Each tracked measure and goal with its points and the head of its output (label ... target)."""
    kb = _kb()
    history = _history(case) if case.history else {}
    goals = {g.measure: g for g in case.goals if g.measure and g.target is not None} if case.goals else {}
    nrs = case.pain.nrs
    as_of = case.as_of
    out: list[_Tracked] = []
    for key, (plain, head) in kb.plain.items():
        g = goals.get(key) if goals else None
        if g is None:
            # _series, inline: history, then the current NRS (unless scored), then the current score
            by_date = history.get(key)
            s = scores.get(key)
            if key == "nrs" and nrs is not None and s is None:
                if by_date is None:
                    by_date = {}
                by_date[as_of] = float(nrs)
            if s is not None and s.score is not None:
                if by_date is None:
                    by_date = {}
                by_date[s.date or as_of] = float(s.score)
            if by_date is None:
                if s is None:
                    continue  # nothing recorded for this measure
                points: list[tuple[dt.date, float]] = []
            else:
                points = sorted(by_date.items()) if len(by_date) > 1 else list(by_date.items())
            extra = head.copy()
            extra["points"] = len(points)
            out.append((plain, points, extra))
            continue
        points = _series(case, scores, key, history)
        m = kb.measures[key]
        track = _Track(
            key=key,
            label=m.label,
            lower_is_better=True,
            mcid_points=m.mcid_points,
            mcid_percent=m.mcid_percent,
            goal_value=g.target if g.target is not None else m.at_goal_max,
            goal=g,
            citation=plain.citation,
        )
        out.append((track, points, _head(track, len(points), m.mcid_points)))
    for key, g in goals.items():
        if key in kb.measures or g.target is None:
            continue
        points = _series(case, scores, key, history)
        start = points[0][1] if points else 0.0
        gap = abs(g.target - start)
        track = _Track(
            key=key,
            label=g.text,
            lower_is_better=g.target < start,
            mcid_points=max(gap * kb.goal.mcid_fraction_of_gap, _EPS),
            mcid_percent=None,
            goal_value=g.target,
            goal=g,
            citation=kb.goal_cite,
        )
        out.append((track, points, _head(track, len(points), None)))
    return out


def _head(track: _Track, points: int, mcid: float | None) -> dict[str, object]:
    extra: dict[str, object] = {"label": track.label, "points": points, "citation": track.citation}
    if mcid is not None:
        extra["mcid"] = mcid
    if track.goal is not None:
        extra["goal"] = track.goal.text
        extra["goal_kind"] = track.goal.kind
        extra["target"] = track.goal_value
    return extra


@dataclass(frozen=True, slots=True)
class _Plateau:
    values: tuple[float, ...]
    first: dt.date
    last: dt.date


def _plateau(track: _Track, points: Sequence[tuple[dt.date, float]], rule: PlateauRule) -> _Plateau | None:
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


def _outcome(
    track: _Track, points: Sequence[tuple[dt.date, float]], extra: dict[str, object], rule: PlateauRule
) -> tuple[Outcome, _Plateau | None]:
    """The outcome of one track; `extra` already holds its head (label, points, citation ... target)."""
    if not points:
        extra["goal_attained"] = False
        return Outcome(None, None, None, None, "insufficient-data", extra), None
    b_date, base = points[0]
    single = len(points) == 1
    if single:
        l_date, latest = b_date, base
    else:
        l_date, latest = points[-1]
    extra["baseline_date"] = shown = b_date.isoformat()
    extra["latest_date"] = shown if l_date is b_date else l_date.isoformat()
    goal = track.goal
    lower = track.lower_is_better
    attained = (
        latest <= track.goal_value + _EPS if lower else latest >= track.goal_value - _EPS
    )  # _Track.at_goal
    if goal is None:
        extra["at_goal"] = attained
    else:
        extra["goal_attained"] = attained
        if track.goal_value and not lower:
            extra["percent_of_target"] = round(latest / track.goal_value * 100, 1)
    shown_base = round(base, 2) + 0.0  # two decimals, never -0.0
    if single:  # the one point is both baseline and latest
        return Outcome(shown_base, shown_base, None, None, "insufficient-data", extra), None
    shown_latest = round(latest, 2) + 0.0
    change = round(latest - base, 2) + 0.0
    change_percent = round(change / base * 100, 1) + 0.0 if base else None
    gained = base - latest if lower else latest - base  # the improvement
    plateau = _plateau(track, points, rule) if len(points) >= rule.assessments else None
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
    return Outcome(shown_base, shown_latest, change, change_percent, status, extra), plateau


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
    if not opioids:
        return None
    kb = _kb()
    names = {n.lower() for n in opioids}
    rule = kb.reassess
    latest_start: dt.date | None = None
    for m in case.medications:
        start = m.start
        if start is None or (latest_start is not None and start <= latest_start):
            continue  # no later start to learn from this medicine
        if m.name.lower() in names:
            latest_start = start
            continue
        for i in m.ingredients:
            if i.name.lower() in names:
                latest_start = start
                break
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
    rule = kb.plateau
    interval = kb.reassess.measure_interval_days
    as_of = case.as_of
    for track, points, extra in _tracks(case, scores):
        if track.goal is None and len(points) == 1:
            # _outcome of a lone point without a goal, inline: the point is baseline and latest, no plateau
            day, value = points[0]
            extra["baseline_date"] = extra["latest_date"] = day.isoformat()
            extra["at_goal"] = (
                value <= track.goal_value + _EPS
                if track.lower_is_better
                else value >= track.goal_value - _EPS
            )
            shown = round(value, 2) + 0.0
            outcomes[track.key] = Outcome(shown, shown, None, None, "insufficient-data", extra)
            ago = (as_of - day).days
            if ago > interval:
                overdue.append(f"{track.key} last {day.isoformat()} ({ago} days ago)")
            continue
        outcome, plateau = _outcome(track, points, extra, rule)
        outcomes[track.key] = outcome
        if plateau is not None:
            if steps is None:
                steps = _next_steps(case, plan)
            alerts.append(_plateau_alert(track, plateau, steps))
        if points:
            ago = (as_of - points[-1][0]).days
            if ago > interval:
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
