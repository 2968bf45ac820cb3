from django.urls import path

from stepcare.procedures import views

urlpatterns = [
    path("patients/<int:patient_id>/procedures/", views.patient_procedures, name="patient-procedures"),
    path("patients/<int:patient_id>/procedures/new/", views.procedure_create, name="procedure-create"),
    path("procedures/<int:procedure_id>/", views.procedure_detail, name="procedure-detail"),
    path("procedures/<int:procedure_id>/consent/", views.procedure_consent, name="procedure-consent"),
    path("procedures/<int:procedure_id>/diary/", views.procedure_diary, name="procedure-diary"),
    path("procedures/<int:procedure_id>/prior-auth/", views.prior_auth, name="procedure-prior-auth"),
    path(
        "procedures/<int:procedure_id>/prior-auth.pdf", views.prior_auth_pdf, name="procedure-prior-auth-pdf"
    ),
    path(
        "procedures/<int:procedure_id>/<slug:action>/",
        views.procedure_action,
        name="procedure-action",
    ),
    path("portal/procedures/", views.portal_procedures, name="portal-procedures"),
    path("portal/procedures/<int:procedure_id>/diary/", views.portal_diary, name="portal-diary"),
]
