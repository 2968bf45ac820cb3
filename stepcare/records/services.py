"""Writes of patient data: each service runs in one transaction and writes exactly one audit event."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from stepcare.accounts.models import Role
from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.records.models import (
    Clinic,
    Encounter,
    EncounterAmendment,
    EncounterStatus,
    InsurancePlan,
    Patient,
    SignedEncounterError,
)

if TYPE_CHECKING:
    from stepcare.accounts.models import User

PATIENT_EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "mrn",
    "phone",
    "email",
    "address",
    "pcp_name",
    "pcp_phone",
    "pcp_fax",
    "pcp_email",
    "insurance",
    "member_id",
    "presenting_problem",
    "primary_condition",
    "story",
)
ENCOUNTER_EDITABLE_FIELDS = ("type", "date", "start_time", "chief_complaint", "note")
NOT_A_SIGNER_MESSAGE = "Only a physician may sign an encounter."
NOT_SIGNED_YET_MESSAGE = "Only signed encounters are amended; edit the draft instead."


def _check_fields(changes: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValueError(f"Unknown or read-only fields: {', '.join(unknown)}")


@transaction.atomic
def clinic_set_time_zone(*, clinic: Clinic, time_zone: str) -> Clinic:
    """Change the zone the clinic's pages show times and 'today' in; stored times (UTC) do not change."""
    clinic.timezone = time_zone
    clinic.save(update_fields=["timezone"])
    return clinic


@transaction.atomic
def patient_create(
    *,
    actor: User,
    clinic: Clinic,
    given_name: str,
    family_name: str,
    date_of_birth: datetime.date,
    mrn: str,
    sex: str = "unknown",
    phone: str = "",
    email: str = "",
    address: str = "",
    pcp_name: str = "",
    pcp_phone: str = "",
    pcp_fax: str = "",
    pcp_email: str = "",
    insurance: InsurancePlan | None = None,
    member_id: str = "",
    presenting_problem: str = "",
    primary_condition: str = "",
    story: str = "",
    request: HttpRequest | None = None,
) -> Patient:
    patient = Patient.objects.create(
        clinic=clinic,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        mrn=mrn,
        sex=sex,
        phone=phone,
        email=email,
        address=address,
        pcp_name=pcp_name,
        pcp_phone=pcp_phone,
        pcp_fax=pcp_fax,
        pcp_email=pcp_email,
        insurance=insurance,
        member_id=member_id,
        presenting_problem=presenting_problem,
        primary_condition=primary_condition,
        story=story,
    )
    audit_record(request=request, user=actor, action=Action.CREATE, patient=patient, obj=patient)
    return patient


@transaction.atomic
def patient_update(
    *, actor: User, patient: Patient, changes: Mapping[str, Any], request: HttpRequest | None = None
) -> Patient:
    """Apply the changed fields; the audit detail lists which fields changed (not their values)."""
    _check_fields(changes, PATIENT_EDITABLE_FIELDS)
    changed = [name for name, value in changes.items() if getattr(patient, name) != value]
    for name in changed:
        setattr(patient, name, changes[name])
    if changed:
        patient.save(update_fields=[*changed, "updated_at"])
    audit_record(
        request=request,
        user=actor,
        action=Action.UPDATE,
        patient=patient,
        obj=patient,
        detail={"fields": changed},
    )
    return patient


@transaction.atomic
def encounter_create(
    *,
    actor: User,
    patient: Patient,
    type: str,
    date: datetime.date,
    start_time: datetime.time | None = None,
    chief_complaint: str = "",
    note: str = "",
    clinician: User | None = None,
    request: HttpRequest | None = None,
) -> Encounter:
    encounter = Encounter.objects.create(
        patient=patient,
        clinic_id=patient.clinic_id,
        type=type,
        date=date,
        start_time=start_time,
        clinician=clinician or actor,
        chief_complaint=chief_complaint,
        note=note,
    )
    audit_record(request=request, user=actor, action=Action.CREATE, patient=patient, obj=encounter)
    return encounter


@transaction.atomic
def encounter_update(
    *, actor: User, encounter: Encounter, changes: Mapping[str, Any], request: HttpRequest | None = None
) -> Encounter:
    """Edit a draft; a signed encounter raises SignedEncounterError from the model layer."""
    _check_fields(changes, ENCOUNTER_EDITABLE_FIELDS)
    changed = [name for name, value in changes.items() if getattr(encounter, name) != value]
    for name in changed:
        setattr(encounter, name, changes[name])
    encounter.save(update_fields=[*changed, "updated_at"])
    audit_record(
        request=request,
        user=actor,
        action=Action.UPDATE,
        patient=encounter.patient,
        obj=encounter,
        detail={"fields": changed},
    )
    return encounter


@transaction.atomic
def encounter_sign(*, actor: User, encounter: Encounter, request: HttpRequest | None = None) -> Encounter:
    """Sign a draft: from here on the note is frozen and changes go into amendments."""
    if actor.role != Role.PHYSICIAN:
        raise PermissionError(NOT_A_SIGNER_MESSAGE)
    locked = Encounter.objects.select_for_update().get(pk=encounter.pk)
    if locked.status == EncounterStatus.SIGNED:
        raise SignedEncounterError(f"Encounter {encounter.pk} is already signed.")
    locked.status = EncounterStatus.SIGNED
    locked.signed_at = timezone.now()
    locked.signed_by = actor
    locked.save(update_fields=["status", "signed_at", "signed_by", "updated_at"])
    audit_record(request=request, user=actor, action=Action.SIGN, patient=encounter.patient, obj=locked)
    return locked


@transaction.atomic
def encounter_amend(
    *, actor: User, encounter: Encounter, text: str, reason: str, request: HttpRequest | None = None
) -> EncounterAmendment:
    if encounter.status != EncounterStatus.SIGNED:
        raise SignedEncounterError(NOT_SIGNED_YET_MESSAGE)
    amendment = EncounterAmendment.objects.create(encounter=encounter, author=actor, text=text, reason=reason)
    audit_record(
        request=request,
        user=actor,
        action=Action.AMEND,
        patient=encounter.patient,
        obj=encounter,
        detail={"amendment_id": amendment.pk},
    )
    return amendment
