"""Users of either side: creating a client user (a portal login not yet linked to any client), the
language a user reads the panel in, and what the set-password, reset and verification links do — a
new password (which also verifies the address) or a verified address. Each writes the user row with
an audit event, in one transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.audit.services import audit_record
from clientpanel.core.errors import FieldErrors, ValidationFailed, require
from clientpanel.core.text import at_most_characters

from .. import policies
from ..actors import ActorLike, as_actor
from ..models import User
from .cleaning import clean_email, clean_password


@transaction.atomic
def client_user_create(*, actor: ActorLike, data: dict) -> User:
    """Create a client user (a portal login) not yet linked to any client."""
    require(policies.can_create_client_users(as_actor(actor)), _("You are not allowed to create users."))
    allowed = {"email", "firstname", "lastname", "password", "language"}
    errors = FieldErrors()
    for name in sorted(set(data) - allowed):
        errors.add(name, _("Unknown field."))
    email = clean_email(str(data.get("email") or ""), errors)
    names = {}
    for field in ("firstname", "lastname"):
        value = data.get(field) or ""
        if not isinstance(value, str) or not value.strip():
            errors.add(field, _("This field is required."))
        elif len(value) > 150:
            errors.add(field, at_most_characters(150))
        names[field] = value.strip() if isinstance(value, str) else ""
    password = data.get("password") or None
    clean_password(password, errors, user=User(email=email, **names))
    language = data.get("language") or settings.CLIENTPANEL_DEFAULT_LANGUAGE
    if language not in settings.CLIENTPANEL_LANGUAGES:
        errors.add("language", _("Use one of %(choices)s.") % {"choices": ", ".join(settings.CLIENTPANEL_LANGUAGES)})
    errors.raise_if_any()
    user = User.objects.create_user(email, password, language=language, **names)
    audit_record(action="user.create", target=user, changes={"email": [None, user.email]})
    return user


def user_language_set(*, user: User, language: str) -> User:
    """Keep the language a user reads the panel in (settings.LANGUAGES); a language the panel does
    not speak is a field error. Locks the user's row; choosing the same language changes nothing."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed.from_fields({"language": [_("Choose one of the panel's languages.")]})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.language != language:
            audit_record(action="user.language", target=locked, changes={"language": [locked.language, language]})
            locked.language = language
            locked.save(update_fields=["language"])
    user.language = language
    return user


@transaction.atomic
def password_set_from_link(*, user: User, password: str) -> User:
    """Set the password of a user who opened a set-password or reset link (accounts/links.py checked
    it). The link arrived at the user's address, so the address is verified too; the new password
    hash spends the link. A user gone since the link was checked — an invited login nobody used is
    deleted with its last client link (clients.services.unused_logins.login_goes_with) — makes the
    link no longer valid: ValidationFailed, as the page answers any refusal, never an error page."""
    errors = FieldErrors()
    if not password:
        errors.add("password", _("Enter a password."))
    clean_password(password, errors, user=user)
    errors.raise_if_any()
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None:
        raise ValidationFailed(_("This link is no longer valid. Ask us for a new one."), code="link_invalid")
    user = locked
    user.set_password(password)
    user.email_verified = True
    user.save(update_fields=["password", "email_verified"])
    audit_record(action="user.set_password", target=user, changes={"password": ["…", "…"]})
    return user


@transaction.atomic
def set_password_links_end(*, user: User) -> None:
    """End every link sent to the user to choose a password (links.SET_PASSWORD is bound to the
    password hash): a fresh unusable password, for a user who never chose one. The row is read
    again under its lock, inside the caller's transaction: a password chosen from the link at that
    moment is kept, never overwritten by a stale copy."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])


@transaction.atomic
def email_verify_from_link(*, user: User) -> User:
    """Mark the address verified: its owner opened the link sent there (accounts/links.py checked
    it; the changed flag spends the link)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
        audit_record(action="user.verify_email", target=user, changes={"email_verified": [False, True]})
    return user
