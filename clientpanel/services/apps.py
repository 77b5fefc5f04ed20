from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "clientpanel.services"
    label = "services"
    verbose_name = "Services"
