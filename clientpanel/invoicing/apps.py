from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "clientpanel.invoicing"
    label = "invoicing"
