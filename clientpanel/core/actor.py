"""Who is acting right now, for the audit trail: a staff member or client user in a browser, an
API token, or the system (commands, jobs). Set once per request by the middleware or the API's
authentication; services read it when they record an audit event."""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

ACTOR_STAFF = "staff"
ACTOR_USER = "user"
ACTOR_API_TOKEN = "api_token"
ACTOR_SYSTEM = "system"


@dataclass(frozen=True)
class ActorContext:
    kind: str = ACTOR_SYSTEM
    user: Any = None
    label: str = "system"
    ip: str | None = None


_current: ContextVar[ActorContext] = ContextVar("clientpanel_actor", default=ActorContext())  # noqa: B039


def current_actor() -> ActorContext:
    return _current.get()


@contextlib.contextmanager
def acting_as(context: ActorContext):
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def set_actor(context: ActorContext) -> None:
    """Replace the actor for the rest of this request (the API learns it only after authenticating)."""
    _current.set(context)


def client_ip(request) -> str | None:
    # Behind a proxy, deployments set REMOTE_ADDR from X-Forwarded-For in the proxy, not here:
    # trusting that header from anybody would let a client forge its address in the trail.
    return request.META.get("REMOTE_ADDR") or None


class ActorMiddleware:
    """Marks the request's session user (staff or client user) as the actor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            kind = ACTOR_STAFF if user.is_staff else ACTOR_USER
            context = ActorContext(kind=kind, user=user, label=user.email, ip=client_ip(request))
        else:
            context = ActorContext(kind=ACTOR_SYSTEM, label="anonymous", ip=client_ip(request))
        with acting_as(context):
            return self.get_response(request)
