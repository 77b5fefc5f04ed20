"""Signed links sent by e-mail: set a password (welcome, invitation), reset a password, verify an
address. Each is bound to the user's state, so it works once: setting a password changes the
password hash (and a login the last login), verifying changes the verified flag. Each expires.
None logs anybody in by itself."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from .models import User


class LinkTokens(PasswordResetTokenGenerator):
    """Django's password-reset tokens with a salt and a lifetime of their own (PASSWORD_RESET_TIMEOUT
    is set to the longest of them, so Django's own check never cuts one short)."""

    def __init__(self, purpose: str, max_age: dt.timedelta) -> None:
        self.key_salt = f"clientpanel.accounts.links.{purpose}"
        self.max_age = max_age
        super().__init__()

    def check_token(self, user, token) -> bool:
        if not isinstance(token, str) or not super().check_token(user, token):
            return False
        issued = base36_to_int(token.split("-")[0])
        return self._num_seconds(self._now()) - issued <= self.max_age.total_seconds()


class EmailVerificationTokens(LinkTokens):
    def _make_hash_value(self, user, timestamp) -> str:
        # The address and the flag: verifying, or changing the address, spends the link.
        return f"{user.pk}{user.email}{user.email_verified}{timestamp}"


SET_PASSWORD = LinkTokens("set_password", dt.timedelta(days=7))
RESET_PASSWORD = LinkTokens("reset_password", dt.timedelta(hours=24))
VERIFY_EMAIL = EmailVerificationTokens("verify_email", dt.timedelta(days=7))
LONGEST = dt.timedelta(days=7)


def link_args(tokens: LinkTokens, user: User) -> dict[str, str]:
    """The URL arguments of a link for the user: its id, encoded, and the token."""
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": tokens.make_token(user)}


def user_of_link(tokens: LinkTokens, uidb64: str, token: str) -> User | None:
    """The active user a link was made for, while the link is valid; None otherwise."""
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)), is_active=True)
    except (User.DoesNotExist, ValidationError, ValueError, TypeError, OverflowError, UnicodeDecodeError):
        return None
    return user if tokens.check_token(user, token) else None
