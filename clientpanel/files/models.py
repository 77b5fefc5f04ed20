from django.conf import settings
from django.db import models
from django.db.models import Q

from clientpanel.core.ids import new_id


class ClientFile(models.Model):
    """One file kept for a client. The stored name is ours (the client's id and this row's id), never
    the name it was uploaded with; what was detected from the content (type, size, SHA-256) is kept
    so a download can be checked against the file on disk. A row exists exactly when its file does:
    services.client_file_upload writes the file before the row and removes it when the row is not
    written; client_file_delete removes the file once the row's deletion is committed."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=200)  # shown to people; the download name is made from it
    note = models.TextField(blank=True)
    visible_in_portal = models.BooleanField(default=False)
    storage_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "-created_at"], name="client_file_client_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="client_file_size_positive"),
            models.CheckConstraint(condition=~Q(name=""), name="client_file_name_not_empty"),
            models.CheckConstraint(condition=~Q(storage_name=""), name="client_file_storage_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name
