"""Bearer-token authentication and scope checks for the REST API."""

from __future__ import annotations

from ninja.security import HttpBearer

from clientpanel.core.errors import PermissionDenied

from .selectors import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        request.api_token = api_token
        return api_token


def require_scope(request, scope: str) -> None:
    token = getattr(request, "api_token", None)
    if token is None or scope not in token.scopes:
        raise PermissionDenied(f"This token lacks the {scope} scope.", code="missing_scope")


def api_actor(request):
    """The staff member on whose behalf the token acts."""
    return request.api_token.user
