"""Writes for staff on a linked user's own account (issue 14): names, phone and language, its
address marked verified, its second factor forgotten, a password-reset e-mail. The login is one for
every client it belongs to; each service is one transaction with the client row, then the user's,
locked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts import policies as account_policies
from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.accounts.events import UserRenamed
from clientpanel.accounts.models import User
from clientpanel.accounts.two_factor import totp_clear
from clientpanel.audit.services import audit_record, save_audited
from clientpanel.core.errors import FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.events import publish, publish_all

from ..events import ClientUpdated, PasswordResetEmailRequested
from ..models import Client, ClientUser
from ..selectors import clients_visible_to
from ..validation import clean_phone
from .cleaning import clean_text_field, run_clean
from .clients import lock_client, update_locked_client
from .phones import lock_clients_owned_by

ACCOUNT_FIELDS = ("firstname", "lastname", "phone", "language")


def _locked_account(actor, client_id, user_id, *, owned_clients_too: bool = False,
                    refused_beyond_reach: str | None = None) -> tuple[Client, User]:
    """The client and a user linked to it, both rows locked (client first), for a change to the
    user's own account by staff with Edit clients (inside the caller's transaction). A staff member
    limited to assigned clients reaches the users of those only (lock_client: NotFound). With
    owned_clients_too the clients the user owns are locked as well, with this one, in key order; with
    refused_beyond_reach, that refusal when the user also belongs to a client beyond the actor."""
    require(account_policies.can_manage_user_accounts(actor), _("You are not allowed to change client users."))
    if owned_clients_too:
        lock_clients_owned_by(user_id, client_id)
    client = lock_client(client_id, actor)
    if not ClientUser.objects.filter(client=client, user_id=user_id).exists():
        raise NotFound(_("This user is not linked to the client."))
    # A staff account is never linked to a client (client_user_link refuses it); should one be, its
    # credentials are Settings → Staff's business, under that page's rules.
    user = User.objects.select_for_update().filter(is_staff=False).filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("This user is not linked to the client."))
    if refused_beyond_reach is not None:
        # One login serves every client the user belongs to: what guards it (its second factor,
        # whether its address is verified) is changed only by staff who reach all of them. Names,
        # phone and language are the person's details, edited through any of its clients.
        beyond = ClientUser.objects.filter(user=user).exclude(client__in=clients_visible_to(actor))
        require(not beyond.exists(), refused_beyond_reach)
    return client, user


def client_user_account_update(*, actor: ActorLike, client_id, user_id, data: Mapping[str, Any]) -> User:
    """Change a linked user's first and last name, phone (E.164; national numbers read in the
    client's billing country) and language. Every problem at once, nothing written then; the login
    is the same for every client it belongs to. A new phone of an owner is also the phone of each
    client it owns whose phone was the owner's — among the clients the actor may see — and of those
    clients' billing contacts that had it (services/phones.py); a client whose phone was its own
    keeps it. A new name of an owner is in the payload of every client it owns (its `owner`): each
    is published (UserRenamed → owner_renamed), those beyond the actor too — the same person's."""
    actor = as_actor(actor)
    errors = FieldErrors()
    errors.add_unknown(data, ACCOUNT_FIELDS)
    with transaction.atomic():
        client, user = _locked_account(actor, client_id, user_id, owned_clients_too="phone" in data)
        cleaned: dict[str, str] = {}
        for field, label in (("firstname", _("First name")), ("lastname", _("Last name"))):
            if field in data:
                cleaned[field] = clean_text_field(errors, field, data[field], 150, True, label,
                                                  kept=getattr(user, field))
        if "phone" in data:
            cleaned["phone"] = run_clean(errors, "phone", clean_phone, data["phone"], client.billing_country) or ""
        if "language" in data:
            if data["language"] not in settings.CLIENTPANEL_LANGUAGES:
                errors.add("language", _("Use one of %(choices)s.") % {
                    "choices": ", ".join(settings.CLIENTPANEL_LANGUAGES)})
            else:
                cleaned["language"] = data["language"]
        errors.raise_if_any()
        changes = save_audited(user, cleaned, action="user.update", client_id=client.pk)
        if "phone" in changes:
            old_phone, new_phone = changes["phone"]
            # Locked already (lock_clients_owned_by), in key order; each as staff's own change of
            # the client's phone would be: audited on the client, its billing contact following.
            # Only the clients the actor may see: a staff member limited to its assigned clients
            # changes no other client's record through an owner they share.
            visible = clients_visible_to(actor).filter(owner_id=user.pk, phone=old_phone).values("pk")
            owned_clients = Client.objects.select_for_update(no_key=True).filter(pk__in=visible)
            for owned in owned_clients.order_by("pk"):
                update_locked_client(owned, {"phone": new_phone})
        if {"firstname", "lastname"} & set(changes):
            publish(UserRenamed(user_id=user.pk))
    return user


