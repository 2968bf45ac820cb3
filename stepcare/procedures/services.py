"""Writes for procedures: one function per workflow transition, each refusing an illegal jump.

Every service runs in one transaction and writes exactly one audit event. Rules a clinician must not be
able to skip (the consent before the procedure, the anticoagulant hold review before scheduling a spine
procedure) are checked here, not only in the forms, and raise `ProcedureRuleError` naming the field.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.clinical import blocks
from stepcare.procedures.models import (
    BlockDiary,
    BlockDiaryEntry,
    ProcedureConsent,
    ProcedureRecord,
    Status,
)

if TYPE_CHECKING:
    from stepcare.accounts.models import User
    from stepcare.records.models import Patient

# action → (statuses it may start from, status it reaches)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "request-auth": ((Status.PLANNED, Status.DENIED), Status.AUTH_REQUESTED),
    "authorize": ((Status.AUTH_REQUESTED,), Status.AUTHORIZED),
    "deny": ((Status.AUTH_REQUESTED,), Status.DENIED),
    "schedule": ((Status.AUTHORIZED, Status.SCHEDULED), Status.SCHEDULED),
    "perform": ((Status.SCHEDULED,), Status.PERFORMED),
    "record-response": ((Status.PERFORMED, Status.RESPONSE_RECORDED), Status.RESPONSE_RECORDED),
    "cancel": (
        (Status.PLANNED, Status.AUTH_REQUESTED, Status.AUTHORIZED, Status.DENIED, Status.SCHEDULED),
        Status.CANCELLED,
    ),
}
ILLEGAL_TRANSITION = "Cannot {action}: this procedure is {current}; it must be {allowed} first."
CONSENT_MISSING = (
    "Record the consent checklist (every risk discussed) before marking the procedure performed."
)
CONSENT_INCOMPLETE = "Tick every risk: not yet discussed: {missing}."
CONSENT_TOO_LATE = "Consent is recorded before the procedure; this one is {current}."
HOLD_NOT_CONFIRMED = (
    "Confirm the anticoagulant/antiplatelet hold plan before scheduling this spine procedure "
    "(patient takes {drugs})."
)
HOLD_LAST_DOSE_MISSING = "Enter the date of the last dose of {drug} before the procedure."
HOLD_TOO_SHORT = (
    "{drug}: a last dose on {last} leaves {gap} days before {day}; the hold is {days:g} days "
    "(last dose on or before {latest})."
)
DIARY_NOT_YET = "The diary is kept after the block is done; this procedure is {current}."
DIARY_NRS_RANGE = "Pain scores are 0-10."
DIARY_UNKNOWN_TIME = "{hours:g} h is not a time point of this block's diary ({allowed})."


class ProcedureRuleError(Exception):
    """A workflow rule refused the change; `field` names the form field to attach the message to."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _label(status: str) -> str:
    return Status(status).label.lower()


def check_transition(procedure: ProcedureRecord, action: str) -> str:
    """The status `action` leads to, or ProcedureRuleError saying which status is needed first."""
    allowed, target = TRANSITIONS[action]
    if procedure.status not in allowed:
        raise ProcedureRuleError(
            ILLEGAL_TRANSITION.format(
                action=action.replace("-", " "),
                current=_label(procedure.status),
                allowed=" or ".join(_label(s) for s in allowed),
            )
        )
    return target


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _audit(
    *, request: HttpRequest | None, actor: User, procedure: ProcedureRecord, action: str, **detail: Any
) -> None:
    audit_record(
        request=request,
        user=actor,
        action=action,
        patient=procedure.patient,
        obj=procedure,
        detail={"code": procedure.code, **detail},
    )


