import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from clientpanel.core.fields import AmountField
from clientpanel.core.ids import new_id


class GatewayAccount(models.Model):
    """A gateway a home company takes payments through, and in which currencies. Settings that are
    not secret live here; secrets come from the environment (payments/gateways: each gateway names
    its variables), never from the database or a page."""

    home_company = models.ForeignKey("tax.HomeCompany", on_delete=models.CASCADE, related_name="gateway_accounts")
    gateway = models.CharField(max_length=30)  # payments.gateways registry key
    enabled = models.BooleanField(default=True)
    currencies = models.JSONField(default=list)  # ["EUR", "PLN"]; empty: every currency the gateway takes
    settings = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)  # the order clients see the gateways in

    class Meta:
        constraints = [models.UniqueConstraint(fields=["home_company", "gateway"], name="gateway_account_unique")]
        ordering = ["position", "gateway"]

    def __str__(self) -> str:
        return f"{self.gateway} for {self.home_company_id}"

    @property
    def settings_json(self) -> str:
        return json.dumps(self.settings, sort_keys=True) if self.settings else ""


class AttemptStatus(models.TextChoices):
    STARTED = "STARTED", pgettext_lazy("payment attempt status", "Started")
    PENDING = "PENDING", pgettext_lazy("payment attempt status", "Pending")
    SUCCEEDED = "SUCCEEDED", pgettext_lazy("payment attempt status", "Succeeded")
    FAILED = "FAILED", pgettext_lazy("payment attempt status", "Failed")
    # Its checkout was closed: another payment of its proformas went through or is being processed
    # (siblings.py). Nothing was charged through it — unless the gateway says otherwise later.
    CLOSED = "CLOSED", pgettext_lazy("payment attempt status", "Closed")
    HELD = "HELD", pgettext_lazy("payment attempt status", "Held for review")
    # Staff looked at a held payment and settled it by hand (recorded the money, or sent it back).
    RESOLVED = "RESOLVED", pgettext_lazy("payment attempt status", "Resolved by staff")


class PaymentAttempt(models.Model):
    """One payment a client starts through a gateway: for one or several unpaid proformas of one
    client, in their currency, for what was due on them at the start. It ends SUCCEEDED (each
    proforma paid through invoicing's payment service with the gateway's transaction id), FAILED,
    or HELD when the gateway's figures do not match it (staff decide)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="payment_attempts")
    home_company = models.ForeignKey("tax.HomeCompany", on_delete=models.PROTECT, related_name="+")
    gateway = models.CharField(max_length=30)
    currency = models.CharField(max_length=3)
    amount = AmountField()
    status = models.CharField(max_length=10, choices=AttemptStatus.choices, default=AttemptStatus.STARTED)
    reference = models.CharField(max_length=200, blank=True)  # the gateway's id of the payment
    transaction_id = models.CharField(max_length=100, blank=True)  # the gateway's id of the money moved
    error = models.CharField(max_length=500, blank=True)
    # Set when the attempt must happen once per cause (an auto top-up's shortfall): a second
    # attempt with the same key is refused by the database.
    idempotency_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    started_by_label = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_attempt_positive"),
            models.UniqueConstraint(fields=["gateway", "reference"], condition=~Q(reference=""),
                                    name="payment_attempt_reference_unique"),
            models.UniqueConstraint(fields=["idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="payment_attempt_idempotency_unique"),
        ]
        indexes = [models.Index(fields=["client", "-created_at"], name="payment_attempt_client_idx")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.amount} {self.currency} ({self.status})"


class AttemptDocument(models.Model):
    """A proforma an attempt pays, and what was due on it when the attempt started."""

    attempt = models.ForeignKey(PaymentAttempt, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey("invoicing.Document", on_delete=models.PROTECT, related_name="+")
    amount = AmountField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "document"], name="attempt_document_unique"),
                       models.CheckConstraint(condition=Q(amount__gt=0), name="attempt_document_positive")]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.amount}"


class GatewayEvent(models.Model):
    """A verified notification from a gateway, stored before it is applied: its event id is unique
    per gateway, so a repeated notification is recognised and never applied twice."""

    gateway = models.CharField(max_length=30)
    event_id = models.CharField(max_length=200)
    kind = models.CharField(max_length=40)  # the gateway's word for it: succeeded, failed, pending…
    attempt = models.ForeignKey(PaymentAttempt, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="events")
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)
    # Set once the event was applied: an event stored but not applied (the process died in between)
    # is applied when the gateway sends it again; one applied never is.
    applied_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)  # what applying it did, in words for staff

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="gateway_event_unique")]
        indexes = [models.Index(fields=["-received_at"], name="gateway_event_received_idx")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.event_id} ({self.kind})"


class RefundStatus(models.TextChoices):
    PENDING = "PENDING", pgettext_lazy("gateway refund status", "Pending")
    SUCCEEDED = "SUCCEEDED", pgettext_lazy("gateway refund status", "Refunded")
    FAILED = "FAILED", pgettext_lazy("gateway refund status", "Failed")


class GatewayRefund(models.Model):
    """Money of a gateway payment sent back to the payer for a credit note (the choice is made at
    its issue). The credit note is in the books first; the gateway is asked after, with this row's
    id as its idempotency key, so a retry after a failure or a crash never refunds twice."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    attempt = models.ForeignKey(PaymentAttempt, on_delete=models.PROTECT, related_name="refunds")
    credit_note = models.OneToOneField("invoicing.Document", on_delete=models.PROTECT, related_name="gateway_refund")
    amount = AmountField()  # gross, positive
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    refund_id = models.CharField(max_length=200, blank=True)  # the gateway's id of the refund
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by_label = models.CharField(max_length=300)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="gateway_refund_positive"),
                       models.CheckConstraint(condition=~Q(status="SUCCEEDED") | ~Q(refund_id=""),
                                              name="gateway_refund_succeeded_has_id")]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} back through {self.attempt_id} ({self.status})"
