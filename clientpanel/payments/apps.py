from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class PaymentsConfig(AppConfig):
    name = "clientpanel.payments"
    label = "payments"
    verbose_name = gettext_lazy("Online payments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import methods  # noqa: F401 — registers the gateways' payment methods with invoicing
