"""Care records around the engine: measurements, medications, structured notes, evaluations and plans.

Evaluation snapshots are append-only (what the engine said, and with which knowledge version); a
structured note is frozen with its signed encounter; a finalized plan is frozen with its decisions.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from stepcare.records.immutability import (
    AppendOnlyModel,
    AppendOnlyQuerySet,
    FrozenRowModel,
    FrozenRowQuerySet,
    stored_value,
)
from stepcare.records.models import SIGNED_ENCOUNTER_MESSAGE, Encounter, EncounterStatus, SignedEncounterError

SNAPSHOT_APPEND_ONLY_MESSAGE = "Evaluation snapshots are append-only; evaluate again instead."
FINAL_PLAN_MESSAGE = "Plan {pk} is finalized and cannot be changed; start a new plan instead."
DECLINE_REASON_REQUIRED = "Give a reason for declining this step (it is kept in the record)."


class FinalPlanError(Exception):
    """Raised on any attempt to change a finalized plan or its items."""


class SnapshotAppendOnlyError(Exception):
    """Raised on any attempt to change or delete an evaluation snapshot."""


# --------------------------------------------------------------------------------------- measurements
class MeasurementSource(models.TextChoices):
    INTAKE = "intake", "Intake"
    VISIT = "visit", "Visit"
    PORTAL = "portal", "Patient portal"
    IMPORT = "import", "Import"


class Measurement(models.Model):
    """One score on one date: a questionnaire (with its raw item answers) or a goal measure."""

    patient = models.ForeignKey("records.Patient", on_delete=models.PROTECT, related_name="measurements")
    date = models.DateField()
    instrument = models.CharField(
        max_length=40, help_text="Questionnaire code (peg, odi, ...) or goal measure."
    )
    score = models.FloatField()
    items = models.JSONField(null=True, blank=True, help_text="Raw item answers, in the instrument's order.")
    source = models.CharField(
        max_length=8, choices=MeasurementSource.choices, default=MeasurementSource.VISIT
    )
    encounter = models.ForeignKey(
        Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="measurements"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("date", "id")
        indexes = [models.Index(fields=("patient", "date"))]

    def __str__(self) -> str:
        return f"{self.instrument} {self.score:g} on {self.date}"


# ---------------------------------------------------------------------------------------- medications
class MedicationUnit(models.TextChoices):
    MG = "mg", "mg"
    MCG = "mcg", "mcg"
    MCG_HR = "mcg/hr", "mcg/hr (patch)"
    G = "g", "g"


class MedicationRoute(models.TextChoices):
    ORAL = "oral", "Oral"
    TRANSDERMAL = "transdermal", "Transdermal"
    BUCCAL = "buccal", "Buccal"
    SUBLINGUAL = "sublingual", "Sublingual"
    INTRANASAL = "intranasal", "Intranasal"
    INTRAVENOUS = "intravenous", "Intravenous"
    INTRAMUSCULAR = "intramuscular", "Intramuscular"
    SUBCUTANEOUS = "subcutaneous", "Subcutaneous"
    RECTAL = "rectal", "Rectal"
    TOPICAL = "topical", "Topical"
    INJECTION = "injection", "Injection"


class MedicationFormulation(models.TextChoices):
    IR = "ir", "Immediate release"
    ER = "er", "Extended release"


class MedicationEntry(models.Model):
    """A medicine the patient takes (or took): the contract's medication fields plus start/stop."""

    patient = models.ForeignKey("records.Patient", on_delete=models.PROTECT, related_name="medications")
    name = models.CharField(max_length=80, help_text="Generic name, e.g. oxycodone.")
    dose = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=8, choices=MedicationUnit.choices, blank=True)
    per_day = models.FloatField(
        null=True, blank=True, help_text="Administrations per day (prn: most allowed)."
    )
    route = models.CharField(max_length=16, choices=MedicationRoute.choices, default=MedicationRoute.ORAL)
    formulation = models.CharField(
        max_length=2, choices=MedicationFormulation.choices, default=MedicationFormulation.IR
    )
    prn = models.BooleanField("as needed (prn)", default=False)
    ingredients = models.JSONField(
        default=list, blank=True, help_text="Combination product: [{name, dose, unit}]."
    )
    start = models.DateField(null=True, blank=True)
    stop = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    stop_reason = models.CharField(max_length=300, blank=True)
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("start", "id")
        indexes = [models.Index(fields=("patient", "stop"))]

    def __str__(self) -> str:
        return f"{self.name} {self.dose_text}"

    @property
    def dose_text(self) -> str:
        if self.ingredients:
            parts = [f"{i['name']} {i['dose']:g} {i['unit']}" for i in self.ingredients]
            dose = " + ".join(parts)
        else:
            dose = f"{self.dose:g} {self.unit}" if self.dose is not None else ""
        if self.per_day and self.unit != MedicationUnit.MCG_HR:
            dose += f" x {self.per_day:g}/day"
        return dose + (" as needed" if self.prn else "")

    def to_case(self) -> dict[str, Any]:
        """The contract's medication object."""
        out: dict[str, Any] = {
            "name": self.name,
            "route": self.route,
            "formulation": self.formulation,
            "prn": self.prn,
        }
        if self.ingredients:
            out["ingredients"] = list(self.ingredients)
        else:
            out["dose"] = self.dose
            out["unit"] = self.unit or None
        if self.per_day is not None:
            out["per_day"] = self.per_day
        if self.start is not None:
            out["start"] = self.start.isoformat()
        return out


