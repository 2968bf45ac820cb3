"""URL map: accounts, records (dashboard, patients, encounters, portal) and the audit log."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("stepcare.accounts.urls")),
    path("audit/", include("stepcare.audit.urls")),
    path("", include("stepcare.records.urls")),
]
