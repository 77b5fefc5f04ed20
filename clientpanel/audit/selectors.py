from __future__ import annotations

from django.db.models import Q, QuerySet

from clientpanel.core.sorting import sort_of

from .models import AuditEvent

# The activity log's sorts (core.sorting), each read off an index in either direction: created_at's,
# and audit_action_idx (action, -created_at) — the newest first within an action, the oldest first
# when the actions run backwards.
AUDIT_SORTS: dict[str, tuple[str, ...]] = {
    "when": ("created_at", "id"),
    "action": ("action", "-created_at", "-id"),
}
AUDIT_DEFAULT_SORT = "-when"


def audit_events(*, client_id=None, client_ids=None, action: str = "", actor_kind: str = "",
                 search: str = "", sort: str = "") -> QuerySet[AuditEvent]:
    """Audit events, newest first unless `sort` names another of AUDIT_SORTS (ValidationFailed on
    `sort` for one it does not), optionally for one client, a set of clients, an action prefix, an
    actor kind, or an actor/object text."""
    order = sort_of(sort, AUDIT_SORTS, default=AUDIT_DEFAULT_SORT)
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
    return events.order_by(*order.ordering)
