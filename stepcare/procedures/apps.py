from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stepcare.procedures"
    verbose_name = "Procedures"
