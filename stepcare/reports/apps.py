from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "stepcare.reports"
    verbose_name = "Clinic reports"
