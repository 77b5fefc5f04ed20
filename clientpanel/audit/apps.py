from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "clientpanel.audit"
    label = "audit"
