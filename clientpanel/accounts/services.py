"""Writes for users, staff and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from clientpanel.core.errors import FieldErrors, ValidationFailed

from .models import ApiToken, User, normalize_email
from .scopes import ALL_SCOPES, scopes_of_staff

TOKEN_PREFIX = "cp_"


def clean_email(email: str, errors: FieldErrors, field: str = "email", *, must_be_new: bool = True) -> str:
    """Validate an email and (by default) refuse one that a user already has."""
    email = normalize_email(email)
    if not email:
        errors.add(field, "Enter an email address.")
        return email
    if len(email) > 254:
        errors.add(field, "An email address has at most 254 characters.")
        return email
    try:
        validate_email(email)
    except ValidationError:
        errors.add(field, "Enter a valid email address, like name@example.com.")
        return email
    if must_be_new and User.objects.filter(email=email).exists():
        errors.add(field, "A user with this email address already exists.")
    return email


def clean_password(password: str | None, errors: FieldErrors, *, user: User | None = None) -> None:
    if not password:
        return
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        for message in error.messages:
            errors.add("password", message)


def hash_token(token: str) -> str:
    # API tokens carry 256 bits of randomness, so a fast hash is enough (no brute force possible).
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def staff_create(*, email: str, password: str, superuser: bool = False, firstname: str = "",
                 lastname: str = "") -> User:
    """Create a staff member who can log in to /staff/. Refuses a taken email or weak password."""
    errors = FieldErrors()
    email = clean_email(email, errors)
    clean_password(password, errors, user=User(email=email, firstname=firstname, lastname=lastname))
    if not password:
        errors.add("password", "Enter a password.")
    errors.raise_if_any()
    return User.objects.create_user(
        email, password, is_staff=True, is_superuser=superuser, firstname=firstname, lastname=lastname
    )


@transaction.atomic
def api_token_create(*, user: User, scopes: Iterable[str] | None = None, name: str = "") -> tuple[ApiToken, str]:
    """Issue a token for a staff member; answers (token row, the secret shown once).

    The token gets every scope the staff member holds, or only `scopes` when given (never more).
    """
    held = scopes_of_staff(user)
    if not held:
        raise ValidationFailed("API tokens are issued to active staff members only.",
                               fields={"email": ["This user is not an active staff member."]})
    wanted = set(scopes) if scopes is not None else held
    unknown = wanted - set(ALL_SCOPES)
    if unknown:
        raise ValidationFailed(
            f"Unknown scopes: {', '.join(sorted(unknown))}. Known: {', '.join(ALL_SCOPES)}.",
            fields={"scopes": [f"Unknown scope: {s}" for s in sorted(unknown)]},
        )
    not_held = wanted - held
    if not_held:
        raise ValidationFailed(
            f"The staff member does not hold: {', '.join(sorted(not_held))}.",
            fields={"scopes": [f"Not held by this staff member: {s}" for s in sorted(not_held)]},
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:10], token_hash=hash_token(secret), scopes=sorted(wanted)
    )
    return token, secret
