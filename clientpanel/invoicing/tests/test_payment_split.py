"""A payment's net part (calculations.payment_net) in currencies of 0 to 4 decimals, as properties:
the nets of any sequence of payments add up to the document's net, each above zero, and a payment
that leaves a fair share of the document due is credited its own gross / (1 + Σ rates). In a
currency of four decimals only, a partial payment that would leave no net for the gross still due is
refused (leaves_net_due)."""

from decimal import ROUND_FLOOR, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientpanel.core.money import currency_minor_unit, quantize_amount
from clientpanel.invoicing.calculations import document_totals, leaves_net_due, payment_net

CURRENCIES = ["JPY", "USD", "KWD", "CLF"]  # 0, 2, 3 and 4 decimals
rates = st.lists(st.decimals(min_value=Decimal("0"), max_value=Decimal("27"), places=3), min_size=1, max_size=3)


def unit_of(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_minor_unit(currency))


def test_a_four_decimal_currency_credits_a_partial_payment_its_own_net():
    # CLF 100.0000 at 19%: half the gross paid was credited 40.50 (the bound reserved a ledger unit
    # per 0.0001 still due, the whole gross left), so cancelling then lost the client 9.50.
    assert payment_net(gross=Decimal("59.5"), total_rate=Decimal("19"), remaining_gross=Decimal("119"),
                       remaining_net=Decimal("100"), minor_unit=Decimal("0.0001")) == Decimal("50.0000")


@pytest.mark.parametrize("currency", CURRENCIES)
@settings(max_examples=150, deadline=None)
@given(net_units=st.integers(min_value=1000, max_value=10**10), taxes=rates,
       share=st.integers(min_value=1, max_value=5000))
def test_a_payment_of_at_most_half_the_total_is_credited_its_gross_over_one_plus_the_rates(currency, net_units,
                                                                                          taxes, share):
    net = Decimal(net_units) * unit_of(currency)
    totals = document_totals([net], [(f"T{i}", r) for i, r in enumerate(taxes)], currency)
    gross = max((totals.total * share / 10_000).quantize(unit_of(currency)), unit_of(currency))
    total_rate = sum(taxes, Decimal(0))
    part = payment_net(gross=gross, total_rate=total_rate, remaining_gross=totals.total, remaining_net=totals.net,
                       minor_unit=unit_of(currency))
    proportional = quantize_amount(gross / (1 + total_rate / 100))
    if currency == "CLF":
        # In four decimals the net left keeps the document's own share of the gross left (rounded up),
        # so a payment takes at most its share of the document's net, to the 1/10,000 below.
        share = (gross * totals.net / totals.total).quantize(Decimal("0.0001"), rounding=ROUND_FLOOR)
        assert part == max(min(proportional, share), Decimal("0.0001"))
    else:
        assert part == proportional


@pytest.mark.parametrize("currency", CURRENCIES)
@settings(max_examples=150, deadline=None)
@given(net_units=st.integers(min_value=1, max_value=10**10), taxes=rates,
       shares=st.lists(st.integers(min_value=1, max_value=9_999), max_size=8))
def test_the_nets_of_any_payments_add_up_to_the_document_net_each_above_zero(currency, net_units, taxes, shares):
    unit = unit_of(currency)
    totals = document_totals([Decimal(net_units) * unit], [(f"T{i}", r) for i, r in enumerate(taxes)], currency)
    total_rate = sum(taxes, Decimal(0))
    remaining_gross, remaining_net, nets = totals.total, totals.net, []
    for share in shares:
        gross = (remaining_gross * share / 10_000).quantize(unit)
        if not unit <= gross < remaining_gross:
            continue
        part = payment_net(gross=gross, total_rate=total_rate, remaining_gross=remaining_gross,
                           remaining_net=remaining_net, minor_unit=unit)
        if not leaves_net_due(gross=gross, net=part, remaining_gross=remaining_gross, remaining_net=remaining_net):
            assert currency == "CLF"  # refused by the service; never in a currency of 0–3 decimals
            continue
        nets.append(part)
        remaining_gross, remaining_net = remaining_gross - gross, remaining_net - part
    nets.append(payment_net(gross=remaining_gross, total_rate=total_rate, remaining_gross=remaining_gross,
                            remaining_net=remaining_net, minor_unit=unit))
    assert sum(nets) == totals.net and all(n > 0 for n in nets)
    assert all(n == quantize_amount(n) for n in nets)  # whole ledger units, never finer


@pytest.mark.parametrize("payments, refused", [
    # 0.0010 left after the first, with 0.0009 of net: paid 1/10,000 at a time, the ninth has no net.
    (["118.9990", *["0.0001"] * 9], 9),
    (["118.9990", "0.0001", "0.0009"], None),  # the rest at once settles it
])
def test_a_four_decimal_proforma_paid_by_its_last_units_refuses_the_part_that_has_no_net(payments, refused):
    remaining_gross, remaining_net, unit = Decimal("119.0000"), Decimal("100.0000"), Decimal("0.0001")
    for index, gross in enumerate(map(Decimal, payments)):
        part = payment_net(gross=gross, total_rate=Decimal(19), remaining_gross=remaining_gross,
                           remaining_net=remaining_net, minor_unit=unit)
        if not leaves_net_due(gross=gross, net=part, remaining_gross=remaining_gross, remaining_net=remaining_net):
            assert index == refused
            return
        assert part > 0
        remaining_gross, remaining_net = remaining_gross - gross, remaining_net - part
    assert refused is None and remaining_gross == remaining_net == 0
