"""DN4 completed by the clinician: the three examination items in the encounter note join the patient's seven
interview answers from the intake, and the evaluation scores the whole instrument dated at the exam."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.care import dn4, selectors
from stepcare.care.forms import DN4_EXAM_INCOMPLETE, EncounterNoteForm
from stepcare.care.models import EncounterNote, EvaluationSnapshot
from stepcare.intake import selectors as intake_selectors
from stepcare.intake.models import Intake, IntakeStatus
from stepcare.records.models import Encounter, Patient, SignedEncounterError
from tests.web.care_helpers import RADICULAR_PAIN, add_note, use_intake
from tests.web.conftest import client_for, make_encounter

AS_OF = datetime.date(2026, 3, 10)
EXAM_DAY = datetime.date(2026, 3, 2)  # make_encounter's default date
# Burning, tingling and numbness (3 of the 7 interview items), answered at intake a week before the visit.
INTERVIEW = {"date": "2026-02-23", "items": [1, 0, 0, 1, 0, 1, 0]}
ALL_EXAM_FIELDS = {"dn4_item_8": "yes", "dn4_item_9": "yes", "dn4_item_10": "no"}


def note_url(encounter: Encounter, name: str = "encounter-note") -> str:
    return reverse(name, kwargs={"encounter_id": encounter.pk})


def dn4_entries(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [q for q in case.get("questionnaires", []) if q["instrument"] == "dn4"]


# ------------------------------------------------------------------------------------- the item split
def test_the_knowledge_base_marks_items_8_to_10_as_the_examination_part() -> None:
    items = dn4.exam_items()

    assert [item.number for item in items] == [8, 9, 10]
    assert [dn4.exam_label(item) for item in items] == [
        "Reduced touch sensation in the painful area",
        "Reduced pinprick sensation in the painful area",
        "Brushing provokes or increases the pain",
    ]


answers = st.integers(min_value=0, max_value=1)


@given(interview=st.lists(answers, min_size=7, max_size=7), exam=st.lists(answers, min_size=3, max_size=3))
def test_combine_puts_the_interview_first_and_the_exam_in_items_8_to_10(
    interview: list[int], exam: list[int]
) -> None:
    items = dn4.combine(interview, exam)

    assert items == [*interview, *exam]


@pytest.mark.parametrize(("interview", "exam"), [([1] * 6, [1, 1, 1]), ([1] * 7, [1, 1]), ([1] * 10, [])])
def test_combine_refuses_parts_that_do_not_make_ten_items(interview: list[int], exam: list[int]) -> None:
    assert dn4.combine(interview, exam) is None


# ------------------------------------------------------------------------------------------- the form
def test_the_note_form_turns_three_answers_into_zero_one_items() -> None:
    form = EncounterNoteForm(ALL_EXAM_FIELDS)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["dn4_exam"] == [1, 1, 0]
    assert form.cleaned_data["exam"] == {}  # DN4 answers are not contract exam findings


def test_the_note_form_without_dn4_answers_records_no_dn4() -> None:
    form = EncounterNoteForm({"history": "Seen today."})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["dn4_exam"] is None


@pytest.mark.parametrize(
    ("given_fields", "missing"),
    [
        ({"dn4_item_8": "yes"}, ["dn4_item_9", "dn4_item_10"]),
        ({"dn4_item_8": "no", "dn4_item_10": "no"}, ["dn4_item_9"]),
    ],
)
def test_a_partial_dn4_examination_is_refused_naming_each_unanswered_item(
    given_fields: dict[str, str], missing: list[str]
) -> None:
    form = EncounterNoteForm(given_fields)

    assert not form.is_valid()
    assert set(form.errors) == set(missing)
    assert all(form.errors[name] == [DN4_EXAM_INCOMPLETE] for name in missing)


def test_an_unknown_dn4_answer_is_refused_on_its_field() -> None:
    form = EncounterNoteForm({**ALL_EXAM_FIELDS, "dn4_item_9": "maybe"})

    assert not form.is_valid()
    assert form.errors == {"dn4_item_9": ["Choose yes, no or not examined."]}


# -------------------------------------------------------------------------------------- case assembly
def _data(patient: Patient, *, interview: dict[str, Any] | None, note: EncounterNote | None) -> Any:
    return selectors.CareData(
        patient=patient,
        measurements=[],
        medications=[],
        latest_note=note,
        intake=dict(RADICULAR_PAIN),
        dn4_interview=interview,
        dn4_note=note,
    )


def test_without_the_examination_the_case_has_no_dn4_as_before(p1: Patient) -> None:
    assembly = selectors.assemble_case(_data(p1, interview=INTERVIEW, note=None), as_of=AS_OF)

    assert dn4_entries(assembly.case) == []
    assert assembly.problems == []


def test_interview_and_examination_make_the_full_dn4_dated_at_the_exam(
    p1: Patient, alice: User, draft_p1: Encounter
) -> None:
    note = add_note(draft_p1, alice, dn4_exam=[1, 1, 0])

    case = selectors.assemble_case(_data(p1, interview=INTERVIEW, note=note), as_of=AS_OF).case

    assert dn4_entries(case) == [
        {"instrument": "dn4", "date": "2026-03-02", "items": [1, 0, 0, 1, 0, 1, 0, 1, 1, 0]}
    ]


def test_an_examination_without_the_interview_part_adds_nothing(
    p1: Patient, alice: User, draft_p1: Encounter
) -> None:
    note = add_note(draft_p1, alice, dn4_exam=[1, 1, 1])

    case = selectors.assemble_case(_data(p1, interview=None, note=note), as_of=AS_OF).case

    assert dn4_entries(case) == []


def test_an_examination_older_than_the_interview_belongs_to_an_earlier_round(
    p1: Patient, alice: User, draft_p1: Encounter
) -> None:
    note = add_note(draft_p1, alice, dn4_exam=[1, 1, 1])
    newer_interview = {**INTERVIEW, "date": "2026-03-05"}

    case = selectors.assemble_case(_data(p1, interview=newer_interview, note=note), as_of=AS_OF).case

    assert dn4_entries(case) == []


def test_an_examination_after_the_evaluation_date_is_not_used(
    p1: Patient, alice: User, draft_p1: Encounter
) -> None:
    note = add_note(draft_p1, alice, dn4_exam=[1, 1, 1])

    case = selectors.assemble_case(
        _data(p1, interview=INTERVIEW, note=note), as_of=datetime.date(2026, 3, 1)
    ).case

    assert dn4_entries(case) == []


def test_an_interview_with_the_wrong_number_of_answers_is_left_out_and_reported(
    p1: Patient, alice: User, draft_p1: Encounter
) -> None:
    note = add_note(draft_p1, alice, dn4_exam=[1, 1, 1])
    short = {"date": "2026-02-23", "items": [1, 0, 0, 1, 0, 1]}

    assembly = selectors.assemble_case(_data(p1, interview=short, note=note), as_of=AS_OF)

    assert dn4_entries(assembly.case) == []
    assert len(assembly.problems) == 1
    assert assembly.problems[0].startswith("questionnaires: DN4 left out: the intake has 6 interview answers")


def test_the_latest_examined_dn4_is_used_when_a_later_note_did_not_repeat_it(
    p1: Patient, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_intake(monkeypatch, dn4_interview=INTERVIEW)
    add_note(make_encounter(p1, alice, date=EXAM_DAY), alice, dn4_exam=[0, 1, 1])
    add_note(make_encounter(p1, alice, date=datetime.date(2026, 3, 9)), alice, history="Follow-up.")

    case = selectors.case_for_patient(p1, as_of=AS_OF)

    assert dn4_entries(case) == [
        {"instrument": "dn4", "date": "2026-03-02", "items": [1, 0, 0, 1, 0, 1, 0, 0, 1, 1]}
    ]


def test_the_submitted_intakes_dn4_interview_reaches_the_case(p1: Patient, pat: User, alice: User) -> None:
    intake = Intake.objects.create(
        patient=p1,
        clinic=p1.clinic,
        started_by=pat,
        current_step="review",
        status=IntakeStatus.SUBMITTED,
        submitted_at=timezone.now(),
        data=dict(RADICULAR_PAIN),
        extra={"dn4_interview": INTERVIEW},
    )
    add_note(make_encounter(p1, alice, date=EXAM_DAY), alice, dn4_exam=[1, 0, 0])

    case = selectors.case_for_patient(p1, as_of=AS_OF)

    assert intake_selectors.dn4_interview(intake) == INTERVIEW
    assert dn4_entries(case)[0]["items"] == [1, 0, 0, 1, 0, 1, 0, 1, 0, 0]


# ------------------------------------------------------------------------------------------ the pages
def test_a_physician_records_the_dn4_examination_and_the_chart_shows_the_score_and_band(
    p1: Patient, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = selectors.patient_today(p1)
    use_intake(monkeypatch, dn4_interview={"date": today.isoformat(), "items": INTERVIEW["items"]})
    encounter = make_encounter(p1, alice, date=today)
    client = client_for(alice)
    form_page = client.get(note_url(encounter)).content.decode()
    assert "DN4 examination" in form_page and 'name="dn4_item_8"' in form_page

    response = client.post(note_url(encounter), {"history": "Burning feet.", **ALL_EXAM_FIELDS})
    client.post(reverse("care-evaluate", kwargs={"patient_id": p1.pk}))

    assert response.status_code == 302
    note = EncounterNote.objects.get(encounter=encounter)
    assert note.dn4_exam == [1, 1, 0]
    event = AuditEvent.objects.filter(object_type="care.encounternote").latest("id")
    assert (event.action, event.detail["dn4_exam"]) == ("create", True)
    snapshot = EvaluationSnapshot.objects.filter(patient=p1).latest("id")
    assert snapshot.result["scores"]["dn4"]["score"] == 5
    assert snapshot.result["scores"]["dn4"]["band"] == "neuropathic-likely"
    chart = client.get(reverse("care-chart", kwargs={"patient_id": p1.pk})).content.decode()
    assert "<td>DN4 neuropathic pain questionnaire</td><td>5</td><td>neuropathic-likely</td>" in chart
    again = client.get(note_url(encounter)).content.decode()
    assert '<option value="yes" selected>Yes</option>' in again


def test_a_front_desk_user_cannot_record_the_dn4_examination(
    alice: User, fiona: User, draft_p1: Encounter
) -> None:
    add_note(draft_p1, alice, history="Seen.")

    response = client_for(fiona).post(note_url(draft_p1), {"history": "Seen.", **ALL_EXAM_FIELDS})

    assert response.status_code == 403
    assert EncounterNote.objects.get(encounter=draft_p1).dn4_exam is None
    assert AuditEvent.objects.filter(action="denied", user=fiona).count() == 1


def test_a_partial_dn4_examination_on_the_page_is_refused_and_keeps_what_was_typed(
    alice: User, draft_p1: Encounter
) -> None:
    response = client_for(alice).post(
        note_url(draft_p1), {"history": "Burning feet for a year.", "dn4_item_8": "yes"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert DN4_EXAM_INCOMPLETE in page
    assert 'id="id_dn4_item_9_error"' in page and 'id="id_dn4_item_10_error"' in page
    assert "Burning feet for a year." in page
    assert '<option value="yes" selected>Yes</option>' in page
    assert not EncounterNote.objects.exists()


def test_the_dn4_examination_is_part_of_the_signed_note_and_frozen_with_it(
    alice: User, draft_p1: Encounter
) -> None:
    client = client_for(alice)
    client.post(note_url(draft_p1), {"history": "Burning feet.", **ALL_EXAM_FIELDS})
    client.post(note_url(draft_p1, "encounter-note-sign"))

    edit = client.post(note_url(draft_p1), {"history": "Burning feet.", "dn4_item_8": "no"})
    note = EncounterNote.objects.get(encounter=draft_p1)
    page = client.get(note_url(draft_p1)).content.decode()

    assert edit.status_code == 302
    assert note.dn4_exam == [1, 1, 0]
    assert 'id="dn4-exam"' in page
    assert "<dt>Brushing provokes or increases the pain</dt><dd>no</dd>" in page
    note.dn4_exam = [0, 0, 0]
    with pytest.raises(SignedEncounterError):
        note.save()
    with pytest.raises(SignedEncounterError):
        EncounterNote.objects.filter(pk=note.pk).update(dn4_exam=[0, 0, 0])


def test_a_new_note_does_not_carry_the_previous_dn4_examination_forward(
    p1: Patient, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_intake(monkeypatch)
    earlier = make_encounter(p1, alice, date=EXAM_DAY)
    add_note(earlier, alice, exam={"reflex-loss": True}, dn4_exam=[1, 1, 1])
    later = make_encounter(p1, alice, date=datetime.date(2026, 3, 9))

    form = client_for(alice).get(note_url(later)).context["form"]

    assert form.initial["reflex_loss"] == "yes"  # the exam findings are carried forward as a suggestion
    assert not any(name.startswith("dn4_") for name in form.initial)  # DN4 is dated at its own exam


def _submitted_intake(patient: Patient, by: User, day: datetime.date, extra: dict[str, Any]) -> Intake:
    return Intake.objects.create(
        patient=patient, clinic=patient.clinic, status=IntakeStatus.SUBMITTED, current_step="review",
        data=RADICULAR_PAIN, extra=extra, started_by=by,
        submitted_at=datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC),
    )  # fmt: skip


def test_an_update_intake_that_did_not_ask_dn4_leaves_the_earlier_interview_standing(
    p1: Patient, alice: User
) -> None:
    _submitted_intake(p1, alice, datetime.date(2026, 2, 23), {"dn4_interview": INTERVIEW})
    update = _submitted_intake(p1, alice, datetime.date(2026, 2, 28), {})  # PEG and NRS only
    add_note(make_encounter(p1, alice, date=EXAM_DAY), alice, dn4_exam=[1, 1, 0])

    case = selectors.case_for_patient(p1, as_of=AS_OF)

    assert intake_selectors.latest_submitted_intake(patient=p1) == update
    assert intake_selectors.latest_dn4_interview(intake_selectors.submitted_intakes(patient=p1)) == INTERVIEW
    assert dn4_entries(case) == [
        {"instrument": "dn4", "date": EXAM_DAY.isoformat(), "items": [*INTERVIEW["items"], 1, 1, 0]}
    ]


def test_a_newer_intake_that_asked_dn4_again_replaces_the_earlier_interview(p1: Patient, alice: User) -> None:
    _submitted_intake(p1, alice, datetime.date(2026, 1, 10), {"dn4_interview": INTERVIEW})
    newer = {"date": "2026-02-27", "items": [0, 0, 0, 0, 0, 1, 0]}
    _submitted_intake(p1, alice, datetime.date(2026, 2, 27), {"dn4_interview": newer})

    assert intake_selectors.latest_dn4_interview(intake_selectors.submitted_intakes(patient=p1)) == newer
