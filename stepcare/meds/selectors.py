"""Reads for the medication pages: the order lines, the case the engine sees, monitoring dates, tapers.

The patient passed in has already been fetched through `get_patient_for_user` by the view.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Max, QuerySet
from django.http import HttpRequest

from stepcare.care.models import MedicationEntry
from stepcare.care.selectors import case_for_patient, patient_today
from stepcare.meds.models import CASE_FIELDS, MonitoringEvent, TaperRecord
from stepcare.meds.regimen import Regimen, assess_regimen
from stepcare.records.selectors import deny_not_visible

if TYPE_CHECKING:
    from stepcare.accounts.models import User
    from stepcare.records.models import Patient


def monitoring_case_data(patient: Patient, *, as_of: datetime.date | None = None) -> dict[str, str]:
    """The case's `monitoring` block: the latest date of each recorded check (none after `as_of`)."""
    events = MonitoringEvent.objects.filter(patient=patient)
    if as_of is not None:
        events = events.filter(date__lte=as_of)
    latest = events.values("kind").annotate(last=Max("date"))
    return {CASE_FIELDS[row["kind"]]: row["last"].isoformat() for row in latest if row["kind"] in CASE_FIELDS}


def monitoring_events(patient: Patient, *, limit: int = 20) -> list[MonitoringEvent]:
    return list(
        MonitoringEvent.objects.filter(patient=patient)
        .select_related("recorded_by")
        .order_by("-date", "-id")[:limit]
    )


def is_active(entry: MedicationEntry, day: datetime.date) -> bool:
    """Taken on `day`: started (or no start recorded) and not yet stopped."""
    started = entry.start is None or entry.start <= day
    stopped = entry.stop is not None and entry.stop <= day
    return started and not stopped


@dataclass(frozen=True)
class MedicationList:
    """The clinic's list split for display, and the case the engine assessed (lines = `active`)."""

    today: datetime.date
    active: list[MedicationEntry]
    planned: list[MedicationEntry]
    stopped: list[MedicationEntry]
    case: dict[str, Any]


def medication_list(patient: Patient, *, as_of: datetime.date | None = None) -> MedicationList:
    """Active, planned and stopped entries, and the patient's case with exactly the active lines."""
    day = as_of or patient_today(patient)
    entries = list(
        MedicationEntry.objects.filter(patient=patient).select_related("prescriber").order_by("start", "id")
    )
    active = [e for e in entries if is_active(e, day)]
    planned = [e for e in entries if e.start is not None and e.start > day and e.stop is None]
    stopped = [e for e in entries if e.stop is not None and e.stop <= day]
    case = case_for_patient(patient, as_of=day)
    # The page's lines are the clinic's list, even before it replaced what the patient reported at intake.
    case.pop("medications", None)
    if active:
        case["medications"] = [e.to_case() for e in active]
    case["monitoring"] = monitoring_case_data(patient, as_of=day)
    return MedicationList(today=day, active=active, planned=planned, stopped=stopped, case=case)


def regimen(medications: MedicationList, *, table: str) -> Regimen:
    return assess_regimen(medications.case, table=table)


def get_order_for_patient(
    *, user: User, patient: Patient, medication_id: int, request: HttpRequest
) -> MedicationEntry:
    """A medication entry of this (already permission-checked) patient; otherwise 404, audited as denied."""
    entry = MedicationEntry.objects.filter(pk=medication_id, patient=patient).first()
    if entry is None:
        raise deny_not_visible(
            request=request, user=user, object_type="care.medicationentry", object_id=medication_id
        )
    return entry


def taper_records(patient: Patient, *, limit: int = 10) -> QuerySet[TaperRecord]:
    return (
        TaperRecord.objects.filter(patient=patient)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )
