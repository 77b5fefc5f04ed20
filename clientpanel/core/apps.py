from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clientpanel.core"
    label = "core"
