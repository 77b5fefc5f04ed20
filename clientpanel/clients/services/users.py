"""Writes for client users (SPEC §3): link a user to a client with permissions, change or remove the
link, and transfer ownership (staff's changes to the user's own account: user_accounts.py). Each
service is one transaction with the client row locked."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientpanel.accounts import throttle
from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.accounts.models import User, normalize_email
from clientpanel.accounts.selectors import reaches_staff_mailbox
from clientpanel.accounts.services import clean_email, clean_password, set_password_links_end
from clientpanel.audit.services import audit_record
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, PermissionDenied, ValidationFailed, require
from clientpanel.core.events import publish

from .. import policies
from ..events import ClientUpdated, ClientUserInvited
from ..models import Client, ClientUser
from ..permissions import ALL_PERMISSIONS, CLIENT_PERMISSIONS
from ..selectors import is_account_out_of_reach, users_visible_to
from ..validation import clean_phone
from .cleaning import clean_text_field, run_clean
from .clients import lock_client, search_text_of
from .unused_logins import login_goes_with

# Lazy: read in the language of the refusal.
NOT_YOURS_TO_GRANT = gettext_lazy("You can give or take away only permissions you hold yourself.")
STAFF_ADDRESS_AS_OWNER = gettext_lazy("During Login as Owner you cannot invite a staff member's address (nor a "
                                      "+tag form of it): staff and client users are kept apart.")
OWN_LINK = gettext_lazy("You cannot change your own access; ask another user who manages users.")
# A team's logins, with room to spare; without a bound a portal user with Manage Users could add
# users (and send an invitation e-mail each) without end, and the Users pages list them all.
MAX_CLIENT_USERS = 100


def _clean_permissions(values: object, errors: FieldErrors) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, (list, tuple, set)):
        errors.add("permissions", _("Send a list of permission keys."))
        return []
    unknown = [v for v in values if not isinstance(v, str) or v not in CLIENT_PERMISSIONS]
    for value in unknown:
        errors.add("permissions", _("Unknown permission %(permission)s; use one of %(choices)s.")
                   % {"permission": repr(value), "choices": ", ".join(ALL_PERMISSIONS)})
    return [key for key in ALL_PERMISSIONS if key in values]


def _link_of(client: Client, user_id) -> ClientUser:
    try:
        return ClientUser.objects.select_related("user").select_for_update().get(client=client, user_id=user_id)
    except (ClientUser.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("This user is not linked to the client.")) from None


def _locked_link(actor, client_id, user_id) -> tuple[Client, ClientUser]:
    """The client and a user's link to it, both locked, for a change the actor may make (inside the
    caller's transaction)."""
    require(policies.can_manage_client_users(actor, client_id), _("You are not allowed to change client users."))
    client = lock_client(client_id, actor)
    link = _link_of(client, user_id)
    require(policies.can_change_link_of(actor, link.user_id), str(OWN_LINK))
    return client, link


def _invitation_counted(actor, data: Mapping[str, Any]) -> throttle.Attempt | None:
    """Count a portal invitation before anything is written: a cache that cannot count refuses it
    then, with nothing done — not after the commit, the invitation made and the answer a 503.
    Conflict past MAX_INVITATIONS_PER_HOUR. Answers the count to give back when the invitation is
    refused (a refused one costs nothing), or None when it is kept whatever happens."""
    inviter = throttle.inviter(actor)
    too_many = Conflict(_("You have sent %(count)d invitations in the last hour; try again later.")
                        % {"count": throttle.MAX_INVITATIONS_PER_HOUR}, code="too_many_invitations")
    if is_account_out_of_reach(actor=actor, email=clean_email(str(data.get("email") or ""), FieldErrors(),
                                                              must_be_new=False)):
        if throttle.invitation_blocked(inviter):
            raise too_many
        throttle.invitation_sent(inviter)  # "already exists" tells as much as an invitation costs
        return None
    attempt = throttle.invitation_attempt(inviter)
    if attempt is None:
        raise too_many
    return attempt


