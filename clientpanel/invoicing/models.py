import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from clientpanel.core.fields import AmountField
from clientpanel.core.ids import new_id

from .payment_methods import method_label
from .vat_notes import NoVatReason, vat_note


class DocumentType(models.TextChoices):
    PROFORMA = "PROFORMA", pgettext_lazy("document type", "Proforma")
    INVOICE = "INVOICE", pgettext_lazy("document type", "Invoice")
    CREDIT_NOTE = "CREDIT_NOTE", pgettext_lazy("document type", "Credit note")


class DocumentStatus(models.TextChoices):
    DRAFT = "DRAFT", pgettext_lazy("document status", "Draft")
    UNPAID = "UNPAID", pgettext_lazy("document status", "Unpaid")
    INVOICED = "INVOICED", pgettext_lazy("document status", "Invoiced")
    CANCELLED = "CANCELLED", pgettext_lazy("document status", "Cancelled")
    PAID = "PAID", pgettext_lazy("document status", "Paid")
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED", pgettext_lazy("document status", "Partially refunded")
    REFUNDED = "REFUNDED", pgettext_lazy("document status", "Refunded")


# Which statuses each type may have (SPEC §7).
STATUSES_OF = {  # tuples, so the check constraint below reads the same on every run
    DocumentType.PROFORMA: ("CANCELLED", "INVOICED", "DRAFT", "UNPAID"),
    DocumentType.INVOICE: ("PAID", "PARTIALLY_REFUNDED", "REFUNDED", "UNPAID"),
    DocumentType.CREDIT_NOTE: ("REFUNDED",),
}


NO_CLIENT_GROUP = 0  # Document.client_group_id of a sale to a client in no group


class Document(models.Model):
    """A proforma, invoice or credit note. Issued documents are never edited: the client, home
    company, addresses and tax rates are snapshotted at issue."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="documents")
    home_company = models.ForeignKey("tax.HomeCompany", on_delete=models.PROTECT, related_name="documents")
    type = models.CharField(max_length=12, choices=DocumentType.choices)
    number = models.CharField(max_length=100, null=True, blank=True)  # assigned at issue
    status = models.CharField(max_length=20, choices=DocumentStatus.choices)
    currency = models.CharField(max_length=3)
    language = models.CharField(max_length=8, default="en")
    issue_date = models.DateTimeField(null=True, blank=True)
    due_date = models.DateTimeField(null=True, blank=True)
    paid_date = models.DateTimeField(null=True, blank=True)
    net = AmountField(default=Decimal("0"))
    tax = AmountField(default=Decimal("0"))
    total = AmountField(default=Decimal("0"))
    paid_gross = AmountField(default=Decimal("0"))  # proformas: received so far
    paid_net = AmountField(default=Decimal("0"))
    refunded_net = AmountField(default=Decimal("0"))  # invoices: credited so far
    tax_lines = models.JSONField(default=list)  # [{"name", "rate", "amount"}]
    reverse_charge = models.BooleanField(default=False)
    # Why it charges no VAT (vat_notes.NoVatReason; "" taxed) and, for an exempt sale, the legal basis
    # of the exemption as the home company had it at issue: printed on its PDF, kept by its credit notes.
    no_vat_reason = models.CharField(max_length=20, choices=NoVatReason.choices, blank=True, default="",
                                     db_default="")
    vat_exemption_basis = models.CharField(max_length=200, blank=True, default="", db_default="")
    client_snapshot = models.JSONField(default=dict)
    # The client's group when the sale was made (reports count each sale in it, SPEC §8): the client's
    # at the proforma's issue, kept by its final invoice and their credit notes; NO_CLIENT_GROUP for
    # none. A plain id, as the report rollups keep it: history never stops a group from being deleted.
    # NULL only on documents written before it was recorded (migration 0014 fills them in).
    client_group_id = models.BigIntegerField(null=True, blank=True)
    company_snapshot = models.JSONField(default=dict)
    billing_address = models.JSONField(default=dict)
    shipping_address = models.JSONField(default=dict, blank=True)
    # The proforma's final invoice; the credit note's invoice.
    related = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived")
    # A credit note's reason for the correction (one line, optional), printed on it; fixed at issue.
    reason = models.CharField(max_length=200, blank=True, default="", db_default="")
    # The PDF rendered when the document was issued, in the private "documents" storage, and its SHA-256.
    pdf_name = models.CharField(max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # Its PDF stored and DocumentIssued published (services/issuing.py document_finish): at once in
    # the issuing transaction, or just after it commits when the service issues at the top level.
    # A row written without it (a process of the release before, during an upgrade) finished itself.
    finished = models.BooleanField(default=False, db_default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["home_company", "type", "number"], condition=Q(number__isnull=False),
                                    name="document_number_unique"),
            models.CheckConstraint(condition=Q(status=DocumentStatus.DRAFT) | Q(number__isnull=False),
                                   name="document_issued_has_number"),
            models.CheckConstraint(
                condition=(Q(type=DocumentType.PROFORMA, status__in=list(STATUSES_OF["PROFORMA"]))
                           | Q(type=DocumentType.INVOICE, status__in=list(STATUSES_OF["INVOICE"]))
                           | Q(type=DocumentType.CREDIT_NOTE, status=DocumentStatus.REFUNDED)),
                name="document_status_fits_type"),
            models.CheckConstraint(condition=Q(paid_gross__lte=models.F("total")) | Q(type=DocumentType.CREDIT_NOTE),
                                   name="document_not_overpaid"),
            models.CheckConstraint(condition=Q(refunded_net__lte=models.F("net")) | Q(type=DocumentType.CREDIT_NOTE),
                                   name="document_not_over_refunded"),
        ]
        indexes = [
            models.Index(fields=["client", "-created_at"], name="document_client_idx"),
            models.Index(fields=["status", "-created_at"], name="document_status_idx"),
            models.Index(fields=["number"], name="document_number_idx"),
            # Finance → Documents' sorts (selectors.DOCUMENT_SORTS), each read both ways; created_at's is
            # its default order's (newest first), which sorted every document for a page.
            models.Index(fields=["created_at", "id"], name="document_created_idx"),
            models.Index(fields=["issue_date", "id"], name="document_issue_date_idx"),
            models.Index(fields=["due_date", "id"], name="document_due_date_idx"),
            models.Index(fields=["currency", "total", "id"], name="document_total_idx"),
            # Aging of unpaid documents (reports.standing): what is due, in buckets by due date, and
            # the most overdue first — read from the index alone on PostgreSQL (INCLUDE); only the
            # few UNPAID documents are in it.
            # The few issued documents whose finishing step has not run yet (the finish_documents job).
            models.Index(fields=["created_at"], name="document_unfinished_idx",
                         condition=Q(finished=False, number__isnull=False)),
            models.Index(fields=["due_date"], name="document_unpaid_due_idx", condition=Q(status="UNPAID"),
                         include=["currency", "type", "total", "paid_gross", "client", "home_company"]),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_type_display()} (draft)"

    @property
    def vat_note(self) -> str:
        """The reverse-charge or exemption note it carries, in the active language (vat_notes)."""
        return vat_note(self)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The zone it was dated in (its company's when it was issued, kept in its snapshot): its
        dates are read in it on its pages and PDF, as its number's period was. A snapshot without one
        (or an unknown name): the server's zone, as the PDF and the tax report read it."""
        try:
            return zoneinfo.ZoneInfo(str(self.company_snapshot.get("time_zone") or settings.TIME_ZONE))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    @property
    def amount_due(self) -> Decimal:
        return self.total - self.paid_gross if self.status == DocumentStatus.UNPAID else Decimal("0")


