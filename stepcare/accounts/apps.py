from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "stepcare.accounts"
    label = "accounts"
    verbose_name = "Accounts"
