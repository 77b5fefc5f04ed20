"""The payment gateways' methods as invoicing keeps them (invoicing.payment_methods): each gateway's
code ("gateway:<key>"), its title as the label and as the wording of rows from before the codes,
and how its money comes for e-invoices. Registered when this module is imported (PaymentsConfig.ready)."""

from __future__ import annotations

from clientpanel.invoicing.payment_methods import CARD, TRANSFER, gateway_code, method_columns, method_register

from .gateways import Gateway, gateway_choices, get_gateway

# How each shipped gateway's money comes; a gateway not named here says nothing to e-invoices.
_MEANS = {"bank_transfer": TRANSFER, "stripe": CARD}


def gateway_methods_register() -> None:
    for key, _title in gateway_choices():
        method_register(gateway_code(key), label=get_gateway(key).title, means=_MEANS.get(key, ""))


def gateway_method(gateway: Gateway) -> dict[str, str]:
    """proforma_pay's `method` (the gateway's title in English) and `method_code` for a payment
    the gateway reported."""
    return method_columns(gateway_code(gateway.key))


gateway_methods_register()
