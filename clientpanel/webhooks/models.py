"""Webhook endpoints, the messages written for them, and every attempt to deliver one."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

from clientpanel.core.ids import new_id


class WebhookEndpoint(models.Model):
    """A receiver staff registered: its URL, the events it takes (none listed: all of them), and
    the secret its messages are signed with. It receives only events that happen after it exists.
    Failing continuously for 24 hours and at least 10 attempts, or answering 410, disables it."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    url = models.URLField(max_length=1000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    secret = models.CharField(max_length=100)  # whsec_ + base64, shown once
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    failing_since = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveIntegerField(default=0)  # since the last success
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # Deleted endpoints stay (inactive) until the purge job removes them with their log a day
    # later: a transaction publishing an event at the moment of the deletion may still be writing
    # a message for it, and must not fail for that at its commit.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url

    def takes(self, event_name: str) -> bool:
        return not self.events or event_name in self.events


class MessageStatus(models.TextChoices):
    PENDING = "PENDING", pgettext_lazy("webhook message status", "Pending")
    DELIVERED = "DELIVERED", pgettext_lazy("webhook message status", "Delivered")
    RETRYING = "RETRYING", pgettext_lazy("webhook message status", "Failing, will retry")
    FAILED = "FAILED", pgettext_lazy("webhook message status", "Failed")


class WebhookMessage(models.Model):
    """One event for one endpoint: its body is fixed when the event happens (the API's schemas of
    what it is about, as they were then), so every attempt and a replay send the same bytes under
    the same `webhook-id`. Messages about one client reach an endpoint in the order they happened."""

    id = models.BigAutoField(primary_key=True)
    public_id = models.CharField(max_length=40, unique=True)  # msg_…, the webhook-id header
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="messages")
    event = models.CharField(max_length=100)
    body = models.TextField()  # the JSON sent, byte for byte
    ordering_key = models.CharField(max_length=64, blank=True)  # the client's id: delivered in order per client
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # while RETRYING
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["endpoint", "-id"], name="webhook_message_endpoint_idx"),
            # "Is an earlier message for this client still on its way?", asked before each delivery.
            models.Index(fields=["endpoint", "ordering_key", "id"], name="webhook_message_waiting_idx",
                         condition=models.Q(status__in=["PENDING", "RETRYING"])),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.public_id} → {self.endpoint_id}"


class WebhookAttempt(models.Model):
    """One request: when, the answer's status and first kilobyte, how long it took, or why it
    failed before an answer."""

    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="attempts_made")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)  # the first kilobyte
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.message_id} at {self.attempted_at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        # A 2xx whose answer then ran out of time is kept with its error, and failed (transport.post).
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error
