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

    def __str__(self) -> str:
        return f"{self.owner}:{self.key} → {self.status}"


class JobRun(models.Model):
    """One run of an automation job: when, how long, what it did, what went wrong."""

    name = models.CharField(max_length=60)
    trigger = models.CharField(max_length=20)  # schedule, manual, command
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["name", "-started_at"], name="job_run_name_idx")]
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} at {self.started_at:%Y-%m-%d %H:%M}"
