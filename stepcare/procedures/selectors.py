"""Reads for procedures: permission-checked getters, the contract's `procedures` list, the hold review
and the prior-authorization packet."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpRequest

from stepcare.accounts.models import Role
from stepcare.clinical import parse_case
from stepcare.clinical import procedures as knowledge
from stepcare.clinical.medications import neuraxial_hold
from stepcare.procedures.models import DONE_STATUSES, BlockDiary, ProcedureRecord, Status
from stepcare.records.models import Patient
from stepcare.records.selectors import clinic_today, deny_not_visible, patients_visible_to
from stepcare.records.vocab import diagnosis_label

if TYPE_CHECKING:
    from stepcare.accounts.models import User


def procedures_visible_to(user: User) -> QuerySet[ProcedureRecord]:
    return ProcedureRecord.objects.filter(patient__in=patients_visible_to(user))


def get_procedure_for_user(*, user: User, procedure_id: int, request: HttpRequest) -> ProcedureRecord:
    """The procedure if this user may see its patient (a patient: only their own); else 404, audited."""
    procedure = (
        procedures_visible_to(user)
        .select_related("patient", "patient__clinic", "patient__insurance", "performed_by", "created_by")
        .filter(pk=procedure_id)
        .first()
    )
    if procedure is None:
        raise deny_not_visible(
            request=request, user=user, object_type="procedures.procedurerecord", object_id=procedure_id
        )
    return procedure


def procedures_for_patient(patient: Patient) -> QuerySet[ProcedureRecord]:
    return (
        ProcedureRecord.objects.filter(patient=patient)
        .select_related("performed_by")
        .order_by("-created_at", "-id")
    )


def diary_for(procedure: ProcedureRecord) -> BlockDiary | None:
    return BlockDiary.objects.filter(procedure=procedure).prefetch_related("entries").first()


def procedures_case_data(patient: Patient) -> list[dict[str, Any]]:
    """The contract's `procedures` list: every performed procedure with its measured response."""
    out: list[dict[str, Any]] = []
    rows = ProcedureRecord.objects.filter(
        patient=patient, status__in=DONE_STATUSES, performed_on__isnull=False
    )
    for p in rows.order_by("performed_on", "id"):
        item: dict[str, Any] = {
            "code": p.code,
            "date": p.performed_on.isoformat() if p.performed_on else None,
        }
        if p.region:
            item["region"] = p.region
        if p.side:
            item["side"] = p.side
        if p.levels:
            item["level"] = p.levels[:40]
        for name in ("relief_percent", "relief_hours", "function_improved"):
            value = getattr(p, name)
            if value is not None:
                item[name] = value
        out.append(item)
    return out


def case_for(patient: Patient, *, as_of: datetime.date) -> dict[str, Any]:
    """The patient's contract case: care's assembly, which already holds the recorded procedures."""
    from stepcare.care.selectors import case_for_patient  # care is part of the standard installation

    return case_for_patient(patient, as_of=as_of)


# ------------------------------------------------------------------------------- anticoagulant hold
def hold_review(procedure: ProcedureRecord, *, as_of: datetime.date) -> list[dict[str, Any]]:
    """Each active anticoagulant/antiplatelet with its hold time, when this procedure needs the review."""
    if not procedure.needs_hold_review:
        return []
    case = case_for(procedure.patient, as_of=as_of)
    return neuraxial_hold(parse_case(case))


# ------------------------------------------------------------------------------ prior authorization
@dataclass(frozen=True)
class PriorAuthPacket:
    procedure: ProcedureRecord
    patient: Patient
    as_of: datetime.date
    entry: knowledge.ProcedureEntry
    eligible: bool
    met: list[str]
    unmet: list[str]
    citation: str
    diagnoses: list[str]
    conservative_care: list[dict[str, Any]]
    prior_procedures: list[ProcedureRecord]
    imaging: list[dict[str, Any]]
    medications: list[dict[str, Any]]
    prepared_by: str
    prepared_on: datetime.date
    cpt: list[str]


def prior_auth_packet(*, procedure: ProcedureRecord, user: User) -> PriorAuthPacket:
    """Payer criteria for this procedure judged on the chart as of the intended date of service."""
    today = clinic_today(user)
    as_of = procedure.scheduled_for or procedure.planned_date or today
    patient = procedure.patient
    case = case_for(patient, as_of=as_of)
    verdict = knowledge.eligibility(parse_case(case), plan_codes=[procedure.code], payer=procedure.payer)[
        procedure.code
    ]
    entry = procedure.entry
    conservative = knowledge.payer_knowledge().conservative_codes.codes
    prior = list(
        ProcedureRecord.objects.filter(patient=patient, status__in=DONE_STATUSES)
        .exclude(pk=procedure.pk)
        .order_by("performed_on", "id")
    )
    return PriorAuthPacket(
        procedure=procedure,
        patient=patient,
        as_of=as_of,
        entry=entry,
        eligible=verdict.eligible,
        met=list(verdict.met),
        unmet=list(verdict.unmet),
        citation=verdict.citation,
        diagnoses=[f"{diagnosis_label(d)} ({d})" for d in case.get("diagnoses") or []],
        conservative_care=[t for t in case.get("therapies") or [] if t.get("code") in conservative],
        prior_procedures=prior,
        imaging=list(case.get("imaging") or []),
        medications=list(case.get("medications") or []),
        prepared_by=user.display_name if hasattr(user, "display_name") else user.get_username(),
        prepared_on=today,
        cpt=[f"{c.code} ({c.use})" for c in entry.cpt],
    )


def portal_procedures(user: User) -> QuerySet[ProcedureRecord]:
    """A patient's own procedures (none for anyone else)."""
    if user.role != Role.PATIENT or user.patient_id is None:
        return ProcedureRecord.objects.none()
    return ProcedureRecord.objects.filter(patient_id=user.patient_id).exclude(status=Status.CANCELLED)
