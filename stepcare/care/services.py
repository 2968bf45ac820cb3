"""Writes for care records: each service runs in one transaction and writes exactly one audit event."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from stepcare.accounts.models import Role
from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.care import selectors
from stepcare.care.models import (
    DECLINE_REASON_REQUIRED,
    RULING_REASON_REQUIRED,
    CarePlan,
    ClinicalProfile,
    EncounterNote,
    EvaluationSnapshot,
    Measurement,
    MeasurementSource,
    MedicationEntry,
    OrderKind,
    PlanDecision,
    PlanItem,
    PlanOrigin,
    PlanStatus,
    ReportedConditionRuling,
)
from stepcare.clinical import evaluate, parse_case
from stepcare.clinical.plan import step_catalog
from stepcare.records.models import Encounter, Patient

if TYPE_CHECKING:
    from stepcare.accounts.models import User

NOT_A_DECIDER_MESSAGE = "Only a physician decides plan steps."
PLAN_NOT_DRAFT_MESSAGE = "This plan is finalized; start a new plan to change it."


def _require_physician(actor: User) -> None:
    if actor.role != Role.PHYSICIAN:
        raise PermissionError(NOT_A_DECIDER_MESSAGE)


# ------------------------------------------------------------------------------------- evaluation
def _snapshot_create(
    *,
    actor: User | None,
    patient: Patient,
    encounter: Encounter | None = None,
    as_of: datetime.date | None = None,
    data: selectors.CareData | None = None,
) -> EvaluationSnapshot:
    assembly = selectors.assemble_case(data or selectors.load_care_data(patient), as_of=as_of)
    result = evaluate(assembly.case).to_dict()
    return EvaluationSnapshot.objects.create(
        patient=patient,
        encounter=encounter,
        as_of=datetime.date.fromisoformat(assembly.case["as_of"]),
        case=assembly.case,
        result=result,
        problems=assembly.problems,
        knowledge_version=result["knowledge_version"],
        created_by=actor,
    )


@transaction.atomic
def evaluation_run(
    *,
    actor: User,
    patient: Patient,
    encounter: Encounter | None = None,
    as_of: datetime.date | None = None,
    data: selectors.CareData | None = None,
    request: HttpRequest | None = None,
    page: str = "",
) -> EvaluationSnapshot:
    """Evaluate the patient's assembled case now and keep what the engine said (append-only)."""
    snapshot = _snapshot_create(actor=actor, patient=patient, encounter=encounter, as_of=as_of, data=data)
    audit_record(
        request=request,
        user=actor,
        action=Action.EVALUATE,
        patient=patient,
        obj=snapshot,
        detail={"knowledge_version": snapshot.knowledge_version, "page": page},
    )
    return snapshot


# ------------------------------------------------------------------------------------------ plans
def _next_order(plan: CarePlan) -> int:
    last = plan.items.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def plan_start(*, actor: User, patient: Patient, request: HttpRequest | None = None) -> CarePlan:
    """A draft plan from the latest evaluation (evaluating now if none exists today)."""
    _require_physician(actor)
    snapshot = selectors.latest_snapshot(patient)
    evaluated = snapshot is None or snapshot.as_of != selectors.patient_today(patient)
    if snapshot is None or evaluated:
        snapshot = _snapshot_create(actor=actor, patient=patient)
    plan = CarePlan.objects.create(
        patient=patient,
        snapshot=snapshot,
        knowledge_version=snapshot.knowledge_version,
        created_by=actor,
    )
    PlanItem.objects.bulk_create(
        PlanItem(
            plan=plan,
            order=step["order"],
            code=step["code"],
            tier=str(step["tier"]),
            label=step["label"],
            rationale=step.get("rationale", ""),
            citation=step.get("citation", ""),
            origin=PlanOrigin.ENGINE,
        )
        for step in snapshot.result.get("plan", [])
    )
    audit_record(
        request=request,
        user=actor,
        action=Action.CREATE,
        patient=patient,
        obj=plan,
        detail={"snapshot": snapshot.pk, "evaluated": evaluated, "knowledge_version": plan.knowledge_version},
    )
    return plan


def _locked_draft_item(item: PlanItem) -> PlanItem:
    locked = PlanItem.objects.select_for_update(of=("self",)).select_related("plan").get(pk=item.pk)
    if locked.plan.status != PlanStatus.DRAFT:
        raise ValueError(PLAN_NOT_DRAFT_MESSAGE)
    return locked


