"""Reads of the e-mails sent, scoped to the clients the actor sees."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.clients.models import Client
from clientpanel.clients.selectors import client_tax_decision, clients_visible_to, sees_every_client
from clientpanel.core.errors import NotFound, ValidationFailed
from clientpanel.core.sorting import sort_of
from clientpanel.core.text import at_most_characters
from clientpanel.tax.models import HomeCompany

from . import policies
from .kinds import MessageKind, optional_kinds_received
from .models import EmailMessage, EmailStatus

MAX_SEARCH_LENGTH = 100


def home_company_of(client: Client) -> HomeCompany:
    """The home company that bills the client, decided once per Client object: a message goes to
    several users, and its language, its variables and its switches all read the company (each
    decision costs the billing address and the tax rules)."""
    company = getattr(client, "_billing_home_company", None)
    if company is None:
        company = client._billing_home_company = client_tax_decision(client).home_company
    return company


def email_switches(*, permissions, client: Client) -> tuple[list[MessageKind], list[MessageKind]]:
    """A client's user's e-mail switches about that client: the optional messages it receives
    (kinds.receives) that the client's home company sends, which are its to switch, and those the
    home company switched off for all its clients, which no user's switch would bring back."""
    received = optional_kinds_received(permissions)
    company_off = set(home_company_of(client).muted_emails or [])
    return ([kind for kind in received if kind.key not in company_off],
            [kind for kind in received if kind.key in company_off])


def emails_visible_to(actor: ActorLike) -> QuerySet[EmailMessage]:
    """Messages to the users of the clients the actor sees; messages to nobody's client (staff)
    for staff managers too."""
    actor = as_actor(actor)
    if actor.is_system:
        return EmailMessage.objects.all()
    if actor.is_portal or not policies.can_view_emails(actor):
        return EmailMessage.objects.none()
    every = sees_every_client(actor)
    scope = Q(client_id__isnull=False) if every else Q(client_id__in=clients_visible_to(actor).values("id"))
    if every and policies.can_view_staff_emails(actor):
        return EmailMessage.objects.all()
    if policies.can_view_staff_emails(actor):
        scope |= Q(client_id__isnull=True)
    return EmailMessage.objects.filter(scope)


# The e-mail log's sorts (core.sorting), each read off an index in either direction: email_created_idx
# and email_recipient_idx (migration 0005).
EMAIL_SORTS: dict[str, tuple[str, ...]] = {
    "when": ("created_at", "id"),
    "to": ("recipient", "id"),
}
EMAIL_DEFAULT_SORT = "-when"


def email_list(*, actor: ActorLike, client_id=None, status: str = "", search: str = "",
               sort: str = "") -> QuerySet[EmailMessage]:
    """The E-mails tab (one client) and Settings → E-mail log (all), newest first unless `sort` names
    another of EMAIL_SORTS (ValidationFailed on `sort` for one it does not)."""
    order = sort_of(sort, EMAIL_SORTS, default=EMAIL_DEFAULT_SORT)
    emails = emails_visible_to(actor)
    if client_id is not None:
        emails = emails.filter(client_id=client_id)
    if status:
        if status not in EmailStatus.values:
            raise ValidationFailed(_("Unknown status %(status)s.") % {"status": repr(status)}, fields={
                "status": [_("Use one of %(values)s.") % {"values": ", ".join(EmailStatus.values)}]})
        emails = emails.filter(status=status)
    search = (search or "").strip()
    if len(search) > MAX_SEARCH_LENGTH:
        raise ValidationFailed(_("The search is too long."), fields={
            "search": [at_most_characters(MAX_SEARCH_LENGTH)]})
    for word in search.lower().split()[:4]:
        emails = emails.filter(Q(recipient__contains=word) | Q(subject__icontains=word))
    return emails.order_by(*order.ordering)


def email_get(*, actor: ActorLike, email_id) -> EmailMessage:
    try:
        return emails_visible_to(actor).get(pk=int(str(email_id)))
    except (EmailMessage.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("E-mail not found.")) from None


def email_failures(*, actor: ActorLike) -> dict:
    """Messages waiting after a failure and given up, with the latest failure's error, for the
    dashboard and Settings → Automation (a mail server that refuses shows here first)."""
    emails = emails_visible_to(actor).filter(status__in=[EmailStatus.FAILED, EmailStatus.GIVEN_UP])
    counts = dict(emails.values_list("status").annotate(n=Count("id")).order_by())
    latest = emails.order_by("-next_attempt_at", "-id").only("last_error", "next_attempt_at").first()
    return {"failed": counts.get(EmailStatus.FAILED, 0), "given_up": counts.get(EmailStatus.GIVEN_UP, 0),
            "last_error": latest.last_error if latest else ""}
