"""The Stepcare user: one role, a clinic for staff, and for patients a link to their own record."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


class Role(models.TextChoices):
    PHYSICIAN = "physician", "Physician"
    NURSE = "nurse", "Clinical staff (RN/MA/NP/PA)"
    FRONT_DESK = "front_desk", "Front desk"
    THERAPIST = "therapist", "Therapist (PT/OT/psychology)"
    CLINIC_ADMIN = "clinic_admin", "Clinic administrator"
    PATIENT = "patient", "Patient"


STAFF_ROLES: tuple[str, ...] = (
    Role.PHYSICIAN,
    Role.NURSE,
    Role.FRONT_DESK,
    Role.THERAPIST,
    Role.CLINIC_ADMIN,
)
CLINICAL_ROLES: tuple[str, ...] = (Role.PHYSICIAN, Role.NURSE, Role.THERAPIST)


class Credential(models.TextChoices):
    RN = "RN", "Registered nurse"
    MA = "MA", "Medical assistant"
    NP = "NP", "Nurse practitioner"
    PA = "PA", "Physician assistant"


class Discipline(models.TextChoices):
    PT = "PT", "Physical therapy"
    OT = "OT", "Occupational therapy"
    PSYCHOLOGY = "psychology", "Psychology"


CLINIC_REQUIRED = "Staff users must belong to a clinic."
PATIENT_LINK_REQUIRED = "A patient user must be linked to exactly one patient record."
PATIENT_LINK_FORBIDDEN = "Only users with the patient role may be linked to a patient record."
PATIENT_CLINIC_MISMATCH = "A patient user's clinic must be the clinic of their patient record."
CREDENTIAL_ONLY_NURSE = "Only clinical staff (nurse role) have a credential."
DISCIPLINE_ONLY_THERAPIST = "Only therapists have a discipline."


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices)
    clinic = models.ForeignKey(
        "records.Clinic", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    credential = models.CharField(max_length=8, choices=Credential.choices, blank=True)
    discipline = models.CharField(max_length=16, choices=Discipline.choices, blank=True)
    patient = models.OneToOneField(
        "records.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="user"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="patient", patient__isnull=False))
                | (~models.Q(role="patient") & models.Q(patient__isnull=True)),
                name="user_patient_role_iff_patient_link",
            ),
            models.CheckConstraint(
                condition=models.Q(role="patient") | models.Q(clinic__isnull=False),
                name="user_staff_has_clinic",
            ),
        ]

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.role == Role.PATIENT:
            if self.patient_id is None:
                errors["patient"] = PATIENT_LINK_REQUIRED
            elif (
                self.clinic_id is not None
                and self.patient is not None
                and self.patient.clinic_id != self.clinic_id
            ):
                errors["clinic"] = PATIENT_CLINIC_MISMATCH
        else:
            if self.patient_id is not None:
                errors["patient"] = PATIENT_LINK_FORBIDDEN
            if self.clinic_id is None:
                errors["clinic"] = CLINIC_REQUIRED
        if self.credential and self.role != Role.NURSE:
            errors["credential"] = CREDENTIAL_ONLY_NURSE
        if self.discipline and self.role != Role.THERAPIST:
            errors["discipline"] = DISCIPLINE_ONLY_THERAPIST
        if errors:
            raise ValidationError(errors)