def _move(
    *,
    actor: User,
    procedure: ProcedureRecord,
    action: str,
    request: HttpRequest | None,
    changes: Mapping[str, Any],
    stamp: str | None,
) -> ProcedureRecord:
    # Lock the row and re-check against the stored status: two tabs cannot both move it.
    locked = ProcedureRecord.objects.select_for_update().get(pk=procedure.pk)
    before = locked.status
    target = check_transition(locked, action)
    fields = ["status", "updated_at", *changes]
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.status = target
    if stamp is not None:
        setattr(locked, stamp, timezone.now())
        fields.append(stamp)
    locked.save(update_fields=fields)
    _audit(
        request=request,
        actor=actor,
        procedure=locked,
        action=Action.UPDATE,
        transition=action,
        status_from=before,
        status_to=target,
        changes={k: _jsonable(v) for k, v in changes.items()},
    )
    return locked


@transaction.atomic
def procedure_plan(
    *,
    actor: User,
    patient: Patient,
    code: str,
    region: str,
    side: str = "",
    levels: str = "",
    approach: str = "",
    guidance: str = "",
    planned_date: datetime.date | None = None,
    payer: str = "medicare",
    indication: str = "",
    request: HttpRequest | None = None,
) -> ProcedureRecord:
    procedure = ProcedureRecord.objects.create(
        patient=patient,
        clinic_id=patient.clinic_id,
        code=code,
        region=region,
        side=side,
        levels=levels,
        approach=approach,
        guidance=guidance,
        planned_date=planned_date,
        payer=payer,
        indication=indication,
        created_by=actor,
    )
    _audit(request=request, actor=actor, procedure=procedure, action=Action.CREATE, status_to=Status.PLANNED)
    return procedure


@transaction.atomic
def procedure_request_auth(
    *, actor: User, procedure: ProcedureRecord, payer: str, request: HttpRequest | None = None
) -> ProcedureRecord:
    return _move(
        actor=actor,
        procedure=procedure,
        action="request-auth",
        request=request,
        changes={"payer": payer, "denial_reason": ""},
        stamp="auth_requested_at",
    )


@transaction.atomic
def procedure_authorize(
    *, actor: User, procedure: ProcedureRecord, authorization_number: str, request: HttpRequest | None = None
) -> ProcedureRecord:
    return _move(
        actor=actor,
        procedure=procedure,
        action="authorize",
        request=request,
        changes={"authorization_number": authorization_number},
        stamp="authorized_at",
    )


@transaction.atomic
def procedure_deny(
    *, actor: User, procedure: ProcedureRecord, denial_reason: str, request: HttpRequest | None = None
) -> ProcedureRecord:
    return _move(
        actor=actor,
        procedure=procedure,
        action="deny",
        request=request,
        changes={"denial_reason": denial_reason},
        stamp="denied_at",
    )


def hold_problems(
    *,
    holds: Sequence[Mapping[str, Any]],
    scheduled_for: datetime.date,
    last_doses: Mapping[str, datetime.date | None],
    confirmed: bool,
) -> list[tuple[str | None, str]]:
    """(field, message) for each reason the hold review does not allow this date; empty when it does."""
    if not holds:
        return []
    problems: list[tuple[str | None, str]] = []
    if not confirmed:
        drugs = ", ".join(h["drug"] for h in holds)
        problems.append(("hold_confirmed", HOLD_NOT_CONFIRMED.format(drugs=drugs)))
    for h in holds:
        drug = h["drug"]
        last = last_doses.get(drug)
        if last is None:
            problems.append((f"last_dose_{drug}", HOLD_LAST_DOSE_MISSING.format(drug=drug)))
            continue
        days = h.get("hold_days")
        if days is not None and (scheduled_for - last).days < days:
            problems.append(
                (
                    f"last_dose_{drug}",
                    HOLD_TOO_SHORT.format(
                        drug=drug,
                        last=last.isoformat(),
                        gap=(scheduled_for - last).days,
                        day=scheduled_for.isoformat(),
                        days=days,
                        latest=(scheduled_for - datetime.timedelta(days=days)).isoformat(),
                    ),
                )
            )
    return problems


