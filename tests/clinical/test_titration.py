"""Titration plans: label starts and ceilings, renal bands at their eGFR boundaries."""

from __future__ import annotations

import pytest

from stepcare.clinical import titration


def dailies(plan: titration.TitrationPlan) -> list[float]:
    return [s.daily_mg for s in plan.steps]


def test_gabapentin_follows_the_label_300_600_900_then_up_to_1800() -> None:
    plan = titration.plan("gabapentin")
    assert dailies(plan) == [300, 600, 900, 1200, 1500, 1800]
    assert [s.day for s in plan.steps[:3]] == [1, 2, 3]
    assert plan.ceiling_mg == 1800 and plan.evidence == "secondary"


@pytest.mark.parametrize(
    ("egfr", "ceiling", "start"),
    [(60, 1800, 300), (59, 1400, 400), (30, 1400, 400), (29, 700, 200), (15, 700, 200), (14, 300, 100)],
)
def test_gabapentin_renal_bands_at_their_boundaries(egfr: float, ceiling: float, start: float) -> None:
    plan = titration.plan("gabapentin", egfr=egfr)
    assert (plan.ceiling_mg, plan.steps[0].daily_mg, dailies(plan)[-1]) == (ceiling, start, ceiling)


@pytest.mark.parametrize(
    ("egfr", "ceiling"), [(60, 300), (59, 300), (30, 300), (29, 150), (15, 150), (14, 75)]
)
def test_pregabalin_renal_bands_at_their_boundaries(egfr: float, ceiling: float) -> None:
    assert titration.plan("pregabalin", egfr=egfr).ceiling_mg == ceiling


def test_pregabalin_indication_ceilings() -> None:
    assert dailies(titration.plan("pregabalin"))[-1] == 300
    assert dailies(titration.plan("pregabalin", indication="phn"))[-1] == 600
    assert titration.plan("pregabalin", indication="phn", egfr=45).ceiling_mg == 300


def test_duloxetine_30_then_60_and_avoided_below_egfr_30_or_with_liver_disease() -> None:
    assert dailies(titration.plan("duloxetine", egfr=30)) == [30, 60]
    low = titration.plan("duloxetine", egfr=29)
    assert low.steps == () and low.avoid is not None and "below 30" in low.avoid
    assert titration.plan("duloxetine", liver_disease="mild").avoid is not None


def test_nortriptyline_is_marked_unverified() -> None:
    plan = titration.plan("nortriptyline")
    assert dailies(plan) == [25, 50, 75] and plan.evidence == "unverified"


def test_every_plan_says_what_to_watch_for_and_cites_its_sources() -> None:
    for drug in ("gabapentin", "pregabalin", "duloxetine", "nortriptyline"):
        plan = titration.plan(drug, egfr=45)
        text = plan.to_text()
        assert plan.watch_for and "Watch for:" in text and plan.citation in text


def test_unknown_drug_or_indication_is_an_error() -> None:
    with pytest.raises(ValueError, match="no titration plan for 'morphine'"):
        titration.plan("morphine")
    with pytest.raises(ValueError, match="no pregabalin ceiling for 'migraine'"):
        titration.plan("pregabalin", indication="migraine")
