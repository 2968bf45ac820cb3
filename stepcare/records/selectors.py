"""Reads of patient data. The only way views reach a patient is through these permission-checked getters."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from stepcare.accounts.models import STAFF_ROLES, Role
from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.records.models import Clinic, Encounter, EncounterStatus, InsurancePlan, Patient
from stepcare.records.time_zones import clinic_zone, user_zone

if TYPE_CHECKING:
    from stepcare.accounts.models import User

NOT_FOUND_MESSAGE = "No such record, or you are not allowed to see it."
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def patients_visible_to(user: User) -> QuerySet[Patient]:
    """Staff see their clinic's patients; a patient sees only their own record; anyone else nothing."""
    if not user.is_authenticated or not user.is_active:
        return Patient.objects.none()
    if user.role == Role.PATIENT:
        return Patient.objects.filter(pk=user.patient_id) if user.patient_id else Patient.objects.none()
    if user.role in STAFF_ROLES and user.clinic_id is not None:
        return Patient.objects.filter(clinic_id=user.clinic_id)
    return Patient.objects.none()


def deny_not_visible(*, request: HttpRequest, user: User, object_type: str, object_id: object) -> Http404:
    """The 404 for a record this user may not see (or that does not exist), with its `denied` audit event."""
    # The target's id goes in detail, not the patient FK: an outsider's clinic must not learn the name.
    audit_record(
        request=request,
        user=user,
        action=Action.DENIED,
        detail={"reason": "not-visible", "object_type": object_type, "object_id": str(object_id)},
    )
    return Http404(NOT_FOUND_MESSAGE)


def get_patient_for_user(*, user: User, patient_id: int, request: HttpRequest) -> Patient:
    """The patient if this user may see them; otherwise 404, and the attempt is audited as denied."""
    patient = patients_visible_to(user).select_related("clinic", "insurance").filter(pk=patient_id).first()
    if patient is None:
        raise deny_not_visible(
            request=request, user=user, object_type="records.patient", object_id=patient_id
        )
    return patient


def encounters_visible_to(user: User) -> QuerySet[Encounter]:
    """Staff: their clinic's encounters. Patient: their own signed encounters only."""
    visible = Encounter.objects.filter(patient__in=patients_visible_to(user))
    if user.is_authenticated and user.role == Role.PATIENT:
        visible = visible.filter(status=EncounterStatus.SIGNED)
    return visible


def get_encounter_for_user(*, user: User, encounter_id: int, request: HttpRequest) -> Encounter:
    """The encounter if this user may see it; otherwise 404, audited as denied."""
    encounter = (
        encounters_visible_to(user)
        .select_related("patient", "patient__clinic", "patient__insurance", "clinician", "signed_by")
        .filter(pk=encounter_id)
        .first()
    )
    if encounter is None:
        raise deny_not_visible(
            request=request, user=user, object_type="records.encounter", object_id=encounter_id
        )
    return encounter


def parse_search_date(query: str) -> datetime.date | None:
    if not _ISO_DATE.match(query):
        return None
    try:
        return datetime.date.fromisoformat(query)
    except ValueError:
        return None


def patient_search(*, user: User, query: str) -> QuerySet[Patient]:
    """Visible patients matching a name (any word), an MRN, or a date of birth written YYYY-MM-DD."""
    patients = patients_visible_to(user).select_related("insurance")
    query = query.strip()
    if not query:
        return patients
    dob = parse_search_date(query)
    if dob is not None:
        return patients.filter(date_of_birth=dob)
    # Every word must match a given or family name part; or the whole query is the MRN.
    name_match = Q()
    for word in query.replace(",", " ").split():
        name_match &= Q(given_name__icontains=word) | Q(family_name__icontains=word)
    condition = Q(mrn__iexact=query) | name_match
    return patients.filter(condition)


def mrn_in_use(*, clinic_id: int, mrn: str, exclude_patient_id: int | None = None) -> bool:
    taken = Patient.objects.filter(clinic_id=clinic_id, mrn__iexact=mrn.strip())
    if exclude_patient_id is not None:
        taken = taken.exclude(pk=exclude_patient_id)
    return taken.exists()


def insurance_plans_for_clinic(*, clinic_id: int) -> QuerySet[InsurancePlan]:
    return InsurancePlan.objects.filter(clinic_id=clinic_id).order_by("name")


def encounters_for_patient(*, patient: Patient, user: User) -> QuerySet[Encounter]:
    return (
        encounters_visible_to(user)
        .filter(patient=patient)
        .select_related("clinician")
        .order_by("-date", "-start_time", "-id")
    )


@dataclass(frozen=True)
class DashboardSummary:
    today: datetime.date
    my_encounters_today: list[Encounter]
    patient_count: int
    encounters_today: int
    drafts_awaiting_signature: int


def dashboard_summary(*, user: User) -> DashboardSummary:
    """Counts for the user's clinic and the user's own encounters today (clinic-local date)."""
    today = clinic_today(user)
    clinic_encounters = (
        Encounter.objects.filter(clinic_id=user.clinic_id) if user.clinic_id else Encounter.objects.none()
    )
    mine = list(
        clinic_encounters.filter(clinician=user, date=today)
        .select_related("patient")
        .order_by("start_time", "id")
    )
    return DashboardSummary(
        today=today,
        my_encounters_today=mine,
        patient_count=patients_visible_to(user).count(),
        encounters_today=clinic_encounters.filter(date=today).count(),
        drafts_awaiting_signature=clinic_encounters.filter(status=EncounterStatus.DRAFT).count(),
    )


def clinic_date(clinic: Clinic | None) -> datetime.date:
    """Today in this clinic's time zone (the deployment's when unknown): a chart's dates follow its calendar."""
    return timezone.localdate(timezone=clinic_zone(clinic))


def clinic_today(user: User) -> datetime.date:
    """Today's date in the user's clinic's time zone (a patient's: the clinic holding their record)."""
    return timezone.localdate(timezone=user_zone(user))
