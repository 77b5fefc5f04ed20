"""Self-registration in the portal (issue 12; off unless CLIENTPANEL_PORTAL_SIGNUP): a NEW client
with its owner, validated exactly as staff's client creation, the owner confirming its address
before its first login. An address already in use is answered like a new one and nothing is written
(Invoice Ninja's rule: the page tells nobody which addresses have accounts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts import throttle
from clientpanel.accounts.models import User, normalize_email
from clientpanel.core.errors import DomainError, NotFound, ValidationFailed
from clientpanel.core.events import publish

from ..events import ClientRegistered
from ..models import Client
from .clients import client_create

SIGNUP_FIELDS = ("email", "password", "firstname", "lastname", "company_name", "country", "currency")


class TooManySignups(DomainError):
    code = "too_many_signups"
    status_code = 429


def signup_enabled() -> bool:
    return bool(settings.CLIENTPANEL_PORTAL_SIGNUP)


def client_self_register(*, data: Mapping[str, Any], ip: str | None, language: str) -> Client | None:
    """Create the client of a portal sign-up, or None when the address has an account already (then
    nothing is written and nothing tells the visitor). At most throttle.MAX_SIGNUPS_PER_ADDRESS
    sign-ups per IP address in throttle.WINDOW."""
    if not signup_enabled():
        raise NotFound(_("Sign-up is not open."))
    if not throttle.signup_allowed(ip):
        raise TooManySignups(_("Too many sign-ups from your network. Wait 15 minutes and try again."))
    unknown = sorted(set(data) - set(SIGNUP_FIELDS))
    if unknown:
        raise ValidationFailed.from_fields({name: [_("Unknown field.")] for name in unknown})
    if not data.get("password"):
        raise ValidationFailed.from_fields({"password": [_("Enter a password.")]})
    email = normalize_email(str(data.get("email") or ""))
    taken = bool(email) and User.objects.filter(email=email).exists()
    fields = {name: data.get(name) for name in ("email", "password", "firstname", "lastname", "company_name",
                                                "currency")}
    fields["billing_address"] = {"country": data.get("country")}
    fields["language"] = language
    if taken:
        fields["email"] = ""  # validated below for everything else, then dropped: nothing is written
    try:
        with transaction.atomic():
            client = client_create(actor=None, data=fields, adopt_unused_login=False)
            User.objects.filter(pk=client.owner_id).update(self_registered=True, email_verified=False)
            publish(ClientRegistered(client_id=client.pk, user_id=client.owner_id))
    except ValidationFailed as error:
        remaining = {name: messages for name, messages in (error.fields or {}).items()
                     if not (taken and name == "email")}
        if remaining:
            raise ValidationFailed.from_fields(remaining) from None
        return None
    return client
