"""case_for_patient: the engine's case assembled from stored records, always valid, nothing dropped silently."""

from __future__ import annotations

import datetime

import pytest

from stepcare.accounts.models import User
from stepcare.care import selectors
from stepcare.clinical import evaluate, parse_case
from stepcare.records.models import Encounter, Patient
from tests.web.care_helpers import (
    RADICULAR_EXAM,
    add_measurement,
    add_medication,
    add_note,
    use_intake,
)

AS_OF = datetime.date(2026, 3, 10)


def test_demographics_give_age_on_as_of_and_sex(p1: Patient) -> None:
    case = selectors.case_for_patient(p1, as_of=datetime.date(2026, 5, 16))

    assert case["patient"] == {"age": 55, "sex": "female"}  # born 1970-05-17: still 55 the day before
    assert case["as_of"] == "2026-05-16"
    parse_case(case)


def test_intake_pain_story_goes_into_the_case(p1: Patient, monkeypatch: pytest.MonkeyPatch) -> None:
    use_intake(monkeypatch)

    case = selectors.case_for_patient(p1, as_of=AS_OF)

    assert case["pain"]["radiation"] == ["thigh", "below-knee"]
    assert case["goals"][0]["measure"] == "sitting-minutes"


def test_only_active_medication_entries_are_in_the_case(p1: Patient) -> None:
    add_medication(p1, name="oxycodone", start=datetime.date(2026, 1, 5))
    add_medication(
        p1, name="tramadol", dose=50, start=datetime.date(2025, 6, 1), stop=datetime.date(2025, 9, 1)
    )
    add_medication(p1, name="duloxetine", dose=30, per_day=1, start=datetime.date(2026, 4, 1))  # after as_of

    case = selectors.case_for_patient(p1, as_of=AS_OF)

    assert [m["name"] for m in case["medications"]] == ["oxycodone"]
    assert case["medications"][0] == {
        "name": "oxycodone",
        "route": "oral",
        "formulation": "ir",
        "prn": False,
        "dose": 10.0,
        "unit": "mg",
        "per_day": 4.0,
        "start": "2026-01-05",
    }


def test_medication_list_replaces_what_the_intake_reported(
    p1: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported = {"medications": [{"name": "ibuprofen", "dose": 400, "unit": "mg", "per_day": 3}]}
    use_intake(monkeypatch, reported)
    assert [m["name"] for m in selectors.case_for_patient(p1, as_of=AS_OF)["medications"]] == ["ibuprofen"]

    add_medication(p1)

    assert [m["name"] for m in selectors.case_for_patient(p1, as_of=AS_OF)["medications"]] == ["oxycodone"]


def test_latest_questionnaire_is_scored_and_earlier_scores_become_history(p1: Patient) -> None:
    add_measurement(p1, "peg", datetime.date(2026, 1, 5), 8.0, [8, 8, 8])
    add_measurement(p1, "peg", datetime.date(2026, 3, 1), 5.0, [5, 5, 5])
    add_measurement(p1, "sitting-minutes", datetime.date(2026, 3, 1), 45)
    add_measurement(p1, "peg", datetime.date(2026, 4, 1), 2.0, [2, 2, 2])  # after as_of: not seen

    case = selectors.case_for_patient(p1, as_of=AS_OF)

    assert case["questionnaires"] == [{"instrument": "peg", "date": "2026-03-01", "items": [5, 5, 5]}]
    assert case["history"] == [
        {"date": "2026-01-05", "instrument": "peg", "score": 8.0},
        {"date": "2026-03-01", "instrument": "sitting-minutes", "score": 45.0},
    ]
    result = evaluate(case).to_dict()
    assert result["outcomes"]["peg"]["baseline"] == 8.0
    assert result["outcomes"]["peg"]["latest"] == 5.0


def test_an_older_intake_questionnaire_is_scored_into_history(
    p1: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_intake(
        monkeypatch, {"questionnaires": [{"instrument": "peg", "date": "2026-01-02", "items": [9, 9, 9]}]}
    )
    add_measurement(p1, "peg", datetime.date(2026, 3, 1), 4.0, [4, 4, 4])

    case = selectors.case_for_patient(p1, as_of=AS_OF)

    assert case["questionnaires"][0]["date"] == "2026-03-01"
    assert case["history"] == [{"date": "2026-01-02", "instrument": "peg", "score": 9.0}]


def test_latest_note_exam_and_diagnoses_feed_the_case(p1: Patient, alice: User, draft_p1: Encounter) -> None:
    add_note(draft_p1, alice, exam=RADICULAR_EXAM, diagnoses=["lumbar-radiculopathy"])

    case = selectors.case_for_patient(p1, as_of=AS_OF)

    assert case["exam"] == RADICULAR_EXAM
    assert case["diagnoses"] == ["lumbar-radiculopathy"]


def test_exam_findings_change_the_differential(
    p1: Patient, alice: User, draft_p1: Encounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_intake(monkeypatch)
    before = evaluate(selectors.case_for_patient(p1, as_of=AS_OF)).to_dict()["differential"]
    add_note(draft_p1, alice, exam=RADICULAR_EXAM)

    after = evaluate(selectors.case_for_patient(p1, as_of=AS_OF)).to_dict()["differential"]

    score = {d["code"]: d["score"] for d in before}
    top = after[0]
    assert top["code"] == "lumbar-radiculopathy"
    assert top["score"] > score["lumbar-radiculopathy"]
    assert "positive straight leg raise" in top["supporting"]
    assert "dermatomal sensory loss" in top["supporting"]


def test_an_invalid_stored_piece_is_left_out_and_reported(
    p1: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_intake(
        monkeypatch,
        {
            "pain": {"nrs": 14, "sites": [{"region": "low-back"}]},
            "red_flags": ["fever", "bad-flag"],
            "events": [{"kind": "surgery", "date": "2030-01-01"}],
        },
    )
    add_measurement(p1, "phq9", datetime.date(2026, 3, 1), 5.0, [1, 1, 1])  # too few items

    assembly = selectors.assemble_case(selectors.load_care_data(p1), as_of=AS_OF)

    parse_case(assembly.case)
    assert "nrs" not in assembly.case["pain"]
    assert assembly.case["pain"]["sites"] == [{"region": "low-back"}]
    assert "questionnaires" not in assembly.case
    assert "events" not in assembly.case
    problems = "\n".join(assembly.problems)
    assert "pain.nrs:" in problems
    assert "red_flags[1]: unknown code 'bad-flag'" in problems
    assert "events[0].date: 2030-01-01 is after as_of 2026-03-10" in problems
    assert "questionnaires[0]" in problems


def test_the_latest_submitted_intake_feeds_the_case(p1: Patient, pat: User) -> None:
    """Integration with stepcare.intake: a submitted intake's answers reach the case; a draft's do not."""
    from django.utils import timezone

    from stepcare.intake.models import Intake

    submitted = {
        "pain": {"sites": [{"region": "neck", "side": "right"}], "radiation": ["arm"]},
        "red_flags": ["fever"],
    }
    Intake.objects.create(
        patient=p1, clinic=p1.clinic, status="submitted", current_step="review", data=submitted,
        started_by=pat, submitted_at=timezone.now(),
    )  # fmt: skip
    Intake.objects.create(
        patient=p1, clinic=p1.clinic, status="in-progress", current_step="pain",
        data={"pain": {"sites": [{"region": "knee"}]}}, started_by=pat,
    )  # fmt: skip

    case = selectors.case_for_patient(p1, as_of=AS_OF)

    assert case["pain"] == submitted["pain"]
    assert case["red_flags"] == ["fever"]
