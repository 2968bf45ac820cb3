"""Procedure pages: list and plan, the workflow steps, consent, the block diary, the prior-auth packet.

Thin: check the role, fetch through selectors, write through services; a refused rule is shown on the
form (field-level when it names a field) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from stepcare.accounts.decorators import ROLE_DENIED_MESSAGE, role_required
from stepcare.accounts.models import STAFF_ROLES, Role, User
from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.clinical import parse_case
from stepcare.clinical import procedures as knowledge
from stepcare.procedures import selectors, services
from stepcare.procedures.forms import (
    AuthorizeForm,
    CancelForm,
    ConsentForm,
    DenyForm,
    DiaryForm,
    PerformForm,
    ProcedurePlanForm,
    RequestAuthForm,
    ResponseForm,
    ScheduleForm,
)
from stepcare.procedures.models import BlockDiary, ProcedureRecord, Status
from stepcare.records.selectors import clinic_today, get_patient_for_user

PLANNERS = (Role.PHYSICIAN,)
WORKFLOW_ROLES = (Role.PHYSICIAN, Role.NURSE, Role.FRONT_DESK)
CLINICIANS = (Role.PHYSICIAN, Role.NURSE)
# Who may take each workflow step (the view's role_required admits the union).
ACTION_ROLES: dict[str, tuple[str, ...]] = {
    "request-auth": WORKFLOW_ROLES,
    "authorize": WORKFLOW_ROLES,
    "deny": WORKFLOW_ROLES,
    "schedule": CLINICIANS,
    "perform": (Role.PHYSICIAN,),
    "record-response": CLINICIANS,
    "cancel": CLINICIANS,
}
ACTION_TITLES = {
    "request-auth": "Request prior authorization",
    "authorize": "Record the authorization",
    "deny": "Record a denial",
    "schedule": "Schedule",
    "perform": "Record the procedure",
    "record-response": "Record the response",
    "cancel": "Cancel",
}
PDF_UNAVAILABLE = (
    "The PDF could not be made on this server (WeasyPrint or its system libraries are missing). "
    "Use the HTML packet and your browser's Print to PDF instead."
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _audit_view(request: HttpRequest, procedure: ProcedureRecord, page: str, **detail: Any) -> None:
    audit_record(
        request=request,
        action=Action.VIEW,
        patient=procedure.patient,
        obj=procedure,
        detail={"page": page, **detail},
    )


def _apply_rule_error(form: forms.Form, error: services.ProcedureRuleError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


# ----------------------------------------------------------------------------------- list and plan
@require_GET
@role_required(*STAFF_ROLES)
def patient_procedures(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = _user(request)
    patient = get_patient_for_user(user=user, patient_id=patient_id, request=request)
    rows = list(selectors.procedures_for_patient(patient))
    audit_record(
        request=request,
        action=Action.VIEW,
        patient=patient,
        obj=patient,
        detail={"page": "procedures", "procedures": [p.pk for p in rows]},
    )
    return render(
        request,
        "procedures/patient_procedures.html",
        {"patient": patient, "procedures": rows, "can_plan": user.role in PLANNERS},
    )


@require_http_methods(["GET", "POST"])
@role_required(*PLANNERS)
def procedure_create(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = _user(request)
    patient = get_patient_for_user(user=user, patient_id=patient_id, request=request)
    payer_initial = "medicare"
    form = ProcedurePlanForm(request.POST or None, initial={"payer": payer_initial})
    if request.method == "POST" and form.is_valid():
        procedure = services.procedure_plan(
            actor=user,
            patient=patient,
            request=request,
            **{k: form.cleaned_data[k] for k in form.Meta.fields},
        )
        messages.success(request, f"{procedure.get_code_display()} planned.")
        return redirect("procedure-detail", procedure_id=procedure.pk)
    case = selectors.case_for(patient, as_of=clinic_today(user))
    suggestion = knowledge.approach(parse_case(case))
    audit_record(
        request=request, action=Action.VIEW, patient=patient, obj=patient, detail={"page": "plan-procedure"}
    )
    return render(
        request,
        "procedures/procedure_form.html",
        {"patient": patient, "form": form, "approach": suggestion},
        status=400 if request.method == "POST" else 200,
    )


# ------------------------------------------------------------------------------------------ detail
@require_GET
@role_required(*STAFF_ROLES)
def procedure_detail(request: HttpRequest, procedure_id: int) -> HttpResponse:
    user = _user(request)
    procedure = selectors.get_procedure_for_user(user=user, procedure_id=procedure_id, request=request)
    _audit_view(request, procedure, "procedure")
    actions = [
        (name, ACTION_TITLES[name])
        for name, (allowed, _) in services.TRANSITIONS.items()
        if procedure.status in allowed and user.role in ACTION_ROLES[name]
    ]
    context = {
        "procedure": procedure,
        "patient": procedure.patient,
        "entry": procedure.entry,
        "consent": getattr(procedure, "consent", None),
        "diary": selectors.diary_for(procedure),
        "actions": actions,
        "can_consent": user.role in CLINICIANS
        and not procedure.is_done
        and procedure.status != Status.CANCELLED,
        "can_diary": user.role in CLINICIANS and procedure.is_done,
        "can_prior_auth": user.role in WORKFLOW_ROLES,
    }
    return render(request, "procedures/procedure_detail.html", context)


# ----------------------------------------------------------------------------------- workflow steps
def _action_form(
    action: str, procedure: ProcedureRecord, data: Any, holds: list[dict[str, Any]]
) -> forms.Form:
    if action == "request-auth":
        return RequestAuthForm(data, initial={"payer": procedure.payer})
    if action == "authorize":
        return AuthorizeForm(data)
    if action == "deny":
        return DenyForm(data)
    if action == "cancel":
        return CancelForm(data)
    if action == "schedule":
        return ScheduleForm(
            data, holds=holds, initial={"scheduled_for": procedure.scheduled_for or procedure.planned_date}
        )
    if action == "perform":
        initial = {f: getattr(procedure, f) for f in ("side", "levels", "approach", "guidance")}
        return PerformForm(data, procedure=procedure, initial=initial)
    return ResponseForm(
        data,
        initial={
            "relief_percent": procedure.relief_percent,
            "relief_hours": procedure.relief_hours,
            "function_improved": {True: "yes", False: "no"}.get(procedure.function_improved, ""),  # type: ignore[arg-type]
        },
    )


def _run_action(
    action: str,
    form: forms.Form,
    *,
    user: User,
    procedure: ProcedureRecord,
    request: HttpRequest,
    holds: list[dict[str, Any]],
) -> ProcedureRecord:
    data = form.cleaned_data
    common: dict[str, Any] = {"actor": user, "procedure": procedure, "request": request}
    calls: dict[str, Callable[[], ProcedureRecord]] = {
        "request-auth": lambda: services.procedure_request_auth(payer=data["payer"], **common),
        "authorize": lambda: services.procedure_authorize(
            authorization_number=data["authorization_number"], **common
        ),
        "deny": lambda: services.procedure_deny(denial_reason=data["denial_reason"], **common),
        "cancel": lambda: services.procedure_cancel(cancel_reason=data["cancel_reason"], **common),
        "schedule": lambda: services.procedure_schedule(
            scheduled_for=data["scheduled_for"],
            holds=holds,
            last_doses=form.last_doses() if isinstance(form, ScheduleForm) else {},
            hold_confirmed=bool(data.get("hold_confirmed")),
            **common,
        ),
        "perform": lambda: services.procedure_perform(
            **{k: data[k] for k in PerformForm.base_fields}, **common
        ),
        "record-response": lambda: services.procedure_record_response(
            relief_percent=data["relief_percent"],
            relief_hours=data["relief_hours"],
            function_improved=form.function() if isinstance(form, ResponseForm) else None,
            **common,
        ),
    }
    return calls[action]()


@require_http_methods(["GET", "POST"])
@role_required(*WORKFLOW_ROLES)
def procedure_action(request: HttpRequest, procedure_id: int, action: str) -> HttpResponse:
    user = _user(request)
    procedure = selectors.get_procedure_for_user(user=user, procedure_id=procedure_id, request=request)
    if action not in ACTION_ROLES or user.role not in ACTION_ROLES[action]:
        audit_record(
            request=request,
            action=Action.DENIED,
            patient=procedure.patient,
            obj=procedure,
            detail={"reason": "role", "step": action, "allowed_roles": list(ACTION_ROLES.get(action, ()))},
        )
        raise PermissionDenied(ROLE_DENIED_MESSAGE)
    holds: list[dict[str, Any]] = []
    if action == "schedule":
        holds = selectors.hold_review(procedure, as_of=clinic_today(user))
    form = _action_form(action, procedure, request.POST or None, holds)
    status = 200
    blocked = None
    if request.method == "POST":
        if form.is_valid():
            try:
                _run_action(action, form, user=user, procedure=procedure, request=request, holds=holds)
            except services.ProcedureRuleError as error:
                _apply_rule_error(form, error)
            else:
                messages.success(request, f"{ACTION_TITLES[action]}: done.")
                return redirect("procedure-detail", procedure_id=procedure.pk)
        status = 400
    else:
        try:
            services.check_transition(procedure, action)
        except services.ProcedureRuleError as error:
            blocked = error.message
    _audit_view(request, procedure, "step", step=action)
    return render(
        request,
        "procedures/procedure_action.html",
        {
            "procedure": procedure,
            "patient": procedure.patient,
            "form": form,
            "action": action,
            "title": ACTION_TITLES[action],
            "holds": holds,
            "blocked": blocked,
        },
        status=status,
    )


# ------------------------------------------------------------------------------------------ consent
@require_http_methods(["GET", "POST"])
@role_required(*CLINICIANS)
def procedure_consent(request: HttpRequest, procedure_id: int) -> HttpResponse:
    user = _user(request)
    procedure = selectors.get_procedure_for_user(user=user, procedure_id=procedure_id, request=request)
    existing = getattr(procedure, "consent", None)
    initial = {"risks": existing.risks, "questions": existing.questions} if existing else None
    form = ConsentForm(request.POST or None, procedure=procedure, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.procedure_consent_record(
                actor=user,
                procedure=procedure,
                risks=form.cleaned_data["risks"],
                questions=form.cleaned_data["questions"],
                request=request,
            )
        except services.ProcedureRuleError as error:
            _apply_rule_error(form, error)
        else:
            messages.success(request, "Consent checklist recorded.")
            return redirect("procedure-detail", procedure_id=procedure.pk)
    _audit_view(request, procedure, "consent")
    return render(
        request,
        "procedures/consent.html",
        {"procedure": procedure, "patient": procedure.patient, "form": form, "consent": existing},
        status=400 if request.method == "POST" else 200,
    )


# -------------------------------------------------------------------------------------- block diary
def _diary_initial(procedure: ProcedureRecord, diary: BlockDiary | None) -> dict[str, Any]:
    if diary is None:
        return {"anaesthetic": procedure.anaesthetic or None}
    return DiaryForm.initial_for(
        diary.anaesthetic, diary.pre_nrs, [(e.hours, e.nrs) for e in diary.entries.all()]
    )


def _diary_context(procedure: ProcedureRecord, form: DiaryForm, diary: BlockDiary | None) -> dict[str, Any]:
    return {
        "procedure": procedure,
        "patient": procedure.patient,
        "form": form,
        "diary": diary,
        "result": diary.result if diary else None,
        "open": procedure.is_done,
    }


def _diary_page(
    request: HttpRequest, procedure: ProcedureRecord, *, template: str, done_url: str
) -> HttpResponse:
    user = _user(request)
    diary = selectors.diary_for(procedure)
    form = DiaryForm(request.POST or None, code=procedure.code, initial=_diary_initial(procedure, diary))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.block_diary_save(
                    actor=user,
                    procedure=procedure,
                    anaesthetic=form.cleaned_data["anaesthetic"],
                    pre_nrs=form.cleaned_data["pre_nrs"],
                    scores=form.scores(),
                    request=request,
                )
            except (services.ProcedureRuleError, ValueError) as error:
                message = error.message if isinstance(error, services.ProcedureRuleError) else str(error)
                form.add_error(None, message)
            else:
                if not request.htmx:  # type: ignore[attr-defined]
                    messages.success(request, "Diary saved.")
                    return redirect(done_url)
                # htmx: the saved diary's panel (the service wrote this request's audit event)
                diary = selectors.diary_for(procedure)
                assert diary is not None
                form = DiaryForm(code=procedure.code, initial=_diary_initial(procedure, diary))
                return render(
                    request, "procedures/_diary_result.html", _diary_context(procedure, form, diary)
                )
        status = 400
    _audit_view(request, procedure, "diary")
    context = _diary_context(procedure, form, diary)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "procedures/_diary_result.html", context, status=status)
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*CLINICIANS)
def procedure_diary(request: HttpRequest, procedure_id: int) -> HttpResponse:
    user = _user(request)
    procedure = selectors.get_procedure_for_user(user=user, procedure_id=procedure_id, request=request)
    return _diary_page(
        request,
        procedure,
        template="procedures/diary.html",
        done_url=reverse("procedure-diary", kwargs={"procedure_id": procedure.pk}),
    )


@require_GET
@role_required(Role.PATIENT)
def portal_procedures(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assert user.patient_id is not None
    patient = get_patient_for_user(user=user, patient_id=user.patient_id, request=request)
    rows = list(selectors.portal_procedures(user))
    audit_record(
        request=request,
        action=Action.VIEW,
        patient=patient,
        obj=patient,
        detail={"page": "portal-procedures", "procedures": [p.pk for p in rows]},
    )
    return render(request, "procedures/portal_procedures.html", {"patient": patient, "procedures": rows})


@require_http_methods(["GET", "POST"])
@role_required(Role.PATIENT)
def portal_diary(request: HttpRequest, procedure_id: int) -> HttpResponse:
    user = _user(request)
    procedure = selectors.get_procedure_for_user(user=user, procedure_id=procedure_id, request=request)
    return _diary_page(
        request,
        procedure,
        template="procedures/portal_diary.html",
        done_url=reverse("portal-diary", kwargs={"procedure_id": procedure.pk}),
    )


# ------------------------------------------------------------------------------- prior authorization
@require_GET
@role_required(*WORKFLOW_ROLES)
def prior_auth(request: HttpRequest, procedure_id: int) -> HttpResponse:
    user = _user(request)
    procedure = selectors.get_procedure_for_user(user=user, procedure_id=procedure_id, request=request)
    packet = selectors.prior_auth_packet(procedure=procedure, user=user)
    _audit_view(request, procedure, "prior-auth", eligible=packet.eligible)
    return render(request, "procedures/prior_auth.html", {"packet": packet, "patient": procedure.patient})


@require_GET
@role_required(*WORKFLOW_ROLES)
def prior_auth_pdf(request: HttpRequest, procedure_id: int) -> HttpResponse:
    user = _user(request)
    procedure = selectors.get_procedure_for_user(user=user, procedure_id=procedure_id, request=request)
    try:
        from weasyprint import HTML  # type: ignore[import-untyped,unused-ignore]
    except (ImportError, OSError):
        audit_record(
            request=request,
            action=Action.VIEW,
            patient=procedure.patient,
            obj=procedure,
            detail={"page": "prior-auth-pdf", "error": "weasyprint-unavailable"},
        )
        return HttpResponse(PDF_UNAVAILABLE, status=503, content_type="text/plain; charset=utf-8")
    packet = selectors.prior_auth_packet(procedure=procedure, user=user)
    html = render_to_string(
        "procedures/prior_auth_document.html", {"packet": packet, "pdf": True}, request=request
    )
    pdf = HTML(string=html).write_pdf()  # the document inlines its styles: nothing is fetched
    _audit_view(request, procedure, "prior-auth-pdf", eligible=packet.eligible)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="prior-auth-{procedure.pk}.pdf"'
    return response