# ------------------------------------------------------------------------------- structured note
class EncounterNoteQuerySet(FrozenRowQuerySet["EncounterNote"]):
    """Bulk update() and delete() refuse notes of signed encounters, like records.Encounter."""

    frozen = Q(encounter__status=EncounterStatus.SIGNED)
    frozen_key = "encounter_id"
    error = SignedEncounterError
    message = SIGNED_ENCOUNTER_MESSAGE


class EncounterNote(FrozenRowModel):
    """The structured part of an encounter's note: history, exam findings, assessment, plan, diagnoses."""

    encounter = models.OneToOneField(Encounter, on_delete=models.PROTECT, related_name="care_note")
    history = models.TextField(blank=True)
    exam = models.JSONField(default=dict, blank=True, help_text="Contract exam findings, kebab-case keys.")
    assessment = models.TextField(blank=True)
    plan_text = models.TextField(blank=True)
    diagnoses = models.JSONField(default=list, blank=True, help_text="Clinician-confirmed diagnosis codes.")
    dn4_exam = models.JSONField(
        null=True,
        blank=True,
        help_text="DN4 examination items (8-10) as 0/1 in the instrument's order; null when not examined.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[EncounterNoteQuerySet] = EncounterNoteQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"Note for encounter {self.encounter_id}"

    def frozen_error(self) -> Exception | None:
        # The stored encounter decides, not an in-memory copy.
        if stored_value(Encounter, self.encounter_id, "status") == EncounterStatus.SIGNED:
            return SignedEncounterError(SIGNED_ENCOUNTER_MESSAGE.format(pk=self.encounter_id))
        return None


# ------------------------------------------------------------------------------ evaluation snapshots
class SnapshotQuerySet(AppendOnlyQuerySet["EvaluationSnapshot"]):
    error = SnapshotAppendOnlyError
    message = SNAPSHOT_APPEND_ONLY_MESSAGE


class EvaluationSnapshot(AppendOnlyModel):
    """What the engine said about a patient on a date: the case it saw and its answer, never edited."""

    patient = models.ForeignKey("records.Patient", on_delete=models.PROTECT, related_name="evaluations")
    encounter = models.ForeignKey(
        Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="evaluations"
    )
    as_of = models.DateField()
    case = models.JSONField()
    result = models.JSONField()
    problems = models.JSONField(default=list, blank=True, help_text="Stored data the case had to leave out.")
    knowledge_version = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[SnapshotQuerySet] = SnapshotQuerySet.as_manager()  # type: ignore[assignment]
    append_only_error = SnapshotAppendOnlyError
    append_only_message = SNAPSHOT_APPEND_ONLY_MESSAGE

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("patient", "created_at"))]

    def __str__(self) -> str:
        return f"Evaluation of patient {self.patient_id} as of {self.as_of}"


