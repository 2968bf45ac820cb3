from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "stepcare.intake"
    label = "intake"
    verbose_name = "Patient intake and triage"