def client_user_email_mark_verified(*, actor: ActorLike, client_id, user_id) -> User:
    """Mark a linked user's address verified, on staff's word (the user confirmed it another way).
    Already verified: nothing changes and nothing is recorded."""
    actor = as_actor(actor)
    with transaction.atomic():
        client, user = _locked_account(actor, client_id, user_id, refused_beyond_reach=_(
            "This user also signs in to clients you are not assigned to; ask a colleague who sees all of them "
            "to mark its address verified."))
        if not user.email_verified:
            user.email_verified = True
            user.save(update_fields=["email_verified"])
            audit_record(action="user.verify_email", target=user, client_id=client.pk,
                         changes={"email_verified": [False, True]})
    return user


def client_user_2fa_reset(*, actor: ActorLike, client_id, user_id) -> User:
    """Forget a linked user's second factor (a lost phone and no recovery codes): its next portal
    login asks for the password only, and it turns 2FA on again from its account page. A user
    without 2FA is a field error. The login guards every client the user belongs to, so a staff
    member limited to assigned clients may not weaken it when one of them is beyond its reach."""
    actor = as_actor(actor)
    with transaction.atomic():
        client, user = _locked_account(actor, client_id, user_id, refused_beyond_reach=_(
            "This user also signs in to clients you are not assigned to; ask a colleague who sees all of them "
            "to reset its two-factor authentication."))
        had_2fa = user.has_2fa
        if not totp_clear(user):
            raise ValidationFailed(_("This user does not use two-factor authentication."),
                                   fields={"two_factor": [_("There is nothing to reset.")]})
        audit_record(action="user.2fa_reset", target=user, client_id=client.pk,
                     changes={"two_factor": [had_2fa, False]})
    return user


def client_user_password_reset_send(*, actor: ActorLike, client_id, user_id) -> User:
    """Send a linked user the portal's password-reset e-mail (the link that the portal's "Forgot
    password" sends: 24 hours, once), about this client and in its language. The present password
    keeps working until the link is used. Refused for an inactive user, whom no link lets in."""
    actor = as_actor(actor)
    with transaction.atomic():
        client, user = _locked_account(actor, client_id, user_id)
        if not user.is_active:
            raise ValidationFailed(_("This user is inactive; a reset link would not let it in."),
                                   fields={"user": [_("This user is inactive.")]})
        audit_record(action="user.password_reset_email", target=user, client_id=client.pk,
                     changes={"email": [None, user.email]})
        publish(PasswordResetEmailRequested(client_id=client.pk, user_id=user.pk))
    return user


def owner_renamed(events: Sequence[UserRenamed]) -> None:
    """A user was renamed (here, or by itself on its account page): every client it owns shows the
    name as its `owner`, so each is published as updated (client.updated), in the same transaction."""
    owners = {event.user_id for event in events}
    owned_ids = Client.objects.filter(owner_id__in=owners).order_by("pk").values_list("pk", flat=True)
    publish_all(ClientUpdated(client_id=owned_id, fields=("owner",)) for owned_id in owned_ids)
