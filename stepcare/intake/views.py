"""Intake pages (patient at home, or staff on a clinic tablet) and the triage queue. Thin views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stepcare.accounts.decorators import role_required
from stepcare.accounts.models import Role, User
from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.intake import selectors, services
from stepcare.intake import steps as s
from stepcare.intake import wording as w
from stepcare.intake.models import Intake
from stepcare.intake.summary import intake_summary
from stepcare.records.models import Patient
from stepcare.records.selectors import get_patient_for_user

INTAKE_STAFF = (Role.NURSE, Role.PHYSICIAN, Role.FRONT_DESK)
TRIAGE_ROLES = (Role.PHYSICIAN, Role.NURSE)
UPLOAD_READERS = (Role.PHYSICIAN, Role.NURSE, Role.THERAPIST, Role.FRONT_DESK, Role.PATIENT)
SUBMITTED_MESSAGE = "Thank you. Your answers were sent to the clinic."


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class _Urls:
    """Intake URLs for the portal (patient) or a patient's record (staff on a tablet)."""

    def __init__(self, patient: Patient, *, portal: bool) -> None:
        self.patient = patient
        self.portal = portal

    def start(self) -> str:
        return reverse("portal-intake") if self.portal else reverse("patient-intake", args=[self.patient.pk])

    def step(self, slug: str) -> str:
        if self.portal:
            return reverse("portal-intake-step", args=[slug])
        return reverse("patient-intake-step", args=[self.patient.pk, slug])

    def done(self) -> str:
        return reverse("portal") if self.portal else reverse("patient-chart", args=[self.patient.pk])


def _own_patient(request: HttpRequest) -> Patient:
    user = _user(request)
    if user.patient_id is None:
        raise Http404("No patient record is linked to this login.")
    return get_patient_for_user(user=user, patient_id=user.patient_id, request=request)


# ------------------------------------------------------------------------------------ start / resume
def _start(request: HttpRequest, patient: Patient, urls: _Urls) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        intake = services.intake_start(actor=user, patient=patient, request=request)
        return redirect(urls.step(intake.current_step))
    current = selectors.in_progress_intake(patient=patient)
    if current is not None:
        audit_record(
            request=request,
            action=Action.VIEW,
            patient=patient,
            obj=current,
            detail={"page": "intake-resume"},
        )
        return redirect(urls.step(current.current_step))
    latest = selectors.latest_submitted_intake(patient=patient)
    audit_record(
        request=request, action=Action.VIEW, patient=patient, obj=patient, detail={"page": "intake-start"}
    )
    return render(request, "intake/start.html", {"patient": patient, "latest": latest, "urls": urls})


@require_http_methods(["GET", "POST"])
@role_required(Role.PATIENT)
def portal_intake(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request)
    return _start(request, patient, _Urls(patient, portal=True))


