from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "clientpanel.reports"
    label = "reports"
