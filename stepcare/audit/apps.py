from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "stepcare.audit"
    label = "audit"
    verbose_name = "Audit log"
