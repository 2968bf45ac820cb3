from django.urls import path

from stepcare.intake import views

urlpatterns = [
    path("portal/intake/", views.portal_intake, name="portal-intake"),
    path("portal/intake/<slug:step>/", views.portal_intake_step, name="portal-intake-step"),
    path("patients/<int:patient_id>/intake/", views.patient_intake, name="patient-intake"),
    path(
        "patients/<int:patient_id>/intake/<slug:step>/", views.patient_intake_step, name="patient-intake-step"
    ),
    path("intake/uploads/<int:upload_id>/", views.upload_download, name="intake-upload"),
    path("triage/", views.triage_queue, name="triage-queue"),
    path("triage/<int:intake_id>/acknowledge/", views.triage_acknowledge, name="triage-acknowledge"),
]
