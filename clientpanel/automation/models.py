from django.db import models
from django.utils.translation import pgettext_lazy


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


class BackgroundTaskStatus(models.TextChoices):
    QUEUED = "QUEUED", pgettext_lazy("background task status", "Queued")
    RUNNING = "RUNNING", pgettext_lazy("background task status", "Running")
    SUCCEEDED = "SUCCEEDED", pgettext_lazy("background task status", "Done")
    FAILED = "FAILED", pgettext_lazy("background task status", "Failed")


class BackgroundTask(models.Model):
    """Long work a person started (an import, a bulk action): what, by whom, its arguments, and
    when it ends its result or error. Progress while it runs is kept outside the database
    (automation/background.py), where the work's own transaction cannot hide it."""

    kind = models.CharField(max_length=60)
    requested_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    arguments = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=BackgroundTaskStatus.choices,
                              default=BackgroundTaskStatus.QUEUED, db_default=BackgroundTaskStatus.QUEUED)
    done = models.PositiveIntegerField(default=0, db_default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="background_task_by_idx")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (BackgroundTaskStatus.SUCCEEDED, BackgroundTaskStatus.FAILED)
