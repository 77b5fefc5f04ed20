from django.apps import AppConfig


class FilesConfig(AppConfig):
    """Client documents: files staff keep for a client (contracts, scans, exports), in private
    storage, downloaded only through a permission-checked view; some shown in the portal."""

    name = "clientpanel.files"
    label = "files"
    default_auto_field = "django.db.models.BigAutoField"
