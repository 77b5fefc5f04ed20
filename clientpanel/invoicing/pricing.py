"""A proforma's items cleaned and priced for a client, as the proforma service issues them and the
panel's editor previews them while staff type: quantities and unit prices checked, each line's net
rounded, the taxes of the client's rules at this moment. Pure: nothing is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from clientpanel.clients.models import Client
from clientpanel.clients.selectors import client_tax_decision, effective_setting
from clientpanel.core.errors import FieldErrors
from clientpanel.core.money import (
    AMOUNT_MAX,
    AmountError,
    decimal_places,
    parse_amount,
    parse_currency_amount,
    parse_decimal,
    round_to_minor_unit,
)
from clientpanel.core.text import text_problem, visible_problem

from .calculations import Totals, document_totals, line_net

MAX_ITEMS = 100
MAX_QUANTITY = Decimal("1000000")


def clean_positive_amount(value: object, currency: str, errors: FieldErrors, field: str, *,
                          places: int | None = None) -> Decimal | None:
    """A positive amount with at most the currency's minor unit of decimals (or `places`)."""
    try:
        amount = (parse_currency_amount(value, currency, positive=True) if places is None
                  else parse_amount(value, places=places, positive=True))
    except AmountError as error:
        errors.add(field, str(error))
        return None
    if amount <= 0:
        errors.add(field, _("The amount must be more than zero."))
        return None
    return amount


def clean_items(items: object, currency: str, errors: FieldErrors) -> list[dict[str, Any]]:
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        errors.add("items", _("Add at least one item."))
        return []
    if len(items) > MAX_ITEMS:
        errors.add("items", _("At most %(count)d items.") % {"count": MAX_ITEMS})
        return []
    cleaned = []
    for index, item in enumerate(items):
        prefix = f"items.{index}."
        if not isinstance(item, Mapping):
            errors.add(f"items.{index}", _("Each item is an object."))
            continue
        description = item.get("description")
        # One line, as the editor's field and the PDF's item row take it: no line break, no direction
        # control ("a\u202eb" reads backwards), and something that shows (not U+200B alone).
        if description is not None:
            text = description.strip() if isinstance(description, str) else ""
            problem = (_("Describe the item (1 to 500 characters).") if not text or len(description) > 500
                       else text_problem(text, single_line=True) or visible_problem(text, required=True))
            if problem:
                errors.add(prefix + "description", problem)
        quantity_rule = _("Use a quantity above 0, up to 1,000,000, with at most 4 decimals.")
        try:
            quantity = parse_decimal(item.get("quantity", "1"), float_refused=quantity_rule, missing=quantity_rule,
                                     not_a_number=quantity_rule)
            if quantity <= 0 or quantity > MAX_QUANTITY or decimal_places(quantity) > 4:
                # Counted on the digits sent: normalize() rounds to 28 digits, so "2.999…9" (29
                # digits) became 3 and was billed as 3.
                raise AmountError(quantity_rule)
        except AmountError:
            errors.add(prefix + "quantity", quantity_rule)
            quantity = None
        unit_price = clean_positive_amount(item.get("unit_price"), currency, errors, prefix + "unit_price", places=4)
        if quantity is not None and unit_price is not None and quantity * unit_price > AMOUNT_MAX:
            errors.add(prefix + "unit_price", _("The line is too large."))
        # An item without a description is a top-up: it is printed with the home company's top-up
        # name ("Add funds"), so it adds to the balance as that line says — never charged under it.
        cleaned.append({"description": description.strip() if isinstance(description, str) else None,
                        "quantity": quantity, "unit_price": unit_price,
                        "is_topup": bool(item.get("is_topup")) or description is None,
                        "service_id": item.get("service_id"), "period_start": item.get("period_start"),
                        "period_end": item.get("period_end")})
    return cleaned




class PricedItems(NamedTuple):
    """Items cleaned and priced for a client as a proforma would be: each line's net, the totals
    with the tax lines, the tax decision (home company, reverse charge)."""

    items: list[dict[str, Any]]
    nets: list[Decimal]
    totals: Totals
    decision: Any


def proforma_priced(client: Client, items: object, errors: FieldErrors) -> PricedItems | None:
    """The proforma's items and totals under the client's tax rules at this moment, each problem
    added to errors (None when an item is refused) — what proforma_issue issues and the panel's
    editor previews as staff type."""
    cleaned = clean_items(items, client.currency, errors)
    if errors:
        return None
    decision = client_tax_decision(client)
    taxes = [] if effective_setting(client, "tax_exempt")[0] else decision.taxes
    nets = [line_net(i["quantity"], i["unit_price"], client.currency) for i in cleaned]
    totals = document_totals(nets, taxes, client.currency)
    if totals.total > AMOUNT_MAX:
        errors.add("items", _("The total is out of range."))
        return None
    if totals.total <= 0:
        zero = round_to_minor_unit(Decimal(0), client.currency)
        errors.add("items", _("The items add up to %(amount)s %(currency)s once rounded to the currency; raise a "
                              "quantity or a price.") % {"amount": zero, "currency": client.currency})
        return None
    return PricedItems(cleaned, nets, totals, decision)
