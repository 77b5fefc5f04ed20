"""The gross printed beside each line of a document (EU sellers; Art. 226 of Directive 2006/112/EC),
pure and exact. Tax is charged per rate on the document's net sum (SPEC §5, §7) — and a credit note's
is what the invoice's rate gives on everything refunded so far, less what earlier notes refunded —
so a line has no tax of its own: it bears its share of the tax the document charged. Each rate's tax
is shared out in proportion to the lines' net, each share cut to the currency's minor unit, and the
units the cuts leave over go one each to the lines whose shares lost the most, first line first on
a tie (the largest remainder method). The printed lines therefore add up to the document's gross
exactly; a one-line document's line is its net plus the document's tax; and a share stays within a
minor unit of the line's exact part of the tax (within one and a half of its own net × rate)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from clientpanel.core.money import currency_minor_unit

ZERO = Decimal(0)
LEDGER_UNIT = Decimal("0.0001")


def tax_shares(tax: Decimal, nets: Sequence[Decimal], unit: Decimal) -> list[Decimal]:
    """`tax` split over lines of these nets in proportion, in whole `unit`s, adding up to `tax`."""
    if not nets:
        return []
    total_net = sum(nets, ZERO)
    if not total_net:  # nothing to weigh by (never on an issued document): the first line bears it
        return [tax, *(ZERO for _ in nets[1:])]
    exact = [tax * net / total_net for net in nets]
    shares = [share.quantize(unit, rounding=ROUND_DOWN) for share in exact]
    left = int((tax - sum(shares, ZERO)) / unit)
    # Each cut loses less than a unit, so fewer units are left than lines lost some: each line
    # takes one at most, the one that lost the most first (sorted() keeps the lines' order on a tie).
    most_lost = sorted(range(len(nets)), key=lambda i: exact[i] - shares[i], reverse=left > 0)
    for position in most_lost[:abs(left)]:
        shares[position] += unit if left > 0 else -unit
    return shares


def line_grosses(nets: Sequence[Decimal], taxes: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Each line's gross: its net plus its share of each tax amount the document charged (one per
    rate, as its tax lines keep them; negative on a credit note). Σ gross = Σ net + Σ taxes."""
    unit = Decimal(1).scaleb(-currency_minor_unit(currency))
    grosses = list(nets)
    for tax in taxes:
        # An amount finer than the currency (a document of before the rounding rules) is shared
        # in ledger units, so nothing of it is lost.
        shares = tax_shares(tax, nets, unit if tax % unit == 0 else LEDGER_UNIT)
        grosses = [gross + share for gross, share in zip(grosses, shares, strict=True)]
    return grosses
