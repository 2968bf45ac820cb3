"""Red-flag triage: each rule fires on its minimal case and not on the nearest safe case; the highest wins.

Urgency tiers are our mapping of clinical-facts 4.7 (immediate versus deferred imaging), SNNOOP10 and
NICE NG234; the rules and their wording live in knowledge/triage.yaml.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepcare.clinical import parse_case, triage
from stepcare.clinical.case import Case
from stepcare.clinical.vocab import RED_FLAGS

SPINE = [{"region": "low-back"}]
KNEE = [{"region": "knee"}]
HEAD = [{"region": "head"}]


def _case(
    flags: tuple[str, ...] = (),
    sites: list[dict[str, Any]] | None = None,
    age: int = 45,
    conditions: tuple[str, ...] = (),
    **extra: Any,
) -> Case:
    data: dict[str, Any] = {
        "as_of": "2026-11-24",
        "patient": {"age": age, "conditions": list(conditions)},
        "red_flags": list(flags),
        "pain": {"sites": sites or []},
    }
    data.update(extra)
    return parse_case(data)


# (rule, minimal case that fires it, expected level, nearest safe case that must not fire it)
CASES: list[tuple[str, Case, str, Case]] = [
    ("cauda-equina", _case(("saddle-anesthesia",), SPINE), "emergency", _case((), SPINE)),
    ("cauda-equina", _case(("bladder-dysfunction",)), "emergency", _case(("progressive-weakness",), SPINE)),
    ("cauda-equina", _case(("bowel-incontinence",), SPINE), "emergency", _case(("fever",), KNEE)),
    (
        "mscc-with-neurology",
        _case(("cancer-history", "progressive-weakness"), SPINE),
        "emergency",
        _case(("cancer-history", "progressive-weakness"), KNEE),
    ),
    ("thunderclap-headache", _case(("thunderclap-headache",), HEAD), "emergency", _case((), HEAD)),
    ("headache-neuro-deficit", _case(("headache-neuro-deficit",), HEAD), "emergency", _case((), HEAD)),
    ("progressive-neurological-deficit", _case(("progressive-weakness",), SPINE), "urgent", _case((), SPINE)),
    ("spinal-infection", _case(("fever",), SPINE), "urgent", _case(("fever",), KNEE)),
    (
        "spinal-infection",
        _case(("iv-drug-use",), [{"region": "neck"}]),
        "urgent",
        _case(("iv-drug-use",), KNEE),
    ),
    (
        "malignancy-cancer-history",
        _case(("cancer-history",), SPINE),
        "urgent",
        _case(("cancer-history",), KNEE),
    ),
    (
        "malignancy-cancer-history",
        _case((), [{"region": "thoracic-back"}], conditions=("cancer-active",)),
        "urgent",
        _case((), KNEE, conditions=("cancer-active",)),
    ),
    (
        "malignancy-strong-suspicion",
        _case(("unexplained-weight-loss", "night-pain-at-rest"), SPINE),
        "urgent",
        _case(("unexplained-weight-loss",), SPINE),
    ),
    ("fracture-major-trauma", _case(("major-trauma",), SPINE), "urgent", _case((), SPINE)),
    (
        "fracture-fragility",
        _case(("osteoporosis",), SPINE, age=50),
        "urgent",
        _case(("osteoporosis",), KNEE, age=50),
    ),
    (
        "fracture-fragility",
        _case(("long-term-steroids",), SPINE, age=70),
        "urgent",
        _case(("long-term-steroids",), KNEE, age=70),
    ),
    ("headache-systemic-flags", _case(("fever",), HEAD), "urgent", _case((), HEAD)),
]


@pytest.mark.parametrize(
    ("rule", "case", "level", "safe"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_each_rule_fires_on_its_minimal_case_and_not_on_the_nearest_safe_case(
    rule: str, case: Case, level: str, safe: Case
) -> None:
    result = triage.assess(case)
    reason = _reason(rule)
    assert result.level == level
    assert reason in result.reasons
    assert reason not in triage.assess(safe).reasons


def _reason(rule_id: str) -> str:
    return next(r.reason for r in triage.knowledge().rules if r.id == rule_id)


def test_a_case_without_red_flags_is_routine_with_the_routine_action() -> None:
    result = triage.assess(_case((), SPINE))
    assert result.level == "routine"
    assert result.reasons == ()
    assert result.action == triage.knowledge().routine.action
    assert result.citation == "Low back pain red flags (clinical facts 4.7)"


def test_cauda_equina_gives_the_emergency_department_action_and_names_the_flags() -> None:
    result = triage.assess(_case(("saddle-anesthesia", "bladder-dysfunction"), SPINE))
    assert result.level == "emergency"
    assert result.reasons[:2] == ("bladder-dysfunction", "saddle-anesthesia")
    assert "emergency department" in result.action
    assert "MRI" in result.action


def test_the_highest_level_wins_and_its_actions_alone_are_given() -> None:
    result = triage.assess(_case(("saddle-anesthesia", "fever", "major-trauma"), SPINE))
    assert result.level == "emergency"
    # Every fired rule's flag is reported, most urgent first ...
    assert result.reasons.index("saddle-anesthesia") < result.reasons.index("fever")
    assert {"fever", "major-trauma"} <= set(result.reasons)
    # ... but the action is the emergency one only.
    assert "ESR" not in result.action
    assert "radiographs" not in result.action


def test_urgent_outranks_a_routine_note() -> None:
    result = triage.assess(_case(("fever", "unexplained-weight-loss"), SPINE))
    assert result.level == "urgent"
    assert "Same-day MRI with ESR and CRP" in result.action
    assert "Defer imaging" not in result.action
    assert _reason("malignancy-weaker-features") in result.reasons


def test_level_order_is_routine_urgent_emergency() -> None:
    assert triage.knowledge().level_order == ("routine", "urgent", "emergency")


def test_weaker_malignancy_features_alone_stay_routine_with_a_note_to_defer_imaging() -> None:
    result = triage.assess(_case(("unexplained-weight-loss",), SPINE, age=62))
    assert result.level == "routine"
    assert result.reasons == ("unexplained-weight-loss", _reason("malignancy-weaker-features"))
    assert "Defer imaging pending a trial of therapy" in result.action


def test_night_pain_with_cancer_history_is_not_downgraded_to_the_weak_note() -> None:
    result = triage.assess(_case(("night-pain-at-rest", "cancer-history"), SPINE))
    assert result.level == "urgent"
    assert _reason("malignancy-weaker-features") not in result.reasons


def test_cancer_history_without_spinal_pain_is_a_routine_note() -> None:
    result = triage.assess(_case(("cancer-history",), KNEE))
    assert result.level == "routine"
    assert _reason("cancer-history-non-spinal") in result.reasons
    assert "MSCC" in result.action


def test_a_cancer_diagnosis_event_with_spinal_pain_is_urgent() -> None:
    result = triage.assess(_case((), SPINE, events=[{"kind": "cancer-diagnosis", "date": "2025-01-01"}]))
    assert result.level == "urgent"
    assert "NICE NG234" in result.citation


def test_fragility_fracture_risk_has_no_age_limit_and_is_a_routine_note_away_from_the_spine() -> None:
    # clinical-facts 4.7 lists osteoporosis and prolonged corticosteroid use each as a vertebral-fracture
    # feature (prompt radiographs) without an age limit
    assert triage.assess(_case(("osteoporosis",), SPINE, age=49)).level == "urgent"
    result = triage.assess(_case(("osteoporosis",), KNEE, age=70))
    assert result.level == "routine"
    assert _reason("fracture-risk-non-spinal") in result.reasons


def test_infection_risk_without_spinal_pain_is_a_routine_note() -> None:
    result = triage.assess(_case(("fever",), KNEE))
    assert result.level == "routine"
    assert _reason("infection-risk-non-spinal") in result.reasons


def test_headache_red_flags_cite_snnoop10() -> None:
    result = triage.assess(_case(("thunderclap-headache",), HEAD))
    assert result.citation == "SNNOOP10 secondary headache red flags (Do et al., 2019)"
    assert "neuroimaging" in result.action


def test_every_rule_is_marked_as_our_mapping_and_cites_a_source() -> None:
    for rule in triage.knowledge().rules:
        assert rule.evidence == "mapping"
        assert rule.citation


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(sorted(RED_FLAGS)), unique=True, max_size=4),
    st.sampled_from(sorted(RED_FLAGS)),
    st.sampled_from(["low-back", "knee", "head", "neck"]),
    st.integers(18, 95),
)
def test_adding_a_red_flag_never_lowers_the_level(
    flags: list[str], extra: str, region: str, age: int
) -> None:
    order = triage.knowledge().level_order
    before = triage.assess(_case(tuple(flags), [{"region": region}], age=age))
    after = triage.assess(_case(tuple(dict.fromkeys([*flags, extra])), [{"region": region}], age=age))
    assert order.index(after.level) >= order.index(before.level)
    assert after.citation
    assert after.action
    assert set(after.reasons) & RED_FLAGS <= {*flags, extra}


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["low-back", "neck", "thoracic-back", "knee", "head", "widespread"]),
    st.integers(0, 120),
    st.integers(0, 3000),
    st.lists(
        st.sampled_from(["cancer-active", "diabetes", "ckd", "substance-use-disorder", "depression"]),
        unique=True,
    ),
)
def test_rules_skipped_without_a_red_flag_could_not_have_fired(
    region: str, age: int, days: int, conditions: list[str]
) -> None:
    from stepcare.clinical.features import facts

    compiled = triage._compiled()
    case = _case((), [{"region": region}], age=age, conditions=tuple(conditions))
    case = case.model_copy(update={"pain": case.pain.model_copy(update={"duration_days": days})})
    skipped = [r for r in compiled.rules if r not in compiled.flagless]
    assert skipped  # the fast path exists: most rules ask for a red flag
    assert not any(r.test(facts(case)) for r in skipped)