def client_user_link(*, actor: ActorLike, client_id, data: Mapping[str, Any],
                     send_invitation: bool = False) -> ClientUser:
    """Link a user to a client with chosen permissions: an existing user by email, or a new one
    (names and optionally a password) when nobody has that email. Refuses a user already linked,
    a staff account, unknown permissions, a client at MAX_CLIENT_USERS, and a portal user's
    invitation past throttle.MAX_INVITATIONS_PER_HOUR; writes nothing then. With send_invitation
    the user is told by e-mail, with a link to choose a password when it has none."""
    actor = as_actor(actor)
    require(policies.can_manage_client_users(actor, client_id), _("You are not allowed to change client users."))
    # Only the portal's invitations: staff and API tokens are trusted with the shop's mail already.
    # Counted per person acting (throttle.inviter): staff during Login as Owner on a count of their own.
    attempt = _invitation_counted(actor, data) if send_invitation and actor.is_portal else None
    try:
        return _link_new(actor, client_id, data, send_invitation)
    except Exception:
        if attempt is not None:
            with contextlib.suppress(throttle.ThrottleUnavailable):  # logged; the count stays then
                attempt.give_back()
        raise


def _link_new(actor, client_id, data: Mapping[str, Any], send_invitation: bool) -> ClientUser:
    allowed = {"email", "permissions", "firstname", "lastname", "password", "phone"}
    with transaction.atomic():
        client = lock_client(client_id, actor)
        # Counted under the client's lock, so two adds at once cannot both take the last place.
        if ClientUser.objects.filter(client=client).count() >= MAX_CLIENT_USERS:
            raise Conflict(_("A client has at most %(count)d users; remove one who no longer needs access "
                             "first.") % {"count": MAX_CLIENT_USERS}, code="too_many_users")
        errors = FieldErrors()
        for name in sorted(set(data) - allowed):
            errors.add(name, _("Unknown field."))
        permissions = _clean_permissions(data.get("permissions"), errors)
        if not policies.can_change_permissions(actor, set(permissions)):
            errors.add("permissions", str(NOT_YOURS_TO_GRANT))
        email = clean_email(str(data.get("email") or ""), errors, must_be_new=False)
        if actor.impersonator is not None and email and reaches_staff_mailbox(email):
            errors.add("email", str(STAFF_ADDRESS_AS_OWNER))  # a login kept after it ends (docs/decisions.md)
        # Locked: a removal of its last link at this moment, which would take an unused login away, waits.
        user = User.objects.select_for_update().filter(email=normalize_email(email)).first() if email else None
        taken_out_of_scope = False
        if user is not None and not actor.is_system and not users_visible_to(actor).filter(pk=user.pk).exists():
            # An account the actor does not see (issue 9) is answered like a new email: its name,
            # whether it is staff, its clients stay hidden, and it is not linked — an unused one, which
            # another client invited, included: linking it showed each client the other's words for
            # the person (docs/decisions.md, "Unused logins").
            user, taken_out_of_scope = None, True
        firstname = clean_text_field(errors, "firstname", data.get("firstname"), 150, user is None, _("First name"))
        lastname = clean_text_field(errors, "lastname", data.get("lastname"), 150, user is None, _("Last name"))
        password = data.get("password") or None
        if password is not None and not isinstance(password, str):
            errors.add("password", _("The password must be text."))
            password = None
        if user is not None:
            if user.is_staff:
                errors.add("email", _("This is a staff account; staff and client users are kept apart."))
            elif ClientUser.objects.filter(client=client, user=user).exists():
                errors.add("email", _("This user is linked to the client already."))
        else:
            clean_password(password, errors, user=User(email=email, firstname=firstname, lastname=lastname))
        phone = run_clean(errors, "phone", clean_phone, data.get("phone"), client.billing_country) or ""
        errors.raise_if_any()
        if taken_out_of_scope:
            # Only now, when a new user would be created, and in the words any user creation uses.
            raise ValidationFailed.from_fields({"email": [_("A user with this email address already exists.")]})
        if user is None:
            user = User.objects.create_user(email, password, firstname=firstname, lastname=lastname, phone=phone,
                                            language=client.language)
            audit_record(action="user.create", target=user, client_id=client.pk,
                         changes={"email": [None, user.email], "name": [None, user.full_name]})
        link = ClientUser.objects.create(client=client, user=user, permissions=permissions)
        audit_record(action="client_user.link", target=link, client_id=client.pk, object_label=user.email,
                     changes={"permissions": [None, permissions]})
        if send_invitation:
            publish(ClientUserInvited(client_id=client.pk, user_id=user.pk))
    return link