class DocumentItem(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=500)
    quantity = models.DecimalField(max_digits=12, decimal_places=4, default=Decimal("1"))
    unit_price = AmountField()
    net = AmountField()
    is_topup = models.BooleanField(default=False)  # adds funds; other items are charged when paid
    service_id = models.UUIDField(null=True, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="document_item_position")]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    """Money received against a proforma. The same transaction ID records once per client."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="payments")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="payments")
    gross = AmountField()
    net = AmountField()
    method = models.CharField(max_length=50, blank=True)
    # The system's methods ("bank_transfer", "gateway:<key>"; invoicing.payment_methods), "" for typed text.
    method_code = models.CharField(max_length=50, blank=True, default="", db_default="")
    transaction_id = models.CharField(max_length=100, blank=True)
    paid_at = models.DateTimeField()
    ledger_entry_id = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "transaction_id"], condition=~Q(transaction_id=""),
                                    name="payment_transaction_id_unique"),
            models.CheckConstraint(condition=Q(gross__gt=0) & Q(net__gt=0), name="payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.gross} on {self.document}"

    @property
    def reader_method(self) -> str:
        """The method in the active language (invoicing.payment_methods.method_label)."""
        return method_label(self.method, self.method_code)


class AddFundsLimit(models.Model):
    """The portal's Add Funds limits in one currency (SPEC §7), set by staff with Settings: the
    smallest and largest net amount of one proforma, and the balance it may not take a client above
    (None: no such limit). A currency without a row keeps CLIENTPANEL_PORTAL_ADD_FUNDS's figures."""

    currency = models.CharField(max_length=3, unique=True)
    minimum = AmountField()
    maximum = AmountField()
    maximum_balance = AmountField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.CheckConstraint(condition=Q(minimum__gt=0) & Q(maximum__gte=models.F("minimum")),
                                   name="add_funds_limit_range"),
            models.CheckConstraint(condition=Q(maximum_balance__isnull=True) | Q(maximum_balance__gt=0),
                                   name="add_funds_limit_balance_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.minimum}–{self.maximum}"
