from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clientpanel.accounts"
    label = "accounts"
    verbose_name = "Accounts"
