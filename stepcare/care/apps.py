from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "stepcare.care"
    label = "care"
    verbose_name = "Clinical care (evaluation, plans, notes, measures)"
