"""Model-layer invariants: MRN unique per clinic, signed encounters frozen, amendments append-only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from stepcare.accounts.models import PATIENT_LINK_FORBIDDEN, PATIENT_LINK_REQUIRED, User
from stepcare.records import services
from stepcare.records.models import (
    Clinic,
    Encounter,
    EncounterAmendment,
    Patient,
    SignedEncounterError,
)
from tests.web.conftest import make_patient


def test_mrn_is_unique_within_a_clinic(clinic_a: Clinic) -> None:
    make_patient(clinic_a, mrn="X-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_patient(clinic_a, mrn="X-1", given_name="Other")


def test_same_mrn_in_two_clinics_is_fine(clinic_a: Clinic, clinic_b: Clinic) -> None:
    make_patient(clinic_a, mrn="X-1")
    make_patient(clinic_b, mrn="X-1")

    assert Patient.objects.filter(mrn="X-1").count() == 2


def test_signed_encounter_refuses_save(signed_p1: Encounter) -> None:
    signed_p1.note = "rewritten history"

    with pytest.raises(SignedEncounterError, match="signed and cannot be changed"):
        signed_p1.save()

    signed_p1.refresh_from_db()
    assert signed_p1.note == "Signed note text."


def test_signed_encounter_cannot_be_unsigned_by_an_in_memory_edit(signed_p1: Encounter) -> None:
    signed_p1.status = "draft"

    with pytest.raises(SignedEncounterError):
        signed_p1.save()


def test_queryset_update_refuses_signed_rows(signed_p1: Encounter, draft_p1: Encounter) -> None:
    with pytest.raises(SignedEncounterError):
        Encounter.objects.all().update(note="bulk edit")

    assert Encounter.objects.get(pk=signed_p1.pk).note == "Signed note text."
    assert Encounter.objects.get(pk=draft_p1.pk).note == "Draft note text."


def test_queryset_update_of_drafts_only_is_allowed(signed_p1: Encounter, draft_p1: Encounter) -> None:
    assert Encounter.objects.filter(status="draft").update(chief_complaint="Updated") == 1


def test_signed_encounter_refuses_delete(signed_p1: Encounter) -> None:
    with pytest.raises(SignedEncounterError):
        signed_p1.delete()
    with pytest.raises(SignedEncounterError):
        Encounter.objects.filter(pk=signed_p1.pk).delete()

    assert Encounter.objects.filter(pk=signed_p1.pk).exists()


def test_draft_can_be_edited_and_then_signed(draft_p1: Encounter, alice: User) -> None:
    services.encounter_update(actor=alice, encounter=draft_p1, changes={"note": "Edited draft."})
    signed = services.encounter_sign(actor=alice, encounter=draft_p1)

    assert (signed.status, signed.signed_by, signed.note) == ("signed", alice, "Edited draft.")
    assert signed.signed_at is not None


def test_only_a_physician_signs(draft_p1: Encounter, bob: User) -> None:
    with pytest.raises(PermissionError, match="Only a physician"):
        services.encounter_sign(actor=bob, encounter=draft_p1)

    draft_p1.refresh_from_db()
    assert draft_p1.status == "draft"


def test_amendments_are_appended_in_order_and_listed(signed_p1: Encounter, alice: User, bob: User) -> None:
    services.encounter_amend(actor=alice, encounter=signed_p1, text="Dose was 300 mg.", reason="Typo")
    services.encounter_amend(actor=bob, encounter=signed_p1, text="Allergy: latex.", reason="Omission")

    amendments = list(signed_p1.amendments.all())
    assert [(a.author, a.text) for a in amendments] == [(alice, "Dose was 300 mg."), (bob, "Allergy: latex.")]
    signed_p1.refresh_from_db()
    assert signed_p1.note == "Signed note text."


def test_amendments_cannot_be_edited_or_deleted(signed_p1: Encounter, alice: User) -> None:
    amendment = services.encounter_amend(actor=alice, encounter=signed_p1, text="x", reason="y")
    amendment.text = "changed"

    with pytest.raises(SignedEncounterError):
        amendment.save()
    with pytest.raises(SignedEncounterError):
        amendment.delete()
    with pytest.raises(SignedEncounterError):
        EncounterAmendment.objects.all().update(text="z")
    with pytest.raises(SignedEncounterError):
        EncounterAmendment.objects.all().delete()


def test_a_draft_cannot_be_amended(draft_p1: Encounter, alice: User) -> None:
    with pytest.raises(SignedEncounterError, match="edit the draft"):
        services.encounter_amend(actor=alice, encounter=draft_p1, text="x", reason="y")


def test_patient_role_requires_a_patient_link(clinic_a: Clinic) -> None:
    user = User(username="nolink", role="patient", clinic=clinic_a)

    with pytest.raises(ValidationError) as excinfo:
        user.full_clean()
    assert excinfo.value.message_dict["patient"] == [PATIENT_LINK_REQUIRED]


def test_staff_cannot_be_linked_to_a_patient(clinic_a: Clinic, p1: Patient) -> None:
    user = User(username="mixed", role="nurse", clinic=clinic_a, patient=p1)

    with pytest.raises(ValidationError) as excinfo:
        user.full_clean()
    assert excinfo.value.message_dict["patient"] == [PATIENT_LINK_FORBIDDEN]


def test_database_enforces_patient_role_iff_link(clinic_a: Clinic) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nolink", role="patient", clinic=clinic_a)


def test_database_requires_clinic_for_staff(db: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="floating", role="physician")