@transaction.atomic
def procedure_schedule(
    *,
    actor: User,
    procedure: ProcedureRecord,
    scheduled_for: datetime.date,
    holds: Sequence[Mapping[str, Any]] = (),
    last_doses: Mapping[str, datetime.date | None] | None = None,
    hold_confirmed: bool = False,
    request: HttpRequest | None = None,
) -> ProcedureRecord:
    """Schedule; for a procedure on the hold list with anticoagulants/antiplatelets, only with a confirmed hold."""
    check_transition(procedure, "schedule")
    review: list[dict[str, Any]] = []
    changes: dict[str, Any] = {"scheduled_for": scheduled_for}
    if procedure.needs_hold_review and holds:
        problems = hold_problems(
            holds=holds, scheduled_for=scheduled_for, last_doses=last_doses or {}, confirmed=hold_confirmed
        )
        if problems:
            field, message = problems[0]
            raise ProcedureRuleError(message, field=field)
        doses = last_doses or {}
        for h in holds:
            last = doses.get(h["drug"])
            review.append(
                {
                    "drug": h["drug"],
                    "hold_days": h.get("hold_days"),
                    "text": h.get("text"),
                    "last_dose": last.isoformat() if last else None,
                    "citation": h.get("citation"),
                }
            )
        changes |= {"hold_review": review, "hold_confirmed_by": actor, "hold_confirmed_at": timezone.now()}
    return _move(
        actor=actor,
        procedure=procedure,
        action="schedule",
        request=request,
        changes=changes,
        stamp="scheduled_at",
    )


@transaction.atomic
def procedure_consent_record(
    *,
    actor: User,
    procedure: ProcedureRecord,
    risks: Sequence[str],
    questions: str = "",
    request: HttpRequest | None = None,
) -> ProcedureConsent:
    """Store the consent checklist; every risk of the procedure (procedures.yaml) must be ticked."""
    if procedure.is_done or procedure.status == Status.CANCELLED:
        raise ProcedureRuleError(CONSENT_TOO_LATE.format(current=_label(procedure.status)))
    required = list(procedure.entry.risks)
    missing = [r for r in required if r not in set(risks)]
    if missing:
        raise ProcedureRuleError(CONSENT_INCOMPLETE.format(missing="; ".join(missing)), field="risks")
    consent, _ = ProcedureConsent.objects.update_or_create(
        procedure=procedure,
        defaults={
            "risks": required,
            "questions": questions,
            "confirmed_by": actor,
            "confirmed_at": timezone.now(),
        },
    )
    _audit(request=request, actor=actor, procedure=procedure, action=Action.UPDATE, consent=required)
    return consent


@transaction.atomic
def procedure_perform(
    *,
    actor: User,
    procedure: ProcedureRecord,
    performed_on: datetime.date,
    side: str = "",
    levels: str = "",
    approach: str = "",
    guidance: str = "",
    anaesthetic: str = "",
    anaesthetic_dose: str = "",
    steroid: str = "",
    steroid_dose: str = "",
    complications: str = "",
    request: HttpRequest | None = None,
) -> ProcedureRecord:
    check_transition(procedure, "perform")
    if not ProcedureConsent.objects.filter(procedure=procedure).exists():
        raise ProcedureRuleError(CONSENT_MISSING)
    return _move(
        actor=actor,
        procedure=procedure,
        action="perform",
        request=request,
        changes={
            "performed_on": performed_on,
            "performed_by": actor,
            "side": side,
            "levels": levels,
            "approach": approach,
            "guidance": guidance,
            "anaesthetic": anaesthetic,
            "anaesthetic_dose": anaesthetic_dose,
            "steroid": steroid,
            "steroid_dose": steroid_dose,
            "complications": complications,
        },
        stamp="performed_at",
    )


