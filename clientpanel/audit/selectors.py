from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import AuditEvent


def audit_events(*, client_id=None, client_ids=None, action: str = "", actor_kind: str = "",
                 search: str = "") -> QuerySet[AuditEvent]:
    """Audit events, newest first, optionally for one client, a set of clients, an action prefix,
    an actor kind, or an actor/object text."""
    events = AuditEvent.objects.all()
    if client_id is not None:
        events = events.filter(client_id=client_id)
    if client_ids is not None:
        events = events.filter(client_id__in=client_ids)
    if action:
        events = events.filter(action__startswith=action)
    if actor_kind:
        events = events.filter(actor_kind=actor_kind)
    for word in search.split()[:4]:
        events = events.filter(Q(actor_label__icontains=word) | Q(object_label__icontains=word))
    return events.order_by("-created_at", "-id")
