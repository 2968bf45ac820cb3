"""Patient intake: the history packet a patient fills in step by step, its uploads and its triage.

`Intake.data` holds the engine contract's case shape (pain, red_flags, events, imaging, medications,
therapies, goals, questionnaires) plus `medication_trials`; answers outside the contract go in `extra`.
The clinician chart reads these names, so keep them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class IntakeStatus(models.TextChoices):
    IN_PROGRESS = "in-progress", "In progress"
    SUBMITTED = "submitted", "Submitted"


class TriageLevel(models.TextChoices):
    EMERGENCY = "emergency", "Emergency"
    URGENT = "urgent", "Urgent"
    ROUTINE = "routine", "Routine"


# Lower sorts first in the triage queue.
TRIAGE_RANK = {TriageLevel.EMERGENCY: 0, TriageLevel.URGENT: 1, TriageLevel.ROUTINE: 2}


def _empty_list() -> list[Any]:
    return []


class Intake(models.Model):
    patient = models.ForeignKey("records.Patient", on_delete=models.PROTECT, related_name="intakes")
    clinic = models.ForeignKey("records.Clinic", on_delete=models.PROTECT, related_name="intakes")
    status = models.CharField(max_length=16, choices=IntakeStatus.choices, default=IntakeStatus.IN_PROGRESS)
    current_step = models.SlugField(max_length=32)
    completed_steps = models.JSONField(default=_empty_list, blank=True)
    data = models.JSONField(default=dict, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    triage_level = models.CharField(max_length=16, choices=TriageLevel.choices, blank=True)
    triage_reasons = models.JSONField(default=_empty_list, blank=True)
    triage_action = models.TextField(blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-started_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("patient",),
                condition=models.Q(status="in-progress"),
                name="intake_one_in_progress_per_patient",
            ),
        ]
        indexes = [models.Index(fields=("clinic", "triage_level", "acknowledged_at"))]

    def __str__(self) -> str:
        return f"Intake {self.pk} ({self.get_status_display()})"

    @property
    def is_submitted(self) -> bool:
        return self.status == IntakeStatus.SUBMITTED

    @property
    def needs_prompt_action(self) -> bool:
        return self.triage_level in (TriageLevel.EMERGENCY, TriageLevel.URGENT)


class UploadKind(models.TextChoices):
    IMAGING_REPORT = "imaging-report", "Imaging report"
    OTHER = "other", "Other document"


def upload_path(instance: IntakeUpload, filename: str) -> str:
    # The stored name never uses what the browser sent: only the sniffed type's extension.
    return f"intake/{instance.intake_id}/{filename}"


class IntakeUpload(models.Model):
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="uploads")
    file = models.FileField(upload_to=upload_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=UploadKind.choices, default=UploadKind.IMAGING_REPORT)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("uploaded_at", "id")

    def __str__(self) -> str:
        return self.original_name
