"""Writes for products and prices (SPEC §9)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record, created, diff, keyed_row_delete, keyed_row_set, snapshot
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, require
from clientpanel.core.money import AmountError, parse_amount, parse_currency_amount, round_to_minor_unit
from clientpanel.core.text import at_most_characters, json_problem, text_problem, visible_problem, whole_number

from . import policies
from .calculations import parse_rate
from .models import ExchangeRate, Period, Price, Product
from .modules import ModuleError, get_module


def module_errors(module_name: str, module_settings: dict) -> dict[str, list[str]]:
    try:
        module = get_module(module_name)
    except ModuleError as error:
        return {"module": [str(error)]}
    return module.validate_settings(module_settings or {})

PRODUCT_FIELDS = {"key", "name", "description", "module", "module_settings", "hourly_billing",
                  "termination_delay_hours", "cancellation_delay_hours", "hidden", "derive_prices"}
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def _bool(value: object) -> bool:
    return value is True or value in ("true", "True", "on", "1", 1)


def product_save(*, actor: ActorLike, data: Mapping[str, Any], product_id=None) -> Product:
    """Create a product or change the fields present in data; the module must exist and accept
    the product's module settings."""
    require(policies.can_manage_products(as_actor(actor)), _("You are not allowed to manage products."))
    with transaction.atomic():
        if product_id is None:
            product, before = Product(), None
        else:
            product = Product.objects.select_for_update().filter(pk=product_id).first()
            if product is None:
                raise NotFound(_("Product not found."))
            before = snapshot(product)
        errors = FieldErrors()
        errors.add_unknown(data, PRODUCT_FIELDS)
        if "key" in data or product_id is None:
            key = str(data.get("key") or "").strip().lower()
            if not KEY_PATTERN.match(key):
                errors.add("key", _("Use lower-case letters, digits and dashes, e.g. proxmox-lxc-mini."))
            elif Product.objects.filter(key=key).exclude(pk=product.pk).exists():
                errors.add("key", _("Another product has this key."))
            product.key = key
        if "name" in data or product_id is None:
            name = str(data.get("name") or "").strip()
            # Zero-width characters alone are no name: the product would read as blank on orders and invoices.
            if not name or len(name) > 200:
                errors.add("name", _("Enter a name (at most 200 characters)."))
            elif problem := text_problem(name, single_line=True) or visible_problem(name, required=True):
                errors.add("name", problem)
            product.name = name
        if "description" in data:
            description = str(data["description"] or "")
            if len(description) > 5000:
                errors.add("description", at_most_characters(5000))
            elif text_problem(description):
                errors.add("description", text_problem(description))
            product.description = description
        if "module" in data or product_id is None:
            product.module = str(data.get("module") or "manual")
        if "module_settings" in data:
            module_settings = data["module_settings"] or {}
            if not isinstance(module_settings, dict):
                errors.add("module_settings", _("Module settings are a JSON object."))
                module_settings = {}
            elif json_problem(module_settings):
                errors.add("module_settings", json_problem(module_settings))
                module_settings = {}
            product.module_settings = module_settings
        for field, messages in module_errors(product.module, product.module_settings).items():
            for message in messages:
                errors.add(field, message)
        for flag in ("hourly_billing", "hidden", "derive_prices"):
            if flag in data:
                setattr(product, flag, _bool(data[flag]))
        if product.pk and not product.hourly_billing:
            finer = [p.label for p in product.prices.exclude(period=Period.HOURLY)
                     if p.amount != round_to_minor_unit(p.amount, p.currency)
                     or p.setup_fee != round_to_minor_unit(p.setup_fee, p.currency)]
            if finer:
                errors.add("hourly_billing", _("Prices %(prices)s have more decimals than their currency; round them "
                                               "before billing whole periods.") % {"prices": ", ".join(finer)})
        for field in ("termination_delay_hours", "cancellation_delay_hours"):
            if field in data:
                try:
                    value = whole_number(data[field])
                    if not 0 <= value <= 24 * 365:
                        raise ValueError
                    setattr(product, field, value)
                except ValueError:
                    errors.add(field, _("Use 0 to 8760 hours."))
        errors.raise_if_any()
        product.save()
        audit_record(action="product.create" if before is None else "product.update", target=product,
                     changes=created(product) if before is None else diff(before, snapshot(product)))
    return product


def product_retire(*, actor: ActorLike, product_id) -> Product:
    """Take a product off sale; its services go on as they are."""
    require(policies.can_manage_products(as_actor(actor)), _("You are not allowed to manage products."))
    with transaction.atomic():
        product = Product.objects.select_for_update().filter(pk=product_id).first()
        if product is None:
            raise NotFound(_("Product not found."))
        if product.retired:  # retired already: nothing changes, nothing to record
            return product
        product.retired = True
        product.save(update_fields=["retired"])
        audit_record(action="product.retire", target=product, changes={"retired": [False, True]})
    return product


