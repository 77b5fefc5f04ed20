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
