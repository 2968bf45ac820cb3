"""Outcomes: change judged by each instrument's MCID; plateaus and overdue reassessments raise alerts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from stepcare.clinical import evaluate, outcomes, parse_case
from stepcare.clinical.case import Case
from stepcare.clinical.result import Alert, Outcome, PlanStep, Score

AS_OF = dt.date(2026, 11, 24)
EXAMPLE = Path("/work/shared/spec/example-case.json")


def _ago(days: int) -> str:
    return (AS_OF - dt.timedelta(days=days)).isoformat()


def _series(instrument: str, *points: tuple[int, float]) -> list[dict[str, Any]]:
    """History points as (days before as_of, score)."""
    return [{"date": _ago(d), "instrument": instrument, "score": s} for d, s in points]


def _case(*history: dict[str, Any], **extra: Any) -> Case:
    return parse_case({"as_of": AS_OF.isoformat(), "patient": {"age": 55}, "history": list(history), **extra})


def _assess(
    case: Case, scores: dict[str, Score] | None = None, **kw: Any
) -> tuple[dict[str, Outcome], list[Alert]]:
    return outcomes.assess(case, scores or {}, **kw)


def _codes(alerts: list[Alert]) -> list[str]:
    return [a.code for a in alerts]


def test_peg_from_7_7_to_6_7_is_improving_below_its_mcid() -> None:
    peg_now = Score("peg", 6.7, None, "91147-9", AS_OF)
    out, _ = _assess(_case(*_series("peg", (70, 7.7))), {"peg": peg_now})
    o = out["peg"]
    assert (o.baseline, o.latest, o.change, o.change_percent, o.status) == (
        7.7,
        6.7,
        -1.0,
        -13.0,
        "improving",
    )
    assert o.extra["mcid"] == 1.75


def test_nrs_improving_by_exactly_2_points_is_meaningful_and_1_5_is_not() -> None:
    exact, _ = _assess(_case(*_series("nrs", (60, 8), (10, 6))))
    below, _ = _assess(_case(*_series("nrs", (60, 8), (10, 6.5))))
    assert exact["nrs"].status == "meaningful-improvement"
    assert below["nrs"].status == "improving"
    assert below["nrs"].change_percent == -18.8


def test_thirty_percent_counts_as_meaningful_where_the_reference_says_so() -> None:
    pct, _ = _assess(_case(*_series("odi", (60, 30), (10, 21))))
    pts, _ = _assess(_case(*_series("odi", (60, 40), (10, 31))))
    assert pct["odi"].status == "meaningful-improvement"
    assert pct["odi"].change_percent == -30.0
    assert pts["odi"].status == "improving"


def test_phq9_worse_by_exactly_5_is_worsening_and_by_4_is_not() -> None:
    worse, _ = _assess(_case(*_series("phq9", (60, 5), (10, 10))))
    slight, _ = _assess(_case(*_series("phq9", (60, 5), (10, 9))))
    assert worse["phq9"].status == "worsening"
    assert worse["phq9"].change == 5.0
    assert slight["phq9"].status == "plateau"


def test_a_single_point_is_insufficient_data() -> None:
    out, alerts = _assess(_case(*_series("gad7", (10, 12))))
    o = out["gad7"]
    assert (o.baseline, o.latest, o.change, o.change_percent, o.status) == (
        12,
        12,
        None,
        None,
        "insufficient-data",
    )
    assert alerts == []


def test_current_nrs_and_scores_join_the_history_and_override_the_same_date() -> None:
    case = _case(*_series("nrs", (60, 8)), *_series("odi", (0, 50)), pain={"nrs": 5})
    out, _ = _assess(case, {"odi": Score("odi", 42, None, None, None)})
    assert (out["nrs"].baseline, out["nrs"].latest) == (8, 5)
    assert out["odi"].latest == 42
    assert out["odi"].extra["points"] == 1


def test_three_flat_assessments_spanning_eight_weeks_are_a_plateau_with_an_alert() -> None:
    case = _case(*_series("odi", (66, 40), (30, 38), (10, 36)))
    out, alerts = _assess(case)
    assert out["odi"].status == "plateau"
    assert _codes(alerts) == ["plan-plateau"]
    a = alerts[0]
    assert a.severity == "warning"
    assert a.message.startswith("The plan should evolve: Oswestry Disability Index (%)")
    assert "(40, 38, 36) spanning 8 weeks" in a.message
    assert f"from {_ago(66)} to {_ago(10)}" in a.message
    assert "not at goal (target 20)" in a.message
    assert "Ostelo" in a.citation
    assert "CDC" in a.citation


def test_the_same_values_spanning_seven_weeks_and_six_days_are_no_plateau() -> None:
    case = _case(*_series("odi", (65, 40), (30, 38), (10, 36)))
    out, alerts = _assess(case)
    assert out["odi"].status == "improving"
    assert alerts == []


def test_seven_weeks_is_too_short_for_a_plateau() -> None:
    _, alerts = _assess(_case(*_series("nrs", (59, 6), (30, 6), (10, 6))))
    assert alerts == []


def test_a_meaningful_step_inside_the_window_is_no_plateau() -> None:
    out, alerts = _assess(_case(*_series("nrs", (100, 6), (50, 8.5), (10, 6))))
    assert out["nrs"].status == "plateau"
    assert alerts == []


def test_a_plateau_at_goal_raises_no_alert() -> None:
    out, alerts = _assess(_case(*_series("odi", (80, 18), (40, 17), (10, 18))))
    assert out["odi"].extra["at_goal"] is True
    assert alerts == []


def test_a_patients_own_target_on_an_instrument_sets_the_goal() -> None:
    goal = {"kind": "life", "text": "pain I can live with", "measure": "nrs", "target": 5}
    out, alerts = _assess(_case(*_series("nrs", (80, 5), (40, 5), (10, 5)), goals=[goal]))
    assert out["nrs"].extra["goal_attained"] is True
    assert out["nrs"].extra["target"] == 5
    assert alerts == []


def test_the_plateau_alert_names_the_next_tiers_untried_steps() -> None:
    case = _case(
        *_series("odi", (70, 40), (35, 39), (10, 39)),
        therapies=[{"code": "physical-therapy", "weeks": 8, "response": "partial"}],
    )
    plan = [
        PlanStep(1, 1, "education", "Education", "", "x"),
        PlanStep(2, 2, "physical-therapy", "Physical therapy", "", "x"),
        PlanStep(3, 3, "duloxetine", "Duloxetine", "", "x"),
        PlanStep(4, 4, "medial-branch-block", "Medial branch block", "", "x"),
    ]
    _, alerts = _assess(case, plan=plan)
    assert (
        alerts[0].action
        == "Review the plan with the patient and consider the next step: Duloxetine (duloxetine, tier 3)."
    )


def test_without_a_plan_the_plateau_action_is_generic() -> None:
    _, alerts = _assess(_case(*_series("odi", (70, 40), (35, 39), (10, 39))))
    assert alerts[0].action.startswith("Review the plan with the patient: move to the next tier")


def _typing(*points: tuple[int, float]) -> Case:
    goal = {"kind": "work", "text": "type at my desk for an hour", "measure": "typing-minutes", "target": 60}
    return _case(*_series("typing-minutes", *points), goals=[goal])


def test_a_work_goal_reached_is_attained_at_100_percent_of_target() -> None:
    out, _ = _assess(_typing((60, 10), (10, 60)))
    o = out["typing-minutes"]
    assert o.extra["goal_attained"] is True
    assert o.extra["percent_of_target"] == 100.0
    assert o.status == "meaningful-improvement"
    assert o.extra["goal_kind"] == "work"


def test_goal_progress_is_meaningful_at_30_percent_of_the_gap_and_not_below() -> None:
    at, _ = _assess(_typing((60, 10), (10, 25)))
    below, _ = _assess(_typing((60, 10), (10, 24)))
    assert at["typing-minutes"].status == "meaningful-improvement"
    assert at["typing-minutes"].extra["percent_of_target"] == 41.7
    assert at["typing-minutes"].extra["goal_attained"] is False
    assert below["typing-minutes"].status == "improving"


def test_a_goal_without_measurements_is_reported_as_insufficient_data() -> None:
    out, _ = _assess(_typing())
    o = out["typing-minutes"]
    assert (o.baseline, o.status, o.extra["goal_attained"]) == (None, "insufficient-data", False)


def test_a_measure_last_scored_85_days_ago_is_due_and_84_is_not() -> None:
    _, due = _assess(_case(*_series("odi", (200, 40), (85, 30))))
    _, ok = _assess(_case(*_series("odi", (200, 40), (84, 30))))
    assert _codes(due) == ["reassessment-due"]
    assert due[0].severity == "info"
    assert f"odi last {_ago(85)} (85 days ago)" in due[0].message
    assert ok == []


def _opioid_case(started: int | None, reassessed: int | None) -> Case:
    med: dict[str, Any] = {"name": "oxycodone", "dose": 5, "unit": "mg", "per_day": 2}
    if started is not None:
        med["start"] = _ago(started)
    monitoring = {"opioid_reassessed": _ago(reassessed)} if reassessed is not None else {}
    return _case(medications=[med], monitoring=monitoring)


def test_an_opioid_review_91_days_old_is_overdue_and_90_is_not() -> None:
    _, due = _assess(_opioid_case(400, 91), opioids=["oxycodone"])
    _, ok = _assess(_opioid_case(400, 90), opioids=["oxycodone"])
    assert _codes(due) == ["reassessment-due"]
    assert due[0].severity == "warning"
    assert f"last reassessed {_ago(91)}, 91 days ago (every 90 days)" in due[0].message
    assert "CDC" in due[0].citation
    assert ok == []


def test_a_new_opioid_needs_its_first_review_within_28_days() -> None:
    _, due = _assess(_opioid_case(29, None), opioids=["oxycodone"])
    _, ok = _assess(_opioid_case(28, None), opioids=["oxycodone"])
    assert "first review within 28 days" in due[0].message
    assert ok == []


def test_a_review_older_than_a_new_opioid_start_does_not_count() -> None:
    _, due = _assess(_opioid_case(40, 60), opioids=["oxycodone"])
    assert "since the opioid started" in due[0].message


def test_no_active_opioid_means_no_opioid_review_alert() -> None:
    _, alerts = _assess(_opioid_case(400, None))
    assert alerts == []


def test_every_outcome_and_alert_is_cited() -> None:
    case = _case(*_series("odi", (200, 40), (120, 39), (100, 39)), *_series("nrs", (30, 7)), pain={"nrs": 7})
    out, alerts = _assess(case, opioids=["oxycodone"])
    assert {"odi", "nrs"} <= set(out)
    assert all(o.extra["citation"] for o in out.values())
    assert _codes(alerts) == ["plan-plateau", "reassessment-due", "reassessment-due"]
    assert "no reassessment and no start date recorded" in alerts[2].message
    assert all(a.citation and a.message and a.action for a in alerts)


def test_the_engine_reports_the_contract_examples_peg_outcome() -> None:
    result = evaluate(json.loads(EXAMPLE.read_text())).to_dict()
    peg = result["outcomes"]["peg"]
    assert (peg["baseline"], peg["latest"], peg["change"], peg["change_percent"], peg["status"]) == (
        7.7,
        6.7,
        -1.0,
        -13.0,
        "improving",
    )
    assert result["outcomes"]["typing-minutes"]["goal_attained"] is False


def test_the_latest_start_of_any_active_opioid_or_combination_ingredient_counts() -> None:
    """Reviewed 50 days ago: an older start is covered, a later one (here a combination product's opioid
    ingredient, listed before the older medicine) is not; a non-opioid's later start is ignored."""
    combo = {
        "name": "norco",
        "start": _ago(30),
        "per_day": 2,
        "ingredients": [
            {"name": "hydrocodone", "dose": 10, "unit": "mg"},
            {"name": "acetaminophen", "dose": 325, "unit": "mg"},
        ],
    }
    oxy = {"name": "oxycodone", "dose": 5, "unit": "mg", "per_day": 2, "start": _ago(300)}
    other = {"name": "ibuprofen", "dose": 400, "unit": "mg", "per_day": 3, "start": _ago(10)}
    monitoring = {"opioid_reassessed": _ago(50)}
    case = _case(medications=[other, combo, oxy], monitoring=monitoring)
    _, due = _assess(case, opioids=["Hydrocodone", "oxycodone"])
    assert _codes(due) == ["reassessment-due"]
    assert f"since the opioid started {_ago(30)}, 30 days ago" in due[0].message
    _, covered = _assess(_case(medications=[other, oxy], monitoring=monitoring), opioids=["oxycodone"])
    assert covered == []


def test_a_lone_point_without_a_goal_comes_out_as_the_general_outcome_says() -> None:
    """`assess` works out a measure's single point without a goal inline; it must equal `_outcome`."""
    case = _case(
        *_series("odi", (200, 41.456)),
        *_series("phq9", (3, 4)),
        *_series("gad7", (10, -0.0)),
        pain={"nrs": 3},
    )
    out, alerts = _assess(case)
    rule = outcomes._kb().plateau
    tracks = outcomes._tracks(case, {})
    assert [t.key for t, _, _ in tracks] == list(out)
    for track, points, extra in tracks:
        assert len(points) == 1 and track.goal is None
        want = outcomes._outcome(track, points, extra, rule)[0]
        assert out[track.key] == want
        assert list(out[track.key].extra) == list(want.extra)  # the same keys in the same order
    assert _codes(alerts) == ["reassessment-due"]
