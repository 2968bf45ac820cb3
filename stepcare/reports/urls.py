from django.urls import path

from stepcare.reports import views

urlpatterns = [
    path("outcomes/", views.outcome_report, name="outcome-report"),
]
