"""The clinic audit log, for clinic administrators."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from stepcare.accounts.decorators import role_required
from stepcare.accounts.models import Role, User
from stepcare.audit.forms import AuditFilterForm
from stepcare.audit.models import Action, AuditEvent
from stepcare.audit.selectors import audit_events_for_clinic
from stepcare.audit.services import audit_record

EVENTS_PER_PAGE = 50


@require_GET
@role_required(Role.CLINIC_ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    admin = request.user
    assert isinstance(admin, User)
    form = AuditFilterForm(request.GET or None, admin=admin)
    events: QuerySet[AuditEvent] = AuditEvent.objects.none()
    filters: dict[str, str] = {}
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        events = audit_events_for_clinic(
            admin=admin,
            user=data.get("user"),
            patient=data.get("patient_mrn"),
            action=data.get("action") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
        filters = {k: str(v) for k, v in request.GET.items() if k != "page" and v}
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    audit_record(request=request, action=Action.VIEW, detail={"page": "audit-log", "filters": filters})
    return render(
        request,
        "audit/audit_log.html",
        {"form": form, "page": page, "filter_query": urlencode(filters)},
    )
