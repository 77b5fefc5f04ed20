from django.contrib import admin

from .admin_helpers import ReadOnlyAdmin
from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """What the outbox holds: a given-up row and its last error are here until e-mail and webhooks
    show their own logs."""

    list_display = ("id", "topic", "event", "status", "attempts", "next_attempt_at", "created_at", "handled_at")
    list_filter = ("status", "topic")
    search_fields = ("event", "last_error")
    show_full_result_count = False
