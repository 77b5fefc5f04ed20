from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The client side under /portal/ (SPEC §11). For now the pages the e-mails link to: choosing a
    password from a welcome or invitation link."""

    name = "clientpanel.portal"
    label = "portal"
