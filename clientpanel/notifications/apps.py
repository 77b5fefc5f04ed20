from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """E-mail: templates per message and language, an outbox of rendered messages written with
    their cause, and the sending job (issue 11)."""

    name = "clientpanel.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import subscribers

        subscribers.connect()
