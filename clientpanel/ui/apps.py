from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "clientpanel.ui"
    label = "ui"
    verbose_name = "Shared page helpers"
