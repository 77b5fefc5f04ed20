from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from clientpanel.core.fields import AmountField
from clientpanel.core.ids import new_id


class BankStatement(models.Model):
    """A bank statement (CSV export) staff uploaded to match incoming transfers to proformas
    (payments/bank). Its lines are kept; the file itself is not. The counts are what the upload
    found, for the list of statements."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_by_label = models.CharField(max_length=300)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    # Whose account the statement is of: its proformas and numbering pattern are matched; none: all.
    home_company = models.ForeignKey("tax.HomeCompany", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    line_count = models.PositiveIntegerField(default=0)  # lines stored (incoming and outgoing)
    duplicate_count = models.PositiveIntegerField(default=0)  # lines an earlier upload holds already
    outgoing_count = models.PositiveIntegerField(default=0)  # negative amounts, stored as ignored

    class Meta:
        indexes = [models.Index(fields=["-uploaded_at"], name="bank_statement_uploaded_idx")]
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.file_name


class BankLineStatus(models.TextChoices):
    MATCHED = "MATCHED", pgettext_lazy("bank line status", "Matched")
    AMBIGUOUS = "AMBIGUOUS", pgettext_lazy("bank line status", "Needs a choice")
    UNMATCHED = "UNMATCHED", pgettext_lazy("bank line status", "Unmatched")
    CHOSEN = "CHOSEN", pgettext_lazy("bank line status", "Chosen by staff")
    RECORDED = "RECORDED", pgettext_lazy("bank line status", "Recorded")
    IGNORED = "IGNORED", pgettext_lazy("bank line status", "Ignored")


# The lines "Record the matched payments" records.
RECORDABLE = (BankLineStatus.MATCHED, BankLineStatus.CHOSEN)


class BankStatementLine(models.Model):
    """One booking of a bank statement. Its fingerprint (the bank's reference, or what the line
    says) is unique across all statements: the same bank line uploaded twice, in the same file or
    in an overlapping one, is stored once and so can be recorded once."""

    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()  # the line in the file (the header is line 1)
    booked_on = models.DateField()
    amount = AmountField()  # positive: incoming; negative: outgoing (ignored)
    currency = models.CharField(max_length=3)
    title = models.CharField(max_length=500)
    counterparty_name = models.CharField(max_length=300, blank=True)
    counterparty_account = models.CharField(max_length=100, blank=True)
    bank_reference = models.CharField(max_length=100, blank=True)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=BankLineStatus.choices)
    # The proforma the matching proposed or staff chose; the one paid once RECORDED.
    document = models.ForeignKey("invoicing.Document", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    # Why the line matched no proforma or needs a choice, in words for staff.
    note = models.CharField(max_length=500, blank=True)
    payment = models.OneToOneField("invoicing.Payment", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="bank_line")
    # Why recording the payment failed, in words for staff; cleared when it is recorded.
    error = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fingerprint"], name="bank_line_fingerprint_unique"),
            models.UniqueConstraint(fields=["statement", "position"], name="bank_line_position_unique"),
            models.CheckConstraint(condition=~Q(amount=0), name="bank_line_amount_not_zero"),
            # Only an incoming line pays anything, and a recorded one always names its payment.
            models.CheckConstraint(
                condition=Q(status=BankLineStatus.RECORDED, payment__isnull=False, document__isnull=False,
                            amount__gt=0)
                | (~Q(status=BankLineStatus.RECORDED) & Q(payment__isnull=True)),
                name="bank_line_recorded_has_payment"),
            models.CheckConstraint(
                condition=~Q(status__in=RECORDABLE) | Q(document__isnull=False, amount__gt=0),
                name="bank_line_recordable_has_proforma"),
        ]
        indexes = [models.Index(fields=["statement", "status"], name="bank_line_status_idx")]
        ordering = ["statement", "position"]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.amount} {self.currency} {self.title[:40]}"
