"""Medication pages: the list with MME and alerts per line, orders with an engine preview, monitoring,
the taper planner and titration plans. Thin: role check, fetch through selectors, write through services.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from stepcare.accounts.decorators import role_required
from stepcare.accounts.models import Credential, Role, User
from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.care.models import MedicationEntry
from stepcare.care.selectors import patient_today
from stepcare.clinical import CaseError
from stepcare.clinical import taper as taper_core
from stepcare.clinical import titration as titration_core
from stepcare.clinical.knowledge import knowledge_version
from stepcare.meds import selectors, services
from stepcare.meds.forms import (
    CHANGE_BEFORE_START,
    MedicationOrderForm,
    MonitoringEventForm,
    StopOrderForm,
    TaperForm,
    TitrationForm,
)
from stepcare.meds.regimen import (
    Regimen,
    assess_regimen,
    drug_names,
    new_alerts,
    parse_lines,
    table_choices,
    table_citation,
    with_line,
)
from stepcare.records import selectors as records_selectors
from stepcare.records.models import Patient

LIST_READERS = (Role.PHYSICIAN, Role.NURSE, Role.THERAPIST)
READERS = (Role.PHYSICIAN, Role.NURSE)
ORDER_CREDENTIALS = (Credential.NP, Credential.PA)
ORDER_DENIED_MESSAGE = "Only physicians and nurse practitioners or physician assistants may order medicines."
CDS_LABEL = "Clinical decision support for licensed clinicians: Stepcare suggests, the clinician decides."
TAPER_LABEL = (
    "A suggestion, never applied automatically: the clinician decides, and agrees each step with the patient."
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def can_order(user: User) -> bool:
    """Physicians, and nurses credentialed as NP or PA, may order, change and stop medicines."""
    return user.role == Role.PHYSICIAN or (user.role == Role.NURSE and user.credential in ORDER_CREDENTIALS)


def _require_orderer(request: HttpRequest) -> None:
    if not can_order(_user(request)):
        audit_record(
            request=request, action=Action.DENIED, detail={"reason": "credential", "view": "medication-order"}
        )
        raise PermissionDenied(ORDER_DENIED_MESSAGE)


def _patient(request: HttpRequest, patient_id: int) -> Patient:
    return records_selectors.get_patient_for_user(user=_user(request), patient_id=patient_id, request=request)


def _table(value: str | None) -> str:
    known = [t for t, _ in table_choices()]
    return value if value in known else known[0]


def _list_url(patient: Patient, table: str) -> str:
    url = reverse("meds-list", kwargs={"patient_id": patient.pk})
    return url if table == table_choices()[0][0] else f"{url}?{urlencode({'table': table})}"


def _lines(meds: selectors.MedicationList, result: Regimen) -> list[dict[str, Any]]:
    out = []
    for i, entry in enumerate(meds.active):
        items = result.line_mme.get(i, [])
        out.append(
            {
                "entry": entry,
                "mme_items": items,
                "mme": round(sum(it.mme for it in items), 2) if items else None,
                "alerts": result.line_alerts.get(i, []),
                "problem": result.line_problems.get(i, ""),
            }
        )
    return out


def _table_context(table: str) -> dict[str, Any]:
    return {"table": table, "tables": table_choices(), "table_label": dict(table_choices())[table],
            "table_citation": table_citation(table)}  # fmt: skip


# ------------------------------------------------------------------------------------------ the list
@require_GET
@role_required(*LIST_READERS)
def medication_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The medication list only reads; orders, changes and stops have their own pages."""
    user = _user(request)
    patient = _patient(request, patient_id)
    table = _table(request.GET.get("table"))
    meds = selectors.medication_list(patient)
    try:
        result: Regimen | None = selectors.regimen(meds, table=table)
        error = ""
    except CaseError as exc:
        result, error = None, "; ".join(exc.errors)
    audit_record(request=request, action=Action.VIEW, patient=patient, obj=patient,
                 detail={"page": "medications", "table": table})  # fmt: skip
    context = {
        "patient": patient,
        "meds": meds,
        "result": result,
        "error": error,
        "lines": _lines(meds, result) if result else [],
        "can_order": can_order(user),
        "can_record": user.role in READERS,
        "monitoring_form": MonitoringEventForm(initial={"date": meds.today}, today=meds.today),
        "events": selectors.monitoring_events(patient, limit=10),
        "cds_label": CDS_LABEL,
        **_table_context(table),
    }
    return render(request, "meds/medications.html", context)


