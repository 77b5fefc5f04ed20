from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "clientpanel.privacy"
    label = "privacy"
