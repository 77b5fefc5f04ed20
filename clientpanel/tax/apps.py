from django.apps import AppConfig


class TaxConfig(AppConfig):
    name = "clientpanel.tax"
    label = "tax"
    verbose_name = "Home companies and tax"