# ------------------------------------------------------------------------------------------- orders
def _order_page(request: HttpRequest, patient: Patient, entry: MedicationEntry | None) -> HttpResponse:
    user = _user(request)
    meds = selectors.medication_list(patient)
    replace = next((i for i, e in enumerate(meds.active) if entry is not None and e.pk == entry.pk), None)
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    preview: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        form = MedicationOrderForm(request.POST, saving=action == "save")
        valid = form.is_valid()
        if (
            valid
            and entry is not None
            and entry.start is not None
            and form.cleaned_data["start"] < entry.start
        ):
            form.add_error("start", CHANGE_BEFORE_START.format(start=entry.start.isoformat()))
            valid = False
        table = _table(request.POST.get("table"))
        if valid and action == "save":
            fields = form.entry_fields()
            confirmed = bool(form.unrecognized)
            if entry is None:
                saved = services.medication_order_create(
                    actor=user,
                    patient=patient,
                    fields=fields,
                    unrecognized_confirmed=confirmed,
                    request=request,
                )
                messages.success(request, f"{saved.name} ordered.")
            else:
                saved = services.medication_order_change(
                    actor=user,
                    medication=entry,
                    fields=fields,
                    unrecognized_confirmed=confirmed,
                    request=request,
                )
                messages.success(
                    request, f"{entry.name} changed: the previous order stops on {saved.start:%Y-%m-%d}."
                )
            return redirect(_list_url(patient, table))
        if valid:
            preview = _preview(meds, form, replace=replace, table=table)
        elif action == "save":
            status = 400
    else:
        table = _table(request.GET.get("table"))
        initial: dict[str, Any] = {"start": meds.today, "table": table}
        if entry is not None:
            initial.update(_initial_from(entry, meds.today))
        form = MedicationOrderForm(initial=initial)
    audit_record(
        request=request, action=Action.VIEW, patient=patient, obj=entry or patient,
        detail={"page": "medication-order-preview" if action == "preview" else "medication-order",
                **({"invalid": True} if status == 400 else {})},
    )  # fmt: skip
    context = {
        "patient": patient,
        "entry": entry,
        "form": form,
        "preview": preview,
        "drug_names": drug_names(),
        "cds_label": CDS_LABEL,
        **_table_context(table),
    }
    if request.htmx and action == "preview":  # type: ignore[attr-defined]
        return render(request, "meds/_order_preview.html", context)
    return render(request, "meds/order.html", context, status=status)


def _initial_from(entry: MedicationEntry, today: datetime.date) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": entry.name, "dose": entry.dose, "unit": entry.unit, "per_day": entry.per_day, "route": entry.route,
        "formulation": entry.formulation, "prn": entry.prn, "reason": entry.reason,
        "start": max(today, entry.start) if entry.start else today,
    }  # fmt: skip
    for k, part in enumerate(entry.ingredients or []):
        values.update({f"ingredient_{k}_name": part.get("name"), f"ingredient_{k}_dose": part.get("dose"),
                       f"ingredient_{k}_unit": part.get("unit")})  # fmt: skip
    return values


