"""Bad input gets a clear error naming the field, keeps what was typed, and writes nothing."""

from __future__ import annotations

from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.records.forms import DOB_IN_FUTURE_MESSAGE, MRN_TAKEN_MESSAGE
from stepcare.records.models import Encounter, InsurancePlan, Patient
from tests.web.conftest import client_for

VALID = {
    "given_name": "Rosa",
    "family_name": "Newpatient",
    "date_of_birth": "1981-02-03",
    "sex": "female",
    "mrn": "A-7777",
    "phone": "555-0199",
    "email": "rosa@example.invalid",
    "presenting_problem": "Right knee pain",
    "primary_condition": "knee-osteoarthritis",
}


def test_invalid_patient_form_shows_field_errors_and_keeps_input(fiona: User) -> None:
    data = {**VALID, "date_of_birth": "03/02/1981", "email": "not-an-email", "given_name": ""}

    response = client_for(fiona).post(reverse("patient-create"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["date_of_birth"] == ["Enter the date of birth as YYYY-MM-DD."]
    assert form.errors["given_name"] == ["Enter the patient's given name."]
    assert "email" in form.errors
    html = response.content.decode()
    assert 'value="Newpatient"' in html
    assert 'value="03/02/1981"' in html
    assert 'value="not-an-email"' in html
    assert "Nothing was saved" in html
    assert not Patient.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_duplicate_mrn_is_a_field_error(fiona: User, p1: Patient) -> None:
    response = client_for(fiona).post(reverse("patient-create"), {**VALID, "mrn": p1.mrn.lower()})

    assert response.context["form"].errors["mrn"] == [MRN_TAKEN_MESSAGE.format(mrn=p1.mrn.lower())]
    assert Patient.objects.count() == 1


def test_future_date_of_birth_is_refused(fiona: User) -> None:
    response = client_for(fiona).post(reverse("patient-create"), {**VALID, "date_of_birth": "2999-01-01"})

    assert response.context["form"].errors["date_of_birth"] == [DOB_IN_FUTURE_MESSAGE]


def test_valid_patient_is_created_at_the_users_clinic_and_audited(fiona: User, plan_a: InsurancePlan) -> None:
    response = client_for(fiona).post(reverse("patient-create"), {**VALID, "insurance": plan_a.pk})

    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patient-chart", kwargs={"patient_id": patient.pk})
    assert (patient.clinic, patient.insurance, patient.mrn) == (fiona.clinic, plan_a, "A-7777")
    event = AuditEvent.objects.get()
    assert (event.action, event.patient, event.user) == ("create", patient, fiona)


def test_insurance_of_another_clinic_is_not_a_valid_choice(fiona: User, clinic_b) -> None:  # type: ignore[no-untyped-def]
    other = InsurancePlan.objects.create(clinic=clinic_b, name="Elsewhere", payer="Elsewhere Health")

    response = client_for(fiona).post(reverse("patient-create"), {**VALID, "insurance": other.pk})

    assert "insurance" in response.context["form"].errors
    assert not Patient.objects.exists()


def test_invalid_edit_keeps_input_and_leaves_record_unchanged(bob: User, p1: Patient) -> None:
    url = reverse("patient-edit", kwargs={"patient_id": p1.pk})
    data = {**VALID, "mrn": "A-1001", "family_name": "Changed", "date_of_birth": "not a date"}

    response = client_for(bob).post(url, data)

    assert response.status_code == 200
    assert 'value="Changed"' in response.content.decode()
    p1.refresh_from_db()
    assert p1.family_name == "Firstpatient"
    assert [e.action for e in AuditEvent.objects.all()] == ["view"]


def test_valid_edit_saves_and_audits_changed_fields(bob: User, p1: Patient) -> None:
    url = reverse("patient-edit", kwargs={"patient_id": p1.pk})
    data = {**VALID, "mrn": "A-1001", "insurance": p1.insurance_id}

    response = client_for(bob).post(url, data)

    assert response.status_code == 302
    p1.refresh_from_db()
    assert (p1.given_name, p1.family_name) == ("Rosa", "Newpatient")
    event = AuditEvent.objects.get()
    assert event.action == "update"
    assert "family_name" in event.detail["fields"]


def test_invalid_encounter_form_keeps_input(alice: User, p1: Patient) -> None:
    url = reverse("encounter-create", kwargs={"patient_id": p1.pk})

    response = client_for(alice).post(
        url, {"type": "follow-up", "date": "yesterday", "note": "My typed note"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["Enter the encounter date as YYYY-MM-DD."]
    assert "My typed note" in response.content.decode()
    assert not Encounter.objects.exists()


def test_invalid_amendment_shows_errors(alice: User, signed_p1: Encounter) -> None:
    url = reverse("encounter-amend", kwargs={"encounter_id": signed_p1.pk})

    response = client_for(alice).post(url, {"reason": "", "text": "Kept text"})

    assert response.status_code == 400
    assert response.context["amend_form"].errors["reason"] == ["Say why the signed note needs an amendment."]
    assert "Kept text" in response.content.decode()
    assert not signed_p1.amendments.exists()
