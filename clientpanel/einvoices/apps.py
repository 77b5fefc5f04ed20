from django.apps import AppConfig


class EInvoicesConfig(AppConfig):
    """E-invoices (issue 16): each issued invoice and credit note also leaves in the structured form
    its home company's country requires (KSeF FA(3), UBL, CII, Factur-X), made once at issue beside
    the stored PDF; the rates that convert foreign-currency VAT; KSeF numbers."""

    name = "clientpanel.einvoices"
    label = "einvoices"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from clientpanel.invoicing.pdf.tax_currency import register_source

        from . import subscribers
        from .making import vat_in_tax_currency

        subscribers.connect()
        register_source(vat_in_tax_currency)  # the VAT in złoty a PDF prints, as the e-invoice converts it
