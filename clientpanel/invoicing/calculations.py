"""Document arithmetic, pure and exact (SPEC §5, §7): line totals and tax per rate rounded to the
currency's minor unit, half up; payments split into net by the document's total rate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from clientpanel.core.money import quantize_amount, round_to_minor_unit

HUNDRED = Decimal(100)
LEDGER_UNIT = Decimal("0.0001")


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


def payment_net(*, gross: Decimal, total_rate: Decimal, remaining_gross: Decimal, remaining_net: Decimal,
                minor_unit: Decimal = Decimal("0.01")) -> Decimal:
    """The net part of a payment: gross / (1 + Σ rates), to 4 places; the payment that settles the
    document takes exactly the rest, so the nets add up to the document's net.

    A partial payment leaves at least one ledger unit (0.0001) of net for every minor unit of gross
    still due, so however the rest is paid — even one cent at a time — each later payment has a
    net above zero and the settling one always posts. Rounding per rate can make the document's
    total smaller than net × (1 + Σ rates), which without this bound let a partial payment take
    the whole net while gross was still due. In a currency of four decimals (CLF, UYW) the gross
    has more minor units than the net has ledger units, so the reserve is what is left of the net
    in proportion, rounded up (a unit per minor unit took the whole gross left from the net: CLF
    59.50 paid of 119.00 at 19% was credited 40.50, not 50.00); there a payment of the last few
    1/10,000s may find no net left to take (leaves_net_due says so)."""
    if gross == remaining_gross:
        return remaining_net
    units_left_after = (remaining_gross - gross) / minor_unit
    # Ledger units of net per minor unit of gross still due, at most one: one for 0–3 decimals.
    per_unit = min(Decimal(1), remaining_net / LEDGER_UNIT / (remaining_gross / minor_unit))
    reserve = LEDGER_UNIT * (units_left_after * per_unit).to_integral_value(rounding=ROUND_CEILING)
    return max(min(quantize_amount(gross / (1 + total_rate / HUNDRED)), remaining_net - reserve), LEDGER_UNIT)


def leaves_net_due(*, gross: Decimal, net: Decimal, remaining_gross: Decimal, remaining_net: Decimal) -> bool:
    """Whether a payment leaves net for the gross it leaves due (the settling payment's net must be
    above zero). Always so in currencies of 0–3 decimals; a partial payment that would not is refused."""
    return gross == remaining_gross or remaining_net - net >= LEDGER_UNIT


def credit_note_tax_lines(*, invoiced: list[TaxLine], refunded_net_after: Decimal,
                          invoice_net: Decimal, refunded_tax_before: list[Decimal], currency: str
                          ) -> tuple[TaxLine, ...]:
    """Tax refunded by one credit note, per rate (in the invoice's order), as positive amounts: what
    the invoice's rate gives on all the net refunded so far, less what earlier notes refunded of
    that rate. The sum over the
    notes therefore never exceeds the tax invoiced at that rate, and the note that completes the
    refund takes exactly the rest (rounding a note at a time would let forty 0.25 notes refund
    more tax than was charged)."""
    lines = []
    for position, line in enumerate(invoiced):
        before = refunded_tax_before[position] if position < len(refunded_tax_before) else Decimal(0)
        if refunded_net_after == invoice_net:
            cumulative = line.amount
        else:
            cumulative = min(round_to_minor_unit(refunded_net_after * line.rate / HUNDRED, currency), line.amount)
        lines.append(TaxLine(line.name, line.rate, max(cumulative - before, Decimal(0))))
    return tuple(lines)


def credit_note_totals(net: Decimal, tax_lines: tuple[TaxLine, ...] | list[TaxLine]) -> Totals:
    """A credit note's totals from the net it refunds and its tax per rate; its amounts are negative."""
    tax = sum((t.amount for t in tax_lines), Decimal(0))
    return Totals(net=-net, tax=-tax, total=-(net + tax),
                  tax_lines=tuple(TaxLine(t.name, t.rate, -t.amount) for t in tax_lines))
