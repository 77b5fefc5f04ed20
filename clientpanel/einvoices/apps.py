from django.apps import AppConfig


class EInvoicesConfig(AppConfig):
    """E-invoices (issue 16): each issued invoice and credit note also leaves in the structured form
    its home company's country requires (KSeF FA(3), UBL, CII, Factur-X), made once at issue beside
    the stored PDF; the rates that convert foreign-currency VAT; KSeF numbers."""

    name = "clientpanel.einvoices"
    label = "einvoices"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import subscribers

        subscribers.connect()
