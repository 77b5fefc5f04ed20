from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "clientpanel.api"
    label = "api"
