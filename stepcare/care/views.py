"""Clinician pages around the engine: chart with evaluation and trends, plan builder, structured note,
follow-up measures (the medication pages are stepcare.meds). Thin: role check, permission-checked fetch,
service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from stepcare.accounts.decorators import role_required
from stepcare.accounts.models import CLINICAL_ROLES, Role, User
from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.care import dn4, selectors, services
from stepcare.care.forms import (
    CONDITION_LABELS,
    ClinicalProfileForm,
    ConditionRuleOutForm,
    EncounterNoteForm,
    GoalMeasureForm,
    PlanAddForm,
    PlanDecisionForm,
    QuestionnaireForm,
)
from stepcare.care.models import CarePlan, EvaluationSnapshot, OrderKind, PlanDecision, PlanItem
from stepcare.clinical.questionnaires import instruments
from stepcare.records import selectors as records_selectors
from stepcare.records.encounter_actions import EncounterPage, amend_from_page, sign_from_page
from stepcare.records.forms import AmendmentForm
from stepcare.records.models import Encounter, Patient
from stepcare.records.vocab import diagnosis_label

TIER_TITLES = {
    "1": "Tier 1 · self-care and education",
    "2": "Tier 2 · rehabilitation and psychology",
    "3": "Tier 3 · medications",
    "4": "Tier 4 · interventional procedures",
    "5": "Tier 5 · advanced (neuromodulation, intrathecal)",
    "referral": "Referrals",
    "diagnostic": "Diagnostics",
    "": "Clinician's own steps",
}
CDS_LABEL = "Clinical decision support for licensed clinicians — the clinician decides."
# The chart lists the newest timeline rows (the rest on request), so its render time stays flat as years pass.
TIMELINE_ROWS = 100


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _patient(request: HttpRequest, patient_id: int) -> Patient:
    return records_selectors.get_patient_for_user(user=_user(request), patient_id=patient_id, request=request)


# ------------------------------------------------------------------------------------------ chart
def _ensure_snapshot(
    request: HttpRequest, patient: Patient, data: selectors.CareData, *, page: str
) -> tuple[EvaluationSnapshot, bool]:
    """Today's latest evaluation; evaluates now (audited as `evaluate`) when there is none today."""
    snapshot = selectors.latest_snapshot(patient)
    if snapshot is not None and snapshot.as_of == selectors.patient_today(patient):
        return snapshot, False
    snapshot = services.evaluation_run(
        actor=_user(request), patient=patient, data=data, request=request, page=page
    )
    return snapshot, True


