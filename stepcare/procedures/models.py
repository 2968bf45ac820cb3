"""Interventional procedures: the record's workflow, its consent, and the diagnostic-block diary.

Status only moves through `stepcare.procedures.services` (one function per transition, each refusing an
illegal jump); what a procedure is (label, risks, diary schedule, hold review) is read from the clinical
knowledge files, never stored here, so a knowledge update shows everywhere at once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from stepcare.clinical import procedures as knowledge


def procedure_choices() -> list[tuple[str, str]]:
    """Tier-4/5 step codes from procedures.yaml, labelled."""
    return [(p.id, p.label) for p in knowledge.knowledge().procedures]


def anaesthetic_choices() -> list[tuple[str, str]]:
    return [(a.id, a.id.capitalize()) for a in knowledge.knowledge().anaesthetics]


def payer_choices() -> list[tuple[str, str]]:
    """Payers with criteria on file (payer_criteria.yaml)."""
    return [(p, p.capitalize()) for p in sorted(knowledge.payers())]


class Status(models.TextChoices):
    PLANNED = "planned", "Planned"
    AUTH_REQUESTED = "prior-auth-requested", "Prior authorization requested"
    AUTHORIZED = "authorized", "Authorized"
    DENIED = "denied", "Denied"
    SCHEDULED = "scheduled", "Scheduled"
    PERFORMED = "performed", "Performed"
    RESPONSE_RECORDED = "response-recorded", "Response recorded"
    CANCELLED = "cancelled", "Cancelled"


DONE_STATUSES = (Status.PERFORMED, Status.RESPONSE_RECORDED)


class Region(models.TextChoices):
    LOW_BACK = "low-back", "Low back (lumbar/sacral)"
    NECK = "neck", "Neck (cervical)"
    THORACIC = "thoracic-back", "Thoracic back"
    BUTTOCK = "buttock", "Buttock"
    PELVIS = "pelvis", "Pelvis / SI joint"
    HIP = "hip", "Hip"
    KNEE = "knee", "Knee"
    SHOULDER = "shoulder", "Shoulder"
    HEAD = "head", "Head (occipital)"
    ABDOMEN = "abdomen", "Abdomen"
    CHEST_WALL = "chest-wall", "Chest wall"
    ANKLE_FOOT = "ankle-foot", "Ankle / foot"
    WIDESPREAD = "widespread", "Widespread"


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Bilateral"
    MIDLINE = "midline", "Midline"


class Approach(models.TextChoices):
    TRANSFORAMINAL = "transforaminal", "Transforaminal"
    INTERLAMINAR = "interlaminar", "Interlaminar"
    CAUDAL = "caudal", "Caudal"


class Guidance(models.TextChoices):
    FLUOROSCOPY = "fluoroscopy", "Fluoroscopy"
    CT = "ct", "CT"
    ULTRASOUND = "ultrasound", "Ultrasound"
    LANDMARK = "landmark", "Landmark"


class ProcedureRecord(models.Model):
    """One planned or performed procedure for a patient, from plan to measured response."""

    patient = models.ForeignKey("records.Patient", on_delete=models.PROTECT, related_name="procedures")
    clinic = models.ForeignKey("records.Clinic", on_delete=models.PROTECT, related_name="procedures")
    code = models.CharField("procedure", max_length=64, choices=procedure_choices)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.PLANNED)
    region = models.CharField(max_length=16, choices=Region.choices)
    side = models.CharField(max_length=10, choices=Side.choices, blank=True)
    levels = models.CharField("level(s)", max_length=40, blank=True, help_text="e.g. L4-L5, L5-S1")
    approach = models.CharField(max_length=16, choices=Approach.choices, blank=True)
    guidance = models.CharField(max_length=12, choices=Guidance.choices, blank=True)
    planned_date = models.DateField(
        null=True, blank=True, help_text="Intended date of service (the payer policy in force then applies)."
    )
    indication = models.CharField(max_length=300, blank=True)
    # Prior authorization
    payer = models.CharField(max_length=32, choices=payer_choices, default="medicare")
    authorization_number = models.CharField(max_length=64, blank=True)
    denial_reason = models.CharField(max_length=500, blank=True)
    # Scheduling and the anticoagulant hold review
    scheduled_for = models.DateField(null=True, blank=True)
    hold_review = models.JSONField(
        default=list, blank=True, help_text="Per drug: hold days, last dose date, citation (as confirmed)."
    )
    hold_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hold_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Performance
    anaesthetic = models.CharField(max_length=16, choices=anaesthetic_choices, blank=True)
    anaesthetic_dose = models.CharField(max_length=60, blank=True, help_text="e.g. 0.5 mL 0.5%")
    steroid = models.CharField(max_length=60, blank=True, help_text="e.g. dexamethasone")
    steroid_dose = models.CharField(max_length=60, blank=True, help_text="e.g. 10 mg")
    complications = models.TextField(blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    performed_on = models.DateField(null=True, blank=True)
    # Response
    relief_percent = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    relief_hours = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    function_improved = models.BooleanField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    # When each status was reached
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    auth_requested_at = models.DateTimeField(null=True, blank=True)
    authorized_at = models.DateTimeField(null=True, blank=True)
    denied_at = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    performed_at = models.DateTimeField(null=True, blank=True)
    response_recorded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("patient", "status")),
            models.Index(fields=("clinic", "status")),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} for patient {self.patient_id} ({self.get_status_display()})"

    @property
    def entry(self) -> knowledge.ProcedureEntry:
        return next(p for p in knowledge.knowledge().procedures if p.id == self.code)

    @property
    def needs_hold_review(self) -> bool:
        return knowledge.hold_required(self.code)

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES


class ProcedureConsent(models.Model):
    """The risks discussed before the procedure, each ticked, and who recorded it when."""

    procedure = models.OneToOneField(ProcedureRecord, on_delete=models.PROTECT, related_name="consent")
    risks = models.JSONField(help_text="The risks from procedures.yaml that were discussed (all of them).")
    questions = models.TextField(blank=True, help_text="The patient's questions and the answers given.")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Consent for procedure {self.procedure_id}"


class BlockDiary(models.Model):
    """Pain scores before a diagnostic block and at the block type's time points after it."""

    procedure = models.OneToOneField(ProcedureRecord, on_delete=models.PROTECT, related_name="diary")
    anaesthetic = models.CharField(max_length=16, choices=anaesthetic_choices)
    pre_nrs = models.PositiveSmallIntegerField(
        "pain just before the block (0-10)", validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    result = models.JSONField(null=True, blank=True, help_text="blocks.block_relief() as last computed.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Block diary for procedure {self.procedure_id}"


class BlockDiaryEntry(models.Model):
    diary = models.ForeignKey(BlockDiary, on_delete=models.CASCADE, related_name="entries")
    hours = models.FloatField(help_text="Hours after the block (a time point of the schedule).")
    nrs = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(10)])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("hours",)
        constraints = [models.UniqueConstraint(fields=("diary", "hours"), name="diary_one_score_per_time")]

    def __str__(self) -> str:
        return f"NRS {self.nrs} at {self.hours:g} h"
