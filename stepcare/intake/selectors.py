"""Reads of intakes: the permission-checked getters, the contract-shaped case, the triage queue."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone

from stepcare.intake.models import TRIAGE_RANK, Intake, IntakeStatus, IntakeUpload, TriageLevel
from stepcare.records.selectors import clinic_date, deny_not_visible, patients_visible_to

if TYPE_CHECKING:
    from stepcare.accounts.models import User
    from stepcare.records.models import Patient

# The engine contract's case keys that an intake fills in; everything else in `data` is ours.
CASE_KEYS: Final = (
    "pain",
    "red_flags",
    "events",
    "imaging",
    "medications",
    "therapies",
    "goals",
    "questionnaires",
)
# The keys of the case's `patient` object that the patient answers ("Your health"); age and sex come
# from the record.
PATIENT_KEYS: Final = ("conditions", "pregnant", "liver_disease")
RECENTLY_ACKNOWLEDGED_DAYS = 7


def _reported_patient(source: Mapping[str, Any]) -> dict[str, Any]:
    reported = source.get("patient")
    if not isinstance(reported, Mapping):
        return {}
    return {key: reported[key] for key in PATIENT_KEYS if key in reported}


def intake_case_data(intake: Intake) -> dict[str, Any]:
    """The contract-shaped partial case from this intake (only contract keys; no as_of).

    `patient` holds only what the patient reported about their health (conditions, pregnancy, liver).
    """
    data = {key: intake.data[key] for key in CASE_KEYS if key in intake.data}
    reported = _reported_patient(intake.data)
    if reported:
        data["patient"] = reported
    return data


def dn4_interview(intake: Intake) -> dict[str, Any] | None:
    """The patient's part of DN4 (the interview items, answered at intake) with the date it was answered.

    It is kept outside the case (`extra`) because DN4 is scored only once the clinician has examined the
    remaining items; stepcare.care puts the two parts together.
    """
    found = intake.extra.get("dn4_interview") if isinstance(intake.extra, Mapping) else None
    if not isinstance(found, Mapping) or not isinstance(found.get("items"), list):
        return None
    return {"date": found.get("date"), "items": list(found["items"])}


def patient_case_facts(patient: Patient, as_of: datetime.date) -> dict[str, Any]:
    """The `patient` object of a case: what the engine needs from the record (age, sex)."""
    return {"age": max(0, min(120, patient.age_on(as_of))), "sex": patient.sex}


def intake_case(
    intake: Intake, *, as_of: datetime.date, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A full case for the engine from the intake (or from `data`, the answers about to be saved)."""
    source = intake.data if data is None else data
    case = {key: source[key] for key in CASE_KEYS if key in source}
    patient = {**_reported_patient(source), **patient_case_facts(intake.patient, as_of)}
    return {"as_of": as_of.isoformat(), "patient": patient, **case}


def intake_today(intake: Intake) -> datetime.date:
    """The clinic-local date: questionnaire dates and 'after today' checks use the clinic's calendar."""
    return clinic_date(intake.clinic)


def in_progress_intake(*, patient: Patient) -> Intake | None:
    """The patient's one in-progress intake, if any (the one to resume)."""
    return (
        Intake.objects.filter(patient=patient, status=IntakeStatus.IN_PROGRESS)
        .select_related("patient", "clinic", "acknowledged_by")
        .first()
    )


def submitted_intakes(*, patient: Patient) -> QuerySet[Intake]:
    """The patient's submitted intakes, newest first."""
    return Intake.objects.filter(patient=patient, status=IntakeStatus.SUBMITTED).order_by(
        "-submitted_at", "-id"
    )


def latest_submitted_intake(*, patient: Patient) -> Intake | None:
    return submitted_intakes(patient=patient).first()


