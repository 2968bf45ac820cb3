"""Pages for patients and encounters. Thin: check role, fetch through selectors, write through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stepcare.accounts.decorators import role_required
from stepcare.accounts.models import CLINICAL_ROLES, STAFF_ROLES, Role, User
from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.intake.selectors import triage_summary
from stepcare.records import selectors, services
from stepcare.records.encounter_actions import EncounterPage, amend_from_page, sign_from_page
from stepcare.records.forms import AmendmentForm, EncounterForm, PatientForm, PatientSearchForm
from stepcare.records.models import Encounter, Patient

PATIENTS_PER_PAGE = 25
PATIENT_EDITORS = (Role.FRONT_DESK, Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN)
ENCOUNTER_READERS = (*CLINICAL_ROLES, Role.CLINIC_ADMIN, Role.PATIENT)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_GET
@role_required(*STAFF_ROLES, Role.PATIENT)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role == Role.PATIENT:
        return redirect("portal")
    summary = selectors.dashboard_summary(user=user)
    audit_record(
        request=request,
        action=Action.VIEW,
        detail={"page": "dashboard", "encounters": [e.pk for e in summary.my_encounters_today]},
    )
    triage = triage_summary(user=user)
    return render(request, "records/dashboard.html", {"summary": summary, "triage": triage})


@require_GET
@role_required(*STAFF_ROLES)
def patient_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PatientSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    patients = selectors.patient_search(user=user, query=query)
    page = Paginator(patients, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    audit_record(
        request=request,
        action=Action.SEARCH if query else Action.VIEW,
        detail={
            "page": "patient-list",
            "q": query,
            "page_number": page.number,
            "patients": [p.pk for p in page.object_list],
        },
    )
    context = {"form": form, "page": page, "query": query}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "records/_patient_rows.html", context)
    return render(request, "records/patient_list.html", context)


def _patient_changes(form: PatientForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


@require_http_methods(["GET", "POST"])
@role_required(*PATIENT_EDITORS)
def patient_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assert user.clinic is not None
    form = PatientForm(request.POST or None, clinic_id=user.clinic.pk)
    if request.method == "POST" and form.is_valid():
        patient = services.patient_create(
            actor=user, clinic=user.clinic, request=request, **_patient_changes(form)
        )
        messages.success(request, f"Patient {patient.full_name} was added.")
        return redirect("patient-chart", patient_id=patient.pk)
    return render(request, "records/patient_form.html", {"form": form, "patient": None})


@require_http_methods(["GET", "POST"])
@role_required(*PATIENT_EDITORS)
def patient_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = _user(request)
    patient = selectors.get_patient_for_user(user=user, patient_id=patient_id, request=request)
    form = PatientForm(request.POST or None, instance=patient, clinic_id=patient.clinic_id)
    if request.method == "POST" and form.is_valid():
        # form.is_valid() has already written the values onto the instance; reload a clean copy.
        fresh = selectors.get_patient_for_user(user=user, patient_id=patient_id, request=request)
        services.patient_update(actor=user, patient=fresh, changes=_patient_changes(form), request=request)
        messages.success(request, "Patient details were saved.")
        return redirect("patient-chart", patient_id=patient_id)
    audit_record(request=request, action=Action.VIEW, patient=patient, obj=patient, detail={"page": "edit"})
    if request.method == "POST":
        patient.refresh_from_db()
    return render(request, "records/patient_form.html", {"form": form, "patient": patient})


@require_GET
@role_required(*STAFF_ROLES, Role.PATIENT)
def patient_chart(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = _user(request)
    patient = selectors.get_patient_for_user(user=user, patient_id=patient_id, request=request)
    if user.role == Role.PATIENT:
        return redirect("portal")
    encounters = selectors.encounters_for_patient(patient=patient, user=user)
    audit_record(request=request, action=Action.VIEW, patient=patient, obj=patient, detail={"page": "chart"})
    return render(
        request,
        "records/patient_chart.html",
        {"patient": patient, "encounters": encounters, "can_edit": user.role in PATIENT_EDITORS},
    )


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL_ROLES)
def encounter_create(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = _user(request)
    patient = selectors.get_patient_for_user(user=user, patient_id=patient_id, request=request)
    initial = {"date": selectors.clinic_today(user)}
    form = EncounterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        encounter = services.encounter_create(
            actor=user,
            patient=patient,
            request=request,
            **{k: form.cleaned_data[k] for k in form.Meta.fields},
        )
        messages.success(request, "Draft encounter created.")
        return redirect("encounter-detail", encounter_id=encounter.pk)
    audit_record(request=request, action=Action.VIEW, patient=patient, obj=patient, detail={"page": "new"})
    return render(request, "records/encounter_form.html", {"form": form, "patient": patient})


def _encounter_page(
    request: HttpRequest,
    encounter: Encounter,
    *,
    form: EncounterForm | None = None,
    amend_form: AmendmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    can_write = user.role in CLINICAL_ROLES
    if can_write and not encounter.is_signed and form is None:
        form = EncounterForm(instance=encounter)
    if can_write and encounter.is_signed and amend_form is None:
        amend_form = AmendmentForm()
    context = {
        "encounter": encounter,
        "patient": encounter.patient,
        "amendments": encounter.amendments.select_related("author"),
        "form": form if can_write and not encounter.is_signed else None,
        "amend_form": amend_form if can_write and encounter.is_signed else None,
        "can_sign": user.role == Role.PHYSICIAN and not encounter.is_signed,
        "is_patient": user.role == Role.PATIENT,
    }
    return render(request, "records/encounter_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*ENCOUNTER_READERS)
def encounter_detail(request: HttpRequest, encounter_id: int) -> HttpResponse:
    user = _user(request)
    encounter = selectors.get_encounter_for_user(user=user, encounter_id=encounter_id, request=request)
    if request.method == "POST":
        if user.role not in CLINICAL_ROLES or encounter.is_signed:
            audit_record(
                request=request,
                action=Action.DENIED,
                patient=encounter.patient,
                obj=encounter,
                detail={"reason": "signed" if encounter.is_signed else "role"},
            )
            messages.error(request, "This encounter can no longer be edited; add an amendment instead.")
            return redirect("encounter-detail", encounter_id=encounter.pk)
        form = EncounterForm(request.POST, instance=encounter)
        if form.is_valid():
            fresh = selectors.get_encounter_for_user(user=user, encounter_id=encounter_id, request=request)
            changes = {k: form.cleaned_data[k] for k in form.Meta.fields}
            services.encounter_update(actor=user, encounter=fresh, changes=changes, request=request)
            messages.success(request, "Draft saved.")
            return redirect("encounter-detail", encounter_id=encounter.pk)
        audit_record(request=request, action=Action.VIEW, patient=encounter.patient, obj=encounter)
        encounter.refresh_from_db()  # the header shows what is stored; the form keeps what was typed
        return _encounter_page(request, encounter, form=form, status=400)
    audit_record(request=request, action=Action.VIEW, patient=encounter.patient, obj=encounter)
    return _encounter_page(request, encounter)


def _encounter_page_with_amendment(
    request: HttpRequest, encounter: Encounter, form: AmendmentForm
) -> HttpResponse:
    return _encounter_page(request, encounter, amend_form=form, status=400)


ENCOUNTER_PAGE = EncounterPage(
    url_name="encounter-detail", noun="encounter", render_with_amendment=_encounter_page_with_amendment
)


@require_POST
@role_required(Role.PHYSICIAN)
def encounter_sign(request: HttpRequest, encounter_id: int) -> HttpResponse:
    return sign_from_page(request, encounter_id, page=ENCOUNTER_PAGE)


@require_POST
@role_required(*CLINICAL_ROLES)
def encounter_amend(request: HttpRequest, encounter_id: int) -> HttpResponse:
    return amend_from_page(request, encounter_id, page=ENCOUNTER_PAGE)


@require_GET
@role_required(Role.PATIENT)
def portal(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assert user.patient_id is not None
    patient: Patient = selectors.get_patient_for_user(user=user, patient_id=user.patient_id, request=request)
    encounters = selectors.encounters_for_patient(patient=patient, user=user)
    audit_record(request=request, action=Action.VIEW, patient=patient, obj=patient, detail={"page": "portal"})
    return render(request, "records/portal.html", {"patient": patient, "encounters": encounters})
