"""Intake pages: every step renders, saves valid answers and moves on, and keeps typed answers on error."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.clinical import parse_case
from stepcare.intake import forms as intake_forms
from stepcare.intake.models import Intake, IntakeStatus
from stepcare.intake.selectors import intake_case, intake_case_data, intake_today
from stepcare.records.models import Patient
from tests.web.conftest import client_for
from tests.web.intake_helpers import (
    DAILY_LIFE,
    GOALS,
    IMAGING,
    MEDICINES,
    PAIN,
    THERAPIES,
    WHERE,
    answers_by_step,
    portal_step,
    questionnaires,
    walk,
    warning_signs,
)

pytestmark = pytest.mark.django_db


def start(user: User) -> Any:
    client = client_for(user)
    response = client.post(reverse("portal-intake"))
    assert response.status_code == 302
    assert response["Location"] == portal_step("pain")
    return client


def intake_of(patient: Patient) -> Intake:
    return Intake.objects.get(patient=patient)


# ---------------------------------------------------------------------------------------- starting
def test_portal_intake_page_offers_to_start_when_there_is_none(pat: User) -> None:
    response = client_for(pat).get(reverse("portal-intake"))

    assert response.status_code == 200
    assert "Start the intake" in response.content.decode()
    assert not Intake.objects.exists()


def test_starting_creates_one_intake_and_a_second_start_resumes_it(pat: User, p1: Patient) -> None:
    client = start(pat)
    again = client.post(reverse("portal-intake"))

    assert again.status_code == 302
    assert Intake.objects.filter(patient=p1).count() == 1
    intake = intake_of(p1)
    assert intake.status == IntakeStatus.IN_PROGRESS
    assert intake.started_by == pat
    assert intake.clinic_id == p1.clinic_id


# ------------------------------------------------------------------------------------ step by step
STEP_PAGES = [
    ("pain", "How bad is your pain right now"),
    ("where", "Body map, front and back"),
    ("warning-signs", "Numbness between your legs or around your bottom"),
    ("health", "Kidney disease (kidneys that do not work fully)"),
    ("daily-life", "Does the pain wake you at night?"),
    ("imaging", "Upload a scan report"),
    ("medicines", "Add a medicine"),
    ("therapies", "Add a treatment"),
    ("goals", "Your work goal"),
    ("questionnaires", "Patient Health Questionnaire-9"),
    ("review", "Send to the clinic"),
]


@pytest.mark.parametrize(("step", "text"), STEP_PAGES)
def test_each_step_renders_with_progress(pat: User, p1: Patient, step: str, text: str) -> None:
    client = start(pat)
    walk(client, portal_step, until=step)

    response = client.get(portal_step(step))

    html = response.content.decode()
    assert response.status_code == 200
    assert text in html
    assert 'aria-current="step"' in html
    assert "Step " in html and " of 11" in html


@pytest.mark.parametrize("step", [s for s, _ in STEP_PAGES if s != "review"])
def test_each_valid_step_saves_and_advances(pat: User, p1: Patient, step: str) -> None:
    client = start(pat)
    walk(client, portal_step, until=step)

    response = client.post(portal_step(step), answers_by_step()[step])

    intake = intake_of(p1)
    assert response.status_code == 302
    assert step in intake.completed_steps
    following = [s for s, _ in STEP_PAGES]
    assert response["Location"] == portal_step(following[following.index(step) + 1])
    assert intake.current_step == following[following.index(step) + 1]
    # Everything saved so far is a valid partial case for the engine.
    parse_case(intake_case(intake, as_of=intake_today(intake)))


def test_pain_step_stores_the_contract_shape(pat: User, p1: Patient) -> None:
    client = start(pat)
    client.post(portal_step("pain"), PAIN)

    pain = intake_of(p1).data["pain"]
    assert pain["onset"] == "2025-01-10"
    assert pain["nrs"] == 7
    assert pain["qualities"] == ["burning", "shooting"]
    assert pain["worse_with"] == ["sitting", "flexion"]
    assert intake_of(p1).data["events"] == [{"kind": "injury", "date": "2025-01-10"}]


def test_pain_duration_instead_of_a_date_becomes_duration_days(pat: User, p1: Patient) -> None:
    client = start(pat)
    client.post(
        portal_step("pain"),
        {**PAIN, "onset": "", "duration_value": "6", "duration_unit": "weeks", "started_after": ""},
    )

    intake = intake_of(p1)
    assert intake.data["pain"]["duration_days"] == 42
    assert "onset" not in intake.data["pain"]
    assert intake.extra["pain"] == {"duration_value": 6, "duration_unit": "weeks"}


def test_health_step_stores_the_contract_patient_facts(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step, until="health")

    response = client.post(
        portal_step("health"),
        {"conditions": ["hypertension", "ckd", "peptic-ulcer"], "pregnant": "yes", "liver_disease": "severe"},
    )

    intake = intake_of(p1)
    assert response.status_code == 302
    assert response["Location"] == portal_step("daily-life")
    # Engine codes in the contract's order; only the contract's keys.
    assert intake.data["patient"] == {
        "conditions": ["ckd", "peptic-ulcer", "hypertension"],
        "liver_disease": "severe",
        "pregnant": True,
    }
    case = parse_case(intake_case(intake, as_of=intake_today(intake)))
    assert case.patient.conditions == ("ckd", "peptic-ulcer", "hypertension")
    assert case.patient.pregnant is True
    assert case.patient.liver_disease == "severe"
    assert case.patient.age == p1.age_on(intake_today(intake))  # from the record, not the intake


def test_health_step_asks_no_pregnancy_question_of_a_male_patient(pat: User, p1: Patient) -> None:
    p1.sex = "male"
    p1.save(update_fields=["sex"])
    client = start(pat)
    walk(client, portal_step, until="health")

    html = client.get(portal_step("health")).content.decode()
    client.post(portal_step("health"), {"conditions": ["copd"], "liver_disease": "none"})

    assert "Are you pregnant now?" not in html
    assert intake_of(p1).data["patient"] == {"conditions": ["copd"], "liver_disease": "none"}


def test_health_answers_come_back_on_resume_and_on_the_review(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step)

    later = client_for(pat)
    health = later.get(portal_step("health")).content.decode()
    review = later.get(portal_step("review")).content.decode()

    assert 'value="ckd" id="id_conditions_0" checked' in health
    assert 'value="hypertension"' in health and health.count(" checked") == 4  # 2 conditions, no, mild
    assert 'value="mild" required id="id_liver_disease_1" checked' in health
    assert (
        "Other health problems: Kidney disease (kidneys that do not work fully), High blood pressure"
        in review
    )
    assert "Pregnant now: no" in review


def test_an_intake_begun_before_the_health_step_existed_can_reach_it(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step, until="health")
    intake = intake_of(p1)
    # Saved steps as an older intake would have them: warning signs done, then daily life, and on to imaging.
    Intake.objects.filter(pk=intake.pk).update(
        completed_steps=["pain", "where", "warning-signs", "daily-life"], current_step="imaging"
    )

    imaging = client.get(portal_step("imaging")).content.decode()
    refused = client.post(portal_step("review"), {}).content.decode()

    assert f'<a href="{portal_step("health")}">' in imaging
    assert "Please finish these steps first: Your health" in refused


@pytest.mark.parametrize(
    ("step", "bad", "field", "message"),
    [
        ("pain", {"nrs": "14"}, "nrs", intake_forms.NRS_MESSAGE),
        ("pain", {"onset": "", "duration_value": ""}, "onset", intake_forms.ONSET_MISSING_MESSAGE),
        ("pain", {"onset": "2999-01-01"}, "onset", "is after as_of"),
        ("where", {"sites": []}, "sites", intake_forms.SITES_REQUIRED_MESSAGE),
        ("health", {"liver_disease": "very"}, "liver_disease", intake_forms.CHOOSE_MESSAGE),
        ("health", {"conditions": ["ckd", "gout"]}, "conditions", intake_forms.CONDITION_MESSAGE),
        ("health", {"pregnant": ""}, "pregnant", intake_forms.YES_NO_MESSAGE),
        ("daily-life", {"mood": ""}, "mood", intake_forms.CHOOSE_MESSAGE),
        ("goals", {"life_target": ""}, "life_target", intake_forms.GOAL_TARGET_MESSAGE),
        ("medicines", {"med-0-dose": "-5"}, "med-0-dose", intake_forms.DOSE_MESSAGE),
        ("medicines", {"med-1-per_day": ""}, "med-1-per_day", intake_forms.PER_DAY_MESSAGE),
        ("therapies", {"therapy-0-response": ""}, "therapy-0-response", intake_forms.RESPONSE_MESSAGE),
        ("imaging", {"scan-0-date": "01/02/2025"}, "scan-0-date", intake_forms.DATE_MESSAGE),
        ("questionnaires", {"q_phq9_3": "7"}, "q_phq9_3", "Please choose an answer from 0 to 3."),
    ],
)
def test_invalid_answer_shows_the_field_error_and_keeps_everything_typed(
    pat: User, p1: Patient, step: str, bad: dict[str, str], field: str, message: str
) -> None:
    client = start(pat)
    walk(client, portal_step, until=step)
    before = intake_of(p1).data
    posted = {**answers_by_step()[step], **bad}

    response = client.post(portal_step(step), posted)

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "This page was not saved yet" in html
    assert intake_of(p1).data == before  # nothing half-written
    assert intake_of(p1).current_step == step
    # Every other answer the patient typed is still in the form.
    for name, value in posted.items():
        if name in bad or name.endswith("-count"):
            continue
        for v in value if isinstance(value, list) else [value]:
            if v:
                assert f'value="{v}"' in html or f">{v}</textarea>" in html or f">\n{v}</textarea>" in html, (
                    name,
                    v,
                )
    # The error is tied to its field for assistive technology.
    assert 'aria-invalid="true"' in html
    assert f'id="id_{field}_error"' in html


def test_resume_after_leaving_returns_to_the_current_step_with_answers(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step, until="daily-life")

    later = client_for(pat)  # a new session: the patient left and came back
    response = later.get(reverse("portal-intake"))

    assert response.status_code == 302
    assert response["Location"] == portal_step("daily-life")
    back = later.get(portal_step("pain")).content.decode()
    assert 'value="7"' in back  # the saved NRS is filled in again
    assert "Lifting a box at work" in back


def test_back_navigation_links_to_the_previous_step(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step, until="daily-life")

    html = client.get(portal_step("daily-life")).content.decode()

    assert f'href="{portal_step("health")}">Back</a>' in html


# ------------------------------------------------------------------------------------- body map
def test_body_map_regions_are_focusable_named_checkboxes(pat: User, p1: Patient) -> None:
    client = start(pat)
    client.post(portal_step("pain"), PAIN)

    html = client.get(portal_step("where")).content.decode()

    assert html.count('role="checkbox" tabindex="0"') == 35
    assert 'aria-label="Left knee (front)"' in html
    assert 'aria-label="Lower back (back)"' in html
    assert 'data-site="buttock:left"' in html


def test_body_map_toggle_by_form_post_and_left_plus_right_is_bilateral(pat: User, p1: Patient) -> None:
    client = start(pat)
    client.post(portal_step("pain"), PAIN)

    client.post(portal_step("where"), {"sites": ["knee:left", "knee:right", "neck:midline"], "radiation": []})
    assert intake_of(p1).data["pain"]["sites"] == [
        {"region": "knee", "side": "bilateral"},
        {"region": "neck", "side": "midline"},
    ]
    html = client.get(portal_step("where")).content.decode()
    assert 'data-site="knee:left" data-for="id_sites_' in html
    assert 'aria-checked="true" aria-label="Left knee (front)"' in html
    assert 'aria-checked="true" aria-label="Right knee (back)"' in html

    # Unticking the right knee leaves only the left.
    client.post(portal_step("where"), {"sites": ["knee:left", "neck:midline"], "radiation": []})
    assert intake_of(p1).data["pain"]["sites"][0] == {"region": "knee", "side": "left"}
    assert (
        'aria-checked="false" aria-label="Right knee (front)"'
        in client.get(portal_step("where")).content.decode()
    )


def test_every_contract_region_is_on_the_map_or_the_list() -> None:
    from stepcare.clinical.vocab import REGIONS
    from stepcare.intake.bodymap import bodymap_regions

    on_map = {r.site.partition(":")[0] for r in bodymap_regions(set())}
    in_list = {value.partition(":")[0] for value, _ in intake_forms.SITE_CHOICES}
    assert in_list == set(REGIONS)
    assert set(REGIONS) - on_map == {"widespread"}  # "all over" is a list choice, not a place


# ---------------------------------------------------------------------------------- row steps (htmx)
def test_add_and_remove_medicine_rows_keep_typed_values_without_saving(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step, until="medicines")

    added = client.post(
        portal_step("medicines"), {**MEDICINES, "add_row": "1"}, headers={"HX-Request": "true"}
    )
    html = added.content.decode()
    assert added.status_code == 200
    assert "<html" not in html  # the fragment only
    assert 'name="med-count" value="3"' in html
    assert 'value="Gabapentin"' in html and 'value="Ibuprofen"' in html
    assert "medications" not in intake_of(p1).data

    removed = client.post(
        portal_step("medicines"), {**MEDICINES, "remove_row": "0"}, headers={"HX-Request": "true"}
    )
    html = removed.content.decode()
    assert 'name="med-count" value="1"' in html
    assert "Gabapentin" not in html and 'value="Ibuprofen"' in html


def test_add_row_works_without_javascript(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step, until="therapies")

    response = client.post(portal_step("therapies"), {**THERAPIES, "add_row": "1"})

    html = response.content.decode()
    assert "<html" in html
    assert 'name="therapy-count" value="2"' in html


def test_medicines_split_into_current_contract_medications_and_all_trials(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step, until="medicines")
    client.post(portal_step("medicines"), MEDICINES)

    data = intake_of(p1).data
    assert data["medications"] == [{"name": "gabapentin", "dose": 300, "unit": "mg", "per_day": 3}]
    assert [t["name"] for t in data["medication_trials"]] == ["gabapentin", "ibuprofen"]
    assert data["medication_trials"][1] == {
        "name": "ibuprofen",
        "dose": 400,
        "unit": "mg",
        "per_day": 3,
        "weeks": 2,
        "still_taking": False,
        "response": "intolerant",
        "side_effects": "Stomach pain",
    }


def test_an_empty_added_row_is_skipped(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step, until="therapies")

    response = client.post(
        portal_step("therapies"),
        {
            **THERAPIES,
            "therapy-count": "2",
            "therapy-1-code": "",
            "therapy-1-weeks": "",
            "therapy-1-response": "",
        },
    )

    assert response.status_code == 302
    assert len(intake_of(p1).data["therapies"]) == 1


# -------------------------------------------------------------------------------- questionnaires
def test_due_questionnaires_follow_sites_and_qualities(pat: User, p1: Patient) -> None:
    client = start(pat)
    client.post(portal_step("pain"), {**PAIN, "qualities": ["aching"]})
    client.post(portal_step("where"), {"sites": ["neck:midline"], "radiation": []})

    html = client.get(portal_step("questionnaires")).content.decode()

    assert (
        "PEG three-item" in html
        and "Patient Health Questionnaire-9" in html
        and "Generalized Anxiety" in html
    )
    assert "Neck Disability Index" in html
    assert "Oswestry" not in html and "DN4" not in html


def test_questionnaire_answers_are_stored_in_contract_shape_and_dn4_patient_part_in_extra(
    pat: User, p1: Patient
) -> None:
    client = start(pat)
    walk(client, portal_step, until="review")

    intake = intake_of(p1)
    instruments = [q["instrument"] for q in intake.data["questionnaires"]]
    assert instruments == ["peg", "phq9", "gad7", "odi"]
    assert intake.data["questionnaires"][0]["items"] == [6, 6, 6]
    assert intake.extra["dn4_interview"]["items"] == [1, 0, 0, 0, 0, 0, 0]


def test_odi_allows_the_optional_item_to_be_left_empty(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step, until="questionnaires")
    answers = questionnaires()
    del answers["q_odi_8"]

    response = client.post(portal_step("questionnaires"), answers)

    assert response.status_code == 302
    odi = next(q for q in intake_of(p1).data["questionnaires"] if q["instrument"] == "odi")
    assert odi["items"][7] is None


def test_self_harm_answer_shows_the_crisis_line(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step, until="questionnaires")

    response = client.post(portal_step("questionnaires"), questionnaires(q_phq9_9=1), follow=True)

    assert "988" in response.content.decode()


# ------------------------------------------------------------------------------------ submitting
def test_review_lists_the_answers_and_submit_freezes_the_intake(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step)

    review = client.get(portal_step("review")).content.decode()
    assert "Pain now: 7 out of 10" in review
    assert "Lower back" in review and "Left buttock" in review
    assert "gabapentin 300 mg" in review

    response = client.post(portal_step("review"), {})
    assert response.status_code == 302
    intake = intake_of(p1)
    assert intake.status == IntakeStatus.SUBMITTED
    assert intake.submitted_at is not None
    assert intake.triage_level == "routine"
    # The patient can no longer change it; the start page offers a new one.
    assert client.post(portal_step("pain"), PAIN).status_code == 302
    assert intake_of(p1).data["pain"]["nrs"] == 7
    assert "Start a new intake" in client.get(reverse("portal-intake")).content.decode()


def test_submit_refuses_until_every_step_is_saved(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step, until="goals")
    client.post(portal_step("questionnaires"), questionnaires())

    response = client.post(portal_step("review"), {})

    assert response.status_code == 400
    assert "Please finish these steps first: Your goals." in response.content.decode()
    assert intake_of(p1).status == IntakeStatus.IN_PROGRESS


def test_intake_case_data_has_only_contract_keys(pat: User, p1: Patient) -> None:
    client = start(pat)
    walk(client, portal_step)

    data = intake_case_data(intake_of(p1))

    assert set(data) == {
        "patient", "pain", "events", "red_flags", "imaging", "medications", "therapies", "goals",
        "questionnaires",
    }  # fmt: skip
    # The patient's health answers only: age and sex come from the record.
    assert data["patient"] == {
        "conditions": ["ckd", "hypertension"],
        "pregnant": False,
        "liver_disease": "mild",
    }
    assert data["goals"] == [
        {"kind": "work", "text": "Go back to my warehouse shifts", "measure": "hours per shift", "target": 8},
        {"kind": "life", "text": "Walk the dog", "measure": "km walked", "target": 3},
    ]
    as_of = intake_today(intake_of(p1)).isoformat()
    parse_case({**data, "patient": {**data["patient"], "age": 50}, "as_of": as_of})


# ------------------------------------------------------------------------------------------ audit
def test_each_step_request_writes_exactly_one_audit_event(pat: User, p1: Patient) -> None:
    client = start(pat)
    before = AuditEvent.objects.count()
    client.get(portal_step("pain"))
    client.post(portal_step("pain"), PAIN)
    client.post(portal_step("where"), {"sites": []})

    events = list(AuditEvent.objects.order_by("id"))[before:]
    assert [(e.action, e.detail.get("step")) for e in events] == [
        ("view", "pain"),
        ("update", "pain"),
        ("view", "where"),
    ]
    assert all(e.patient_id == p1.pk for e in events)


# ---------------------------------------------------------------------------- staff on a tablet
def test_nurse_completes_an_intake_for_a_patient_on_the_tablet(bob: User, p1: Patient) -> None:
    client = client_for(bob)
    client.post(reverse("patient-intake", args=[p1.pk]))

    def url(step: str) -> str:
        return reverse("patient-intake-step", args=[p1.pk, step])

    walk(client, url)
    assert client.post(url("review"), {}).status_code == 302
    intake = intake_of(p1)
    assert intake.status == IntakeStatus.SUBMITTED
    assert intake.started_by == bob


def test_front_desk_may_run_an_intake_but_a_therapist_may_not(fiona: User, theo: User, p1: Patient) -> None:
    assert client_for(fiona).post(reverse("patient-intake", args=[p1.pk])).status_code == 302
    assert client_for(theo).get(reverse("patient-intake", args=[p1.pk])).status_code == 403


# ---------------------------------------------------------------------------------- permissions
def test_patient_reaches_only_their_own_intake(pat: User, quinn: User, p1: Patient, p2: Patient) -> None:
    client = start(pat)
    client.post(portal_step("pain"), PAIN)

    other = client_for(quinn)
    assert other.get(portal_step("pain")).status_code == 302  # quinn has no intake: sent to start
    assert "Lifting a box" not in other.get(reverse("portal-intake")).content.decode()
    # The staff URL is not for patients, whoever's id it carries.
    assert client_for(pat).get(reverse("patient-intake", args=[p2.pk])).status_code == 403
    assert client_for(pat).get(reverse("patient-intake", args=[p1.pk])).status_code == 403


def test_clinic_b_staff_get_404_for_clinic_a_patients_intake(charlie: User, p1: Patient, pat: User) -> None:
    start(pat)
    client = client_for(charlie)

    assert client.get(reverse("patient-intake", args=[p1.pk])).status_code == 404
    assert client.get(reverse("patient-intake-step", args=[p1.pk, "pain"])).status_code == 404
    assert client.post(reverse("patient-intake-step", args=[p1.pk, "pain"]), PAIN).status_code == 404
    assert AuditEvent.objects.filter(user=charlie, action="denied").count() == 3


def test_unknown_step_is_404(pat: User, p1: Patient) -> None:
    client = start(pat)
    assert client.get(portal_step("nonsense")).status_code == 404


def test_every_vocabulary_code_has_patient_wording() -> None:
    from typing import get_args

    from stepcare.clinical import vocab
    from stepcare.intake import wording as w

    assert set(w.QUALITY_LABELS) == set(get_args(vocab.Quality))
    assert set(w.SYMPTOM_LABELS) == set(get_args(vocab.Symptom))
    assert set(w.MODIFIER_LABELS) == set(get_args(vocab.Modifier))
    assert set(w.RADIATION_LABELS) == set(get_args(vocab.Radiation))
    assert set(w.REGION_LABELS) == set(get_args(vocab.Region))
    assert {q.code for q in w.RED_FLAG_QUESTIONS} == set(vocab.RED_FLAGS)
    assert set(w.THERAPY_LABELS) <= set(vocab.STEP_CODES)
    assert set(w.CONDITION_LABELS) | w.HEALTH_ASKED_SEPARATELY == set(get_args(vocab.Condition))
    assert set(w.LIVER_LABELS) == set(get_args(vocab.LiverDisease))
    assert all(q.question.endswith("?") for q in w.RED_FLAG_QUESTIONS)


unused = (DAILY_LIFE, GOALS, IMAGING, WHERE, warning_signs)
