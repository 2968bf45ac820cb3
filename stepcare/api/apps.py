from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "stepcare.api"
    label = "api"
    verbose_name = "JSON API"
