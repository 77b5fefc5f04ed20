"""Reads for users and API tokens."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import ApiToken, User
from .services import TOKEN_PREFIX, hash_token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The live token for this secret, or None (unknown, revoked, or its staff member inactive)."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not (token.user.is_active and token.user.is_staff):
        return None
    # Recording use at most once a minute keeps reads from turning into writes on every call.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def user_list(*, search: str = "") -> QuerySet[User]:
    users = User.objects.all()
    for word in search.split():
        users = users.filter(
            Q(email__icontains=word) | Q(firstname__icontains=word) | Q(lastname__icontains=word)
        )
    return users
