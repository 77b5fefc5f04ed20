"""E-invoices' data: which format a home company issues (EInvoiceProfile), each issued document's
structured file (EInvoice, made once, never changed — like the PDF), and the exchange rates that
convert a foreign-currency document's VAT into the tax currency (VatExchangeRate)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from clientpanel.core.ids import new_id

from .reasons import describe
from .requirements import company_unmet

RATE_DIGITS, RATE_PLACES = 14, 6


class KsefEnvironment(models.TextChoices):
    # Staff download the XML, send it through KSeF's own application and type the KSeF number here.
    OFFLINE = "OFFLINE", _("Offline: download and send yourself")
    # Sent by the "send_einvoices" job through KSeF's API (a token of the company's, from the environment).
    TEST = "TEST", _("KSeF test environment")
    DEMO = "DEMO", _("KSeF demo environment")
    PRODUCTION = "PRODUCTION", _("KSeF production")


class EInvoiceProfile(models.Model):
    """A home company's e-invoice: the format each of its invoices and credit notes is also
    written in ("" — none), and how it reaches the tax authority."""

    home_company = models.OneToOneField("tax.HomeCompany", on_delete=models.CASCADE, related_name="einvoice_profile")
    format = models.CharField(max_length=20, blank=True, default="")  # an exporter's key
    ksef_environment = models.CharField(max_length=12, choices=KsefEnvironment.choices,
                                        default=KsefEnvironment.OFFLINE)
    # The name of the server's environment variable holding the company's KSeF token (never the token).
    ksef_token_env = models.CharField(max_length=100, blank=True, default="")
    # The legal basis of the company's VAT exemption is the company's own (tax.HomeCompany
    # vat_exemption_basis), recorded on each document at issue; it is entered here, beside the format.
    # The company sells goods or services of annex 15 of the Polish VAT act: its invoices above
    # 15,000 zł gross are marked for split payment (MPP, FA(3)'s P_18A).
    split_payment = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.home_company_id}: {self.format or '-'}"

    @cached_property
    def requirement_unmet(self) -> str:
        """What the company, as it is now, lacks for its format, in the reader's language ("" when
        nothing): the settings card says it, since the company's numbers or tax rules may have
        changed after the format was chosen (refused at that save: requirements.company_unmet)."""
        reason = company_unmet(self.format, self.home_company)
        return describe(reason, reason.code, reason.params) if reason is not None else ""


class EInvoiceStatus(models.TextChoices):
    MADE = "MADE", _("Made")  # the file exists; not (yet) accepted by a tax authority
    FAILED = "FAILED", _("Could not be made")  # the reason says what to fix; made again on request
    SENDING = "SENDING", _("Sent, KSeF is checking it")  # handed over; KSeF answers asynchronously
    REJECTED = "REJECTED", _("Rejected by KSeF")  # KSeF's reason kept; staff send it again once put right
    ACCEPTED = "ACCEPTED", _("Accepted")  # the tax authority's number is recorded (KSeF)


class EInvoice(models.Model):
    """The structured file of one issued document: written once (its SHA-256 kept, as the PDF's),
    or the reason it could not be written. Never rewritten once made."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    document = models.OneToOneField("invoicing.Document", on_delete=models.PROTECT, related_name="einvoice")
    format = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=EInvoiceStatus.choices)
    file_name = models.CharField(max_length=200, blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    # Why it could not be made, sent or accepted: the English text the API returns (rows from before
    # error_code: in the language of whoever caused it), and what the system said as a code and its
    # parameters (reasons.py), so that each reader sees it in their language (reader_error).
    error = models.CharField(max_length=500, blank=True, default="")
    error_code = models.CharField(max_length=40, blank=True, default="", db_default="")
    error_params = models.JSONField(null=True, blank=True)
    # KSeF: the number the tax authority gave the invoice (e.g. 5265877635-20261122-0100A0B1C2D3-4F).
    ksef_number = models.CharField(max_length=64, blank=True, default="")
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Sending through KSeF's API (the "send_einvoices" job): when to try next (null: nothing to do),
    # how many tries failed to reach KSeF, and KSeF's references of the file once handed over.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    session_reference = models.CharField(max_length=100, blank=True, default="")
    # Which KSeF took the file (TEST and DEMO numbers are not legal acceptance: shown as such).
    ksef_environment = models.CharField(max_length=12, blank=True, default="")
    invoice_reference = models.CharField(max_length=100, blank=True, default="")
    # The rate the VAT was converted into the tax currency with (a foreign-currency document of a
    # Polish company): kept, so that its credit notes convert at the same rate (Art. 31a).
    rate = models.DecimalField(max_digits=RATE_DIGITS, decimal_places=RATE_PLACES, null=True, blank=True)
    rate_day = models.DateField(null=True, blank=True)
    rate_table = models.CharField(max_length=40, blank=True, default="")
    # KSeF's official receipt (UPO), kept beside the file with its SHA-256.
    upo_name = models.CharField(max_length=200, blank=True, default="")
    upo_sha256 = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ksef_number"], condition=~Q(ksef_number=""), name="einvoice_ksef_unique"),
            models.CheckConstraint(condition=Q(status="FAILED") | ~Q(sha256=""), name="einvoice_made_has_file"),
            models.CheckConstraint(condition=~Q(status="ACCEPTED") | ~Q(ksef_number=""),
                                   name="einvoice_accepted_has_number"),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="einvoice_status_idx"),
                   # What the sending job has to do: only the few rows waiting for it.
                   models.Index(fields=["next_attempt_at"], name="einvoice_due_idx",
                                condition=Q(next_attempt_at__isnull=False))]

    def __str__(self) -> str:
        return f"{self.format} {self.document_id}"

    @property
    def reader_error(self) -> str:
        """`error` in the active language (reasons.describe)."""
        return describe(self.error, self.error_code, self.error_params)


class VatExchangeRate(models.Model):
    """How many units of `to_currency` one unit of `currency` was worth on `day` for tax purposes
    (the NBP average rate for PLN: table A). Entered or imported by staff, never guessed."""

    currency = models.CharField(max_length=3)
    to_currency = models.CharField(max_length=3, default="PLN")
    day = models.DateField()
    rate = models.DecimalField(max_digits=RATE_DIGITS, decimal_places=RATE_PLACES)
    table = models.CharField(max_length=40, blank=True, default="")  # "225/A/NBP/2026"
    created_by_label = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["currency", "to_currency", "day"], name="vat_exchange_rate_unique"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="vat_exchange_rate_positive"),
        ]
        ordering = ["-day", "currency"]

    def __str__(self) -> str:
        return f"{self.currency}/{self.to_currency} {self.day} {self.rate}"