@transaction.atomic
def procedure_record_response(
    *,
    actor: User,
    procedure: ProcedureRecord,
    relief_percent: float | None,
    relief_hours: float | None,
    function_improved: bool | None,
    request: HttpRequest | None = None,
) -> ProcedureRecord:
    return _move(
        actor=actor,
        procedure=procedure,
        action="record-response",
        request=request,
        changes={
            "relief_percent": relief_percent,
            "relief_hours": relief_hours,
            "function_improved": function_improved,
        },
        stamp="response_recorded_at",
    )


@transaction.atomic
def procedure_cancel(
    *, actor: User, procedure: ProcedureRecord, cancel_reason: str, request: HttpRequest | None = None
) -> ProcedureRecord:
    return _move(
        actor=actor,
        procedure=procedure,
        action="cancel",
        request=request,
        changes={"cancel_reason": cancel_reason},
        stamp="cancelled_at",
    )


def _diary_schedule(code: str) -> tuple[float, ...]:
    return blocks.schedule(code)


@transaction.atomic
def block_diary_save(
    *,
    actor: User,
    procedure: ProcedureRecord,
    anaesthetic: str,
    pre_nrs: int,
    scores: Mapping[float, int | None],
    request: HttpRequest | None = None,
) -> BlockDiary:
    """Store the diary, compute relief with blocks.block_relief and copy it to the procedure's response.

    A blank time point removes that score; relief is computed once there is a pre-block score above 0
    and at least one score after the block.
    """
    if not procedure.is_done:
        raise ProcedureRuleError(DIARY_NOT_YET.format(current=_label(procedure.status)))
    times = _diary_schedule(procedure.code)
    for hours, nrs in scores.items():
        if hours not in times:
            allowed = ", ".join(f"{t:g} h" for t in times)
            raise ProcedureRuleError(DIARY_UNKNOWN_TIME.format(hours=hours, allowed=allowed))
        if nrs is not None and not 0 <= nrs <= 10:
            raise ProcedureRuleError(DIARY_NRS_RANGE, field=f"nrs_{hours:g}")
    if not 0 <= pre_nrs <= 10:
        raise ProcedureRuleError(DIARY_NRS_RANGE, field="pre_nrs")
    diary, _ = BlockDiary.objects.update_or_create(
        procedure=procedure, defaults={"anaesthetic": anaesthetic, "pre_nrs": pre_nrs, "updated_by": actor}
    )
    for hours, nrs in scores.items():
        if nrs is None:
            BlockDiaryEntry.objects.filter(diary=diary, hours=hours).delete()
        else:
            BlockDiaryEntry.objects.update_or_create(
                diary=diary, hours=hours, defaults={"nrs": nrs, "recorded_by": actor}
            )
    readings = list(diary.entries.values_list("hours", "nrs"))
    result = None
    if pre_nrs > 0 and readings:
        result = blocks.block_relief(
            float(pre_nrs),
            [(h, float(n)) for h, n in readings],
            anaesthetic=anaesthetic,
            block=_block_key(procedure),
        ).to_dict()
    diary.result = result
    diary.save(update_fields=["result", "updated_at"])
    if result is not None:
        procedure.relief_percent = result["peak_relief_percent"]
        procedure.relief_hours = result["hours_at_threshold"]
        procedure.save(update_fields=["relief_percent", "relief_hours", "updated_at"])
    _audit(
        request=request,
        actor=actor,
        procedure=procedure,
        action=Action.UPDATE,
        diary={"pre_nrs": pre_nrs, "scores": {f"{h:g}": n for h, n in scores.items()}},
        relief=None
        if result is None
        else {k: result[k] for k in ("peak_relief_percent", "hours_at_threshold")},
    )
    return diary


def _block_key(procedure: ProcedureRecord) -> str | None:
    """The diary schedule's key: the procedure code when it has its own schedule, else the default."""
    from stepcare.clinical.procedures import knowledge

    return procedure.code if procedure.code in {d.id for d in knowledge().diary} else None
