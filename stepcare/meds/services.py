"""Writes of the medication pages, each in one transaction with its one audit event.

Orders are `care.MedicationEntry` rows. A change never edits the old order: it stops it on the day the
new one starts and adds the new one, so the list keeps what was taken when.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest

from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.care.models import MedicationEntry
from stepcare.meds.models import MonitoringEvent, TaperRecord

if TYPE_CHECKING:
    from stepcare.accounts.models import User
    from stepcare.records.models import Patient

ORDER_FIELDS = (
    "name",
    "dose",
    "unit",
    "per_day",
    "route",
    "formulation",
    "prn",
    "ingredients",
    "start",
    "reason",
)


def _order_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(ORDER_FIELDS))
    if unknown:
        raise ValueError(f"Unknown medication fields: {', '.join(unknown)}")
    return dict(fields)


@transaction.atomic
def medication_order_create(
    *,
    actor: User,
    patient: Patient,
    fields: Mapping[str, Any],
    unrecognized_confirmed: bool = False,
    request: HttpRequest | None = None,
) -> MedicationEntry:
    entry = MedicationEntry.objects.create(patient=patient, prescriber=actor, **_order_values(fields))
    audit_record(
        request=request,
        user=actor,
        action=Action.CREATE,
        patient=patient,
        obj=entry,
        detail={
            "page": "medication-order",
            "name": entry.name,
            "unrecognized_confirmed": unrecognized_confirmed,
        },
    )
    return entry


@transaction.atomic
def medication_order_change(
    *,
    actor: User,
    medication: MedicationEntry,
    fields: Mapping[str, Any],
    unrecognized_confirmed: bool = False,
    request: HttpRequest | None = None,
) -> MedicationEntry:
    """Stop `medication` on the new order's start date and add the new order in its place."""
    values = _order_values(fields)
    medication.stop = values["start"]
    medication.stop_reason = f"Changed to {values['name']}" + (
        f": {values['reason']}" if values.get("reason") else ""
    )
    medication.save(update_fields=["stop", "stop_reason"])
    entry = MedicationEntry.objects.create(patient=medication.patient, prescriber=actor, **values)
    audit_record(
        request=request,
        user=actor,
        action=Action.UPDATE,
        patient=medication.patient,
        obj=entry,
        detail={
            "page": "medication-order-change",
            "replaces": medication.pk,
            "name": entry.name,
            "unrecognized_confirmed": unrecognized_confirmed,
        },
    )
    return entry


@transaction.atomic
def medication_order_stop(
    *,
    actor: User,
    medication: MedicationEntry,
    stop: datetime.date,
    reason: str,
    request: HttpRequest | None = None,
) -> MedicationEntry:
    medication.stop = stop
    medication.stop_reason = reason
    medication.save(update_fields=["stop", "stop_reason"])
    audit_record(
        request=request,
        user=actor,
        action=Action.UPDATE,
        patient=medication.patient,
        obj=medication,
        detail={"page": "medication-order-stop", "stopped": stop.isoformat()},
    )
    return medication


@transaction.atomic
def monitoring_event_record(
    *,
    actor: User,
    patient: Patient,
    kind: str,
    date: datetime.date,
    note: str,
    request: HttpRequest | None = None,
) -> MonitoringEvent:
    event = MonitoringEvent.objects.create(
        patient=patient, kind=kind, date=date, note=note, recorded_by=actor
    )
    audit_record(
        request=request,
        user=actor,
        action=Action.CREATE,
        patient=patient,
        obj=event,
        detail={"page": "medication-monitoring", "kind": kind, "date": date.isoformat()},
    )
    return event


@transaction.atomic
def taper_record_save(
    *,
    actor: User,
    patient: Patient,
    pace: str,
    start: datetime.date,
    table: str,
    target_mme: float,
    plan: dict[str, Any],
    knowledge_version: str,
    request: HttpRequest | None = None,
) -> TaperRecord:
    record = TaperRecord.objects.create(
        patient=patient,
        pace=pace,
        start=start,
        table=table,
        target_mme=target_mme,
        plan=plan,
        knowledge_version=knowledge_version,
        created_by=actor,
    )
    audit_record(
        request=request,
        user=actor,
        action=Action.CREATE,
        patient=patient,
        obj=record,
        detail={
            "page": "medication-taper",
            "pace": pace,
            "start": start.isoformat(),
            "steps": len(plan["steps"]),
        },
    )
    return record
