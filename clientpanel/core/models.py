from django.db import models


class NumberSequence(models.Model):
    """A counter for human numbers: one row per key (e.g. "client") and period (e.g. "2026-11")."""

    key = models.CharField(max_length=100)
    period = models.CharField(max_length=20, blank=True, default="")
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "period"], name="number_sequence_key_period_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key}:{self.period or '-'} = {self.last_value}"


class IdempotencyRecord(models.Model):
    """The stored answer to a money-moving API request sent with an Idempotency-Key, so a retry
    gets the same answer instead of moving the money twice."""

    owner = models.CharField(max_length=64)  # whose key (the API token's staff member)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key_unique")]
        # The purge job's look-up, every automation pass (core.idempotency.job_purge_idempotency_keys).
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.owner}:{self.key} → {self.status}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed, will retry"
    GIVEN_UP = "given_up", "Given up"


class OutboxMessage(models.Model):
    """Something to do after a change has committed (an e-mail to send, a webhook to deliver),
    written by an event subscriber in the same transaction as the change: it exists exactly when
    the change does. The drain (core/outbox.py) hands each row to its topic's handler and keeps
    the attempts, the next attempt (exponential back-off) and the last error."""

    topic = models.CharField(max_length=100)  # whose handler takes it: "webhooks", "email"…
    event = models.CharField(max_length=100)  # the event's public name: "document.issued"
    payload = models.JSONField(default=dict)  # the event as JSON, money as strings
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)  # done or given up

    class Meta:
        # Named for the long run: the table keeps its name if the outbox moves to an app of its own.
        db_table = "clientpanel_outbox"
        indexes = [
            # The drain's two claims: new rows in order, and failed rows whose next attempt is due.
            # Partial, so they stay as small as the work waiting, however many rows are done.
            models.Index(fields=["id"], condition=models.Q(status="pending"), name="outbox_pending_idx"),
            models.Index(fields=["next_attempt_at", "id"], condition=models.Q(status="failed"),
                         name="outbox_retry_idx"),
            models.Index(fields=["handled_at"], condition=models.Q(status="done"), name="outbox_done_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.topic}: {self.event} #{self.pk} ({self.status})"
