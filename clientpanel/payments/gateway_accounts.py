"""Which gateways a home company takes payments through, and in which currencies (Settings → Home
companies → Online payments). Audited; secrets are never among the settings kept here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings as settings_module
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record, created, diff, snapshot
from clientpanel.clients.validation import enabled_currencies
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, require
from clientpanel.core.json_text import read_json
from clientpanel.core.text import json_problem
from clientpanel.tax.models import HomeCompany

from . import policies
from .gateways import GatewayError, get_gateway
from .gateways.settings_checks import settings_problems
from .models import GatewayAccount

MAX_CURRENCIES = 50


def _clean_currencies(value: Iterable[str] | str, errors: FieldErrors) -> list[str]:
    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value or [])
    codes = [str(item).strip().upper() for item in items if str(item).strip()]
    if len(codes) > MAX_CURRENCIES:
        errors.add("currencies", _("Name at most %(count)d currencies.") % {"count": MAX_CURRENCIES})
        return []
    unknown = [code for code in codes if code not in enabled_currencies()]
    if unknown:
        errors.add("currencies", _("Not a currency of this panel: %(codes)s. Use: %(enabled)s.") % {
            "codes": ", ".join(unknown[:5]), "enabled": ", ".join(enabled_currencies())})
    return sorted(set(codes))


MAX_SETTINGS_LENGTH = 4000


def _clean_settings(value: Mapping[str, Any] | str | None, gateway, errors: FieldErrors,
                    stored: Mapping[str, Any] | None = None) -> dict | None:
    """A gateway's settings as a JSON object: only those the gateway reads, checked by it, and never
    a secret (those stay in the server's environment; settings_checks). None: leave them as they are.
    Settings sent back as they are stored (the edit form sends them with every change) are not
    judged again, so an account saved before these rules can still be switched off."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) > MAX_SETTINGS_LENGTH:
            errors.add("settings", _("Settings take at most %(count)d characters.") % {"count": MAX_SETTINGS_LENGTH})
            return None
        try:
            value = read_json(value) if value.strip() else {}
        except ValueError:
            errors.add("settings", _("Write the settings as a JSON object, e.g. {\"checkout\": \"stripe\"}."))
            return None
    if not isinstance(value, Mapping):
        errors.add("settings", _("Write the settings as a JSON object, e.g. {\"checkout\": \"stripe\"}."))
        return None
    if json_problem(value):  # a NUL or a lone surrogate: PostgreSQL's jsonb refuses it (a 500)
        errors.add("settings", json_problem(value))
        return None
    if gateway is not None and dict(value) != stored:
        # Each message says which setting it is about: two settings may be refused in the same
        # words ("Name the environment variable…"), and the page shows the messages alone.
        for name, messages in settings_problems(gateway, value).items():
            for message in messages:
                errors.add("settings", str(message) if name == "settings" or name not in gateway.settings_names
                           else _("%(setting)s: %(message)s") % {"setting": name, "message": message})
    return dict(value)


def gateway_account_save(*, actor: ActorLike, company_id: int, gateway: str, enabled: bool = True,
                         currencies: Iterable[str] | str = (), settings: Mapping[str, Any] | str | None = None,
                         account_id: int | None = None) -> GatewayAccount:
    """Add a gateway to a home company, or change whether it is on, which currencies it takes (none
    named: every currency) and its settings (None: unchanged)."""
    require(policies.can_set_up_gateways(as_actor(actor)), _("You are not allowed to set up online payments."))
    errors = FieldErrors()
    stored = None
    if account_id is not None:  # an account's gateway never changes: its own checks its settings
        gateway, stored = GatewayAccount.objects.filter(pk=account_id).values_list(
            "gateway", "settings").first() or (gateway, None)
    if gateway == "test" and not settings_module.CLIENTPANEL_TEST_GATEWAY and account_id is None:
        errors.add("gateway", _("The test gateway is off on this server (CLIENTPANEL_TEST_GATEWAY): it settles "
                                "proformas without money."))
    try:
        shipped = get_gateway(gateway)
    except GatewayError as error:
        errors.add("gateway", str(error))
        shipped = None
    codes = _clean_currencies(currencies, errors)
    cleaned_settings = _clean_settings(settings, shipped, errors, stored)
    errors.raise_in_full()  # the settings page flashes the message alone
    with transaction.atomic():
        company = HomeCompany.objects.filter(pk=company_id).first()
        if company is None:
            raise NotFound(_("Home company not found."))
        if account_id is None:
            account = GatewayAccount(home_company=company, gateway=gateway)
            before = None
        else:
            account = GatewayAccount.objects.select_for_update().filter(pk=account_id, home_company=company).first()
            if account is None:
                raise NotFound(_("This home company has no such gateway."))
            before = snapshot(account, ["enabled", "currencies", "settings"])
        account.enabled, account.currencies = bool(enabled), codes
        if cleaned_settings is not None:
            account.settings = cleaned_settings
        try:
            with transaction.atomic():
                account.save()
        except IntegrityError:
            raise Conflict(_("%(company)s already has this gateway.") % {"company": company.name},
                           fields={"gateway": [_("Already added.")]}) from None
        audit_record(action="gateway_account.create" if before is None else "gateway_account.update", target=account,
                     object_label=f"{company.name}: {gateway}",
                     changes=created(account) if before is None else diff(before, snapshot(
                         account, ["enabled", "currencies", "settings"])))
    return account


def gateway_account_delete(*, actor: ActorLike, company_id: int, account_id: int) -> None:
    """Stop offering a gateway (its past payments and notifications stay)."""
    require(policies.can_set_up_gateways(as_actor(actor)), _("You are not allowed to set up online payments."))
    with transaction.atomic():
        account = GatewayAccount.objects.filter(pk=account_id, home_company_id=company_id).first()
        if account is None:
            raise NotFound(_("This home company has no such gateway."))
        audit_record(action="gateway_account.delete", target=account,
                     object_label=f"{account.home_company.name}: {account.gateway}",
                     changes={"gateway": [account.gateway, None]})
        account.delete()
