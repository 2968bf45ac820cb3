from django.urls import path

from stepcare.care import views

urlpatterns = [
    path("patients/<int:patient_id>/care/", views.care_chart, name="care-chart"),
    path("patients/<int:patient_id>/care/evaluate/", views.care_evaluate, name="care-evaluate"),
    path("patients/<int:patient_id>/plan/", views.plan_builder, name="care-plan"),
    path("patients/<int:patient_id>/plan/new/", views.plan_start, name="care-plan-start"),
    path("patients/<int:patient_id>/plan/items/new/", views.plan_item_add, name="care-plan-add"),
    path(
        "patients/<int:patient_id>/plan/items/<int:item_id>/", views.plan_item_decide, name="care-plan-decide"
    ),
    path("patients/<int:patient_id>/plan/finalize/", views.plan_finalize, name="care-plan-finalize"),
    path("patients/<int:patient_id>/measures/", views.measures, name="care-measures"),
    path(
        "patients/<int:patient_id>/clinical-profile/",
        views.clinical_profile,
        name="care-clinical-profile",
    ),
    path(
        "patients/<int:patient_id>/clinical-profile/conditions/rule-out/",
        views.condition_rule_out,
        name="care-condition-rule-out",
    ),
    path(
        "patients/<int:patient_id>/clinical-profile/conditions/undo/",
        views.condition_rule_out_undo,
        name="care-condition-rule-out-undo",
    ),
    path("encounters/<int:encounter_id>/note/", views.encounter_note, name="encounter-note"),
    path("encounters/<int:encounter_id>/note/sign/", views.encounter_note_sign, name="encounter-note-sign"),
    path(
        "encounters/<int:encounter_id>/note/amend/", views.encounter_note_amend, name="encounter-note-amend"
    ),
]
