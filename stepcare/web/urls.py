"""URL map: accounts, records (dashboard, patients, encounters, portal), care pages, the audit log, the API."""

from django.urls import include, path

from stepcare.api.api import api

urlpatterns = [
    path("accounts/", include("stepcare.accounts.urls")),
    path("audit/", include("stepcare.audit.urls")),
    path("", include("stepcare.intake.urls")),
    path("api/v1/", api.urls),
    path("", include("stepcare.meds.urls")),
    path("", include("stepcare.care.urls")),
    path("", include("stepcare.procedures.urls")),
    path("reports/", include("stepcare.reports.urls")),
    path("", include("stepcare.records.urls")),
]
