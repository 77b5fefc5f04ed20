"""The API's input shapes for proformas, payments, credit notes and cancels: every input typed and
bounded (core/api_types.py). Answers are declared beside the endpoints in api.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from annotated_types import Len
from django.utils.translation import gettext as _
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import BeforeValidator, StrictBool, WithJsonSchema
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from clientpanel.core.api_types import MoneyString, OneLine, strict_example
from clientpanel.core.json_text import read_json
from clientpanel.core.schemas import StrictSchema


class AddFundsIn(StrictSchema):
    model_config = strict_example(net_amount="100.00")
    net_amount: MoneyString = None


def _quantity_text(value: object) -> object:
    """The quantity as text: a string as sent, a JSON integer written out (a count is exact). Anything
    else (a float, true, a list…) is one refusal at the quantity itself, where a union of str and
    int reported each member's ("items.0.quantity.str", "items.0.quantity.int")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is not None and not isinstance(value, str):
        raise PydanticCustomError("quantity_string",
                                  _('Send the quantity as a string or an integer, e.g. "1.5".'))
    return value


class ItemIn(StrictSchema):
    description: OneLine(500) = None
    # Text, as money: "2" or "1.5" (at most 4 decimals); a JSON integer is taken too (a count is exact).
    quantity: Annotated[str | None, BeforeValidator(_quantity_text), WithJsonSchema(
        {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}], "title": "Quantity"})] = "1"
    unit_price: MoneyString = None
    top_up: StrictBool = False


class ProformaIn(StrictSchema):
    model_config = strict_example(items=[{"description": "Website maintenance, May", "quantity": "2",
                                          "unit_price": "45.00"},
                                         {"description": "Add funds", "unit_price": "100.00", "top_up": True}])
    items: Annotated[list[ItemIn], Len(min_length=1, max_length=100)]


class PaymentIn(StrictSchema):
    model_config = strict_example(amount="61.50", transaction_id="wire-2026-0043", method="bank transfer",
                                  paid_at="2026-05-09T10:30:00+02:00")
    amount: MoneyString = None
    transaction_id: OneLine(100) = ""
    # With its UTC offset ("…+01:00" or "…Z"); a time without one is refused, never guessed.
    paid_at: dt.datetime | None = None
    method: OneLine(50) = ""


class CreditNoteIn(StrictSchema):
    model_config = strict_example(net_amount="10.00", transaction_id="refund-2026-0007",
                                  reason="Hosting cancelled mid-month")
    net_amount: MoneyString = None
    transaction_id: OneLine(100) = ""
    # Printed on the credit note beside the invoice it corrects.
    reason: OneLine(200) = ""
    # Refund added funds the client has spent since (beyond balance + credit limit); logged.
    allow_over_limit: StrictBool = False


class AddFundsLimitIn(StrictSchema):
    """A currency's own Add Funds limits for the portal (Settings → Add Funds limits): amounts in that
    currency, with at most its minor unit of decimals; maximum_balance absent, null or "": none."""
    model_config = strict_example(minimum="10.00", maximum="5000.00", maximum_balance="20000.00")
    minimum: MoneyString = None
    maximum: MoneyString = None
    maximum_balance: MoneyString = None


class CancelIn(StrictSchema):
    model_config = strict_example(confirm_paid="40.00")
    # A partly paid proforma: the gross it has received, as the caller saw it (total − amount_due); its
    # net stays on the client's balance, and the cancel is refused (409) if a payment changed it meanwhile.
    confirm_paid: MoneyString = None


# The body is optional (a proforma that received nothing is cancelled by a bare POST, as always), so
# it is read here rather than by ninja, which refuses a POST whose body is no JSON.
CANCEL_BODY = {"requestBody": {"required": False, "content": {"application/json": {"schema": {
    "type": "object", "additionalProperties": False, "properties": {"confirm_paid": {
        "type": "string", "example": "40.00",
        "description": "For a partly paid proforma: the gross it has received (total − amount_due), whose net "
                       "part stays on the client's balance as credit. Refused (409) when the proforma has received "
                       "another amount by then (a payment arrived)."}}}}}}}


def cancel_confirmation(request) -> str | None:
    """confirm_paid of the optional JSON body of a cancel; None without one. A body of another type
    (a form's confirm_paid=40.00) is refused, not taken for no confirmation."""
    not_json = NinjaValidationError([{"loc": ["body"], "msg": _("The request body must be a JSON object."),
                                      "type": "json_invalid"}])
    if request.content_type != "application/json":
        if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            sent = bool(request.POST or request.FILES)  # an empty form (no fields) is no body
        else:
            sent = bool(request.body.strip())
        if sent:
            raise not_json
        return None
    if not request.body.strip():
        return None
    try:
        data = read_json(request.body)
    except ValueError:
        raise not_json from None
    try:
        return CancelIn.model_validate(data).confirm_paid
    except PydanticValidationError as error:
        raise NinjaValidationError([{"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                                    for e in error.errors()]) from None
