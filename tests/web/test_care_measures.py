"""Follow-up: questionnaires (labels and ranges from the engine) and goal measures."""

from __future__ import annotations

import datetime

from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.care.models import Measurement
from stepcare.records.models import Encounter, Patient
from tests.web.care_helpers import add_measurement
from tests.web.conftest import client_for, make_encounter


def _url(patient: Patient, **params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("care-measures", kwargs={"patient_id": patient.pk}) + (f"?{query}" if query else "")


def test_questionnaire_form_uses_the_engines_item_labels_and_ranges(p1: Patient, bob: User) -> None:
    page = client_for(bob).get(_url(p1, instrument="odi")).content.decode()

    assert "Oswestry Disability Index" in page
    assert "1. Pain intensity (section 0-5)" in page
    assert 'max="5"' in page


def test_recording_a_questionnaire_scores_it_with_the_engine(
    p1: Patient, bob: User, draft_p1: Encounter
) -> None:
    response = client_for(bob).post(
        _url(p1),
        {"kind": "questionnaire", "instrument": "peg", "encounter": draft_p1.pk, "date": "2026-11-20",
         "item_1": "4", "item_2": "5", "item_3": "6"},
    )  # fmt: skip

    assert response.status_code == 302
    m = Measurement.objects.get(patient=p1)
    assert (m.instrument, m.score, m.items, m.encounter, m.recorded_by) == (
        "peg",
        5.0,
        [4, 5, 6],
        draft_p1,
        bob,
    )


def test_an_out_of_range_answer_is_refused_and_the_other_answers_are_kept(p1: Patient, bob: User) -> None:
    response = client_for(bob).post(
        _url(p1),
        {
            "kind": "questionnaire",
            "instrument": "peg",
            "date": "2026-11-20",
            "item_1": "4",
            "item_2": "11",
            "item_3": "6",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Item 2: enter a whole number from 0 to 10." in page
    assert 'value="4"' in page and 'value="6"' in page and 'value="11"' in page
    assert not Measurement.objects.exists()


def test_goal_measure_and_baseline_vs_latest(p1: Patient, theo: User) -> None:
    add_measurement(p1, "peg", datetime.date(2026, 1, 5), 8.0, [8, 8, 8])
    add_measurement(p1, "peg", datetime.date(2026, 6, 5), 5.0, [5, 5, 5])
    client = client_for(theo)

    response = client.post(
        _url(p1), {"kind": "goal", "measure": "Sitting minutes", "value": "40", "date": "2026-11-20"}
    )

    assert response.status_code == 302
    assert Measurement.objects.get(instrument="sitting-minutes").score == 40
    page = client.get(_url(p1)).content.decode()
    table = page[page.index('id="baseline-latest"') :]
    assert "8.0 (2026-01-05)" in table and "5.0 (2026-06-05)" in table and "-3.0" in table
    assert "sitting-minutes" in table


def test_due_questionnaires_follow_the_pain_sites(p1: Patient, bob: User, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.web.care_helpers import use_intake

    use_intake(monkeypatch)
    page = client_for(bob).get(_url(p1)).content.decode()
    due = page[page.index('class="due"') : page.index("</ul>", page.index('class="due"'))]

    assert "Oswestry" in due and "Neck Disability" not in due and "PEG" in due


def test_an_encounter_of_another_patient_is_not_found_and_the_refusal_audited(
    p1: Patient, p2: Patient, bob: User, alice: User
) -> None:
    other = make_encounter(p2, alice)

    response = client_for(bob).post(
        _url(p1),
        {"kind": "questionnaire", "instrument": "peg", "encounter": other.pk, "date": "2026-11-20",
         "item_1": "4", "item_2": "5", "item_3": "6"},
    )  # fmt: skip

    assert response.status_code == 404
    assert not Measurement.objects.exists()
    denied = AuditEvent.objects.get(action="denied", user=bob)
    assert (denied.detail["object_type"], denied.detail["object_id"]) == ("records.encounter", str(other.pk))
