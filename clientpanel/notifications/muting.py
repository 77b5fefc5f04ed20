"""The messages a home company's clients, or one user about one client, are not sent: the switches
of optional messages (kinds.OPTIONAL_KINDS). email_queue (services.is_muted) applies them."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.clients.models import Client, ClientUser
from clientpanel.clients.permissions import ALL_PERMISSIONS
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.core.errors import NotFound, ValidationFailed, require
from clientpanel.core.locks import lock_one
from clientpanel.tax.models import HomeCompany

from . import policies
from .kinds import OPTIONAL_KINDS
from .selectors import email_switches


def _muted(keys: object) -> list[str]:
    if not isinstance(keys, list | tuple) or any(key not in OPTIONAL_KINDS for key in keys):
        raise ValidationFailed(_("Choose among the messages that can be switched off."), fields={
            "muted_emails": [_("Use some of %(keys)s.") % {"keys": ", ".join(OPTIONAL_KINDS)}]})
    return sorted(set(keys))


def home_company_muted_emails_set(*, actor: ActorLike, company_id, keys: object) -> list[str]:
    """The messages a home company's clients are not sent (Settings → Home Companies)."""
    require(policies.can_edit_email_templates(as_actor(actor)), _("You are not allowed to change e-mail settings."))
    muted = _muted(keys)
    with transaction.atomic():
        company = lock_one(HomeCompany.objects.all(), _("Home company not found."), pk=company_id)
        if company.muted_emails != muted:
            audit_record(action="home_company.muted_emails", target=company,
                         changes={"muted_emails": [company.muted_emails, muted]})
            company.muted_emails = muted
            company.save(update_fields=["muted_emails"])
    return muted


def client_user_muted_emails_set(*, actor: ActorLike, client_id, user_id, keys: object) -> list[str]:
    """The messages one user does not want about one client (the client's Users tab). Staff switch
    every message some user of the client could be sent (the permissions change in the same dialog)
    but those the client's home company switched off for all its clients (selectors.email_switches):
    the user's switch on those stays as it was, for when the company turns them back on."""
    actor = as_actor(actor)
    require(policies.can_resend_emails(actor), _("You are not allowed to change client users."))
    client = clients_visible_to(actor).filter(pk=client_id).first()
    if client is None:
        raise NotFound(_("This user is not linked to the client."))
    switchable, _company_off = email_switches(permissions=ALL_PERMISSIONS, client=client)
    return _link_muted_set(ClientUser.objects.filter(client=client), user_id, _muted(keys),
                           frozenset(kind.key for kind in switchable))


def _link_muted_set(links, user_id, muted: list[str], chosen: frozenset[str] | None = None) -> list[str]:
    """Keep the muted messages on the user's link among links (locked; audited when they change).
    With `chosen`, only those messages change: the others keep their switch."""
    with transaction.atomic():
        link = lock_one(links, _("This user is not linked to the client."), user_id=user_id)
        if chosen is not None:
            muted = sorted({key for key in muted if key in chosen} | {key for key in link.muted_emails
                                                                       if key not in chosen})
        if link.muted_emails != muted:
            audit_record(action="client_user.muted_emails", target=link, client_id=link.client_id,
                         changes={"muted_emails": [link.muted_emails, muted]})
            link.muted_emails = muted
            link.save(update_fields=["muted_emails"])
    return muted


def own_muted_emails_set(*, actor: ActorLike, keys: object) -> list[str]:
    """The messages the signed-in portal user does not want about the client it acts for (its
    Account page); staff signed in as the user may set them too. Only messages it receives and its
    client's home company sends are its to switch (selectors.email_switches): the others keep their
    switch for when its permissions or the company's choice change."""
    actor = as_actor(actor)
    require(actor.is_portal and actor.client_id is not None, _("Only a client user chooses its own e-mails."))
    client = Client.objects.filter(pk=actor.client_id).first()
    require(client is not None, _("This user is not linked to the client."))
    switchable, _company_off = email_switches(permissions=actor.permissions, client=client)
    return _link_muted_set(ClientUser.objects.filter(client_id=actor.client_id), actor.user_id, _muted(keys),
                           frozenset(kind.key for kind in switchable))