@require_http_methods(["GET", "POST"])
@role_required(*INTAKE_STAFF)
def patient_intake(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_user(user=_user(request), patient_id=patient_id, request=request)
    return _start(request, patient, _Urls(patient, portal=False))


# --------------------------------------------------------------------------------------------- steps
def _progress(intake: Intake, current: str, urls: _Urls) -> list[dict[str, Any]]:
    done = set(intake.completed_steps)
    # A step right after a saved one is reachable too: an intake begun before a step was added can reach it.
    after_done = {slug for i, slug in enumerate(w.STEP_SLUGS) if i and w.STEP_SLUGS[i - 1] in done}
    reachable = done | after_done | {intake.current_step}
    return [
        {
            "slug": slug,
            "title": title,
            "number": i,
            "url": urls.step(slug),
            "done": slug in intake.completed_steps,
            "current": slug == current,
            "reachable": slug in reachable,
        }
        for i, (slug, title) in enumerate(w.STEPS, start=1)
    ]


def _render_step(request: HttpRequest, step: s.Step, urls: _Urls, *, status: int = 200) -> HttpResponse:
    intake = step.intake
    previous = s.previous_step(step.slug)
    context = {
        "patient": intake.patient,
        "intake": intake,
        "step": step,
        "urls": urls,
        "progress": _progress(intake, step.slug, urls),
        "step_number": w.STEP_SLUGS.index(step.slug) + 1,
        "step_count": len(w.STEP_SLUGS),
        "previous_url": urls.step(previous) if previous else None,
        "next_url": urls.step(s.next_step(step.slug)),
        "triage_line": w.TRIAGE_PATIENT_LINES.get(intake.triage_level, ""),
        **step.context(),
    }
    if step.slug == "review":
        context |= _review_context(intake)
    if request.htmx and isinstance(step, s.RowsStep):  # type: ignore[attr-defined]
        return render(request, "intake/_rows.html", context, status=status)
    return render(request, step.template, context, status=status)


def _review_context(intake: Intake) -> dict[str, Any]:
    return {"review": intake_summary(intake), "uploads": selectors.intake_uploads(intake=intake)}


def _step(request: HttpRequest, patient: Patient, slug: str, urls: _Urls) -> HttpResponse:
    user = _user(request)
    step_class = s.STEP_CLASSES.get(slug)
    if step_class is None:
        raise Http404("No such intake step.")
    intake = selectors.in_progress_intake(patient=patient)
    if intake is None:
        audit_record(
            request=request, action=Action.VIEW, patient=patient, obj=patient, detail={"page": "intake-start"}
        )
        messages.info(request, "There is no intake in progress; start one here.")
        return redirect(urls.start())
    as_of = selectors.intake_today(intake)
    if request.method == "GET":
        audit_record(request=request, action=Action.VIEW, patient=patient, obj=intake, detail={"step": slug})
        return _render_step(request, step_class(intake, as_of), urls)

    step = step_class(intake, as_of, request.POST, request.FILES)
    if isinstance(step, s.RowsStep) and ("add_row" in request.POST or "remove_row" in request.POST):
        remove = request.POST.get("remove_row", "")
        step.edit_rows(add="add_row" in request.POST, remove=int(remove) if remove.isdigit() else None)
        audit_record(
            request=request,
            action=Action.VIEW,
            patient=patient,
            obj=intake,
            detail={"step": slug, "rows": True},
        )
        return _render_step(request, step, urls)
    if not step.is_valid():
        audit_record(
            request=request,
            action=Action.VIEW,
            patient=patient,
            obj=intake,
            detail={"step": slug, "invalid": True},
        )
        return _render_step(request, step, urls, status=400)
    if slug == "review":
        services.intake_submit(actor=user, intake=intake, as_of=as_of, request=request)
        messages.success(request, SUBMITTED_MESSAGE)
        return redirect(urls.start())
    data_updates, extra_updates = step.updates()
    level_before = intake.triage_level
    stay = "upload" in request.POST
    report = step.report if isinstance(step, s.ImagingStep) else None
    saved = services.intake_save_step(
        actor=user,
        intake=intake,
        step=slug,
        data_updates=data_updates,
        extra_updates=extra_updates,
        next_step=slug if stay else s.next_step(slug),
        as_of=as_of,
        report=report,
        report_type=getattr(report, "sniffed", None),
        request=request,
    )
    if report is not None:
        messages.success(request, f"“{report.name}” was uploaded.")
    if slug == "questionnaires" and _self_harm_answer(data_updates):
        messages.warning(request, w.CRISIS_LINE)
    if slug == services.TRIAGE_STEP and saved.needs_prompt_action and saved.triage_level != level_before:
        # New advice is shown on this same step, right away, before anything else.
        return redirect(urls.step(slug) + "#triage-advice")
    return redirect(urls.step(saved.current_step))


def _self_harm_answer(data: dict[str, Any]) -> bool:
    for q in data.get("questionnaires", []):
        if q["instrument"] == "phq9" and len(q["items"]) == 9 and (q["items"][8] or 0) >= 1:
            return True
    return False


@require_http_methods(["GET", "POST"])
@role_required(Role.PATIENT)
def portal_intake_step(request: HttpRequest, step: str) -> HttpResponse:
    patient = _own_patient(request)
    return _step(request, patient, step, _Urls(patient, portal=True))


@require_http_methods(["GET", "POST"])
@role_required(*INTAKE_STAFF)
def patient_intake_step(request: HttpRequest, patient_id: int, step: str) -> HttpResponse:
    patient = get_patient_for_user(user=_user(request), patient_id=patient_id, request=request)
    return _step(request, patient, step, _Urls(patient, portal=False))


# ------------------------------------------------------------------------------------------ uploads
@require_GET
@role_required(*UPLOAD_READERS)
def upload_download(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = selectors.get_upload_for_user(user=_user(request), upload_id=upload_id, request=request)
    audit_record(
        request=request,
        action=Action.VIEW,
        patient=upload.intake.patient,
        obj=upload,
        detail={"page": "upload-download", "intake_id": upload.intake_id},
    )
    response = FileResponse(
        upload.file.open("rb"),
        as_attachment=True,
        filename=upload.original_name,
        content_type=upload.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response  # type: ignore[return-value]  # a streamed file; role_required types views as HttpResponse


# -------------------------------------------------------------------------------------- triage queue
@require_GET
@role_required(*TRIAGE_ROLES)
def triage_queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    queue = selectors.triage_queue(user=user)
    acknowledged = selectors.recently_acknowledged(user=user)
    audit_record(
        request=request,
        action=Action.VIEW,
        detail={
            "page": "triage",
            "intakes": [i.pk for i in queue],
            "acknowledged": [i.pk for i in acknowledged],
        },
    )
    return render(request, "intake/triage.html", {"queue": queue, "acknowledged": acknowledged})


@require_POST
@role_required(*TRIAGE_ROLES)
def triage_acknowledge(request: HttpRequest, intake_id: int) -> HttpResponse:
    user = _user(request)
    intake = selectors.get_intake_for_user(user=user, intake_id=intake_id, request=request)
    if not intake.triage_level:
        audit_record(
            request=request,
            action=Action.DENIED,
            patient=intake.patient,
            obj=intake,
            detail={"reason": "not-triaged"},
        )
        messages.error(request, "This intake has no triage result yet; nothing to acknowledge.")
        return redirect("triage-queue")
    intake = services.intake_acknowledge(actor=user, intake=intake, request=request)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "intake/_triage_row.html", {"intake": intake})
    messages.success(request, f"Acknowledged the triage for {intake.patient.full_name}.")
    return redirect("triage-queue")
