from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import pgettext_lazy

from clientpanel.core.fields import AmountField
from clientpanel.core.ids import new_id

from .descriptions import describe


class EntryType(models.TextChoices):
    CHARGE = "CHARGE", pgettext_lazy("ledger entry type", "Charge")
    PAYMENT = "PAYMENT", pgettext_lazy("ledger entry type", "Payment")
    REFUND = "REFUND", pgettext_lazy("ledger entry type", "Refund")
    ADJUSTMENT = "ADJUSTMENT", pgettext_lazy("ledger entry type", "Adjustment")


class LedgerEntry(models.Model):
    """One movement of a client's balance (SPEC §5). Append-only: corrections are new entries.

    The chain invariant (each balance_before is the previous balance_after, sequences 1, 2, 3…)
    is kept by ledger.services.entry_post under a lock on the client's balance row and checked by
    `manage.py verify_ledger`; what a single row can promise, the database checks.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # No index of its own: the unique (client, sequence) index serves every lookup by client.
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="ledger_entries",
                               db_index=False)
    sequence = models.PositiveBigIntegerField()
    type = models.CharField(max_length=10, choices=EntryType.choices)
    gross = AmountField()
    net = AmountField()
    balance_before = AmountField()
    balance_after = AmountField()
    description = models.CharField(max_length=500, blank=True)
    # What the system wrote, as a code and its parameters (ledger.descriptions), so each reader
    # sees it in their language; `description` keeps the English the API returns. Empty for free text.
    description_code = models.CharField(max_length=30, blank=True, default="", db_default="")
    description_params = models.JSONField(null=True, blank=True)
    transaction_id = models.CharField(max_length=100, blank=True)
    service_id = models.UUIDField(null=True, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    document_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_kind = models.CharField(max_length=12)
    # Indexed only where set (Meta.indexes): most entries are posted by the system (billing runs),
    # and a full index would take an entry for each of them on the hottest insert in the product.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_index=False)
    created_by_label = models.CharField(max_length=300)
    # The staff member behind a client user during Login as Owner (the label names both).
    impersonator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "sequence"], name="ledger_sequence_unique"),
            # A retried payment with the same external ID posts once.
            models.UniqueConstraint(fields=["client", "transaction_id"], condition=~Q(transaction_id=""),
                                    name="ledger_transaction_id_unique"),
            models.CheckConstraint(condition=Q(balance_after=F("balance_before") + F("net")),
                                   name="ledger_balance_moves_by_net"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="ledger_sequence_from_one"),
            models.CheckConstraint(condition=~Q(net=0), name="ledger_net_not_zero"),
            models.CheckConstraint(
                condition=(Q(type=EntryType.CHARGE, net__lt=0, gross__lt=0)
                           | Q(type=EntryType.REFUND, net__lt=0, gross__lt=0)
                           | Q(type=EntryType.PAYMENT, net__gt=0, gross__gt=0)
                           | Q(type=EntryType.ADJUSTMENT)),
                name="ledger_sign_matches_type"),
            models.CheckConstraint(condition=Q(period_end__isnull=True) | Q(period_end__gt=F("period_start")),
                                   name="ledger_period_forward"),
        ]
        # Lists read by (client, sequence), the unique index above; every other index would slow
        # down the hottest insert in the product, so each must earn its place. The users' two
        # serve deleting a user (its entries' references) and take no entry where nobody is named.
        indexes = [
            models.Index(fields=["created_by"], condition=Q(created_by__isnull=False), name="ledger_created_by_idx"),
            models.Index(fields=["impersonator"], condition=Q(impersonator__isnull=False),
                         name="ledger_impersonator_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.net} ({self.client_id} #{self.sequence})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Ledger entries are append-only; post a correcting entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are append-only; post a correcting entry instead.")

    @property
    def reader_description(self) -> str:
        """The description in the active language (ledger.descriptions.describe)."""
        return describe(self)
