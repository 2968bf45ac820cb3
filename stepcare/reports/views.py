"""The clinic outcome report page and its CSV export."""

from __future__ import annotations

import csv
import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from stepcare.accounts.decorators import role_required
from stepcare.accounts.models import Role, User
from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.records.selectors import clinic_today
from stepcare.reports import outcomes
from stepcare.reports.forms import PeriodForm

REPORT_ROLES = (Role.CLINIC_ADMIN, Role.PHYSICIAN)
DEFAULT_PERIOD_DAYS = 730  # baselines of the last two years, so 12-month follow-ups can exist


@require_GET
@role_required(*REPORT_ROLES)
def outcome_report(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User) and user.clinic_id is not None
    today = clinic_today(user)
    default = {"start": today - datetime.timedelta(days=DEFAULT_PERIOD_DAYS), "end": today}
    form = PeriodForm(request.GET if "start" in request.GET or "end" in request.GET else default)
    report = None
    if form.is_valid():
        report = outcomes.outcome_report(
            clinic_id=user.clinic_id, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
    wants_csv = request.GET.get("format") == "csv" and report is not None
    audit_record(
        request=request,
        action=Action.VIEW,
        detail={
            "page": "outcome-report",
            "format": "csv" if wants_csv else "html",
            "start": form.data.get("start") and str(form.data.get("start")),
            "end": form.data.get("end") and str(form.data.get("end")),
            "patients": report.patients if report else 0,
        },
    )
    if wants_csv:
        assert report is not None
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="outcomes-{report.start}-{report.end}.csv"'
        writer = csv.DictWriter(response, fieldnames=["period_start", "period_end", *report.columns()])
        writer.writeheader()
        for row in report.rows:
            writer.writerow({"period_start": report.start, "period_end": report.end, **row.to_dict()})
        return response
    context = {
        "form": form,
        "report": report,
        "horizons": [m for m, _ in outcomes.HORIZONS],
        "window": outcomes.HORIZON_WINDOW_DAYS,
        "charts": outcomes.chart_data(report) if report else None,
    }
    return render(request, "reports/outcomes.html", context, status=200 if form.is_valid() else 400)