# ------------------------------------------------------------------------------------------- plans
class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"


class CarePlan(FrozenRowModel):
    """A clinician's plan built from one evaluation; stored with the knowledge version that suggested it."""

    patient = models.ForeignKey("records.Patient", on_delete=models.PROTECT, related_name="care_plans")
    encounter = models.ForeignKey(
        Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="care_plans"
    )
    snapshot = models.ForeignKey(EvaluationSnapshot, on_delete=models.PROTECT, related_name="plans")
    knowledge_version = models.CharField(max_length=100)
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalized_at = models.DateTimeField(null=True, blank=True)

    delete_when_frozen = True  # only save() is guarded here

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("patient", "status"))]

    def __str__(self) -> str:
        return f"Plan {self.pk} for patient {self.patient_id} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status == PlanStatus.FINAL

    def frozen_error(self) -> Exception | None:
        if stored_value(CarePlan, self.pk, "status") == PlanStatus.FINAL:
            return FinalPlanError(FINAL_PLAN_MESSAGE.format(pk=self.pk))
        return None


class PlanOrigin(models.TextChoices):
    ENGINE = "engine", "Suggested by Stepcare"
    CLINICIAN = "clinician", "Added by clinician"


class PlanDecision(models.TextChoices):
    PENDING = "pending", "Not decided"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EDITED = "edited", "Accepted with changes"


class OrderKind(models.TextChoices):
    NONE = "none", "Nothing to order"
    IMAGING = "imaging", "Imaging"
    REFERRAL = "referral", "Referral"
    PROCEDURE = "procedure", "Procedure"
    PRESCRIPTION = "prescription", "Prescription"


class PlanItem(FrozenRowModel):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField()
    code = models.CharField(max_length=64, blank=True, help_text="Plan step code; blank for free text.")
    tier = models.CharField(max_length=16, blank=True)
    label = models.CharField(max_length=300)
    rationale = models.TextField(blank=True)
    citation = models.TextField(blank=True)
    origin = models.CharField(max_length=10, choices=PlanOrigin.choices, default=PlanOrigin.ENGINE)
    decision = models.CharField(max_length=10, choices=PlanDecision.choices, default=PlanDecision.PENDING)
    decline_reason = models.CharField(max_length=500, blank=True)
    edited_label = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    order_kind = models.CharField(max_length=16, choices=OrderKind.choices, default=OrderKind.NONE)
    order_detail = models.TextField(blank=True)
    prescription = models.JSONField(null=True, blank=True, help_text="Medication fields for a prescription.")
    medication = models.OneToOneField(
        MedicationEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_item"
    )

    delete_when_frozen = True  # only save() is guarded here

    class Meta:
        ordering = ("order", "id")
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="declined") | ~Q(decline_reason=""),
                name="plan_item_decline_needs_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.shown_label} ({self.decision})"

    @property
    def shown_label(self) -> str:
        return self.edited_label or self.label

    @property
    def is_in_plan(self) -> bool:
        return self.decision in (PlanDecision.ACCEPTED, PlanDecision.EDITED)

    def clean(self) -> None:
        super().clean()
        if self.decision == PlanDecision.DECLINED and not self.decline_reason.strip():
            raise ValidationError({"decline_reason": DECLINE_REASON_REQUIRED})

    def frozen_error(self) -> Exception | None:
        if stored_value(CarePlan, self.plan_id, "status") == PlanStatus.FINAL:
            return FinalPlanError(FINAL_PLAN_MESSAGE.format(pk=self.plan_id))
        return None