def _preview(
    meds: selectors.MedicationList, form: MedicationOrderForm, *, replace: int | None, table: str
) -> dict[str, Any]:
    """The engine on the list as it is and as it would be with this order; nothing is saved."""
    line = form.medication()
    if "start" in line and line["start"] > meds.today.isoformat():
        line["start"] = meds.today.isoformat()  # previewed as if taken today
    before = assess_regimen(meds.case, table=table)
    after_case = with_line(meds.case, line, replace=replace)
    after = assess_regimen(after_case, table=table)
    index = len(after_case["medications"]) - 1
    return {
        "before": before,
        "after": after,
        "line_mme": after.line_mme.get(index, []),
        "line_alerts": after.line_alerts.get(index, []),
        "new_alerts": new_alerts(before, after),
        "problem": after.line_problems.get(index, ""),
        "unrecognized": form.engine_messages,
    }


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def order_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    _require_orderer(request)
    return _order_page(request, _patient(request, patient_id), None)


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def order_change(request: HttpRequest, patient_id: int, medication_id: int) -> HttpResponse:
    _require_orderer(request)
    user = _user(request)
    patient = _patient(request, patient_id)
    entry = selectors.get_order_for_patient(
        user=user, patient=patient, medication_id=medication_id, request=request
    )
    if entry.stop is not None:
        audit_record(request=request, action=Action.VIEW, patient=patient, obj=entry,
                     detail={"page": "medication-order", "refused": "stopped"})  # fmt: skip
        messages.error(request, f"{entry.name} is already stopped; order it again instead.")
        return redirect("meds-list", patient_id=patient.pk)
    return _order_page(request, patient, entry)


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def order_stop(request: HttpRequest, patient_id: int, medication_id: int) -> HttpResponse:
    _require_orderer(request)
    user = _user(request)
    patient = _patient(request, patient_id)
    entry = selectors.get_order_for_patient(
        user=user, patient=patient, medication_id=medication_id, request=request
    )
    today = patient_today(patient)
    status = 200
    if entry.stop is not None:
        audit_record(request=request, action=Action.VIEW, patient=patient, obj=entry,
                     detail={"page": "medication-stop", "refused": "stopped"})  # fmt: skip
        messages.error(request, f"{entry.name} is already stopped.")
        return redirect("meds-list", patient_id=patient.pk)
    if request.method == "POST":
        form = StopOrderForm(request.POST, started=entry.start)
        if form.is_valid():
            services.medication_order_stop(actor=user, medication=entry, stop=form.cleaned_data["stop"],
                                           reason=form.cleaned_data["stop_reason"], request=request)  # fmt: skip
            messages.success(request, f"{entry.name} stopped on {form.cleaned_data['stop']:%Y-%m-%d}.")
            return redirect("meds-list", patient_id=patient.pk)
        status = 400
    else:
        form = StopOrderForm(initial={"stop": today}, started=entry.start)
    audit_record(request=request, action=Action.VIEW, patient=patient, obj=entry,
                 detail={"page": "medication-stop", **({"invalid": True} if status == 400 else {})})  # fmt: skip
    return render(
        request, "meds/stop.html", {"patient": patient, "entry": entry, "form": form}, status=status
    )


