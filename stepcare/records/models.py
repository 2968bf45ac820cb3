"""Clinics, insurance plans, patients, encounters and their append-only amendments."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from stepcare.records.immutability import (
    AppendOnlyModel,
    AppendOnlyQuerySet,
    FrozenRowModel,
    FrozenRowQuerySet,
    stored_value,
)
from stepcare.records.time_zones import default_time_zone, validate_time_zone
from stepcare.records.vocab import DIAGNOSIS_CHOICES

SIGNED_ENCOUNTER_MESSAGE = "Encounter {pk} is signed and cannot be changed; add an amendment instead."


class SignedEncounterError(Exception):
    """Raised on any attempt to change or delete a signed encounter."""


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    timezone = models.CharField(
        "time zone",
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="IANA name, e.g. America/Chicago: the clinic's pages show times and 'today' in it.",
    )

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class InsurancePlan(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="insurance_plans")
    name = models.CharField(max_length=200)
    payer = models.CharField(max_length=200)
    referral_required = models.BooleanField(default=False)
    visits_allowed_per_year = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=("clinic", "name"), name="insurance_plan_unique_name_per_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.payer})"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Patient(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=16, choices=Sex.choices, default=Sex.UNKNOWN)
    mrn = models.CharField("MRN", max_length=32)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    pcp_name = models.CharField("PCP name", max_length=200, blank=True)
    pcp_phone = models.CharField("PCP phone", max_length=32, blank=True)
    pcp_fax = models.CharField("PCP fax", max_length=32, blank=True)
    pcp_email = models.EmailField("PCP email", blank=True)
    insurance = models.ForeignKey(
        InsurancePlan, on_delete=models.PROTECT, null=True, blank=True, related_name="patients"
    )
    member_id = models.CharField("member ID", max_length=64, blank=True)
    presenting_problem = models.CharField(max_length=300, blank=True)
    primary_condition = models.CharField(max_length=64, choices=DIAGNOSIS_CHOICES, blank=True)
    story = models.TextField(blank=True, help_text="Background in the patient's own words.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("family_name", "given_name", "id")
        constraints = [
            models.UniqueConstraint(fields=("clinic", "mrn"), name="patient_unique_mrn_per_clinic")
        ]
        indexes = [models.Index(fields=("clinic", "family_name", "given_name"))]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} (MRN {self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: datetime.date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())


class EncounterType(models.TextChoices):
    NEW_CONSULT = "new-consult", "New consult"
    FOLLOW_UP = "follow-up", "Follow-up"
    PROCEDURE = "procedure", "Procedure"
    URGENT = "urgent", "Urgent"
    TELEHEALTH = "telehealth", "Telehealth"


class EncounterStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class EncounterQuerySet(FrozenRowQuerySet["Encounter"]):
    """Bulk update() and delete() refuse to touch signed rows."""

    frozen = models.Q(status=EncounterStatus.SIGNED)
    error = SignedEncounterError
    message = SIGNED_ENCOUNTER_MESSAGE


class Encounter(FrozenRowModel):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="encounters")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="encounters")
    type = models.CharField(max_length=16, choices=EncounterType.choices, default=EncounterType.FOLLOW_UP)
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="encounters"
    )
    status = models.CharField(max_length=8, choices=EncounterStatus.choices, default=EncounterStatus.DRAFT)
    chief_complaint = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_encounters",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[EncounterQuerySet] = EncounterQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ("-date", "-start_time", "-id")
        indexes = [models.Index(fields=("clinic", "date")), models.Index(fields=("patient", "date"))]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.date} ({self.get_status_display()})"

    @property
    def is_signed(self) -> bool:
        return self.status == EncounterStatus.SIGNED

    def frozen_error(self) -> Exception | None:
        # The stored row decides: an in-memory object cannot "unsign" its way past this check.
        if stored_value(Encounter, self.pk, "status") == EncounterStatus.SIGNED:
            return SignedEncounterError(SIGNED_ENCOUNTER_MESSAGE.format(pk=self.pk))
        return None


AMENDMENT_APPEND_ONLY_MESSAGE = "Amendments are append-only; add a new amendment instead."


class AmendmentQuerySet(AppendOnlyQuerySet["EncounterAmendment"]):
    error = SignedEncounterError
    message = AMENDMENT_APPEND_ONLY_MESSAGE


class EncounterAmendment(AppendOnlyModel):
    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="amendments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()
    reason = models.CharField(max_length=300)

    objects: ClassVar[AmendmentQuerySet] = AmendmentQuerySet.as_manager()  # type: ignore[assignment]
    append_only_error = SignedEncounterError
    append_only_message = AMENDMENT_APPEND_ONLY_MESSAGE

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"Amendment {self.pk} to encounter {self.encounter_id}"
