"""Builders for the procedure and report tests."""

from __future__ import annotations

import datetime
from typing import Any

from stepcare.accounts.models import User
from stepcare.procedures.models import ProcedureConsent, ProcedureRecord, Status
from stepcare.records.models import Patient


def make_procedure(
    patient: Patient, by: User, code: str = "medial-branch-block", status: str = Status.PLANNED, **fields: Any
) -> ProcedureRecord:
    values: dict[str, Any] = {"region": "low-back", "side": "left", "levels": "L4-L5"}
    values.update(fields)
    return ProcedureRecord.objects.create(
        patient=patient, clinic=patient.clinic, code=code, status=status, created_by=by, **values
    )


def performed(
    patient: Patient, by: User, code: str, day: datetime.date, relief: float | None = None, **fields: Any
) -> ProcedureRecord:
    return make_procedure(
        patient,
        by,
        code,
        Status.RESPONSE_RECORDED if relief is not None else Status.PERFORMED,
        performed_on=day,
        performed_by=by,
        relief_percent=relief,
        **fields,
    )


def consent(procedure: ProcedureRecord, by: User) -> ProcedureConsent:
    return ProcedureConsent.objects.create(
        procedure=procedure,
        risks=list(procedure.entry.risks),
        confirmed_by=by,
        confirmed_at=datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC),
    )
