"""Writes of intakes: each service runs in one transaction and writes exactly one audit event."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.clinical import parse_case
from stepcare.clinical.triage import assess
from stepcare.intake import wording as w
from stepcare.intake.models import TRIAGE_RANK, Intake, IntakeStatus, IntakeUpload, TriageLevel, UploadKind
from stepcare.intake.selectors import intake_case
from stepcare.intake.uploads import FileType

if TYPE_CHECKING:
    from stepcare.accounts.models import User
    from stepcare.records.models import Patient

TRIAGE_STEP = "warning-signs"
ALREADY_SUBMITTED_MESSAGE = "This intake was already submitted; start a new one instead."


class IntakeSubmittedError(Exception):
    """Raised on any attempt to change a submitted intake."""


@transaction.atomic
def intake_start(*, actor: User, patient: Patient, request: HttpRequest | None = None) -> Intake:
    """The patient's in-progress intake, created if there is none (one at a time per patient)."""
    intake = Intake.objects.filter(patient=patient, status=IntakeStatus.IN_PROGRESS).first()
    created = False
    if intake is None:
        try:
            with transaction.atomic():
                intake = Intake.objects.create(
                    patient=patient, clinic=patient.clinic, started_by=actor, current_step=w.STEP_SLUGS[0]
                )
            created = True
        except IntegrityError:  # a second tab started one a moment ago
            intake = Intake.objects.get(patient=patient, status=IntakeStatus.IN_PROGRESS)
    audit_record(
        request=request,
        user=actor,
        action=Action.CREATE if created else Action.VIEW,
        patient=patient,
        obj=intake,
        detail={} if created else {"resumed": True},
    )
    return intake


def _retriage(intake: Intake, as_of: datetime.date) -> None:
    """Run the engine's triage on what is known so far; a rise in level re-opens an acknowledgement."""
    result = assess(parse_case(intake_case(intake, as_of=as_of)))
    old = intake.triage_level
    intake.triage_level = result.level
    intake.triage_reasons = list(result.reasons)
    intake.triage_action = result.action
    if old != result.level or intake.triaged_at is None:
        intake.triaged_at = timezone.now()
    more_severe = old and TRIAGE_RANK[TriageLevel(result.level)] < TRIAGE_RANK[TriageLevel(old)]
    if more_severe and intake.acknowledged_at is not None:
        intake.acknowledged_at = None
        intake.acknowledged_by = None


_TRIAGE_FIELDS = [
    "triage_level",
    "triage_reasons",
    "triage_action",
    "triaged_at",
    "acknowledged_at",
    "acknowledged_by",
]


@transaction.atomic
def intake_save_step(
    *,
    actor: User,
    intake: Intake,
    step: str,
    data_updates: dict[str, Any],
    extra_updates: dict[str, Any],
    next_step: str,
    as_of: datetime.date,
    report: UploadedFile[bytes] | None = None,
    report_type: FileType | None = None,
    request: HttpRequest | None = None,
) -> Intake:
    """Merge one step's validated answers, move on, and re-run triage once the red-flag step is answered."""
    locked = (
        Intake.objects.select_for_update(of=("self",)).select_related("patient", "clinic").get(pk=intake.pk)
    )
    if locked.status != IntakeStatus.IN_PROGRESS:
        raise IntakeSubmittedError(ALREADY_SUBMITTED_MESSAGE)
    locked.data = {**locked.data, **data_updates}
    locked.extra = {**locked.extra, **extra_updates}
    if step not in locked.completed_steps:
        locked.completed_steps = [*locked.completed_steps, step]
    locked.current_step = next_step
    fields = ["data", "extra", "completed_steps", "current_step", "updated_at"]
    if TRIAGE_STEP in locked.completed_steps:
        _retriage(locked, as_of)
        fields += _TRIAGE_FIELDS
    locked.save(update_fields=fields)
    upload = None
    try:
        if report is not None and report_type is not None:
            upload = _store_upload(actor=actor, intake=locked, report=report, report_type=report_type)
        detail: dict[str, Any] = {"step": step, "keys": sorted([*data_updates, *extra_updates])}
        if locked.triage_level:
            detail["triage_level"] = locked.triage_level
        if upload is not None:
            detail["upload_id"] = upload.pk
        audit_record(
            request=request,
            user=actor,
            action=Action.UPLOAD if upload is not None else Action.UPDATE,
            patient=locked.patient,
            obj=locked,
            detail=detail,
        )
    except Exception:
        if upload is not None:  # the row rolls back with the transaction; the file must go too
            upload.file.delete(save=False)
        raise
    return locked


def _store_upload(
    *, actor: User, intake: Intake, report: UploadedFile[bytes], report_type: FileType
) -> IntakeUpload:
    upload = IntakeUpload(
        intake=intake,
        original_name=(report.name or "report")[-255:],
        content_type=report_type.content_type,
        size=report.size or 0,
        kind=UploadKind.IMAGING_REPORT,
        uploaded_by=actor,
    )
    # The stored name is ours: a random id and the extension of the sniffed type.
    upload.file.save(f"{uuid.uuid4().hex}.{report_type.extension}", report, save=False)
    try:
        upload.save()
    except Exception:
        upload.file.delete(save=False)
        raise
    return upload


@transaction.atomic
def intake_submit(
    *, actor: User, intake: Intake, as_of: datetime.date, request: HttpRequest | None = None
) -> Intake:
    """Freeze the intake as submitted, with its final triage (the queue lists it from now on)."""
    locked = (
        Intake.objects.select_for_update(of=("self",)).select_related("patient", "clinic").get(pk=intake.pk)
    )
    if locked.status != IntakeStatus.IN_PROGRESS:
        raise IntakeSubmittedError(ALREADY_SUBMITTED_MESSAGE)
    _retriage(locked, as_of)
    locked.status = IntakeStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    if "review" not in locked.completed_steps:
        locked.completed_steps = [*locked.completed_steps, "review"]
    locked.save(update_fields=["status", "submitted_at", "completed_steps", "updated_at", *_TRIAGE_FIELDS])
    audit_record(
        request=request,
        user=actor,
        action=Action.UPDATE,
        patient=locked.patient,
        obj=locked,
        detail={"step": "review", "submitted": True, "triage_level": locked.triage_level},
    )
    return locked


@transaction.atomic
def intake_acknowledge(*, actor: User, intake: Intake, request: HttpRequest | None = None) -> Intake:
    """Record that a clinician has seen this triage result and taken responsibility for the action."""
    locked = (
        Intake.objects.select_for_update(of=("self",))
        .select_related("patient", "acknowledged_by")
        .get(pk=intake.pk)
    )
    already = locked.acknowledged_at is not None
    if not already:
        locked.acknowledged_by = actor
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["acknowledged_by", "acknowledged_at", "updated_at"])
    audit_record(
        request=request,
        user=actor,
        action=Action.ACKNOWLEDGE,
        patient=locked.patient,
        obj=locked,
        detail={"triage_level": locked.triage_level, "reasons": locked.triage_reasons, "already": already},
    )
    return locked
