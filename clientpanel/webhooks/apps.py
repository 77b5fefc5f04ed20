from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Signed webhooks (Standard Webhooks): endpoints staff register, the events they receive,
    delivered from the outbox with retries and a delivery log (issue 13)."""

    name = "clientpanel.webhooks"
    label = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import delivery, subscribers

        subscribers.connect()
        delivery.connect()
