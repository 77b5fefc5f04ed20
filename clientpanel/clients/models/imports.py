"""A CSV import of clients and its saved column mappings (issue 13; the import itself is
clients/imports/)."""

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy

from clientpanel.core.ids import new_id


class ClientImportStatus(models.TextChoices):
    UPLOADED = "UPLOADED", pgettext_lazy("import status", "Uploaded")
    CHECKING = "CHECKING", pgettext_lazy("import status", "Checking")
    CHECKED = "CHECKED", pgettext_lazy("import status", "Checked")
    IMPORTING = "IMPORTING", pgettext_lazy("import status", "Importing")
    IMPORTED = "IMPORTED", pgettext_lazy("import status", "Imported")
    REFUSED = "REFUSED", pgettext_lazy("import status", "Nothing imported")
    FAILED = "FAILED", pgettext_lazy("import status", "Failed")


class OnExisting(models.TextChoices):
    SKIP = "skip", pgettext_lazy("import existing clients", "Skip them")
    UPDATE = "update", pgettext_lazy("import existing clients", "Update them")
    REFUSE = "refuse", pgettext_lazy("import existing clients", "Reject their rows")


class ClientImport(models.Model):
    """A CSV file of clients on its way in (issue 13): the stored upload, which column feeds which
    field, the options of the commit, and what the last check or commit found (counts, the first
    rows' errors, the CSV of rejected rows). See clients/imports/."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    # Our own name in the default storage (client-imports/<id>.csv); empty once removed.
    stored_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    delimiter = models.CharField(max_length=1, default=",")
    headers = models.JSONField(default=list)
    row_count = models.PositiveIntegerField(default=0)
    # The field each column feeds, in the order of the headers ("" = not imported).
    columns = models.JSONField(default=list)
    on_existing = models.CharField(max_length=10, choices=OnExisting.choices, default=OnExisting.SKIP)
    valid_only = models.BooleanField(default=False)
    send_welcome_emails = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=ClientImportStatus.choices, default=ClientImportStatus.UPLOADED)
    # What the last check or commit found: counts, the first rows, the first rejected rows' errors.
    counts = models.JSONField(default=dict)
    preview = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    rejected_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # The background task of the last check or commit (automation.BackgroundTask), for the API's polling.
    task_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="client_import_created_idx")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class ClientImportMapping(models.Model):
    """A named mapping of CSV headers to client fields, saved in the import wizard to reuse with the
    next file of the same shape (matched by header, not by position)."""

    name = models.CharField(max_length=100, unique=True)
    fields = models.JSONField(default=dict)  # {header: field}
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
