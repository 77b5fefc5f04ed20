"""Document arithmetic, pure and exact (SPEC §5, §7): line totals and tax per rate rounded to the
currency's minor unit, half up; payments split into net by the document's total rate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from clientpanel.core.money import quantize_amount, round_to_minor_unit

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TaxLine:
    name: str
    rate: Decimal  # percent, 3 decimals
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax_lines: tuple[TaxLine, ...]
    tax: Decimal
    total: Decimal


def line_net(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    return round_to_minor_unit(quantity * unit_price, currency)


def document_totals(line_nets: list[Decimal], taxes: list[tuple[str, Decimal]], currency: str) -> Totals:
    """Tax is computed per rate on the document's net sum, never per line, and rates add."""
    net = sum(line_nets, Decimal("0"))
    lines = tuple(TaxLine(name, rate, round_to_minor_unit(net * rate / HUNDRED, currency)) for name, rate in taxes)
    tax = sum((line.amount for line in lines), Decimal("0"))
    return Totals(net=net, tax_lines=lines, tax=tax, total=net + tax)


def payment_net(*, gross: Decimal, total_rate: Decimal, remaining_gross: Decimal, remaining_net: Decimal) -> Decimal:
    """The net part of a payment: gross / (1 + Σ rates), to 4 places; the payment that settles the
    document takes exactly the rest, so the nets add up to the document's net."""
    if gross == remaining_gross:
        return remaining_net
    return min(quantize_amount(gross / (1 + total_rate / HUNDRED)), remaining_net)


def credit_note_totals(net: Decimal, tax_lines: list[tuple[str, Decimal]], currency: str) -> Totals:
    """A credit note refunds a net amount with the invoice's own rates; its amounts are negative."""
    positive = document_totals([net], tax_lines, currency)
    return Totals(net=-positive.net, tax=-positive.tax, total=-positive.total,
                  tax_lines=tuple(TaxLine(t.name, t.rate, -t.amount) for t in positive.tax_lines))
