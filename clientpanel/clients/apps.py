from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clientpanel.clients"
    label = "clients"