@require_http_methods(["GET"])
@role_required(*CLINICAL_ROLES)
def care_chart(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = _user(request)
    patient = _patient(request, patient_id)
    data = selectors.load_care_data(patient)
    encounters = selectors.encounters_for_chart(patient=patient, user=user)
    kind = request.GET.get("kind", "")
    if kind not in dict(selectors.TIMELINE_KINDS):
        kind = ""
    rows = selectors.timeline(data=data, encounters=encounters, kind=kind)
    older = 0 if request.GET.get("all") == "1" else max(0, len(rows) - TIMELINE_ROWS)
    if older:
        rows = rows[:TIMELINE_ROWS]
    if request.htmx:  # type: ignore[attr-defined]
        audit_record(
            request=request, action=Action.VIEW, patient=patient, obj=patient, detail={"page": "timeline"}
        )
        return render(request, "care/_timeline_rows.html", {"rows": rows, "older": older, "kind": kind})
    snapshot, evaluated = _ensure_snapshot(request, patient, data, page="care-chart")
    if not evaluated:
        audit_record(
            request=request,
            action=Action.VIEW,
            patient=patient,
            obj=patient,
            detail={"page": "care-chart", "snapshot": snapshot.pk},
        )
    context = {
        "patient": patient,
        "snapshot": snapshot,
        "evaluation": selectors.evaluation_view(snapshot.result),
        "charts": selectors.chart_series(data=data, case=snapshot.case, result=snapshot.result),
        "rows": rows,
        "older": older,
        "kind": kind,
        "kinds": selectors.TIMELINE_KINDS,
        "plan": selectors.latest_plan(patient),
        "medications": [m for m in data.medications if m.stop is None],
        "reported_rows": _reported_rows(selectors.reported_conditions(data)),
        "cds_label": CDS_LABEL,
    }
    return render(request, "care/chart.html", context)


@require_POST
@role_required(*CLINICAL_ROLES)
def care_evaluate(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    snapshot = services.evaluation_run(
        actor=_user(request), patient=patient, request=request, page="evaluate"
    )
    if snapshot.problems:
        messages.warning(
            request, "Evaluated; some stored data could not be used (listed in the evaluation panel)."
        )
    else:
        messages.success(request, "Evaluated with the current record.")
    return redirect("care-chart", patient_id=patient.pk)


# ------------------------------------------------------------------------------------------ plan
def _plan_rows(
    plan: CarePlan, *, bound: PlanItem | None = None, bound_form: PlanDecisionForm | None = None
) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for item in selectors.plan_items(plan):
        form = bound_form if bound is not None and item.pk == bound.pk else _decision_form(item)
        group = groups.setdefault(
            item.tier, {"tier": item.tier, "title": TIER_TITLES.get(item.tier, item.tier), "items": []}
        )
        group["items"].append({"item": item, "form": form})
    return list(groups.values())


def _decision_form(item: PlanItem, data: Any = None) -> PlanDecisionForm:
    initial: dict[str, Any] = {
        "decision": item.decision if item.decision != PlanDecision.PENDING else "",
        "decline_reason": item.decline_reason,
        "edited_label": item.edited_label or item.label,
        "order_kind": item.order_kind,
        "order_detail": item.order_detail,
    }
    for key, value in (item.prescription or {}).items():
        initial[f"rx_{key}"] = value
    return PlanDecisionForm(data, prefix=f"i{item.pk}", initial=initial)


def _plan_page(
    request: HttpRequest,
    patient: Patient,
    plan: CarePlan | None,
    *,
    bound: PlanItem | None = None,
    bound_form: PlanDecisionForm | None = None,
    add_form: PlanAddForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    context = {
        "patient": patient,
        "plan": plan,
        "groups": _plan_rows(plan, bound=bound, bound_form=bound_form) if plan else [],
        "can_decide": user.role == Role.PHYSICIAN and plan is not None and not plan.is_final,
        "can_start": user.role == Role.PHYSICIAN and (plan is None or plan.is_final),
        "add_form": add_form or PlanAddForm(),
        "cds_label": CDS_LABEL,
        "pending": sum(1 for i in selectors.plan_items(plan) if i.decision == PlanDecision.PENDING)
        if plan
        else 0,
    }
    return render(request, "care/plan.html", context, status=status)


@require_http_methods(["GET"])
@role_required(*CLINICAL_ROLES)
def plan_builder(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = _user(request)
    patient = _patient(request, patient_id)
    plan = selectors.latest_plan(patient)
    if plan is None and user.role == Role.PHYSICIAN:
        plan = services.plan_start(actor=user, patient=patient, request=request)
    else:
        audit_record(
            request=request,
            action=Action.VIEW,
            patient=patient,
            obj=plan or patient,
            detail={"page": "plan"},
        )
    return _plan_page(request, patient, plan)


@require_POST
@role_required(Role.PHYSICIAN)
def plan_start(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    services.plan_start(actor=_user(request), patient=patient, request=request)
    messages.success(request, "A new draft plan was started from today's evaluation.")
    return redirect("care-plan", patient_id=patient.pk)


def _refuse_final(request: HttpRequest, patient: Patient, plan: CarePlan) -> HttpResponse:
    audit_record(
        request=request, action=Action.DENIED, patient=patient, obj=plan, detail={"reason": "plan-final"}
    )
    messages.error(request, "This plan is finalized and can no longer be changed; start a new plan instead.")
    return redirect("care-plan", patient_id=patient.pk)


@require_POST
@role_required(Role.PHYSICIAN)
def plan_item_decide(request: HttpRequest, patient_id: int, item_id: int) -> HttpResponse:
    user = _user(request)
    patient = _patient(request, patient_id)
    item = selectors.get_plan_item_for_patient(user=user, patient=patient, item_id=item_id, request=request)
    if item.plan.is_final:
        return _refuse_final(request, patient, item.plan)
    form = _decision_form(item, request.POST)
    if form.is_valid():
        item = services.plan_item_decide(
            actor=user,
            item=item,
            decision=form.cleaned_data["decision"],
            decline_reason=form.cleaned_data.get("decline_reason") or "",
            edited_label=form.cleaned_data.get("edited_label") or "",
            order_kind=form.cleaned_data.get("order_kind") or OrderKind.NONE,
            order_detail=form.cleaned_data.get("order_detail") or "",
            prescription=form.cleaned_data.get("prescription"),
            request=request,
        )
        if request.htmx:  # type: ignore[attr-defined]
            return render(
                request,
                "care/_plan_item.html",
                {
                    "row": {"item": item, "form": _decision_form(item)},
                    "patient": patient,
                    "can_decide": True,
                    "saved": True,
                },
            )
        messages.success(request, f"Step “{item.shown_label}”: {item.get_decision_display().lower()}.")
        return redirect(reverse("care-plan", kwargs={"patient_id": patient.pk}) + f"#step-{item.pk}")
    audit_record(
        request=request,
        action=Action.VIEW,
        patient=patient,
        obj=item,
        detail={"page": "plan", "invalid": True},
    )
    if request.htmx:  # type: ignore[attr-defined]
        # htmx does not swap 4xx responses by default; the fragment carries the errors.
        return render(
            request,
            "care/_plan_item.html",
            {"row": {"item": item, "form": form}, "patient": patient, "can_decide": True},
        )
    return _plan_page(request, patient, item.plan, bound=item, bound_form=form, status=400)


@require_POST
@role_required(Role.PHYSICIAN)
def plan_item_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = _user(request)
    patient = _patient(request, patient_id)
    plan = selectors.draft_plan(patient)
    if plan is None:
        latest = selectors.latest_plan(patient)
        if latest is not None:
            return _refuse_final(request, patient, latest)
        audit_record(
            request=request, action=Action.DENIED, patient=patient, obj=patient, detail={"reason": "no-plan"}
        )
        messages.error(request, "Start a plan first.")
        return redirect("care-plan", patient_id=patient.pk)
    form = PlanAddForm(request.POST)
    if form.is_valid():
        item = services.plan_item_add(
            actor=user,
            plan=plan,
            code=form.cleaned_data.get("code") or "",
            label=form.cleaned_data.get("label") or "",
            rationale=form.cleaned_data.get("rationale") or "",
            request=request,
        )
        messages.success(request, f"Step “{item.label}” added to the plan.")
        return redirect(reverse("care-plan", kwargs={"patient_id": patient.pk}) + f"#step-{item.pk}")
    audit_record(
        request=request,
        action=Action.VIEW,
        patient=patient,
        obj=plan,
        detail={"page": "plan", "invalid": True},
    )
    return _plan_page(request, patient, plan, add_form=form, status=400)


@require_POST
@role_required(Role.PHYSICIAN)
def plan_finalize(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    plan = selectors.draft_plan(patient)
    if plan is None:
        latest = selectors.latest_plan(patient)
        audit_record(
            request=request,
            action=Action.DENIED,
            patient=patient,
            obj=latest or patient,
            detail={"reason": "no-draft"},
        )
        messages.error(request, "There is no draft plan to finalize.")
        return redirect("care-plan", patient_id=patient.pk)
    plan = services.plan_finalize(actor=_user(request), plan=plan, request=request)
    messages.success(request, f"Plan finalized (knowledge version {plan.knowledge_version}).")
    return redirect("care-plan", patient_id=patient.pk)


# ------------------------------------------------------------------------------------------ note
def _prefill(encounter: Encounter) -> dict[str, Any]:
    """Initial note values from the intake's pain story, the evaluation and the accepted plan."""
    patient = encounter.patient
    case = selectors.case_for_patient(patient, as_of=None)
    previous = selectors.previous_note(encounter)
    pain = case.get("pain", {})
    story: list[str] = []
    if pain.get("narrative"):
        story.append(f"In the patient's words: “{pain['narrative']}”")
    if pain.get("onset") or pain.get("duration_days") is not None:
        story.append(f"Onset: {pain.get('onset') or str(pain.get('duration_days')) + ' days ago'}.")
    if pain.get("sites"):
        story.append(
            "Sites: "
            + ", ".join(
                f"{s['region']}{' (' + s['side'] + ')' if s.get('side') else ''}" for s in pain["sites"]
            )
            + "."
        )
    for key, title in (
        ("radiation", "Radiates to"),
        ("qualities", "Quality"),
        ("worse_with", "Worse with"),
        ("better_with", "Better with"),
    ):
        if pain.get(key):
            story.append(f"{title}: {', '.join(pain[key])}.")
    if pain.get("nrs") is not None:
        story.append(f"Pain now {pain['nrs']}/10.")
    if case.get("red_flags"):
        story.append("Red flags reported: " + ", ".join(case["red_flags"]) + ".")
    if case.get("medications"):
        story.append("Medications: " + ", ".join(m["name"] for m in case["medications"]) + ".")
    if not story and patient.story:
        story.append(patient.story)
    snapshot = selectors.latest_snapshot(patient)
    assessment = ""
    if snapshot is not None:
        lines = []
        for d in selectors.evaluation_view(snapshot.result)["differential"][:3]:
            line = f"- {d['label']} (score {d['score']})"
            if d.get("supporting"):
                line += "; for: " + ", ".join(d["supporting"])
            if d.get("against"):
                line += "; against: " + ", ".join(d["against"])
            lines.append(line)
        result = snapshot.result
        head = f"Triage {result['triage']['level']}; {result.get('chronicity') or 'onset unknown'}; mechanism {result.get('mechanism') or 'unclassified'}."
        assessment = "\n".join([head, "Differential:", *lines])
    plan = selectors.latest_plan(patient)
    plan_text = ""
    if plan is not None:
        plan_text = "\n".join(
            f"- {i.shown_label}"
            + (
                f" — order: {i.get_order_kind_display().lower()} {i.order_detail}".rstrip()
                if i.order_kind != OrderKind.NONE
                else ""
            )
            for i in selectors.plan_items(plan)
            if i.is_in_plan
        )
    initial: dict[str, Any] = {
        "history": "\n".join(story),
        "assessment": assessment,
        "plan_text": plan_text,
        "diagnoses": previous.diagnoses if previous else [],
    }
    if previous is not None:
        initial.update(EncounterNoteForm.initial_from_exam(previous.exam))
    return initial


def _note_initial(note: Any) -> dict[str, Any]:
    initial = {
        "history": note.history,
        "assessment": note.assessment,
        "plan_text": note.plan_text,
        "diagnoses": note.diagnoses,
    }
    initial.update(EncounterNoteForm.initial_from_exam(note.exam))
    initial.update(EncounterNoteForm.initial_from_dn4(note.dn4_exam))
    return initial


def _dn4_rows(note: Any) -> list[tuple[str, str]]:
    """The note's DN4 examination answers for display (label, yes/no)."""
    if note is None or not note.dn4_exam:
        return []
    return [
        (dn4.exam_label(item), "yes" if answer else "no")
        for item, answer in zip(dn4.exam_items(), note.dn4_exam, strict=True)
    ]


def _note_page(
    request: HttpRequest,
    encounter: Encounter,
    *,
    form: EncounterNoteForm | None = None,
    amend_form: AmendmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    note = selectors.note_for_encounter(encounter)
    prefilled = False
    if not encounter.is_signed and form is None:
        if note is not None:
            form = EncounterNoteForm(initial=_note_initial(note))
        else:
            form = EncounterNoteForm(initial=_prefill(encounter))
            prefilled = True
    context = {
        "encounter": encounter,
        "patient": encounter.patient,
        "note": note,
        "form": None if encounter.is_signed else form,
        "prefilled": prefilled,
        "amend_form": (amend_form or AmendmentForm()) if encounter.is_signed else None,
        "amendments": encounter.amendments.select_related("author"),
        "can_sign": user.role == Role.PHYSICIAN and not encounter.is_signed,
        "diagnosis_labels": [diagnosis_label(c) for c in (note.diagnoses if note else [])],
        "exam_rows": sorted((note.exam if note else {}).items()),
        "dn4_rows": _dn4_rows(note),
    }
    return render(request, "care/note.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL_ROLES)
def encounter_note(request: HttpRequest, encounter_id: int) -> HttpResponse:
    user = _user(request)
    encounter = records_selectors.get_encounter_for_user(
        user=user, encounter_id=encounter_id, request=request
    )
    if request.method == "POST":
        if encounter.is_signed:
            audit_record(
                request=request,
                action=Action.DENIED,
                patient=encounter.patient,
                obj=encounter,
                detail={"reason": "signed"},
            )
            messages.error(
                request, "This note is signed and can no longer be edited; add an amendment instead."
            )
            return redirect("encounter-note", encounter_id=encounter.pk)
        form = EncounterNoteForm(request.POST)
        if form.is_valid():
            services.note_save(
                actor=user,
                encounter=encounter,
                history=form.cleaned_data["history"],
                exam=form.cleaned_data["exam"],
                assessment=form.cleaned_data["assessment"],
                plan_text=form.cleaned_data["plan_text"],
                diagnoses=form.cleaned_data["diagnoses"],
                dn4_exam=form.cleaned_data["dn4_exam"],
                request=request,
            )
            messages.success(request, "Note saved. Press Evaluate on the chart to see the findings' effect.")
            return redirect("encounter-note", encounter_id=encounter.pk)
        audit_record(
            request=request,
            action=Action.VIEW,
            patient=encounter.patient,
            obj=encounter,
            detail={"page": "note"},
        )
        return _note_page(request, encounter, form=form, status=400)
    audit_record(
        request=request, action=Action.VIEW, patient=encounter.patient, obj=encounter, detail={"page": "note"}
    )
    return _note_page(request, encounter)


def _note_page_with_amendment(
    request: HttpRequest, encounter: Encounter, form: AmendmentForm
) -> HttpResponse:
    return _note_page(request, encounter, amend_form=form, status=400)


NOTE_PAGE = EncounterPage(
    url_name="encounter-note",
    noun="note",
    render_with_amendment=_note_page_with_amendment,
    view_detail={"page": "note"},
)


@require_POST
@role_required(Role.PHYSICIAN)
def encounter_note_sign(request: HttpRequest, encounter_id: int) -> HttpResponse:
    return sign_from_page(request, encounter_id, page=NOTE_PAGE)


@require_POST
@role_required(*CLINICAL_ROLES)
def encounter_note_amend(request: HttpRequest, encounter_id: int) -> HttpResponse:
    return amend_from_page(request, encounter_id, page=NOTE_PAGE)


# ------------------------------------------------------------------------------------------ follow-up
def _instrument(code: str) -> Any:
    found = {i.code: i for i in instruments()}
    return found.get(code) or found["peg"]


def _due_instruments(case: dict[str, Any]) -> list[str]:
    """PEG, PHQ-9 and GAD-7 always; ODI for low back, NDI for neck (issue 6: the sites call for them)."""
    regions = {s.get("region") for s in case.get("pain", {}).get("sites", [])}
    due = ["peg", "phq9", "gad7"]
    if "low-back" in regions:
        due.append("odi")
    if "neck" in regions:
        due.append("ndi")
    return due


def _encounter_param(request: HttpRequest, patient: Patient) -> Encounter | None:
    raw = request.POST.get("encounter") or request.GET.get("encounter")
    if not raw or not str(raw).isdigit():
        return None
    encounter = records_selectors.get_encounter_for_user(
        user=_user(request), encounter_id=int(raw), request=request
    )
    if encounter.patient_id != patient.pk:
        raise records_selectors.deny_not_visible(
            request=request, user=_user(request), object_type="records.encounter", object_id=raw
        )
    return encounter


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL_ROLES)
def measures(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = _user(request)
    patient = _patient(request, patient_id)
    encounter = _encounter_param(request, patient)
    today = selectors.patient_today(patient)
    code = request.POST.get("instrument") or request.GET.get("instrument") or "peg"
    instrument = _instrument(code)
    q_form = QuestionnaireForm(initial={"date": today}, instrument=instrument)
    g_form = GoalMeasureForm(initial={"date": today})
    status = 200
    if request.method == "POST":
        kind = request.POST.get("kind")
        if kind == "goal":
            g_form = GoalMeasureForm(request.POST)
            valid = g_form.is_valid()
        else:
            q_form = QuestionnaireForm(request.POST, instrument=instrument)
            valid = q_form.is_valid()
        if valid:
            if kind == "goal":
                m = services.measurement_record(
                    actor=user,
                    patient=patient,
                    instrument=g_form.cleaned_data["measure"],
                    date=g_form.cleaned_data["date"],
                    score=g_form.cleaned_data["value"],
                    encounter=encounter,
                    request=request,
                )
            else:
                m = services.measurement_record(
                    actor=user,
                    patient=patient,
                    instrument=instrument.code,
                    date=q_form.cleaned_data["date"],
                    items=q_form.cleaned_data["items"],
                    encounter=encounter,
                    request=request,
                )
            messages.success(request, f"{m.instrument} recorded: {m.score:g}.")
            url = (
                reverse("care-measures", kwargs={"patient_id": patient.pk}) + f"?instrument={instrument.code}"
            )
            return redirect(url + (f"&encounter={encounter.pk}" if encounter else ""))
        status = 400
    data = selectors.load_care_data(patient)
    assembly = selectors.assemble_case(data)
    snapshot = selectors.latest_snapshot(patient)
    charts = selectors.chart_series(
        data=data, case=assembly.case, result=snapshot.result if snapshot else None
    )
    audit_record(
        request=request, action=Action.VIEW, patient=patient, obj=patient, detail={"page": "measures"}
    )
    last_by_instrument: dict[str, Any] = {}
    for m in data.measurements:
        last_by_instrument[m.instrument] = m
    due = [
        {"code": c, "name": _instrument(c).name, "last": last_by_instrument.get(c)}
        for c in _due_instruments(assembly.case)
    ]
    goals = [g for g in assembly.case.get("goals", []) if g.get("measure")]
    context = {
        "patient": patient,
        "encounter": encounter,
        "instrument": instrument,
        "instruments": instruments(),
        "q_form": q_form,
        "g_form": g_form,
        "due": due,
        "goals": goals,
        "summary": [row for group in charts["groups"] for row in group["summary"]],
        "goal_rows": charts["goals"],
    }
    return render(request, "care/measures.html", context, status=status)


# ------------------------------------------------------------------------------- clinical profile
def _condition_labels(codes: list[str]) -> list[str]:
    return [CONDITION_LABELS.get(code, code) for code in codes]


def _rule_out_auto_id(code: str) -> str:
    """Each reported condition's form has its own element ids (several forms share one page)."""
    return f"id_ruleout_{code}_%s" if code in CONDITION_LABELS else "id_ruleout_%s"


def _reported_rows(
    reported: tuple[selectors.ReportedCondition, ...],
    *,
    background: selectors.ClinicalBackground | None = None,
    bound: ConditionRuleOutForm | None = None,
) -> list[dict[str, Any]]:
    """The patient's reported conditions for display; with `background` (a clinician who may rule out),
    each with its rule-out form."""
    can_edit = background is not None
    rows = []
    for row in reported:
        form = None
        if can_edit and not row.ruled_out and not row.confirmed:
            if bound is not None and bound.data.get("condition") == row.code:
                form = bound
            else:
                form = ConditionRuleOutForm(
                    initial={"condition": row.code},
                    background=background,
                    auto_id=_rule_out_auto_id(row.code),
                )
        rows.append(
            {
                "row": row,
                "label": CONDITION_LABELS.get(row.code, row.code),
                "form": form,
                "can_undo": can_edit and row.ruled_out,
            }
        )
    return rows


def _profile_page(
    request: HttpRequest,
    patient: Patient,
    *,
    form: ClinicalProfileForm | None = None,
    rule_out_form: ConditionRuleOutForm | None = None,
    undo_error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    can_edit = user.role in services.PROFILE_EDITOR_ROLES
    latest = selectors.latest_clinical_profile(patient)
    if form is None:
        form = ClinicalProfileForm(
            initial=ClinicalProfileForm.initial_from(latest), today=selectors.patient_today(patient)
        )
    background = selectors.clinical_background(patient, latest)
    audit_record(request=request, action=Action.VIEW, patient=patient, obj=latest or patient,
                 detail={"page": "clinical-profile", **({"invalid": True} if status == 400 else {})})  # fmt: skip
    rows = _reported_rows(
        background.reported_conditions, background=background if can_edit else None, bound=rule_out_form
    )
    placed = any(r["form"] is rule_out_form for r in rows)
    context = {
        "patient": patient,
        "form": form if can_edit else None,
        "latest": latest,
        "history": [
            {"profile": p, "conditions": _condition_labels(p.conditions)}
            for p in selectors.clinical_profiles(patient)
        ],
        "background": background,
        "reported_rows": rows,
        "rule_out_errors": rule_out_form if rule_out_form is not None and not placed else None,
        "undo_error": undo_error,
        "in_use_conditions": _condition_labels(background.in_use.get("conditions", [])),
        "cds_label": CDS_LABEL,
    }
    return render(request, "care/clinical_profile.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL_ROLES)
def clinical_profile(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's confirmed background (eGFR, liver, conditions, pregnancy, psychological clearance).

    Physicians and nurses record it; therapists read it.
    """
    user = _user(request)
    patient = _patient(request, patient_id)
    if request.method == "POST":
        if user.role not in services.PROFILE_EDITOR_ROLES:
            audit_record(request=request, action=Action.DENIED, patient=patient, obj=patient,
                         detail={"reason": "role", "page": "clinical-profile"})  # fmt: skip
            raise PermissionDenied(services.NOT_A_PROFILE_EDITOR_MESSAGE)
        form = ClinicalProfileForm(request.POST, today=selectors.patient_today(patient))
        if form.is_valid():
            services.clinical_profile_record(
                actor=user, patient=patient, request=request, **form.profile_values()
            )
            messages.success(request, "Clinical profile saved; the evaluation was updated with it.")
            return redirect("care-clinical-profile", patient_id=patient.pk)
        return _profile_page(request, patient, form=form, status=400)
    return _profile_page(request, patient)


def _reported_conditions_url(patient: Patient) -> str:
    return reverse("care-clinical-profile", kwargs={"patient_id": patient.pk}) + "#reported-conditions"


@require_POST
@role_required(*services.PROFILE_EDITOR_ROLES)
def condition_rule_out(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Rule out a condition the patient reported (physicians and nurses); the evaluation leaves it out."""
    patient = _patient(request, patient_id)
    background = selectors.clinical_background(patient, selectors.latest_clinical_profile(patient))
    code = str(request.POST.get("condition", ""))
    form = ConditionRuleOutForm(request.POST, background=background, auto_id=_rule_out_auto_id(code))
    if not form.is_valid():
        return _profile_page(request, patient, rule_out_form=form, status=400)
    code = form.cleaned_data["condition"]
    services.condition_rule_out(
        actor=_user(request),
        patient=patient,
        condition=code,
        reason=form.cleaned_data["reason"],
        request=request,
    )
    label = CONDITION_LABELS.get(code, code)
    messages.success(request, f"{label} ruled out; the evaluation was updated without it.")
    return redirect(_reported_conditions_url(patient))


@require_POST
@role_required(*services.PROFILE_EDITOR_ROLES)
def condition_rule_out_undo(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Withdraw a rule-out: the patient's report counts again (the ruling stays in the record)."""
    patient = _patient(request, patient_id)
    code = str(request.POST.get("condition", ""))
    label = CONDITION_LABELS.get(code, code)
    try:
        services.condition_rule_out_undo(
            actor=_user(request), patient=patient, condition=code, request=request
        )
    except ValueError:
        return _profile_page(
            request, patient, undo_error=services.NOT_RULED_OUT_MESSAGE.format(condition=label), status=400
        )
    messages.success(request, f"The rule-out of {label} was undone; the evaluation counts it again.")
    return redirect(_reported_conditions_url(patient))
