from django.urls import path

from stepcare.meds import views

urlpatterns = [
    path("patients/<int:patient_id>/medications/", views.medication_list, name="meds-list"),
    path("patients/<int:patient_id>/medications/orders/new/", views.order_new, name="meds-order-new"),
    path(
        "patients/<int:patient_id>/medications/orders/<int:medication_id>/change/",
        views.order_change,
        name="meds-order-change",
    ),
    path(
        "patients/<int:patient_id>/medications/orders/<int:medication_id>/stop/",
        views.order_stop,
        name="meds-order-stop",
    ),
    path("patients/<int:patient_id>/medications/monitoring/", views.monitoring, name="meds-monitoring"),
    path("patients/<int:patient_id>/medications/taper/", views.taper, name="meds-taper"),
    path("patients/<int:patient_id>/medications/taper/print/", views.taper_print, name="meds-taper-print"),
    path("patients/<int:patient_id>/medications/taper/text/", views.taper_text, name="meds-taper-text"),
    path("patients/<int:patient_id>/medications/titration/", views.titration, name="meds-titration"),
]
