from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from clientpanel.core.fields import AmountField
from clientpanel.core.ids import new_id

from .attempts import GatewayEvent, PaymentAttempt


class ReversalKind(models.TextChoices):
    REFUNDED = "REFUNDED", pgettext_lazy("gateway reversal", "Refunded at the gateway")
    DISPUTE_OPENED = "DISPUTE_OPENED", pgettext_lazy("gateway reversal", "Dispute opened")
    DISPUTE_WON = "DISPUTE_WON", pgettext_lazy("gateway reversal", "Dispute won")
    DISPUTE_LOST = "DISPUTE_LOST", pgettext_lazy("gateway reversal", "Dispute lost")


# What takes money of the payment back for good: staff record it with a credit note.
TAKES_MONEY_BACK = (ReversalKind.REFUNDED, ReversalKind.DISPUTE_LOST)


class GatewayReversal(models.Model):
    """Money of an online payment taken back at the gateway, outside the panel: a refund made in
    the gateway's own dashboard, or a dispute (chargeback) the payer opened, and how it closed.
    Recorded from the gateway's notification, once per notification (its stored event is unique);
    it moves no money and changes no document: staff decide, by a credit note (SPEC: issued
    documents never change, credit notes are the only way money goes back in the books). A refund
    the panel itself sent (a credit note's GatewayRefund) is never recorded here."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    attempt = models.ForeignKey(PaymentAttempt, on_delete=models.PROTECT, related_name="reversals")
    event = models.OneToOneField(GatewayEvent, on_delete=models.PROTECT, related_name="reversal")
    kind = models.CharField(max_length=20, choices=ReversalKind.choices)
    # Gross, positive: what this refund took back (beyond what the panel sent and what was recorded
    # before), or what the dispute is about.
    amount = AmountField()
    currency = models.CharField(max_length=3)
    external_id = models.CharField(max_length=200, blank=True)  # the gateway's id: re_…, dp_… (or the charge's)
    reason = models.CharField(max_length=100, blank=True)  # a dispute's reason, in the gateway's word
    # A closed dispute's fee the gateway kept (Stripe's dispute fee), when its notification says:
    # the seller's own cost, shown to staff, never charged to the client nor asked of a credit note.
    # In the currency the gateway charged it in (the account's), which may not be the payment's.
    fee = AmountField(null=True, blank=True)
    fee_currency = models.CharField(max_length=3, blank=True)
    happened_at = models.DateTimeField()  # when the gateway says it happened
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="gateway_reversal_positive"),
                       models.CheckConstraint(condition=Q(fee__isnull=True) | Q(fee__gt=0),
                                              name="gateway_reversal_fee_positive")]
        indexes = [models.Index(fields=["attempt", "happened_at"], name="gateway_reversal_attempt_idx")]
        ordering = ["happened_at", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} of {self.attempt_id}"
