"""Questionnaires: answers are checked at parse time, scored at every band edge, and screens raise alerts."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepcare.clinical import CaseError, parse_case
from stepcare.clinical import questionnaires as q
from stepcare.clinical.case import Case
from stepcare.clinical.knowledge import KnowledgeError
from stepcare.clinical.result import Alert, Score

AS_OF = "2026-11-24"
EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "example-case.json"
CODES = (
    "nrs", "peg", "phq9", "phq2", "gad7", "gad2", "odi", "ndi", "pcs", "dn4", "ort", "start-back", "isi",
    "acr-2016-fm",
)  # fmt: skip


def _case(*questionnaires: dict[str, Any], sex: str = "female", **extra: Any) -> Case:
    return parse_case(
        {"as_of": AS_OF, "patient": {"age": 50, "sex": sex}, "questionnaires": list(questionnaires), **extra}
    )


def _q(instrument: str, items: Sequence[int | None], date: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"instrument": instrument, "items": list(items)}
    if date is not None:
        out["date"] = date
    return out


def _errors(*questionnaires: dict[str, Any]) -> list[str]:
    with pytest.raises(CaseError) as exc:
        _case(*questionnaires)
    return exc.value.errors


def _score(instrument: str, items: Sequence[int | None], **extra: Any) -> Score:
    scores, _ = q.score_all(_case(_q(instrument, items), **extra))
    return scores[instrument]


def _alerts(*questionnaires: dict[str, Any], **extra: Any) -> dict[str, Alert]:
    _, alerts = q.score_all(_case(*questionnaires, **extra))
    return {a.code: a for a in alerts}


def _filled(instrument: str, total: int) -> list[int | None]:
    """Answers adding up to `total`, filling items from the first (plain-sum instruments)."""
    info = {i.code: i for i in q.instruments()}[instrument]
    out: list[int | None] = []
    for item in info.items:
        take = min(item.max, total)
        out.append(take)
        total -= take
    assert total == 0, "total out of range"
    return out


# ------------------------------------------------------------------------------------- the knowledge
def test_knowledge_loads_every_instrument_with_the_contract_codes() -> None:
    assert tuple(i.id for i in q.knowledge().instruments) == CODES


def test_instruments_describe_items_ranges_and_licences_for_the_web_app() -> None:
    info = {i.code: i for i in q.instruments()}
    assert {code: i.item_count for code, i in info.items()} == {
        "nrs": 1, "peg": 3, "phq9": 9, "phq2": 2, "gad7": 7, "gad2": 2, "odi": 10, "ndi": 10, "pcs": 13,
        "dn4": 10, "ort": 10, "start-back": 9, "isi": 7, "acr-2016-fm": 25,
    }  # fmt: skip
    assert [(i.min, i.max) for i in info["start-back"].items] == [(0, 1)] * 8 + [(0, 4)]
    assert [(i.min, i.max) for i in info["acr-2016-fm"].items] == [(0, 1)] * 19 + [(0, 3)] * 3 + [(0, 1)] * 3
    assert info["phq9"].loinc == "44261-6"
    assert info["odi"].min_answered == 8
    assert "Mapi" in info["odi"].licence
    assert [b.id for b in info["gad7"].bands] == ["minimal", "mild", "moderate", "severe"]
    assert all(item.label for i in info.values() for item in i.items)
    assert info["phq9"].to_dict()["items"][8]["answer_labels"][0] == "not at all"


def test_mcid_comes_from_the_knowledge_file_and_is_none_when_not_established() -> None:
    assert q.mcid("phq9") == 5
    assert q.mcid("gad7") == 4
    assert q.mcid("odi") == 10
    assert q.mcid("ndi") == 5
    assert q.mcid("nrs") == 2
    assert q.mcid("pcs") is None
    assert q.mcid("isi") is None
    assert q.mcid("no-such-instrument") is None


def test_unverified_facts_are_tagged_unverified_in_the_knowledge_file() -> None:
    by_id = {i.id: i for i in q.knowledge().instruments}
    dn4_positive = next(b for b in by_id["dn4"].bands if b.id == "neuropathic-likely")
    assert dn4_positive.evidence == "unverified"
    assert by_id["ort"].weighting is not None and by_id["ort"].weighting.evidence == "unverified"
    assert by_id["isi"].mcid.evidence == "unverified"
    for code in ("gad2", "ndi", "pcs", "dn4", "start-back", "isi"):
        assert by_id[code].loinc.code is None
        assert by_id[code].loinc.evidence == "unverified"


def test_a_score_range_that_disagrees_with_the_items_is_a_knowledge_error() -> None:
    phq9 = next(i for i in q.knowledge().instruments if i.id == "phq9")
    with pytest.raises(KnowledgeError, match="score range is 0-27"):
        q._check_instrument(phq9.model_copy(update={"score_max": 30}))


def test_bands_with_a_gap_are_a_knowledge_error() -> None:
    gad7 = next(i for i in q.knowledge().instruments if i.id == "gad7")
    gapped = (gad7.bands[0], *gad7.bands[2:])
    with pytest.raises(KnowledgeError, match="without gap or overlap"):
        q._check_instrument(gad7.model_copy(update={"bands": gapped}))


# --------------------------------------------------------------------------------- scores and bands
BAND_EDGES = [
    ("nrs", [(0, "none"), (1, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"), (7, "severe"), (10, "severe")]),
    ("phq9", [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
              (15, "moderately-severe"), (19, "moderately-severe"), (20, "severe"), (27, "severe")]),
    ("phq2", [(0, "negative"), (2, "negative"), (3, "positive"), (6, "positive")]),
    ("gad7", [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
              (15, "severe"), (21, "severe")]),
    ("gad2", [(0, "negative"), (2, "negative"), (3, "positive"), (6, "positive")]),
    ("ndi", [(0, "none"), (4, "none"), (5, "mild"), (14, "mild"), (15, "moderate"), (24, "moderate"),
             (25, "severe"), (34, "severe"), (35, "complete"), (50, "complete")]),
    ("pcs", [(0, "below-threshold"), (29, "below-threshold"), (30, "clinically-relevant"), (52, "clinically-relevant")]),
    ("dn4", [(0, "neuropathic-unlikely"), (3, "neuropathic-unlikely"), (4, "neuropathic-likely"), (10, "neuropathic-likely")]),
    ("isi", [(0, "none"), (7, "none"), (8, "subthreshold"), (14, "subthreshold"), (15, "moderate"), (21, "moderate"),
             (22, "severe"), (28, "severe")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("instrument", "total", "band"),
    [(code, total, band) for code, edges in BAND_EDGES for total, band in edges],
)
def test_sum_instruments_score_the_total_and_band_it_at_every_edge(
    instrument: str, total: int, band: str
) -> None:
    score = _score(instrument, _filled(instrument, total))
    assert score.score == total
    assert score.band == band


def test_scores_carry_loinc_date_and_mcid() -> None:
    score = _score("phq9", _filled("phq9", 7))
    assert score.to_dict() == {
        "score": 7, "band": "mild", "loinc": "44261-6", "date": AS_OF, "mcid": 5, "item9": 0,
    }  # fmt: skip


def test_ndi_reports_raw_score_and_percent_as_twice_the_raw() -> None:
    score = _score("ndi", _filled("ndi", 23))
    assert (score.score, score.extra["raw"], score.extra["percent"]) == (23, 23, 46)


def test_pcs_reports_its_three_subscales() -> None:
    # items 1-5 and 12 helplessness, 6, 7 and 13 magnification, 8-11 rumination
    items: list[int | None] = [1, 1, 1, 1, 1, 2, 2, 4, 4, 4, 4, 1, 2]
    score = _score("pcs", items)
    assert score.score == 28
    assert (score.extra["rumination"], score.extra["magnification"], score.extra["helplessness"]) == (
        16,
        6,
        6,
    )


def test_peg_is_the_mean_of_three_items_to_one_decimal() -> None:
    assert _score("peg", [7, 7, 6]).score == 6.7
    assert _score("peg", [1, 0, 0]).score == 0.3
    assert _score("peg", [0, 0, 0]).score == 0
    assert _score("peg", [10, 10, 10]).score == 10
    assert _score("peg", [7, 7, 6]).band is None


@pytest.mark.parametrize(
    ("raw", "percent", "band"),
    [(0, 0, "minimal"), (10, 20, "minimal"), (11, 22, "moderate"), (20, 40, "moderate"), (21, 42, "severe"),
     (30, 60, "severe"), (31, 62, "crippled"), (40, 80, "crippled"), (41, 82, "bed-bound"), (50, 100, "bed-bound")],
)  # fmt: skip
def test_odi_percent_and_bands_with_all_ten_sections(raw: int, percent: int, band: str) -> None:
    score = _score("odi", _filled("odi", raw))
    assert (score.score, score.band, score.extra["answered_sections"]) == (percent, band, 10)


def test_a_fractional_score_between_two_published_bands_goes_to_the_higher_band() -> None:
    odi = q._compiled().specs["odi"]
    bands = [q._band(odi, value, {}) for value in (20.0, 20.5, 21.0)]
    assert [b.id if b else None for b in bands] == ["minimal", "moderate", "moderate"]


def test_odi_drops_unanswered_sections_from_the_denominator() -> None:
    score = _score("odi", [1, 2, 3, 4, 1, 1, 1, None, 1, 1])
    assert score.extra["raw"] == 15
    assert score.extra["answered_sections"] == 9
    assert score.score == 33.3  # 15 / 45, not 15 / 50
    two_missing = _score("odi", [5, 5, 5, 5, 5, 5, None, None, 5, 5])
    assert (two_missing.score, two_missing.band) == (100, "bed-bound")


def test_odi_with_fewer_than_the_minimum_answered_sections_is_refused() -> None:
    assert _errors(_q("odi", [1, 1, 1, 1, 1, 1, 1, None, None, None])) == [
        "questionnaires[0].items: odi needs at least 8 answered items, got 7"
    ]


# ------------------------------------------------------------------------------------------------ ORT
def _ort(*yes: int) -> list[int | None]:
    return [1 if n in yes else 0 for n in range(1, 11)]


def test_ort_weights_answers_by_the_patients_sex() -> None:
    # item 1 family alcohol (female 1, male 3), item 8 preadolescent abuse (female 3, male 0)
    assert _score("ort", _ort(1), sex="female").score == 1
    assert _score("ort", _ort(1), sex="male").score == 3
    assert _score("ort", _ort(8), sex="female").score == 3
    assert _score("ort", _ort(8), sex="male").score == 0
    assert _score("ort", _ort(*range(1, 11)), sex="female").score == 26
    assert _score("ort", _ort(*range(1, 11)), sex="male").score == 26


def test_ort_with_unknown_sex_reports_the_higher_of_the_two_totals() -> None:
    score = _score("ort", _ort(1), sex="unknown")
    assert (score.score, score.extra["weights"], score.extra["weights_from_sex"]) == (3, "male", False)
    assert _score("ort", _ort(8), sex="other").extra["weights"] == "female"


@pytest.mark.parametrize(
    ("yes", "total", "band"),
    [((), 0, "low"), ((8,), 3, "low"), ((8, 7), 4, "moderate"), ((6, 9), 7, "moderate"), ((6, 4), 8, "high")],
)
def test_ort_risk_bands_at_their_edges(yes: tuple[int, ...], total: int, band: str) -> None:
    score = _score("ort", _ort(*yes), sex="female")
    assert (score.score, score.band) == (total, band)


# ----------------------------------------------------------------------------------------- STarT Back
def test_start_back_bothersomeness_scores_only_its_top_two_answers() -> None:
    base = [0] * 8
    assert [_score("start-back", [*base, a]).score for a in range(5)] == [0, 0, 0, 1, 1]


@pytest.mark.parametrize(
    ("items", "total", "psychosocial", "group"),
    [
        ([1, 1, 1, 0, 0, 0, 0, 0, 0], 3, 0, "low"),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, 0, "medium"),
        ([0, 0, 0, 1, 1, 1, 1, 0, 0], 4, 3, "medium"),
        ([0, 0, 0, 0, 1, 1, 1, 1, 0], 4, 4, "high"),
        ([0, 0, 0, 0, 1, 1, 1, 0, 4], 4, 4, "high"),
        ([1, 1, 1, 1, 1, 1, 1, 1, 4], 9, 5, "high"),
    ],
)
def test_start_back_risk_groups(items: list[int | None], total: int, psychosocial: int, group: str) -> None:
    score = _score("start-back", items)
    assert (score.score, score.extra["psychosocial"], score.band, score.extra["risk_group"]) == (
        total,
        psychosocial,
        group,
        group,
    )


def test_start_back_every_answer_pattern_falls_in_exactly_the_published_group() -> None:
    spec = q._compiled().specs["start-back"]
    for answers in itertools.product(
        (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), range(5)
    ):
        value, extra = q._score_value(spec, answers, "female", None)
        sub = extra["psychosocial"]
        expected = "low" if value <= 3 else ("high" if sub >= 4 else "medium")
        band = q._band(spec, value, extra)
        assert band is not None and band.id == expected, answers


# ------------------------------------------------------------------------------------- ACR 2016 (FM)
# WPI item numbers: 1 L jaw, 2-4 L shoulder girdle/upper arm/lower arm, 5 R jaw, 6-8 R arm, 9-11 L hip/legs,
# 12-14 R hip/legs, 15 neck, 16 upper back, 17 lower back, 18 chest, 19 abdomen. SSS: 20-22 (0-3), 23-25 (0/1).
def _acr(painful: set[int], sss: tuple[int, int, int, int, int, int]) -> list[int]:
    return [1 if n in painful else 0 for n in range(1, 20)] + list(sss)


FIVE_REGIONS = {2, 6, 9, 12, 15}


def _fm(painful: set[int], sss: tuple[int, int, int, int, int, int], days: int | None = 200) -> Score:
    pain = {} if days is None else {"duration_days": days}
    return _score("acr-2016-fm", _acr(painful, sss), pain=pain)


def test_acr_2016_arm_one_wpi_7_and_sss_5_meets_the_criteria() -> None:
    score = _fm(FIVE_REGIONS | {3, 7}, (2, 2, 1, 0, 0, 0))
    assert (score.extra["wpi"], score.extra["sss"], score.score) == (7, 5, 12)
    assert score.extra["fs_score"] == 12
    assert score.extra["criteria_met"] is True


def test_acr_2016_arm_one_one_below_on_either_count_does_not_meet() -> None:
    assert _fm(FIVE_REGIONS | {3, 7}, (2, 1, 1, 0, 0, 0)).extra["criteria_met"] is False  # SSS 4
    assert _fm(FIVE_REGIONS | {3}, (2, 2, 1, 0, 0, 0)).extra["criteria_met"] is False  # WPI 6, SSS 5


def test_acr_2016_arm_two_wpi_4_to_6_needs_sss_9() -> None:
    four = {2, 6, 9, 12}
    axial = {15}
    assert _fm(four, (3, 3, 3, 0, 0, 0)).extra["criteria_met"] is True  # WPI 4, SSS 9
    assert _fm(four, (3, 3, 2, 0, 0, 0)).extra["criteria_met"] is False  # WPI 4, SSS 8
    assert _fm(four | axial | {3}, (3, 3, 2, 1, 0, 0)).extra["criteria_met"] is True  # WPI 6, SSS 9
    three = {2, 6, 9}
    score = _fm(three, (3, 3, 3, 1, 1, 1))  # WPI 3, SSS 12
    assert score.extra["symptom_criterion_met"] is False
    assert score.extra["criteria_met"] is False


def test_acr_2016_generalized_pain_needs_four_of_five_regions_not_counting_jaw_chest_abdomen() -> None:
    # WPI 7: both jaws, chest, abdomen and the left arm: one region only
    score = _fm({1, 5, 18, 19, 2, 3, 4}, (3, 3, 3, 1, 1, 1))
    assert score.extra["wpi"] == 7
    assert score.extra["generalized_pain_regions"] == 1
    assert score.extra["generalized_pain"] is False
    assert score.extra["symptom_criterion_met"] is True
    assert score.extra["criteria_met"] is False
    three_regions = _fm({2, 3, 4, 6, 7, 8, 15}, (3, 3, 3, 0, 0, 0))
    assert (three_regions.extra["generalized_pain_regions"], three_regions.extra["criteria_met"]) == (
        3,
        False,
    )
    four_regions = _fm({2, 3, 4, 6, 7, 9, 15}, (3, 3, 3, 0, 0, 0))
    assert (four_regions.extra["generalized_pain_regions"], four_regions.extra["criteria_met"]) == (4, True)


def test_acr_2016_needs_three_months_and_is_undecided_without_a_duration() -> None:
    painful, sss = FIVE_REGIONS | {3, 7}, (2, 2, 1, 0, 0, 0)
    assert _fm(painful, sss, days=90).extra["criteria_met"] is True
    short = _fm(painful, sss, days=89)
    assert (short.extra["duration_met"], short.extra["criteria_met"]) == (False, False)
    unknown = _fm(painful, sss, days=None)
    assert (unknown.extra["duration_met"], unknown.extra["criteria_met"]) == (None, None)
    assert _fm({2}, sss, days=None).extra["criteria_met"] is False  # fails on other grounds anyway


def test_acr_2016_maximum_answers_give_fs_score_31() -> None:
    score = _fm(set(range(1, 20)), (3, 3, 3, 1, 1, 1))
    assert (score.extra["wpi"], score.extra["sss"], score.score) == (19, 12, 31)


# ------------------------------------------------------------------------------------ which answers
def test_the_most_recent_questionnaire_of_each_instrument_is_scored() -> None:
    scores, _ = q.score_all(
        _case(
            _q("phq9", _filled("phq9", 12), "2026-10-01"),
            _q("phq9", _filled("phq9", 3), "2026-11-01"),
            _q("phq9", _filled("phq9", 20), "2026-06-01"),
        )
    )
    assert scores["phq9"].score == 3
    assert scores["phq9"].date is not None and scores["phq9"].date.isoformat() == "2026-11-01"


def test_an_undated_questionnaire_counts_as_taken_on_as_of() -> None:
    scores, _ = q.score_all(
        _case(_q("gad7", _filled("gad7", 6)), _q("gad7", _filled("gad7", 15), "2026-11-23"))
    )
    assert scores["gad7"].score == 6
    assert scores["gad7"].date is not None and scores["gad7"].date.isoformat() == AS_OF


def test_nrs_comes_from_pain_nrs_unless_an_nrs_questionnaire_is_given() -> None:
    scores, _ = q.score_all(_case(pain={"nrs": 7}))
    assert (scores["nrs"].score, scores["nrs"].band, scores["nrs"].loinc) == (7, "severe", "38208-5")
    scores, _ = q.score_all(_case(_q("nrs", [3], "2026-11-20"), pain={"nrs": 7}))
    assert scores["nrs"].score == 3


def test_no_questionnaires_and_no_nrs_give_no_scores_and_no_alerts() -> None:
    assert q.score_all(_case()) == ({}, [])


@pytest.mark.skipif(not EXAMPLE.exists(), reason="shared/spec is not beside the project")
def test_the_contract_example_scores_as_the_example_evaluation_shows() -> None:
    scores, alerts = q.score_all(parse_case(json.loads(EXAMPLE.read_text())))
    shown = {k: (s.score, s.band, s.loinc) for k, s in scores.items()}
    assert shown == {
        "nrs": (7, "severe", "38208-5"),
        "peg": (6.7, None, "91147-9"),
        "phq9": (7, "mild", "44261-6"),
        "gad7": (7, "mild", "70274-6"),
    }
    assert alerts == []


# ------------------------------------------------------------------------------------------- alerts
def test_phq9_item9_positive_raises_suicide_risk_even_when_total_low() -> None:
    alerts = _alerts(_q("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1]))
    alert = alerts["suicide-risk"]
    assert alert.severity == "high"
    assert "answered 1 (several days)" in alert.message
    assert "988" in alert.action
    assert "same-day" in alert.action.lower()
    assert alert.citation
    assert "depression-screen-positive" not in alerts


def test_phq9_item9_zero_with_maximum_total_gives_depression_alert_but_no_suicide_alert() -> None:
    alerts = _alerts(_q("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0]))
    assert "suicide-risk" not in alerts
    assert alerts["depression-screen-positive"].severity == "warning"
    assert "PHQ-9 total 24" in alerts["depression-screen-positive"].message
    scores, _ = q.score_all(_case(_q("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0])))
    assert scores["phq9"].extra["item9"] == 0


def test_phq9_item9_nearly_every_day_is_named_in_the_message() -> None:
    alert = _alerts(_q("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 3]))["suicide-risk"]
    assert "answered 3 (nearly every day)" in alert.message
    assert "(27)" in alert.message


@pytest.mark.parametrize(
    ("instrument", "total", "code", "fires"),
    [
        ("phq9", 10, "depression-screen-positive", True),
        ("phq9", 9, "depression-screen-positive", False),
        ("phq2", 3, "depression-screen-positive", True),
        ("phq2", 2, "depression-screen-positive", False),
        ("gad7", 10, "anxiety-screen-positive", True),
        ("gad7", 9, "anxiety-screen-positive", False),
        ("gad2", 3, "anxiety-screen-positive", True),
        ("gad2", 2, "anxiety-screen-positive", False),
    ],
)
def test_screening_alerts_fire_at_their_cutoff_and_not_one_below(
    instrument: str, total: int, code: str, fires: bool
) -> None:
    alerts = _alerts(_q(instrument, _filled(instrument, total)))
    assert (code in alerts) is fires
    if fires:
        assert alerts[code].citation
        assert f"total {total}" in alerts[code].message
        assert alerts[code].action


def test_the_alerts_follow_the_most_recent_questionnaire() -> None:
    older_positive = _q("phq9", _filled("phq9", 16), "2026-09-01")
    newer_negative = _q("phq9", _filled("phq9", 4), "2026-11-01")
    assert "depression-screen-positive" not in _alerts(older_positive, newer_negative)


# ------------------------------------------------------------------------------------ refused answers
def test_unknown_instrument_is_refused_with_a_suggestion_and_the_known_codes() -> None:
    errors = _errors(_q("phq-9", [0] * 9))
    assert len(errors) == 1
    assert errors[0].startswith(
        "questionnaires[0].instrument: unknown instrument 'phq-9' (did you mean 'phq9'?), known: "
    )
    assert errors[0].endswith(", ".join(sorted(CODES)))


def test_wrong_item_count_is_refused() -> None:
    assert _errors(_q("phq9", [0] * 8)) == ["questionnaires[0].items: phq9 needs 9 answers, got 8"]
    assert _errors(_q("peg", [])) == ["questionnaires[0].items: peg needs 3 answers, got 0"]


def test_out_of_range_answers_are_each_named_by_path() -> None:
    errors = _errors(_q("gad7", [0] * 7), _q("phq9", [0, 0, 0, 4, 0, 0, 0, 0, -1]))
    assert errors == [
        "questionnaires[1].items[3]: must be an integer 0-3, got 4",
        "questionnaires[1].items[8]: must be an integer 0-3, got -1",
    ]


def test_per_item_ranges_are_checked_item_by_item() -> None:
    assert _errors(_q("start-back", [2, 0, 0, 0, 0, 0, 0, 0, 4])) == [
        "questionnaires[0].items[0]: must be an integer 0-1, got 2"
    ]
    assert _errors(_q("start-back", [0] * 8 + [5])) == [
        "questionnaires[0].items[8]: must be an integer 0-4, got 5"
    ]
    assert _errors(_q("acr-2016-fm", [0] * 22 + [2, 0, 0])) == [
        "questionnaires[0].items[22]: must be an integer 0-1, got 2"
    ]
    assert _score("acr-2016-fm", [0] * 19 + [3, 0, 0, 0, 0, 0]).extra["sss"] == 3


def test_non_integer_answers_are_refused() -> None:
    errors = _errors(_q("phq9", [0, 0, 0, 1.5, 0, 0, 0, 0, 0]))  # type: ignore[list-item]
    assert len(errors) == 1 and errors[0].startswith("questionnaires[0].items[3]: ")
    errors = _errors(_q("phq9", [0, 0, 0, "often", 0, 0, 0, 0, 0]))  # type: ignore[list-item]
    assert len(errors) == 1 and errors[0].startswith("questionnaires[0].items[3]: ")
    assert q.check_answers("phq9", [0, 0, 0, 1.5, 0, 0, 0, 0, 0]) == [  # type: ignore[list-item]
        ("items[3]", "must be an integer 0-3, got 1.5")
    ]


def test_an_unanswered_item_is_refused_where_the_instrument_has_no_missing_data_rule() -> None:
    assert _errors(_q("phq9", [0, 0, 0, 0, None, 0, 0, 0, 0])) == [
        "questionnaires[0].items[4]: missing answer, phq9 needs every item answered"
    ]
    assert _errors(_q("ndi", [0] * 9 + [None])) == [
        "questionnaires[0].items[9]: missing answer, ndi needs every item answered"
    ]


# ----------------------------------------------------------------------------------------- property
@st.composite
def _answers(draw: st.DrawFn) -> tuple[str, list[int | None]]:
    info = draw(st.sampled_from(q.instruments()))
    items: list[int | None] = [draw(st.integers(i.min, i.max)) for i in info.items]
    if info.min_answered is not None:
        blanks = draw(
            st.sets(st.integers(0, info.item_count - 1), max_size=info.item_count - info.min_answered)
        )
        for i in blanks:
            items[i] = None
    return info.code, items


@settings(max_examples=300, deadline=None)
@given(
    _answers(),
    st.sampled_from(["female", "male", "other", "unknown"]),
    st.none() | st.integers(0, 400),
)
def test_any_in_range_answers_validate_and_score_within_the_instruments_range(
    answers: tuple[str, list[int | None]], sex: str, days: int | None
) -> None:
    code, items = answers
    info = {i.code: i for i in q.instruments()}[code]
    assert q.check_answers(code, items) == []
    pain = {} if days is None else {"duration_days": days}
    scores, alerts = q.score_all(_case(_q(code, items), sex=sex, pain=pain))
    score = scores[code]
    assert score.score is not None
    assert info.score_min <= score.score <= info.score_max
    assert (score.band is not None) is bool(info.bands)
    assert all(a.citation and a.message and a.action for a in alerts)


@settings(max_examples=300, deadline=None)
@given(
    instrument=st.sampled_from([i.code for i in q.instruments()]),
    answers=st.lists(st.one_of(st.none(), st.integers(min_value=-2, max_value=12)), max_size=25),
)
def test_answers_fit_says_yes_only_when_check_answers_finds_nothing(
    instrument: str, answers: list[int | None]
) -> None:
    if q.answers_fit(instrument, answers):
        assert q.check_answers(instrument, answers) == []


def test_answers_fit_takes_a_full_phq9_in_range_and_leaves_the_rest_to_check_answers() -> None:
    assert q.answers_fit("phq9", [3, 0, 0, 0, 0, 0, 0, 0, 0]) is True
    assert q.answers_fit("phq9", [4, 0, 0, 0, 0, 0, 0, 0, 0]) is False  # one above the range
    assert q.answers_fit("phq9", [None, 0, 0, 0, 0, 0, 0, 0, 0]) is False
    assert q.answers_fit("phq9", [0] * 8) is False
    assert q.answers_fit("odi", [0] * 10) is False  # unanswered items allowed: always fully checked


@settings(max_examples=300, deadline=None)
@given(_answers(), st.sampled_from(["female", "male", "unknown"]))
def test_the_inline_sum_scores_exactly_like_the_general_scorer(
    answers: tuple[str, list[int | None]], sex: str
) -> None:
    code, items = answers
    spec = q._compiled().specs[code]
    case = _case(_q(code, items, date=AS_OF), sex=sex)
    expected, _ = q._score(spec, tuple(items), sex, None, case.as_of)
    assert q.score_all(case)[0][code] == expected


def test_plain_banded_sums_take_the_inline_path_and_the_others_do_not() -> None:
    simple = {code for code, spec in q._compiled().specs.items() if spec.simple}
    assert {"nrs", "phq9", "phq2", "gad7", "gad2"} <= simple
    assert not simple & {"peg", "odi", "ndi", "pcs", "ort", "start-back", "acr-2016-fm"}
    means = {code for code, spec in q._compiled().specs.items() if spec.simple_mean}
    assert "peg" in means
    assert not means & simple
    assert not means & {"odi", "ndi", "pcs", "ort", "start-back", "acr-2016-fm"}


def test_every_screening_message_is_written_by_generated_code() -> None:
    triggers = [t for rule in q._compiled().rules for t in rule.triggers]
    assert triggers
    assert all(t.render is not None for t in triggers)


@settings(max_examples=300, deadline=None)
@given(_answers(), st.sampled_from(["female", "male", "unknown"]))
def test_generated_messages_read_exactly_like_the_filled_in_template(
    answers: tuple[str, list[int | None]], sex: str
) -> None:
    code, items = answers
    spec = q._compiled().specs[code]
    score, band = q._score(spec, tuple(items), sex, None, dt.date(2026, 3, 4))
    for rule in q._compiled().rules:
        for t in rule.triggers:
            if t.instrument != code or t.render is None or score.score is None:
                continue
            answer = None if t.item is None else items[t.item]
            expected = t.message.format_map(q._values(t, spec, score, band, answer))
            assert t.render(score.score, band, answer, score.date) == expected
            assert t.render(score.score, None, answer, None) == t.message.format_map(
                q._values(
                    t, spec, Score(score.instrument, score.score, None, None, None, None, {}), None, answer
                )
            )
