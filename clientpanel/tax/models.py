import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext, pgettext_lazy

from clientpanel.core.money import display_percent


class ResetPeriod(models.TextChoices):
    NEVER = "NEVER", pgettext_lazy("numbering restarts", "Never")
    MONTHLY = "MONTHLY", pgettext_lazy("numbering restarts", "Monthly")
    YEARLY = "YEARLY", pgettext_lazy("numbering restarts", "Yearly")


class HomeCompany(models.Model):
    """A legal entity that issues documents (SPEC §6). Exactly one is the default."""

    name = models.CharField(max_length=200)
    address1 = models.CharField(max_length=255, blank=True)
    address2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    region = models.CharField(max_length=100, blank=True)
    local_tax_id = models.CharField("Local tax ID", max_length=64, blank=True)
    eu_vat_id = models.CharField("EU VAT ID", max_length=64, blank=True)
    registration_number = models.CharField(max_length=64, blank=True)
    us_ein = models.CharField("US EIN", max_length=20, blank=True)
    us_state_id = models.CharField("US state ID", max_length=64, blank=True)
    ca_bn = models.CharField("Canadian BN", max_length=20, blank=True)
    ca_gst_hst = models.CharField("GST/HST number", max_length=20, blank=True)
    ca_pst_qst = models.CharField("PST/QST number", max_length=20, blank=True)
    bank_details = models.TextField("Bank details / pay to", blank=True, max_length=2000)
    invoice_footer = models.TextField(blank=True, max_length=2000)
    # Why the company charges no VAT on a sale without it, as the law says it (e.g. "art. 113 ust. 1
    # ustawy o VAT"): each document without VAT records it at issue, its PDF prints it (Art. 226(11)
    # of Directive 2006/112/EC) and its e-invoice carries it (FA(3)'s P_19A). Entered beside the
    # e-invoice format (einvoices.configuration).
    vat_exemption_basis = models.CharField(max_length=200, blank=True, default="")
    topup_item_name = models.CharField(max_length=200, default="Add funds")
    refund_item_name = models.CharField(max_length=200, default="Refund")
    payment_terms_days = models.PositiveIntegerField(null=True, blank=True)
    proforma_pattern = models.CharField(max_length=100, default="PROFORMA/{YEAR}/{MONTH}/{NUMBER}")
    proforma_reset = models.CharField(max_length=8, choices=ResetPeriod.choices, default=ResetPeriod.MONTHLY)
    invoice_pattern = models.CharField(max_length=100, default="INV/{YEAR}/{MONTH}/{NUMBER}")
    invoice_reset = models.CharField(max_length=8, choices=ResetPeriod.choices, default=ResetPeriod.MONTHLY)
    credit_note_pattern = models.CharField(max_length=100, default="CN/{YEAR}/{MONTH}/{NUMBER}")
    credit_note_reset = models.CharField(max_length=8, choices=ResetPeriod.choices, default=ResetPeriod.MONTHLY)
    # Documents are dated, and numbering periods counted, in this zone; blank: the server's TIME_ZONE.
    time_zone = models.CharField(max_length=64, blank=True)
    # The language of documents when they are not in the client's (PDF_IN_CLIENT_LANGUAGE off); blank: the default.
    language = models.CharField(max_length=8, blank=True)
    # Proforma reminders (issue 11): this many days before the due date and after it; 0 sends none.
    # On the due date itself a reminder always goes (unless the client's reminders are off).
    reminder_days_before = models.PositiveSmallIntegerField(default=3)
    reminder_days_overdue = models.PositiveSmallIntegerField(default=3)
    # Messages this company's clients are not sent (keys of notifications.kinds it may switch off).
    muted_emails = models.JSONField(default=list, blank=True)
    # The logo the portal shows (files/logos.py): a name in the "default" storage chosen by us, and
    # the image type detected from its content; blank: the name alone.
    logo_file = models.CharField(max_length=200, blank=True, db_default="")
    logo_content_type = models.CharField(max_length=40, blank=True, db_default="")
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "home companies"
        constraints = [
            models.CheckConstraint(condition=Q(reminder_days_before__lte=60, reminder_days_overdue__lte=60),
                                   name="home_company_reminder_days_bounded"),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                    name="home_company_one_default"),
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="home_company_country_iso"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def document_language(self) -> str:
        return self.language or settings.CLIENTPANEL_DEFAULT_LANGUAGE

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)


class ClientKind(models.TextChoices):
    PRIVATE = "PRIVATE", pgettext_lazy("client kind", "Private client")
    COMPANY = "COMPANY", pgettext_lazy("client kind", "Company without tax ID")
    COMPANY_TAX_ID = "COMPANY_TAX_ID", pgettext_lazy("client kind", "Company with tax ID")


class TaxRule(models.Model):
    """Which taxes a home company charges which clients (SPEC §6). Taxes add, never compound."""

    home_company = models.ForeignKey(HomeCompany, on_delete=models.CASCADE, related_name="tax_rules")
    country = models.CharField(max_length=2, blank=True)  # blank: any country
    region = models.CharField(max_length=100, blank=True)  # blank: any region
    applies_private = models.BooleanField(default=True)
    applies_company = models.BooleanField(default=True)
    applies_company_tax_id = models.BooleanField(default=True)
    tax1_name = models.CharField(max_length=40, blank=True)
    tax1_rate = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    tax2_name = models.CharField(max_length=40, blank=True)
    tax2_rate = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    tax3_name = models.CharField(max_length=40, blank=True)
    tax3_rate = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    priority = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(region="") | ~Q(country=""), name="tax_rule_region_needs_country"),
            models.CheckConstraint(condition=Q(applies_private=True) | Q(applies_company=True)
                                   | Q(applies_company_tax_id=True), name="tax_rule_applies_to_someone"),
            models.CheckConstraint(condition=Q(tax1_rate__isnull=True) | Q(tax1_rate__gte=0, tax1_rate__lt=100),
                                   name="tax_rule_rate1_bounded"),
            models.CheckConstraint(condition=Q(tax2_rate__isnull=True) | Q(tax2_rate__gte=0, tax2_rate__lt=100),
                                   name="tax_rule_rate2_bounded"),
            models.CheckConstraint(condition=Q(tax3_rate__isnull=True) | Q(tax3_rate__gte=0, tax3_rate__lt=100),
                                   name="tax_rule_rate3_bounded"),
        ]

    def __str__(self) -> str:
        where = "/".join(p for p in [self.country or "any", self.region] if p)
        return f"{self.home_company}: {where} {self.taxes_label()}"

    def taxes(self) -> list[tuple[str, object]]:
        pairs = [(self.tax1_name, self.tax1_rate), (self.tax2_name, self.tax2_rate), (self.tax3_name, self.tax3_rate)]
        return [(name, rate) for name, rate in pairs if name and rate is not None]

    def taxes_label(self) -> str:
        """The rule's taxes for people, rates as the reader writes them ("VAT 23%", "QST 9,975%")."""
        language = get_language() or "en"
        return " + ".join(f"{name} {display_percent(rate, language)}" for name, rate in self.taxes()) \
            or gettext("No tax")

    def kinds(self) -> set[str]:
        return {kind for kind, on in [(ClientKind.PRIVATE, self.applies_private), (ClientKind.COMPANY,
                self.applies_company), (ClientKind.COMPANY_TAX_ID, self.applies_company_tax_id)] if on}
