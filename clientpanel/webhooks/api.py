"""REST endpoints for webhook endpoints (Settings → Webhooks): list, create (the answer carries
the secret once), read, change, delete, rotate the secret, send a test event, read the delivery
log and replay a message. Every call needs the settings:write scope."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from ninja import Router, Schema, Status
from pydantic import Field, StrictBool

from clientpanel.accounts.api_auth import api_actor, scoped
from clientpanel.accounts.scopes import SETTINGS_WRITE
from clientpanel.core.api_types import OneLine, Page, PageSize, strict_example
from clientpanel.core.schemas import ListOut, StrictSchema, iso_time, list_page

from . import selectors, services
from .events import WEBHOOK_EVENTS
from .models import WebhookEndpoint, WebhookMessage

router = Router(tags=["webhooks"], auth=scoped(SETTINGS_WRITE))  # every operation: settings:write

EventName = Literal[tuple(WEBHOOK_EVENTS)]  # type: ignore[valid-type]


class WebhookIn(StrictSchema):
    model_config = strict_example(url="https://crm.example.com/hooks/clientpanel",
                                  events=["client.created", "document.paid"], description="CRM", is_active=True)
    url: OneLine(1000) | None = None
    events: list[EventName] | None = Field(None, max_length=len(WEBHOOK_EVENTS),
                                           description="Events it receives; empty or absent: all")
    description: OneLine(200) | None = None
    is_active: StrictBool | None = None


class WebhookOut(Schema):
    id: UUID
    url: str
    events: list[str]
    description: str
    is_active: bool
    disabled_at: str | None
    disabled_reason: str
    failing_since: str | None
    failed_attempts: int
    created_at: str


class WebhookWithSecretOut(WebhookOut):
    secret: str = Field(description="whsec_…: signs every message; shown only in this answer")


class WebhookListOut(ListOut[WebhookOut]):
    """The webhook endpoints, with how many there are."""


class AttemptOut(Schema):
    attempted_at: str
    status_code: int | None
    response_body: str
    duration_ms: int
    error: str


class MessageOut(Schema):
    id: str = Field(description="The webhook-id header")
    event: str
    status: str
    attempts: int
    created_at: str
    delivered_at: str | None
    next_attempt_at: str | None
    body: str
    attempts_made: list[AttemptOut]


class MessageListOut(ListOut[MessageOut]):
    """One page of an endpoint's delivered messages, with how many there are in all."""



def webhook_out(endpoint: WebhookEndpoint, secret: str | None = None) -> dict[str, Any]:
    body = {"id": endpoint.pk, "url": endpoint.url, "events": endpoint.events, "description": endpoint.description,
            "is_active": endpoint.is_active, "disabled_at": iso_time(endpoint.disabled_at),
            "disabled_reason": endpoint.disabled_reason, "failing_since": iso_time(endpoint.failing_since),
            "failed_attempts": endpoint.failed_attempts, "created_at": endpoint.created_at.isoformat()}
    if secret is not None:
        body["secret"] = secret
    return body


def message_out(message: WebhookMessage) -> dict[str, Any]:
    return {"id": message.public_id, "event": message.event, "status": message.status,
            "attempts": message.attempts, "created_at": message.created_at.isoformat(),
            "delivered_at": iso_time(message.delivered_at), "next_attempt_at": iso_time(message.next_attempt_at),
            "body": message.body,
            "attempts_made": [{"attempted_at": a.attempted_at.isoformat(), "status_code": a.status_code,
                               "response_body": a.response_body, "duration_ms": a.duration_ms, "error": a.error}
                              for a in message.attempts_made.all()]}


def _actor(request):
    return api_actor(request)


@router.get("/webhooks", response=WebhookListOut, summary="Webhook endpoints")
def list_webhooks(request, page: Page = 1, page_size: PageSize = 50):
    endpoints = selectors.endpoints_visible(actor=_actor(request))
    return list_page(endpoints, page=page, page_size=page_size, item_out=webhook_out)


@router.post("/webhooks", response={201: WebhookWithSecretOut},
             summary="Register an endpoint; the answer carries its signing secret, once")
def create_webhook(request, payload: WebhookIn):
    endpoint, secret = services.endpoint_create(actor=_actor(request), data=payload.model_dump(exclude_unset=True))
    return Status(201, webhook_out(endpoint, secret))


@router.get("/webhooks/{webhook_id}", response=WebhookOut, summary="One endpoint")
def get_webhook(request, webhook_id: UUID):
    return webhook_out(selectors.endpoint_get(actor=_actor(request), endpoint_id=webhook_id))


@router.patch("/webhooks/{webhook_id}", response=WebhookOut,
              summary="Change an endpoint; is_active=true switches a disabled one on again")
def update_webhook(request, webhook_id: UUID, payload: WebhookIn):
    return webhook_out(services.endpoint_update(actor=_actor(request), endpoint_id=webhook_id,
                                                data=payload.model_dump(exclude_unset=True)))


@router.delete("/webhooks/{webhook_id}", response={204: None}, summary="Delete an endpoint and its log")
def delete_webhook(request, webhook_id: UUID):
    services.endpoint_delete(actor=_actor(request), endpoint_id=webhook_id)
    return Status(204, None)


@router.post("/webhooks/{webhook_id}/rotate-secret", response=WebhookWithSecretOut,
             summary="A new signing secret, answered once")
def rotate_webhook_secret(request, webhook_id: UUID):
    endpoint, secret = services.endpoint_secret_rotate(actor=_actor(request), endpoint_id=webhook_id)
    return webhook_out(endpoint, secret)


@router.post("/webhooks/{webhook_id}/test", response={202: MessageOut}, summary="Send a webhook.test event")
def test_webhook(request, webhook_id: UUID):
    message = services.endpoint_test_send(actor=_actor(request), endpoint_id=webhook_id)
    return Status(202, message_out(message))


@router.get("/webhooks/{webhook_id}/messages", response=MessageListOut,
            summary="The delivery log: messages newest first, each with its attempts")
def list_webhook_messages(request, webhook_id: UUID, page: Page = 1, page_size: PageSize = 50):
    endpoint = selectors.endpoint_get(actor=_actor(request), endpoint_id=webhook_id)
    return list_page(selectors.messages_of(endpoint), page=page, page_size=page_size, item_out=message_out)


@router.post("/webhooks/{webhook_id}/messages/{message_id}/replay", response={202: MessageOut},
             summary="Send a delivered or failed message again (same webhook-id)")
def replay_webhook_message(request, webhook_id: UUID, message_id: str):
    message = services.message_replay(actor=_actor(request), endpoint_id=webhook_id, message_id=message_id[:40])
    return Status(202, message_out(message))
