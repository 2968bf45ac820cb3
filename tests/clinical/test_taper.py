"""Taper planner: never increases, respects marketed strengths, stops only from the smallest one."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from builders import case, med
from hypothesis import given, settings
from hypothesis import strategies as st

from stepcare.clinical import taper

OPIOIDS = [
    ("oxycodone", "ir"),
    ("oxycodone", "er"),
    ("morphine", "er"),
    ("hydromorphone", "ir"),
    ("methadone", "ir"),
    ("tramadol", "ir"),
]


def strengths(drug: str, kind: str) -> list[float]:
    return next(list(s.values) for s in taper.knowledge().strengths if s.drug == drug and s.kind == kind)


def makeable(total: float, values: list[float]) -> bool:
    reach = {0}
    scaled = [round(v * 10) for v in values]
    goal = round(total * 10)
    for t in range(1, goal + 1):
        if any(t - v in reach for v in scaled):
            reach.add(t)
    return goal in reach


def check_invariants(plan: taper.TaperPlan) -> None:
    for i in range(len(plan.steps[0].doses)):
        series = [s.doses[i] for s in plan.steps]
        dailies = [d.daily for d in series]
        assert all(b <= a for a, b in itertools.pairwise(dailies)), dailies
        assert dailies[-1] == 0
        for d in series[1:]:
            assert sum(s * n for s, n in d.units) == pytest.approx(d.daily)
        nonzero = [d for d in series[1:] if d.daily]
        if nonzero:
            assert nonzero[-1].units == ((nonzero[-1].daily, 1),)  # one unit before stopping
    mmes = [s.mme for s in plan.steps]
    assert all(b <= a for a, b in itertools.pairwise(mmes))


@settings(max_examples=60, deadline=None)
@given(
    opioid=st.sampled_from(OPIOIDS),
    units=st.integers(min_value=1, max_value=4),
    per_day=st.integers(min_value=1, max_value=4),
    pace=st.sampled_from(["standard", "slow", "faster"]),
)
def test_tapers_never_increase_reach_zero_and_use_real_strengths(
    opioid: tuple[str, str], units: int, per_day: int, pace: Any
) -> None:
    drug, kind = opioid
    dose = strengths(drug, kind)[0] * units
    plan = taper.plan([med(drug, dose, per_day=per_day, formulation=kind)], pace=pace)
    check_invariants(plan)
    values = strengths(drug, kind)
    for step in plan.steps[1:]:
        for d in step.doses:
            assert d.daily == 0 or makeable(d.daily, values)
    last_nonzero = [s for s in plan.steps if s.doses[0].daily][-1]
    assert last_nonzero.doses[0].daily == min(values)


def test_standard_pace_is_monthly_10_percent_of_the_original() -> None:
    plan = taper.plan([med("morphine", 50, per_day=2, formulation="er")])
    assert plan.unit == "month"
    assert [s.doses[0].daily for s in plan.steps[:4]] == [
        100,
        90,
        75,
        75,
    ]  # 90 exact; 80 is not makeable from ER strengths so 75
    assert plan.steps[0].mme == 100


def test_faster_pace_is_weekly_and_slows_to_10_percent_of_the_remainder_after_30_percent() -> None:
    plan = taper.plan([med("oxycodone", 10, per_day=10)], pace="faster")
    dailies = [s.doses[0].daily for s in plan.steps]
    assert plan.unit == "week"
    assert dailies[:8] == [100, 90, 80, 70, 60, 50, 40, 30]
    assert dailies[8] == 25  # 30 x 0.9 = 27 -> nearest makeable 25
    check_invariants(plan)


def test_a_fentanyl_patch_tapers_through_patch_strengths() -> None:
    plan = taper.plan(case(med("fentanyl", 75, unit="mcg/hr")))
    check_invariants(plan)
    assert plan.steps[0].mme == 180
    assert [s.doses[0].daily for s in plan.steps if s.doses[0].daily][-1] == 12.5


def test_two_opioids_taper_together_and_the_total_never_rises() -> None:
    plan = taper.plan(
        [med("oxycodone", 20, per_day=2, formulation="er"), med("oxycodone", 5, per_day=4, prn=True)],
        pace="slow",
    )
    check_invariants(plan)
    assert plan.steps[0].mme == 90


def test_a_target_stops_the_plan_once_reached() -> None:
    plan = taper.plan([med("morphine", 30, per_day=4)], target_mme=60)
    assert plan.steps[-1].mme <= 60 < plan.steps[-2].mme


def test_a_step_the_strengths_cannot_make_smaller_is_a_hold() -> None:
    plan = taper.plan([med("oxycodone", 30, per_day=2, formulation="er")])
    holds = [s for s in plan.steps if s.hold]
    assert holds and all(s.doses == plan.steps[s.number - 1].doses for s in holds)


def test_the_text_plan_reads_as_a_schedule_with_its_sources() -> None:
    text = taper.plan([med("oxycodone", 10, per_day=4)]).to_text()
    assert "Now: oxycodone 40 mg/day" in text and "Month 1: oxycodone 35 mg/day" in text
    assert "Never stop abruptly" in text and "CDC opioid prescribing guideline, 2022" in text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"pace": "abrupt"}, "unknown pace 'abrupt'"), ({"target_mme": -1}, "target_mme: must be >= 0")],
)
def test_bad_arguments_are_errors_naming_the_argument(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        taper.plan([med("oxycodone", 10, per_day=4)], **kwargs)


def test_nothing_to_taper_without_an_opioid() -> None:
    with pytest.raises(ValueError, match="no active opioid"):
        taper.plan([med("gabapentin", 300, per_day=3)])