@transaction.atomic
def plan_item_decide(
    *,
    actor: User,
    item: PlanItem,
    decision: str,
    decline_reason: str = "",
    edited_label: str = "",
    order_kind: str = OrderKind.NONE,
    order_detail: str = "",
    prescription: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> PlanItem:
    """Accept, decline (with a reason) or accept-with-changes one step, with what it needs ordered."""
    _require_physician(actor)
    if decision == PlanDecision.DECLINED and not decline_reason.strip():
        raise ValueError(DECLINE_REASON_REQUIRED)
    if decision not in (PlanDecision.ACCEPTED, PlanDecision.DECLINED, PlanDecision.EDITED):
        raise ValueError(f"Unknown decision {decision!r}.")
    locked = _locked_draft_item(item)
    locked.decision = decision
    locked.decline_reason = decline_reason.strip() if decision == PlanDecision.DECLINED else ""
    locked.edited_label = edited_label.strip() if decision == PlanDecision.EDITED else ""
    declined = decision == PlanDecision.DECLINED
    locked.order_kind = OrderKind.NONE if declined else order_kind
    locked.order_detail = "" if declined else order_detail.strip()
    locked.prescription = dict(prescription) if prescription and not declined else None
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.full_clean(exclude=["plan", "medication", "decided_by"])
    locked.save()
    audit_record(
        request=request,
        user=actor,
        action=Action.DECIDE,
        patient=locked.plan.patient,
        obj=locked,
        detail={
            "plan": locked.plan_id,
            "code": locked.code,
            "decision": decision,
            "order": locked.order_kind,
        },
    )
    return locked


@transaction.atomic
def plan_item_add(
    *,
    actor: User,
    plan: CarePlan,
    label: str,
    code: str = "",
    rationale: str = "",
    request: HttpRequest | None = None,
) -> PlanItem:
    """The clinician's own step (accepted as added); a catalog code brings its tier and default label."""
    _require_physician(actor)
    locked = CarePlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PlanStatus.DRAFT:
        raise ValueError(PLAN_NOT_DRAFT_MESSAGE)
    catalog = step_catalog()
    entry = catalog.get(code) if code else None
    item = PlanItem.objects.create(
        plan=locked,
        order=_next_order(locked),
        code=code,
        tier=str(entry["tier"]) if entry else "",
        label=label.strip() or (entry["label"] if entry else ""),
        rationale=rationale.strip(),
        origin=PlanOrigin.CLINICIAN,
        decision=PlanDecision.ACCEPTED,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    audit_record(
        request=request,
        user=actor,
        action=Action.DECIDE,
        patient=plan.patient,
        obj=item,
        detail={"plan": plan.pk, "code": code, "decision": "added"},
    )
    return item


@transaction.atomic
def plan_finalize(*, actor: User, plan: CarePlan, request: HttpRequest | None = None) -> CarePlan:
    """Freeze the plan; accepted prescriptions become medication entries prescribed by the physician."""
    _require_physician(actor)
    locked = (
        CarePlan.objects.select_for_update(of=("self",))
        .select_related("patient", "patient__clinic")
        .get(pk=plan.pk)
    )
    if locked.status != PlanStatus.DRAFT:
        raise ValueError(PLAN_NOT_DRAFT_MESSAGE)
    today = selectors.patient_today(locked.patient)
    created: list[int] = []
    for item in locked.items.filter(order_kind=OrderKind.PRESCRIPTION, medication__isnull=True):
        if not item.is_in_plan or not item.prescription:
            continue
        med = MedicationEntry.objects.create(
            patient=locked.patient,
            start=today,
            reason=f"Plan step: {item.shown_label}",
            prescriber=actor,
            **item.prescription,
        )
        item.medication = med
        item.save(update_fields=["medication"])
        created.append(med.pk)
    locked.status = PlanStatus.FINAL
    locked.finalized_by = actor
    locked.finalized_at = timezone.now()
    locked.save(update_fields=["status", "finalized_by", "finalized_at"])
    audit_record(
        request=request,
        user=actor,
        action=Action.UPDATE,
        patient=locked.patient,
        obj=locked,
        detail={"finalized": True, "knowledge_version": locked.knowledge_version, "medications": created},
    )
    return locked


# ------------------------------------------------------------------------------------------- notes
NOTE_FIELDS = ("history", "exam", "assessment", "plan_text", "diagnoses", "dn4_exam")


@transaction.atomic
def note_save(
    *,
    actor: User,
    encounter: Encounter,
    history: str,
    exam: Mapping[str, Any],
    assessment: str,
    plan_text: str,
    diagnoses: Sequence[str],
    dn4_exam: Sequence[int] | None,
    request: HttpRequest | None = None,
) -> EncounterNote:
    """Create or update the draft encounter's structured note; a signed encounter refuses (model layer).

    `dn4_exam`: DN4's three examination items (0/1) examined at this encounter, or None."""
    note = EncounterNote.objects.select_for_update().filter(encounter=encounter).first()
    created = note is None
    if note is None:
        note = EncounterNote(encounter=encounter)
    note.history = history
    note.exam = dict(exam)
    note.assessment = assessment
    note.plan_text = plan_text
    note.diagnoses = list(diagnoses)
    note.dn4_exam = list(dn4_exam) if dn4_exam is not None else None
    note.updated_by = actor
    note.save()
    audit_record(
        request=request,
        user=actor,
        action=Action.CREATE if created else Action.UPDATE,
        patient=encounter.patient,
        obj=note,
        detail={
            "encounter": encounter.pk,
            "exam_findings": sorted(note.exam),
            "dn4_exam": note.dn4_exam is not None,
        },
    )
    return note


# ------------------------------------------------------------------------------------ measurements
def score_questionnaire(
    *, patient: Patient, instrument: str, items: Sequence[int | None], day: datetime.date
) -> float:
    """The engine's score for one questionnaire (raises CaseError naming the faulty item)."""
    from stepcare.clinical import questionnaires

    case = parse_case(
        {
            "as_of": day.isoformat(),
            "patient": {"age": patient.age_on(day), "sex": patient.sex},
            "questionnaires": [{"instrument": instrument, "date": day.isoformat(), "items": list(items)}],
        }
    )
    scores, _ = questionnaires.score_all(case)
    score = scores[instrument].score
    if score is None:
        raise ValueError(f"{instrument}: too few items answered to score")
    return float(score)


@transaction.atomic
def measurement_record(
    *,
    actor: User,
    patient: Patient,
    instrument: str,
    date: datetime.date,
    score: float | None = None,
    items: Sequence[int | None] | None = None,
    source: str = MeasurementSource.VISIT,
    encounter: Encounter | None = None,
    request: HttpRequest | None = None,
) -> Measurement:
    """A questionnaire (scored by the engine from its items) or a goal measure (its value)."""
    if items is not None:
        score = score_questionnaire(patient=patient, instrument=instrument, items=items, day=date)
    if score is None:
        raise ValueError("score: required for a goal measure")
    measurement = Measurement.objects.create(
        patient=patient,
        date=date,
        instrument=instrument,
        score=score,
        items=list(items) if items is not None else None,
        source=source,
        encounter=encounter,
        recorded_by=actor,
    )
    audit_record(
        request=request,
        user=actor,
        action=Action.CREATE,
        patient=patient,
        obj=measurement,
        detail={"instrument": instrument, "date": date.isoformat()},
    )
    return measurement


# ------------------------------------------------------------------------------- clinical profile
PROFILE_EDITOR_ROLES = (Role.PHYSICIAN, Role.NURSE)
NOT_A_PROFILE_EDITOR_MESSAGE = "Only a physician or a nurse records the clinical profile."


@transaction.atomic
def clinical_profile_record(
    *,
    actor: User,
    patient: Patient,
    egfr: float | None,
    egfr_date: datetime.date | None,
    liver_disease: str,
    conditions: Sequence[str],
    pregnant: bool | None,
    psych_evaluation_date: datetime.date | None,
    psych_cleared: bool | None,
    note: str = "",
    request: HttpRequest | None = None,
) -> ClinicalProfile:
    """Append the patient's confirmed background and re-evaluate at once, so the chart never shows an
    evaluation made without it (e.g. an oral NSAID suggested to a patient just found to have CKD)."""
    if actor.role not in PROFILE_EDITOR_ROLES:
        raise PermissionError(NOT_A_PROFILE_EDITOR_MESSAGE)
    previous = selectors.latest_clinical_profile(patient)
    profile = ClinicalProfile.objects.create(
        patient=patient,
        egfr=egfr,
        egfr_date=egfr_date,
        liver_disease=liver_disease,
        conditions=list(conditions),
        pregnant=pregnant,
        psych_evaluation_date=psych_evaluation_date,
        psych_cleared=psych_cleared,
        note=note,
        recorded_by=actor,
    )
    snapshot = _snapshot_create(actor=actor, patient=patient)
    audit_record(
        request=request,
        user=actor,
        action=Action.CREATE,
        patient=patient,
        obj=profile,
        detail={
            "page": "clinical-profile",
            "replaces": previous.pk if previous else None,
            "changed": _profile_changes(previous, profile),
            "snapshot": snapshot.pk,
            "knowledge_version": snapshot.knowledge_version,
        },
    )
    return profile


_PROFILE_FIELDS = (
    "egfr",
    "egfr_date",
    "liver_disease",
    "conditions",
    "pregnant",
    "psych_evaluation_date",
    "psych_cleared",
    "note",
)


def _profile_changes(previous: ClinicalProfile | None, profile: ClinicalProfile) -> list[str]:
    """The names of the fields that differ from the profile this one replaces (for the audit trail)."""
    if previous is None:
        return [name for name in _PROFILE_FIELDS if getattr(profile, name) not in (None, "", [])]
    return [name for name in _PROFILE_FIELDS if getattr(previous, name) != getattr(profile, name)]


# ---------------------------------------------------------------------- patient-reported conditions
NOT_RULED_OUT_MESSAGE = "{condition} is not ruled out, so there is nothing to undo."


def _require_profile_editor(actor: User) -> None:
    if actor.role not in PROFILE_EDITOR_ROLES:
        raise PermissionError(NOT_A_PROFILE_EDITOR_MESSAGE)


def _background(patient: Patient) -> selectors.ClinicalBackground:
    return selectors.clinical_background(patient, selectors.latest_clinical_profile(patient))


def _ruling_record(
    *,
    actor: User,
    patient: Patient,
    condition: str,
    ruled_out: bool,
    reason: str,
    request: HttpRequest | None,
) -> ReportedConditionRuling:
    ruling = ReportedConditionRuling.objects.create(
        patient=patient, condition=condition, ruled_out=ruled_out, reason=reason, recorded_by=actor
    )
    snapshot = _snapshot_create(actor=actor, patient=patient)
    audit_record(
        request=request,
        user=actor,
        action=Action.CREATE,
        patient=patient,
        obj=ruling,
        detail={
            "page": "clinical-profile",
            "condition": condition,
            "ruled_out": ruled_out,
            "snapshot": snapshot.pk,
            "knowledge_version": snapshot.knowledge_version,
        },
    )
    return ruling


@transaction.atomic
def condition_rule_out(
    *, actor: User, patient: Patient, condition: str, reason: str, request: HttpRequest | None = None
) -> ReportedConditionRuling:
    """A clinician corrects the patient's report of a condition (e.g. kidney disease with a normal eGFR):
    the evaluation leaves it out from now on, and is re-run at once so the chart never shows the old one."""
    _require_profile_editor(actor)
    if not reason.strip():
        raise ValueError(RULING_REASON_REQUIRED)
    problem = selectors.condition_rule_out_problem(background=_background(patient), condition=condition)
    if problem is not None:
        raise ValueError(problem)
    return _ruling_record(
        actor=actor,
        patient=patient,
        condition=condition,
        ruled_out=True,
        reason=reason.strip(),
        request=request,
    )


@transaction.atomic
def condition_rule_out_undo(
    *, actor: User, patient: Patient, condition: str, request: HttpRequest | None = None
) -> ReportedConditionRuling:
    """Withdraw a rule-out: the patient's report counts again (the ruling stays in the record)."""
    _require_profile_editor(actor)
    if not any(r.code == condition and r.ruled_out for r in _background(patient).reported_conditions):
        raise ValueError(NOT_RULED_OUT_MESSAGE.format(condition=condition))
    return _ruling_record(
        actor=actor, patient=patient, condition=condition, ruled_out=False, reason="", request=request
    )
