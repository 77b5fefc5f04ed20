from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "clientpanel.backoffice"
    label = "backoffice"
    verbose_name = "Staff panel"
