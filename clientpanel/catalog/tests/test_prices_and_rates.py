"""Editable and retirable prices, exchange rates and derived prices (issue 14, SPEC §9): a derived
price is the default currency's price × the rate, rounded half up (4 places for hourly prices); an
explicit price wins; bad input is refused with a reason. Ordering at them: client_services/tests/
test_ordering_prices.py."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.catalog.calculations import derived_amount, parse_rate
from clientpanel.catalog.models import ExchangeRate, Price, Product
from clientpanel.catalog.selectors import offers_of
from clientpanel.catalog.services import exchange_rate_delete, exchange_rate_save, price_save, product_save
from clientpanel.core.errors import NotFound, PermissionDenied, ValidationFailed
from clientpanel.core.money import AMOUNT_MAX, AmountError

T = dt.datetime(2027, 9, 2, 8, 0, tzinfo=dt.UTC)  # after the real "now": orders lie before every pass


def product(key="vps", *, derive=False, hourly=False) -> Product:
    return product_save(actor=None, data={"key": key, "name": key.upper(), "derive_prices": derive,
                                          "hourly_billing": hourly})


def price(of: Product, amount="20.00", *, currency="USD", period="MONTHLY", setup_fee="0") -> Price:
    return price_save(actor=None, product_id=of.pk, data={"currency": currency, "period": period, "amount": amount,
                                                          "setup_fee": setup_fee})


def refused(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as failure:
        call(**kwargs)
    return failure.value.fields


# --- calculations -------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, rate, currency, ledger, expected", [
    ("20.00", "4.3127", "PLN", False, "86.25"),        # 86.254 → 86.25
    ("20.05", "4.3127", "PLN", False, "86.47"),        # 86.469635 → 86.47
    ("0.9271", "4.3127", "PLN", True, "3.9983"),       # 3.99830417 → 3.9983 (hourly: 4 places)
    ("0.0001", "4.5", "PLN", True, "0.0005"),          # 0.00045 → half up to 0.0005
    ("10.00", "0.125", "EUR", False, "1.25"),
    ("10.10", "0.125", "EUR", False, "1.26"),          # 1.2625 → 1.26 … half up at the third place:
    ("10.20", "0.125", "EUR", False, "1.28"),          # 1.275 → 1.28 (half up, not to even)
    ("1000.00", "151.237", "JPY", False, "151237"),   # JPY has no minor unit
    ("3.00", "151.2375", "JPY", False, "454"),        # 453.7125 → 454
])
def test_a_derived_amount_is_exact_and_rounded_half_up(amount, rate, currency, ledger, expected):
    got = derived_amount(Decimal(amount), Decimal(rate), currency, ledger_places=ledger)
    assert got == Decimal(expected) and str(got) == expected


def test_a_derived_amount_beyond_the_bounds_of_an_amount_is_none():
    assert derived_amount(AMOUNT_MAX, Decimal("2"), "PLN", ledger_places=False) is None


@given(amount=st.decimals(min_value=0, max_value=10**8, places=2),
       rate=st.decimals(min_value=Decimal("0.000001"), max_value=1000, places=6))
def test_a_derived_amount_is_within_half_a_minor_unit_of_the_exact_product(amount, rate):
    got = derived_amount(amount, rate, "PLN", ledger_places=False)
    assert got is not None and got.as_tuple().exponent >= -2
    assert abs(got - amount * rate) <= Decimal("0.005")


@pytest.mark.parametrize("value", [0, "0", "-1", "4.1234567", "1000000000", "NaN", "Infinity", "abc", "", None,
                                   4.3127, True, "1e400", "4.00000000000000000000000000000001", "1e-1000000"])
def test_a_bad_rate_is_refused_with_a_reason(value):
    with pytest.raises(AmountError):
        parse_rate(value)


def test_a_rate_keeps_six_decimals_exactly():
    assert parse_rate(" 4.312701 ") == Decimal("4.312701")
    assert parse_rate("999999999.999999") == Decimal("999999999.999999")


@pytest.mark.django_db
@pytest.mark.parametrize("data, field", [
    ({"amount": "-1"}, "amount"),
    ({"amount": "1.001"}, "amount"),
    ({"amount": "1" * 20}, "amount"),
    ({"amount": None}, "amount"),
    ({"amount": 1.5}, "amount"),
    ({"setup_fee": "abc"}, "setup_fee"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_price_edit_is_refused_and_changes_nothing(data, field):
    box = product("box")
    monthly = price(box, "20.00")
    assert field in refused(price_save, actor=None, product_id=box.pk, price_id=monthly.pk, data=data)
    monthly.refresh_from_db()
    assert (monthly.amount, monthly.setup_fee, monthly.retired) == (Decimal("20"), Decimal("0"), False)


@pytest.mark.django_db
def test_staff_without_the_products_area_may_not_edit_or_retire_a_price():
    box = product("box")
    monthly = price(box)
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    for data in ({"amount": "1.00"}, {"retired": True}):
        with pytest.raises(PermissionDenied):
            price_save(actor=support, product_id=box.pk, price_id=monthly.pk, data=data)
    other = product("other")
    with pytest.raises(NotFound):  # another product's price
        price_save(actor=None, product_id=other.pk, price_id=monthly.pk, data={"amount": "1.00"})


# --- exchange rates and derived prices ----------------------------------------------------------

@pytest.mark.django_db
def test_a_rate_is_saved_audited_and_bounded():
    saved = exchange_rate_save(actor=None, currency="pln", rate="4.3127")
    assert ExchangeRate.objects.get(currency="PLN").rate == Decimal("4.3127") == saved.rate
    exchange_rate_save(actor=None, currency="PLN", rate="4.30")
    exchange_rate_save(actor=None, currency="PLN", rate="4.3")  # the same rate: nothing to record
    assert list(AuditEvent.objects.filter(action__startswith="exchange_rate").order_by("created_at", "id")
                .values_list("action", "changes")) == [
        ("exchange_rate.create", {"currency": [None, "PLN"], "rate": [None, "4.312700"]}),
        ("exchange_rate.update", {"rate": ["4.312700", "4.300000"]})]
    assert set(refused(exchange_rate_save, actor=None, currency="USD", rate="1")) == {"currency"}  # the default
    assert set(refused(exchange_rate_save, actor=None, currency="XYZ", rate="-2")) == {"currency", "rate"}
    assert set(refused(exchange_rate_save, actor=None, currency="EUR", rate="1.0000001")) == {"rate"}
    accountant = staff_create(email="a@example.com", password="correct-horse-battery", roles=["Accountant"])
    with pytest.raises(PermissionDenied):  # neither Products nor Settings
        exchange_rate_save(actor=accountant, currency="EUR", rate="1")
    exchange_rate_delete(actor=None, currency="PLN")
    assert not ExchangeRate.objects.exists() and AuditEvent.objects.filter(action="exchange_rate.delete").exists()
    with pytest.raises(NotFound):
        exchange_rate_delete(actor=None, currency="PLN")


@pytest.mark.django_db
def test_derived_prices_come_from_the_default_price_and_an_explicit_price_wins():
    vps = product("vps", derive=True)
    monthly = price(vps, "20.00", setup_fee="1.00")
    annually = price(vps, "200.00", period="ANNUALLY")
    price(vps, "99.00", currency="PLN", period="ANNUALLY")  # explicit: wins over 200 × rate
    assert offers_of(vps, "PLN") == [o for o in offers_of(vps, "PLN") if not o.derived]  # no rate yet
    exchange_rate_save(actor=None, currency="PLN", rate="4.3127")
    offers = offers_of(vps, "PLN")
    assert [(o.period, o.amount, o.setup_fee, o.derived) for o in offers] == [
        ("MONTHLY", Decimal("86.25"), Decimal("4.31"), True), ("ANNUALLY", Decimal("99.00"), Decimal("0"), False)]
    assert offers[0].pk == monthly.pk and offers[0].label == "Monthly - PLN\u00a086.25"
    product_save(actor=None, product_id=vps.pk, data={"derive_prices": False})
    vps.refresh_from_db()
    assert [o.period for o in offers_of(vps, "PLN")] == ["ANNUALLY"]
    product_save(actor=None, product_id=vps.pk, data={"derive_prices": True})
    vps.refresh_from_db()
    price_save(actor=None, product_id=vps.pk, price_id=annually.pk, data={"retired": True})
    assert [o.period for o in offers_of(vps, "EUR")] == []  # EUR has no rate, USD annual is retired


@pytest.mark.django_db
def test_hourly_derived_prices_keep_four_decimals():
    vps = product("vps", derive=True, hourly=True)
    price(vps, "0.9271", period="HOURLY")
    exchange_rate_save(actor=None, currency="PLN", rate="4.3127")
    assert [o.amount for o in offers_of(vps, "PLN")] == [Decimal("3.9983")]


@pytest.mark.django_db
@pytest.mark.parametrize("currency", ["\x00", "EU\x00R", "E\ud800R", "x" * 500])
def test_removing_the_rate_of_a_currency_with_control_characters_is_not_found_never_a_database_error(currency):
    # PostgreSQL refused the NUL in the lookup (a 500 at /staff/products/exchange-rates/%00/delete/).
    exchange_rate_save(actor=None, currency="EUR", rate="4.3")
    with pytest.raises(NotFound):
        exchange_rate_delete(actor=None, currency=currency)
    assert ExchangeRate.objects.filter(currency="EUR").exists()
