"""A user's own account, changed by the user itself (the portal's Account page): its names and
language, and its password. Staff signed in as the user (Login as Owner) may change the names and
language it reads in, never the password (policies.can_change_own_credentials)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.audit.services import audit_record, save_audited
from clientpanel.core.errors import FieldErrors, require
from clientpanel.core.events import publish
from clientpanel.core.text import at_most_characters, clean_text, has_visible_text

from .. import policies
from ..actors import ActorLike, as_actor
from ..events import PasswordChanged, UserRenamed
from ..models import User
from ..reauth import present_password_check
from .cleaning import clean_password

ACCOUNT_FIELDS = ("firstname", "lastname", "language")


def _own_user(actor) -> User:
    require(actor.user is not None, _("Only a signed-in user has an account to change."))
    return User.objects.select_for_update().get(pk=actor.user_id)


def user_account_update(*, actor: ActorLike, data: Mapping[str, Any]) -> User:
    """Change the signed-in user's first and last name and the language it reads the portal and its
    e-mails in. Every problem is reported at once; nothing is written then."""
    actor = as_actor(actor)
    errors = FieldErrors()
    errors.add_unknown(data, ACCOUNT_FIELDS)
    cleaned: dict[str, str] = {}
    for field in ("firstname", "lastname"):
        value = clean_text(data.get(field), field, errors, limit=150, single_line=True)
        if field not in errors.fields and not has_visible_text(value):
            errors.add(field, _("This field is required."))
        cleaned[field] = value
    language = data.get("language")
    if language not in dict(settings.LANGUAGES):
        errors.add("language", _("Choose one of the panel's languages."))
    else:
        cleaned["language"] = language
    errors.raise_if_any()
    with transaction.atomic():
        user = _own_user(actor)
        changes = save_audited(user, cleaned, action="user.account")
        if {"firstname", "lastname"} & set(changes):
            publish(UserRenamed(user_id=user.pk))
    return user


def user_password_change(*, actor: ActorLike, current_password: str, new_password: str) -> User:
    """A new password for the signed-in user, who proves it knows the present one — through the
    login throttle, so a borrowed session cannot guess it. Refused to staff signed in as the user.
    The user is told by e-mail (PasswordChanged). Its other staff sessions end, as Django checks a
    session against the password hash; the caller keeps its own (update_session_auth_hash)."""
    actor = as_actor(actor)
    require(policies.can_change_own_credentials(actor), _("Staff signed in as this user cannot change its password."))
    require(actor.user is not None, _("Only a signed-in user has an account to change."))
    user = User.objects.get(pk=actor.user_id)
    errors = FieldErrors()
    present_password_check(user, current_password, errors, ip=actor.ip)  # outside any transaction: counted
    if not isinstance(new_password, str) or not new_password:
        errors.add("new_password", _("Enter a password."))
    elif len(new_password) > 128:
        errors.add("new_password", at_most_characters(128))
    else:
        password_errors = FieldErrors()
        clean_password(new_password, password_errors, user=user)
        for message in password_errors.fields.get("password", []):
            errors.add("new_password", message)
    errors.raise_if_any()
    with transaction.atomic():
        user = _own_user(actor)
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(action="user.password_change", target=user, changes={"password": ["…", "…"]})
        publish(PasswordChanged(user_id=user.pk))
    return user
