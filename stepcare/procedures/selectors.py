"""Reads for procedures: permission-checked getters, the contract's `procedures` list, the hold review
and the prior-authorization packet."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpRequest

from stepcare.accounts.models import Role
from stepcare.clinical import differential, icd10cm, parse_case
from stepcare.clinical import procedures as knowledge
from stepcare.clinical.case import Case
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
SIDES = ("left", "right", "bilateral")
DIAGNOSIS_FROM_DIFFERENTIAL = (
    "Not confirmed: the leading diagnosis among this procedure's indications in the differential "
    "(score {score:.2f}). Confirm it in the encounter note's diagnoses before submitting."
)
SIDE_CONFLICT = (
    "The procedure is on the {procedure} side but {code} codes the {code_side} side: check the side of "
    "the pain and of the procedure before submitting."
)
NO_DIAGNOSIS_CODE = (
    "No ICD-10-CM code can be chosen: the chart has no confirmed diagnosis, and the differential suggests "
    "none, among this procedure's indications ({indications}). Record the diagnosis that indicates the "
    "procedure in the encounter note's diagnoses; the packet then shows its ICD-10-CM code."
)
CONFIRMED_NOT_INDICATED = "Confirmed in the chart but not an indication for this procedure: {diagnoses}."


@dataclass(frozen=True)
class PacketDiagnosis:
    """One diagnosis for the payer: the condition, where it came from, its ICD-10-CM code(s) and notes."""

    condition: str
    label: str
    confirmed: bool
    pick: icd10cm.CodePick
    notes: list[str]

    @property
    def codes(self) -> tuple[icd10cm.IcdCode, ...]:
        return self.pick.codes


def _regions_of(condition: str) -> set[str]:
    return {r for c in icd10cm.codes_for(condition) for r in c.regions}


def _pain_sites(case: Case, procedure: ProcedureRecord) -> list[tuple[str, str | None]]:
    """The pain sites; the procedure's side fills a site without one, and stands in when none is recorded."""
    side = procedure.side if procedure.side in SIDES else None
    sites: list[tuple[str, str | None]] = [
        (s.region, s.side if s.side in SIDES else side) for s in case.pain.sites
    ]
    return sites or [(procedure.region, side)]


def _diagnosis(
    condition: str, *, confirmed: bool, score: float, case: Case, procedure: ProcedureRecord
) -> PacketDiagnosis:
    findings = {f for i in case.imaging if i.region == procedure.region for f in i.findings}
    pick = icd10cm.pick_codes(condition, _pain_sites(case, procedure), findings=findings)
    notes = [] if confirmed else [DIAGNOSIS_FROM_DIFFERENTIAL.format(score=score)]
    notes.extend(pick.missing)
    if procedure.side in SIDES:
        for code in pick.codes:
            unilateral_mismatch = code.side in ("left", "right") and code.side != procedure.side
            if unilateral_mismatch:
                notes.append(
                    SIDE_CONFLICT.format(procedure=procedure.side, code=code.code, code_side=code.side)
                )
    return PacketDiagnosis(
        condition=condition,
        label=differential.condition_label(condition),
        confirmed=confirmed,
        pick=pick,
        notes=notes,
    )


def packet_diagnoses(
    case: Case, procedure: ProcedureRecord, entry: knowledge.ProcedureEntry
) -> tuple[list[PacketDiagnosis], list[str]]:
    """The diagnoses that indicate this procedure, each with its ICD-10-CM code(s); else what to add.

    Confirmed diagnoses among the procedure's indications come first (those coded for the procedure's
    region before the others); without one, the leading indicated condition of the differential,
    marked unconfirmed. The second list holds plain sentences for the clinician (empty when coded).
    """
    indications = entry.indications
    confirmed = [d for d in dict.fromkeys(case.diagnoses) if d in indications]

    def elsewhere(condition: str) -> bool:  # coded by site, and not for the procedure's region
        regions = _regions_of(condition)
        return bool(regions) and procedure.region not in regions

    confirmed.sort(key=elsewhere)
    notes: list[str] = []
    others = [differential.condition_label(d) for d in case.diagnoses if d not in indications]
    if confirmed:
        found = [_diagnosis(d, confirmed=True, score=1.0, case=case, procedure=procedure) for d in confirmed]
        return found, notes
    if others:
        notes.append(CONFIRMED_NOT_INDICATED.format(diagnoses=", ".join(others)))
    leading = next((i for i in differential.rank(case) if i.code in indications), None)
    if leading is not None:
        found = [
            _diagnosis(leading.code, confirmed=False, score=leading.score, case=case, procedure=procedure)
        ]
        return found, notes
    labels = ", ".join(differential.condition_label(d) for d in indications)
    notes.append(NO_DIAGNOSIS_CODE.format(indications=labels))
    return [], notes


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
    coded_diagnoses: list[PacketDiagnosis]
    coding_notes: list[str]
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
    parsed = parse_case(case)
    verdict = knowledge.eligibility(parsed, plan_codes=[procedure.code], payer=procedure.payer)[
        procedure.code
    ]
    entry = procedure.entry
    coded, coding_notes = packet_diagnoses(parsed, procedure, entry)
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
        coded_diagnoses=coded,
        coding_notes=coding_notes,
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
