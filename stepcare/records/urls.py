from django.urls import path

from stepcare.records import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("patients/", views.patient_list, name="patient-list"),
    path("patients/new/", views.patient_create, name="patient-create"),
    path("patients/<int:patient_id>/", views.patient_chart, name="patient-chart"),
    path("patients/<int:patient_id>/edit/", views.patient_edit, name="patient-edit"),
    path("patients/<int:patient_id>/encounters/new/", views.encounter_create, name="encounter-create"),
    path("encounters/<int:encounter_id>/", views.encounter_detail, name="encounter-detail"),
    path("encounters/<int:encounter_id>/sign/", views.encounter_sign, name="encounter-sign"),
    path("encounters/<int:encounter_id>/amend/", views.encounter_amend, name="encounter-amend"),
    path("portal/", views.portal, name="portal"),
]