# ------------------------------------------------------------------------------- clinical profile
PROFILE_APPEND_ONLY_MESSAGE = "Clinical profiles are append-only; record a new one instead."


class ProfileAppendOnlyError(Exception):
    """Raised on any attempt to change or delete a recorded clinical profile."""


class ProfileQuerySet(AppendOnlyQuerySet["ClinicalProfile"]):
    error = ProfileAppendOnlyError
    message = PROFILE_APPEND_ONLY_MESSAGE


class LiverDisease(models.TextChoices):
    NONE = "none", "No liver disease"
    MILD = "mild", "Mild liver disease"
    SEVERE = "severe", "Severe liver disease (e.g. cirrhosis)"


class ClinicalProfile(AppendOnlyModel):
    """The medical background a clinician confirmed: kidney and liver function, conditions, pregnancy and
    psychological clearance for neuromodulation — what changes which treatments are safe or eligible.

    Append-only: each save adds a row and the latest row is the patient's profile, so every earlier value
    (who entered eGFR 25, and when) stays in the record. Blank/None fields fall back to the intake's answer.
    """

    patient = models.ForeignKey("records.Patient", on_delete=models.PROTECT, related_name="clinical_profiles")
    egfr = models.FloatField("eGFR (mL/min/1.73 m²)", null=True, blank=True)
    egfr_date = models.DateField("eGFR lab date", null=True, blank=True)
    liver_disease = models.CharField(max_length=8, choices=LiverDisease.choices, blank=True)
    conditions = models.JSONField(default=list, blank=True, help_text="Contract patient.conditions codes.")
    pregnant = models.BooleanField(null=True, blank=True)
    psych_evaluation_date = models.DateField(null=True, blank=True)
    psych_cleared = models.BooleanField(
        null=True, blank=True, help_text="Psychological evaluation for neuromodulation: cleared?"
    )
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[ProfileQuerySet] = ProfileQuerySet.as_manager()  # type: ignore[assignment]
    append_only_error = ProfileAppendOnlyError
    append_only_message = PROFILE_APPEND_ONLY_MESSAGE

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("patient", "created_at"))]

    def __str__(self) -> str:
        return f"Clinical profile {self.pk} of patient {self.patient_id}"


# ----------------------------------------------------------------- patient-reported conditions ruled out
RULING_APPEND_ONLY_MESSAGE = "Condition rulings are append-only; record a new ruling instead."
RULING_REASON_REQUIRED = "Say why the condition is ruled out (it is kept in the record)."


class RulingAppendOnlyError(Exception):
    """Raised on any attempt to change or delete a recorded condition ruling."""


class RulingQuerySet(AppendOnlyQuerySet["ReportedConditionRuling"]):
    error = RulingAppendOnlyError
    message = RULING_APPEND_ONLY_MESSAGE


class ReportedConditionRuling(AppendOnlyModel):
    """A clinician rules out a condition the patient reported at intake (with why), or withdraws that ruling.

    Append-only: the latest row per condition is in force, so every ruling and its undoing stays in the
    record. A ruling corrects the reports made before it: an intake submitted later that reports the
    condition again brings it back into the evaluation.
    """

    patient = models.ForeignKey("records.Patient", on_delete=models.PROTECT, related_name="condition_rulings")
    condition = models.CharField(max_length=40, help_text="Contract patient.conditions code.")
    ruled_out = models.BooleanField(help_text="True: ruled out; False: an earlier ruling withdrawn.")
    reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RulingQuerySet] = RulingQuerySet.as_manager()  # type: ignore[assignment]
    append_only_error = RulingAppendOnlyError
    append_only_message = RULING_APPEND_ONLY_MESSAGE

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("patient", "created_at"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(ruled_out=False) | ~Q(reason=""), name="condition_ruling_needs_reason"
            )
        ]

    def __str__(self) -> str:
        verb = "ruled out" if self.ruled_out else "ruling withdrawn"
        return f"{self.condition} {verb} for patient {self.patient_id}"
