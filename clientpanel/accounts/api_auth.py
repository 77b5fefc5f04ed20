"""Bearer-token authentication and scope checks for the REST API."""

from __future__ import annotations

from ninja.security import HttpBearer

from clientpanel.core.actor import ACTOR_API_TOKEN, ActorContext, client_ip, set_actor
from clientpanel.core.errors import PermissionDenied

from .scopes import scopes_of_staff
from .selectors import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        request.api_token = api_token
        set_actor(ActorContext(kind=ACTOR_API_TOKEN, user=api_token.user, ip=client_ip(request),
                               label=f"API token {api_token.prefix}… of {api_token.user.email}"))
        return api_token


def require_scope(request, scope: str) -> None:
    """The token must carry the scope and its staff member must still hold it (roles may have
    changed since the token was issued)."""
    token = getattr(request, "api_token", None)
    if token is None or scope not in token.scopes or scope not in scopes_of_staff(token.user):
        raise PermissionDenied(f"This token lacks the {scope} scope.", code="missing_scope")


def api_actor(request):
    """The staff member on whose behalf the token acts."""
    return request.api_token.user
