from django.apps import AppConfig


class MedsConfig(AppConfig):
    name = "stepcare.meds"
    label = "meds"
    verbose_name = "Medication safety (MME, orders, monitoring, tapers, titration)"
