"""Bearer-token authentication and scope checks for the REST API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja import Status
from ninja.security import HttpBearer

from clientpanel.core.actor import Actor, client_ip, set_actor
from clientpanel.core.errors import PermissionDenied
from clientpanel.core.idempotency import run_idempotent

from .actors import token_actor
from .scopes import FINANCE_WRITE, scopes_of_areas
from .selectors import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """The bearer token, and the scope an operation needs (scoped): checked with the token, before
    the request's body is read — a token without the scope learns nothing of what a body must be."""

    def __init__(self, scope: str | None = None) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request, token: str):
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        request.api_token = api_token
        request.actor = token_actor(api_token, ip=client_ip(request))
        set_actor(request.actor)
        if self.scope is not None:
            require_scope(request, self.scope)
        return api_token


def scoped(scope: str) -> ApiTokenAuth:
    """An operation's auth: a valid token carrying `scope` (`@router.post(..., auth=scoped(...))`)."""
    return ApiTokenAuth(scope)


def require_scope(request, scope: str) -> None:
    """The token must carry the scope and its staff member must still hold it (roles may have
    changed since the token was issued)."""
    token = getattr(request, "api_token", None)
    if token is None or scope not in token.scopes or scope not in scopes_of_areas(request.actor.areas):
        raise PermissionDenied(f"This token lacks the {scope} scope.", code="missing_scope")


def api_actor(request) -> Actor:
    """The token's actor: its staff member's areas and client scope, recorded as the token."""
    return request.actor


def money_request(request, action: Callable[[Actor], tuple[int, Any]], *, scope: str = FINANCE_WRITE,
                  visible: Callable[[Actor], object] | None = None) -> Status:
    """A request that moves money (SPEC §11): the token needs `scope` (finance:write unless said),
    the action runs as the token's actor, and under an Idempotency-Key its repeat gets the answer
    the first one stored. `visible(actor)` raises NotFound for what the actor may not see (its
    client, its document), asked before a stored answer is given again: a staff member no longer
    assigned to the client does not get it back by repeating the key."""
    require_scope(request, scope)
    actor = api_actor(request)
    if visible is not None:
        visible(actor)
    return Status(*run_idempotent(request, str(actor.user_id), lambda: action(actor)))