def client_user_update(*, actor: ActorLike, client_id, user_id, permissions: object) -> ClientUser:
    """Change a linked user's permissions; None leaves them as they are (a PATCH that names no
    permissions must not take them all away). The owner's link always has every permission."""
    actor = as_actor(actor)
    with transaction.atomic():
        client, link = _locked_link(actor, client_id, user_id)
        if permissions is None:
            return link
        errors = FieldErrors()
        cleaned = _clean_permissions(permissions, errors)
        if link.user_id == client.owner_id:
            errors.add("permissions", _("The owner has every permission; transfer ownership to restrict this user."))
        elif not policies.can_change_permissions(actor, set(cleaned) ^ set(link.permissions)):
            errors.add("permissions", str(NOT_YOURS_TO_GRANT))
        errors.raise_if_any()
        before = list(link.permissions)
        link.permissions = cleaned
        link.save(update_fields=["permissions"])
        if before != cleaned:
            audit_record(action="client_user.update", target=link, client_id=client.pk, object_label=link.user.email,
                         changes={"permissions": [before, cleaned]})
    return link


def client_user_remove(*, actor: ActorLike, client_id, user_id) -> None:
    """Unlink a user from a client. Never the owner's link. A login left with no client that nobody
    ever used (unused_logins.py) is removed with it, freeing its address; any other login stays,
    and when it has no client and no password left, the invitation's link to choose one dies."""
    actor = as_actor(actor)
    with transaction.atomic():
        client, link = _locked_link(actor, client_id, user_id)
        if not policies.can_change_permissions(actor, set(link.permissions)):
            raise PermissionDenied(str(NOT_YOURS_TO_GRANT), fields={"user": [str(NOT_YOURS_TO_GRANT)]})
        if link.user_id == client.owner_id:
            raise Conflict(_("The owner's link cannot be removed; transfer ownership first."),
                           fields={"user": [_("This user owns the client.")]}, code="owner_link_required")
        login_goes = login_goes_with(link)
        audit_record(action="client_user.remove", target=link, client_id=client.pk, object_label=link.user.email,
                     changes={"permissions": [link.permissions, None]}
                     | ({"login": [link.user.email, None]} if login_goes else {}))
        link.delete()
        if login_goes:  # an invitation withdrawn before it was used: the address is free again
            User.objects.filter(pk=link.user_id).delete()
        elif not ClientUser.objects.filter(user_id=link.user_id).exists():
            set_password_links_end(user=link.user)  # an invitation withdrawn: its link to choose a password dies


def client_transfer_ownership(*, actor: ActorLike, client_id, user_id) -> Client:
    """Make a linked user the owner, in one transaction with the client row locked: the new owner
    gets every permission, the old owner keeps a normal link with the permissions it had."""
    actor = as_actor(actor)
    require(policies.can_transfer_ownership(actor), _("You are not allowed to transfer ownership."))
    with transaction.atomic():
        client = lock_client(client_id, actor)
        link = _link_of(client, user_id)
        if link.user_id == client.owner_id:
            raise ValidationFailed(_("This user owns the client already."),
                                   fields={"user": [_("This user owns the client already.")]})
        old_owner = client.owner
        link.permissions = list(ALL_PERMISSIONS)
        link.save(update_fields=["permissions"])
        client.owner = link.user
        client.search_text = search_text_of(client, link.user.email)
        client.save(update_fields=["owner", "search_text", "updated_at"])
        audit_record(action="client.transfer_ownership", target=client, client_id=client.pk,
                     changes={"owner": [old_owner.email, link.user.email]})
        publish(ClientUpdated(client_id=client.pk, fields=("owner",)))  # the client's `owner` is another
    return client
