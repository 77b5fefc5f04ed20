from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One row per action: who did what to which object, with the old and new values.

    Written by the services in the same transaction as the change, never updated or deleted.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_kind = models.CharField(max_length=12)  # staff, user, api_token, system
    # No index of its own: audit_actor_idx starts with actor_id.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_index=False)
    actor_label = models.CharField(max_length=300)  # email, "token cp_abc… of x@y", "system"
    # The staff member behind a client user during Login as Owner (the label names both). Indexed
    # only where set (audit_impersonator_idx): almost every event has none.
    impersonator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", db_index=False)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=60)  # client.create, address.update, client_user.remove…
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=300, blank=True)
    # The client the change belongs to (when any), so its Activity tab is one indexed query.
    client_id = models.UUIDField(null=True, blank=True)
    changes = models.JSONField(default=dict)  # {field: [old, new]}

    class Meta:
        indexes = [
            models.Index(fields=["client_id", "-created_at"], name="audit_client_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
            models.Index(fields=["impersonator"], condition=models.Q(impersonator__isnull=False),
                         name="audit_impersonator_idx"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"
