"""Reads for webhook endpoints and their delivery log, for staff holding Settings."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.core.errors import NotFound, require
from clientpanel.core.ids import uuid_or_none

from . import policies
from .models import WebhookEndpoint, WebhookMessage


def _require(actor: ActorLike) -> None:
    require(policies.can_manage_webhooks(as_actor(actor)), _("You are not allowed to manage webhooks."))


def endpoints_visible(*, actor: ActorLike) -> QuerySet[WebhookEndpoint]:
    _require(actor)
    return WebhookEndpoint.objects.filter(deleted_at__isnull=True).defer("secret").order_by("created_at", "id")


def endpoint_get(*, actor: ActorLike, endpoint_id) -> WebhookEndpoint:
    key = uuid_or_none(endpoint_id)
    endpoint = endpoints_visible(actor=actor).filter(pk=key).first() if key else None
    if endpoint is None:
        raise NotFound(_("No such webhook endpoint."))
    return endpoint


def messages_of(endpoint: WebhookEndpoint, *, status: str = "") -> QuerySet[WebhookMessage]:
    """The endpoint's messages, newest first, with their attempts (newest first) prefetched."""
    messages = WebhookMessage.objects.filter(endpoint=endpoint).order_by("-id").prefetch_related("attempts_made")
    return messages.filter(status=status) if status else messages


def webhook_health(*, actor: ActorLike) -> dict:
    """For the dashboard and Settings → Automation: the endpoints the product switched off and
    those failing now (none for staff without Settings, who cannot act on them)."""
    if not policies.can_manage_webhooks(as_actor(actor)):
        return {"disabled": [], "failing": []}
    endpoints = list(WebhookEndpoint.objects.filter(deleted_at__isnull=True).filter(
        Q(is_active=False, disabled_at__isnull=False) | Q(is_active=True, failing_since__isnull=False))
        .defer("secret").order_by("created_at")[:20])
    return {"disabled": [e for e in endpoints if not e.is_active], "failing": [e for e in endpoints if e.is_active]}