def price_save(*, actor: ActorLike, product_id, data: Mapping[str, Any], price_id=None) -> Price:
    """Add or change a price: one per product, currency and period. `retired` takes it off sale
    (False brings it back). Services ordered at it keep their own snapshot of the amount and setup
    fee, so no change here alters what an existing service is charged."""
    require(policies.can_manage_products(as_actor(actor)), _("You are not allowed to manage products."))
    with transaction.atomic():
        product = Product.objects.select_for_update().filter(pk=product_id).first()
        if product is None:
            raise NotFound(_("Product not found."))
        price = Price(product=product) if price_id is None else Price.objects.select_for_update().filter(
            pk=price_id, product=product).first()
        if price is None:
            raise NotFound(_("Price not found."))
        before = None if price_id is None else snapshot(price)
        errors = FieldErrors()
        errors.add_unknown(data, {"currency", "period", "amount", "setup_fee", "retired"})
        if "retired" in data:
            price.retired = _bool(data["retired"])
        if "currency" in data or price_id is None:
            currency = str(data.get("currency") or "").upper()
            if currency not in settings.CLIENTPANEL_CURRENCIES:
                errors.add("currency",
                           _("Use one of %(choices)s.") % {"choices": ", ".join(settings.CLIENTPANEL_CURRENCIES)})
            price.currency = currency
        if "period" in data or price_id is None:
            period = str(data.get("period") or "").upper()
            if period not in Period.values:
                errors.add("period", _("Use one of %(choices)s.") % {"choices": ", ".join(Period.values)})
            price.period = period
        for field in ("amount", "setup_fee"):
            # An amount kept as it was is checked again too: a new period or currency may take fewer decimals.
            if field in data or price_id is not None or field == "amount":
                raw = data[field] if field in data else (getattr(price, field) if price_id is not None else None)
                if field == "setup_fee" and raw in (None, ""):
                    raw = "0"
                try:
                    # Hourly amounts keep the ledger's 4 decimals (0.9271 per hour); every other
                    # price becomes whole charges and documents, so the currency's minor unit.
                    if product.hourly_billing or price.period == Period.HOURLY or not price.currency:
                        value = parse_amount(raw, allow_negative=False)
                    else:
                        value = parse_currency_amount(raw, price.currency, allow_negative=False)
                    setattr(price, field, value)
                except AmountError as error:
                    errors.add(field, str(error))
        existing = None if errors else Price.objects.filter(
            product=product, currency=price.currency, period=price.period).exclude(pk=price.pk).first()
        if existing is not None:
            raise Conflict(_("The product has a %(period)s price in %(currency)s already%(retired)s.")
                           % {"period": price.period, "currency": price.currency,
                              "retired": _(" (retired: bring it back instead)") if existing.retired else ""},
                           fields={"period": [_("Already priced.")]}, code="price_exists")
        errors.raise_if_any()
        changes = created(price) if before is None else diff(before, snapshot(price))
        if before is not None and not changes:  # nothing changed: nothing to write or record
            return price
        price.save()
        audit_record(action=_price_action(before, changes), target=price,
                     object_label=f"{product.key}: {price.label}", changes=changes)
    return price


def _price_action(before, changes: dict) -> str:
    if before is None:
        return "price.create"
    if set(changes) == {"retired"}:
        return "price.retire" if changes["retired"][1] else "price.restore"
    return "price.update"


def exchange_rate_save(*, actor: ActorLike, currency: str, rate: object) -> ExchangeRate:
    """Set the rate of a currency to the default one (1 default unit = rate units). New orders in
    that currency derive their prices from it; services ordered before keep their snapshot."""
    require(policies.can_manage_exchange_rates(as_actor(actor)), _("You are not allowed to change exchange rates."))
    currency = str(currency or "").strip().upper()
    errors = FieldErrors()
    others = [c for c in settings.CLIENTPANEL_CURRENCIES if c != settings.CLIENTPANEL_DEFAULT_CURRENCY]
    if currency not in others:
        errors.add("currency", _("Use one of %(choices)s (the default currency, %(default)s, has no rate).")
                   % {"choices": ", ".join(others), "default": settings.CLIENTPANEL_DEFAULT_CURRENCY})
    try:
        value = parse_rate(rate)
    except AmountError as error:
        errors.add("rate", str(error))
    errors.raise_if_any()
    return keyed_row_set(ExchangeRate, {"currency": currency}, {"rate": value}, action="exchange_rate")


def exchange_rate_delete(*, actor: ActorLike, currency: str) -> None:
    """Remove a currency's rate: its derived prices are no longer offered (services keep theirs)."""
    require(policies.can_manage_exchange_rates(as_actor(actor)), _("You are not allowed to change exchange rates."))
    keyed_row_delete(ExchangeRate, {"currency": str(currency or "").upper()}, action="exchange_rate",
                     missing=_("No rate for this currency."))