def latest_dn4_interview(intakes: Iterable[Intake]) -> dict[str, Any] | None:
    """The most recent DN4 interview part among submitted intakes given newest first.

    An update intake that did not ask DN4 again (PEG and NRS only, say) leaves the earlier answers standing.
    """
    for intake in intakes:
        found = dn4_interview(intake)
        if found is not None:
            return found
    return None


def intake_uploads(*, intake: Intake) -> QuerySet[IntakeUpload]:
    return intake.uploads.select_related("uploaded_by").order_by("uploaded_at", "id")


def get_upload_for_user(*, user: User, upload_id: int, request: HttpRequest) -> IntakeUpload:
    """An uploaded file only when its patient is visible to this user; otherwise 404, audited as denied."""
    upload = (
        IntakeUpload.objects.filter(pk=upload_id, intake__patient__in=patients_visible_to(user))
        .select_related("intake", "intake__patient")
        .first()
    )
    if upload is None:
        raise deny_not_visible(
            request=request, user=user, object_type="intake.intakeupload", object_id=upload_id
        )
    return upload


def get_intake_for_user(*, user: User, intake_id: int, request: HttpRequest) -> Intake:
    intake = (
        Intake.objects.filter(pk=intake_id, patient__in=patients_visible_to(user))
        .select_related("patient", "clinic", "acknowledged_by")
        .first()
    )
    if intake is None:
        raise deny_not_visible(request=request, user=user, object_type="intake.intake", object_id=intake_id)
    return intake


def _level_rank() -> Case:
    return Case(
        *(When(triage_level=level, then=Value(rank)) for level, rank in TRIAGE_RANK.items()),
        default=Value(9),
        output_field=IntegerField(),
    )


def triage_queue(*, user: User) -> list[Intake]:
    """Unacknowledged intakes: emergency, then urgent (as soon as triaged), then submitted routine ones.

    Newest first within a level.
    """
    waiting = Q(triage_level__in=(TriageLevel.EMERGENCY, TriageLevel.URGENT)) | Q(
        triage_level=TriageLevel.ROUTINE, status=IntakeStatus.SUBMITTED
    )
    return list(
        Intake.objects.filter(waiting, patient__in=patients_visible_to(user), acknowledged_at__isnull=True)
        .select_related("patient")
        .annotate(level_rank=_level_rank())
        .order_by("level_rank", "-triaged_at", "-id")
    )


def recently_acknowledged(*, user: User) -> list[Intake]:
    since = timezone.now() - datetime.timedelta(days=RECENTLY_ACKNOWLEDGED_DAYS)
    return list(
        Intake.objects.filter(patient__in=patients_visible_to(user), acknowledged_at__gte=since)
        .select_related("patient", "acknowledged_by")
        .order_by("-acknowledged_at", "-id")[:25]
    )


@dataclass(frozen=True)
class TriageSummary:
    emergency: int
    urgent: int

    @property
    def total(self) -> int:
        return self.emergency + self.urgent


def triage_summary(*, user: User) -> TriageSummary:
    """Unacknowledged emergency and urgent intakes at the user's clinic (for the dashboard)."""
    counts = Intake.objects.filter(
        patient__in=patients_visible_to(user), acknowledged_at__isnull=True
    ).aggregate(
        emergency=Count("id", filter=Q(triage_level=TriageLevel.EMERGENCY)),
        urgent=Count("id", filter=Q(triage_level=TriageLevel.URGENT)),
    )
    return TriageSummary(emergency=counts["emergency"], urgent=counts["urgent"])


__all__ = [
    "CASE_KEYS",
    "PATIENT_KEYS",
    "TriageSummary",
    "dn4_interview",
    "get_intake_for_user",
    "get_upload_for_user",
    "in_progress_intake",
    "intake_case",
    "intake_case_data",
    "intake_today",
    "intake_uploads",
    "latest_dn4_interview",
    "latest_submitted_intake",
    "patient_case_facts",
    "recently_acknowledged",
    "submitted_intakes",
    "triage_queue",
    "triage_summary",
]
