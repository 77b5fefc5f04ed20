from django.db import models


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
        # The table was made when the model lived in core; it keeps its name (migrations: state only).
        db_table = "core_jobrun"
        indexes = [models.Index(fields=["name", "-started_at"], name="job_run_name_idx")]
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} at {self.started_at:%Y-%m-%d %H:%M}"