# --------------------------------------------------------------------------------------- monitoring
@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def monitoring(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = _user(request)
    patient = _patient(request, patient_id)
    meds = selectors.medication_list(patient)
    status = 200
    if request.method == "POST":
        form = MonitoringEventForm(request.POST, today=meds.today)
        if form.is_valid():
            event = services.monitoring_event_record(
                actor=user, patient=patient, request=request, **form.cleaned_data
            )
            messages.success(request, f"{event.get_kind_display()} recorded for {event.date:%Y-%m-%d}.")
            return redirect(reverse("meds-list", kwargs={"patient_id": patient.pk}) + "#monitoring")
        status = 400
    else:
        form = MonitoringEventForm(initial={"date": meds.today}, today=meds.today)
    try:
        status_rows = selectors.regimen(meds, table=_table(None)).monitoring
    except CaseError:
        status_rows = []
    audit_record(request=request, action=Action.VIEW, patient=patient, obj=patient,
                 detail={"page": "medication-monitoring", **({"invalid": True} if status == 400 else {})})  # fmt: skip
    context = {"patient": patient, "form": form, "monitoring": status_rows,
               "events": selectors.monitoring_events(patient), "today": meds.today}  # fmt: skip
    return render(request, "meds/monitoring.html", context, status=status)


# -------------------------------------------------------------------------------------------- taper
def _taper(
    meds: selectors.MedicationList, form: TaperForm
) -> tuple[taper_core.TaperPlan | None, list[dict[str, Any]], str]:
    """The plan and its dated steps, or the engine's reason it cannot plan one."""
    c = form.cleaned_data
    try:
        case, _, _ = parse_lines(meds.case)
        plan = taper_core.plan(
            case, pace=c["pace"], target_mme=c.get("target_mme") or 0.0, table=_table(c.get("table"))
        )
    except (ValueError, CaseError) as exc:
        return None, [], str(exc).split(": ", 1)[-1]
    first = plan.steps[1].day if len(plan.steps) > 1 else 0
    steps = []
    for step in plan.steps:
        when = None if step.number == 0 else c["start"] + datetime.timedelta(days=step.day - first)
        steps.append({"step": step, "date": when})
    return plan, steps, ""


def _taper_form(request: HttpRequest, today: datetime.date) -> TaperForm:
    data = request.POST if request.method == "POST" else request.GET
    if "pace" in data:
        return TaperForm(data)
    return TaperForm(
        {"pace": "standard", "start": today.isoformat(), "table": _table(None), "target_mme": "0"}
    )


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def taper(request: HttpRequest, patient_id: int) -> HttpResponse:
    if request.method == "POST":
        _require_orderer(request)
    user = _user(request)
    patient = _patient(request, patient_id)
    meds = selectors.medication_list(patient)
    form = _taper_form(request, meds.today)
    plan, steps, problem = _taper(meds, form) if form.is_valid() else (None, [], "")
    status = 200 if form.is_valid() else 400
    if request.method == "POST" and plan is not None:
        c = form.cleaned_data
        data = plan.to_dict()
        for row, dated in zip(data["steps"], steps, strict=True):
            row["date"] = dated["date"].isoformat() if dated["date"] else None
        record = services.taper_record_save(
            actor=user, patient=patient, pace=c["pace"], start=c["start"], table=_table(c.get("table")),
            target_mme=c.get("target_mme") or 0.0, plan=data, knowledge_version=knowledge_version(), request=request,
        )  # fmt: skip
        messages.success(
            request, f"Taper plan saved to the record ({record.created_at:%Y-%m-%d}). No order was changed."
        )
        return redirect(
            reverse("meds-taper", kwargs={"patient_id": patient.pk}) + "?" + request.POST.urlencode()
        )
    if request.method == "POST":
        status = 400
    audit_record(request=request, action=Action.VIEW, patient=patient, obj=patient,
                 detail={"page": "medication-taper", **({"invalid": True} if status == 400 else {})})  # fmt: skip
    context = {
        "patient": patient, "form": form, "plan": plan, "steps": steps, "problem": problem,
        "records": selectors.taper_records(patient), "can_order": can_order(user), "taper_label": TAPER_LABEL,
        "query": urlencode({k: form.data.get(k, "") for k in ("pace", "start", "table", "target_mme")}),
        "advice": plan.advice if plan else (),
    }  # fmt: skip
    return render(request, "meds/taper.html", context, status=status)


@require_GET
@role_required(*READERS)
def taper_print(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    meds = selectors.medication_list(patient)
    form = _taper_form(request, meds.today)
    plan, steps, problem = _taper(meds, form) if form.is_valid() else (None, [], "")
    audit_record(
        request=request,
        action=Action.VIEW,
        patient=patient,
        obj=patient,
        detail={"page": "medication-taper-print"},
    )
    context = {"patient": patient, "form": form, "plan": plan, "steps": steps, "problem": problem,
               "taper_label": TAPER_LABEL, "today": meds.today}  # fmt: skip
    return render(request, "meds/taper_print.html", context, status=200 if plan else 400)


@require_GET
@role_required(*READERS)
def taper_text(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    meds = selectors.medication_list(patient)
    form = _taper_form(request, meds.today)
    plan, steps, problem = _taper(meds, form) if form.is_valid() else (None, [], "")
    audit_record(
        request=request,
        action=Action.VIEW,
        patient=patient,
        obj=patient,
        detail={"page": "medication-taper-text"},
    )
    if plan is None:
        return HttpResponse(f"No taper plan: {problem or 'check the pace and start date'}\n",
                            content_type="text/plain; charset=utf-8", status=400)  # fmt: skip
    dates = "; ".join(
        f"{plan.unit.capitalize()} {s['step'].period} from {s['date']:%Y-%m-%d}" for s in steps if s["date"]
    )
    body = "\n".join([
        f"Taper plan for {patient.full_name} (date of birth {patient.date_of_birth:%Y-%m-%d})",
        f"Starts {form.cleaned_data['start']:%Y-%m-%d}. {TAPER_LABEL}",
        "",
        plan.to_text(),
        "",
        f"Dates: {dates}",
        "",
    ])  # fmt: skip
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="taper-plan-{patient.mrn}.txt"'
    return response


# ---------------------------------------------------------------------------------------- titration
@require_GET
@role_required(*READERS)
def titration(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    meds = selectors.medication_list(patient)
    recorded = meds.case.get("patient", {})
    recorded_egfr = recorded.get("egfr")
    form = TitrationForm(request.GET if "drug" in request.GET else None)
    plan = None
    egfr_used = None
    if form.is_bound and form.is_valid():
        c = form.cleaned_data
        egfr_used = c["egfr"] if c.get("egfr") is not None else recorded_egfr
        try:
            plan = titration_core.plan(
                c["drug"], egfr=egfr_used, indication=c.get("indication") or None,
                liver_disease=recorded.get("liver_disease", "none"),
            )  # fmt: skip
        except ValueError as exc:
            field, _, message = str(exc).partition(": ")
            form.add_error(field if field in form.fields else None, message or str(exc))
    audit_record(request=request, action=Action.VIEW, patient=patient, obj=patient,
                 detail={"page": "medication-titration", "drug": request.GET.get("drug", "")})  # fmt: skip
    context = {"patient": patient, "form": form, "plan": plan, "recorded_egfr": recorded_egfr,
               "egfr_used": egfr_used, "cds_label": CDS_LABEL}  # fmt: skip
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "meds/titration.html", context, status=status)
