from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "clientpanel.client_services"
    label = "services"
    verbose_name = "Services"
