"""Opioid-stewardship records beside the medication list: monitoring checks and saved taper plans.

Medication orders themselves are `care.MedicationEntry` rows; this app adds what the engine's
`monitoring` block and the taper planner need to be kept in the record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MonitoringKind(models.TextChoices):
    PDMP_REVIEWED = "pdmp-reviewed", "PDMP reviewed"
    URINE_DRUG_TEST = "urine-drug-test", "Urine drug test"
    TREATMENT_AGREEMENT = "treatment-agreement", "Treatment agreement signed"
    OPIOID_REASSESSED = "opioid-reassessed", "Opioid benefit/harm reassessed"
    NALOXONE_DISPENSED = "naloxone-dispensed", "Naloxone dispensed or prescribed"


# Monitoring kind → the field of the engine contract's `monitoring` block it dates.
CASE_FIELDS: dict[str, str] = {
    MonitoringKind.PDMP_REVIEWED: "pdmp_reviewed",
    MonitoringKind.URINE_DRUG_TEST: "urine_drug_test",
    MonitoringKind.TREATMENT_AGREEMENT: "treatment_agreement",
    MonitoringKind.OPIOID_REASSESSED: "opioid_reassessed",
    MonitoringKind.NALOXONE_DISPENSED: "naloxone_dispensed",
}


class MonitoringEvent(models.Model):
    """One opioid-stewardship check done on a date (CDC 2022 recommendations 8-10)."""

    patient = models.ForeignKey("records.Patient", on_delete=models.PROTECT, related_name="monitoring_events")
    kind = models.CharField(max_length=24, choices=MonitoringKind.choices)
    date = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-date", "-id")
        indexes = [models.Index(fields=("patient", "kind", "date"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date}"


class TaperRecord(models.Model):
    """A taper schedule the clinician saved to the record; it changes no order by itself."""

    patient = models.ForeignKey("records.Patient", on_delete=models.PROTECT, related_name="taper_records")
    pace = models.CharField(max_length=16)
    start = models.DateField()
    table = models.CharField(max_length=16)
    target_mme = models.FloatField(default=0)
    plan = models.JSONField(help_text="TaperPlan.to_dict() with each step's date.")
    knowledge_version = models.CharField(max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("patient", "created_at"))]

    def __str__(self) -> str:
        return f"Taper ({self.pace}) from {self.start} for patient {self.patient_id}"
