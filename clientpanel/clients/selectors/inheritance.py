"""Client groups, and the settings a client inherits (SPEC §8): its own value, else its group's, else
its home company's, else the system default."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.core.actor import current_actor
from clientpanel.core.errors import NotFound
from clientpanel.tax.selectors import TaxDecision, tax_decision

from ..models import Client, ClientGroup
from .directory import billing_address_of, clients_visible_to, sees_every_client

_ACTING = object()


def group_list(*, actor: ActorLike | object = _ACTING) -> QuerySet[ClientGroup]:
    """Every group (a setting of the panel), by name, each with `client_count`: how many of its
    clients the actor may see (SPEC §4) — a staff member limited to assigned clients counts only
    those, as the directory's group filter does, never the totals of clients it may not see. No
    actor given: the one acting now (core.actor.current_actor — the request's staff member), never
    everyone's totals by default."""
    actor = current_actor() if actor is _ACTING else as_actor(actor)
    if sees_every_client(actor):
        count = Count("clients")
    else:
        count = Count("clients", filter=Q(clients__in=clients_visible_to(actor)))
    return ClientGroup.objects.annotate(client_count=count).order_by("name", "pk")


def group_names() -> list[tuple[int, str]]:
    """(id, name) of every group, by name: for choosing one, without group_list's client counts."""
    return list(ClientGroup.objects.order_by("name").values_list("pk", "name"))


def group_get(*, group_id) -> ClientGroup:
    try:
        return ClientGroup.objects.get(pk=group_id)
    except (ClientGroup.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Group not found.")) from None


INHERITED_SETTINGS = ("currency", "language", "payment_terms_days", "tax_exempt", "reminders_enabled")
HOME_COMPANY_SETTINGS = ("payment_terms_days",)


def _system_default(key: str):
    defaults = {
        "currency": settings.CLIENTPANEL_DEFAULT_CURRENCY,
        "language": settings.CLIENTPANEL_DEFAULT_LANGUAGE,
        **settings.CLIENTPANEL_SETTING_DEFAULTS,
    }
    return defaults[key]


def client_tax_decision(client: Client) -> TaxDecision:
    """The home company that bills the client today and the taxes it charges (SPEC §6)."""
    billing = billing_address_of(client)
    return tax_decision(country=billing.country, region=billing.region, company_name=client.company_name,
                        tax_id=client.tax_id, vies_status=client.vies_status,
                        pinned_company_id=client.home_company_id)


def effective_setting(client: Client, key: str) -> tuple[object, str]:
    """A setting's effective value and where it comes from: the client's own, else its group's,
    else its home company's (pinned, or the one the tax rules pick), else the system default
    ("client", "group", "home company", "system")."""
    if key not in INHERITED_SETTINGS:
        raise KeyError(f"{key} is not an inherited setting; use one of {', '.join(INHERITED_SETTINGS)}")
    own = getattr(client, key)
    if own not in (None, ""):
        return own, "client"
    group = client.group
    if group is not None and getattr(group, key) not in (None, ""):
        return getattr(group, key), "group"
    if key in HOME_COMPANY_SETTINGS:
        company = client_tax_decision(client).home_company
        if getattr(company, key) not in (None, ""):
            return getattr(company, key), "home company"
    return _system_default(key), "system"


def effective_settings(client: Client) -> dict[str, tuple[object, str]]:
    return {key: effective_setting(client, key) for key in INHERITED_SETTINGS}
