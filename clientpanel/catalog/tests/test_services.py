"""Products and prices (SPEC §9): what a product and a price accept, how many decimals an amount
takes (4 when billed by the hour, else the currency's minor unit), one price per product, currency
and period, retiring, and the audit trail of each change."""

from decimal import Decimal

import pytest

from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.catalog.models import Price, Product
from clientpanel.catalog.services import price_save, product_retire, product_save
from clientpanel.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def product(key: str = "box", hourly: bool = False, **data) -> Product:
    return product_save(actor=None, data={"key": key, "name": key.upper(), "hourly_billing": hourly, **data})


def price(of: Product, period: str = "MONTHLY", amount: str = "20.00", currency: str = "USD", **data) -> Price:
    return price_save(actor=None, product_id=of.pk, data={"currency": currency, "period": period, "amount": amount,
                                                          **data})


def refused(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as failure:
        call(*args, **kwargs)
    return failure.value.fields


# --- products -----------------------------------------------------------------------------------

def test_a_product_is_created_with_the_manual_module_by_default_and_audited():
    made = product_save(actor=None, data={"key": " Proxmox-LXC-Mini ", "name": " MINI ", "description": "1 vCPU"})
    assert (made.key, made.name, made.module, made.module_settings) == ("proxmox-lxc-mini", "MINI", "manual", {})
    assert (made.hourly_billing, made.hidden, made.retired) == (False, False, False)
    assert (made.termination_delay_hours, made.cancellation_delay_hours) == (48, 48)
    event = AuditEvent.objects.get(action="product.create")
    assert event.object_id == str(made.pk) and event.changes["key"] == [None, "proxmox-lxc-mini"]


@pytest.mark.parametrize("data, field", [
    ({"key": ""}, "key"),
    ({"key": "-box"}, "key"),
    ({"key": "box_1"}, "key"),
    ({"key": "b" * 101}, "key"),
    ({"name": ""}, "name"),
    ({"name": "N" * 201}, "name"),
    ({"name": "Line\nbreak"}, "name"),
    ({"description": "x" * 5001}, "description"),
    ({"description": "nul \x00"}, "description"),
    ({"module": "proxmox"}, "module"),
    ({"module": "sample", "module_settings": ["fail"]}, "module_settings"),
    ({"module": "sample", "module_settings": {"fail": "sometimes"}}, "module_settings"),
    ({"module": "sample", "module_settings": {"colour": "red"}}, "module_settings"),
    ({"termination_delay_hours": "-1"}, "termination_delay_hours"),
    ({"cancellation_delay_hours": "8761"}, "cancellation_delay_hours"),
    ({"cancellation_delay_hours": "two days"}, "cancellation_delay_hours"),
    ({"price": "10"}, "price"),
])
def test_bad_products_are_field_errors_and_write_nothing(data, field):
    assert field in refused(product_save, actor=None, data={"key": "box", "name": "Box", **data})
    assert not Product.objects.exists() and not AuditEvent.objects.exists()


def test_two_products_cannot_share_a_key():
    product("box")
    assert refused(product_save, actor=None, data={"key": "BOX", "name": "Other"})["key"] == [
        "Another product has this key."]


def test_changing_a_product_changes_only_what_is_sent_and_records_it():
    made = product("box", module="sample", module_settings={"fail": "create", "message": "No capacity"})
    changed = product_save(actor=None, product_id=made.pk, data={"name": "Box 2", "hidden": "on"})
    assert (changed.key, changed.name, changed.hidden, changed.module_settings["fail"]) == (
        "box", "Box 2", True, "create")
    event = AuditEvent.objects.filter(action="product.update").get()
    assert event.changes == {"hidden": [False, True], "name": ["BOX", "Box 2"]}


def test_a_new_module_must_accept_the_settings_the_product_keeps():
    made = product("box", module="sample", module_settings={"hang_seconds": 5})
    assert product_save(actor=None, product_id=made.pk, data={"module": "manual"}).module == "manual"
    assert "module_settings" in refused(product_save, actor=None, product_id=made.pk,
                                        data={"module": "sample", "module_settings": {"hang_seconds": 601}})


def test_an_unknown_product_is_not_found():
    with pytest.raises(NotFound):
        product_save(actor=None, product_id="00000000-0000-0000-0000-000000000000", data={"name": "X"})
    with pytest.raises(NotFound):
        price_save(actor=None, product_id="00000000-0000-0000-0000-000000000000", data={})


def test_staff_without_the_products_area_change_no_products():
    support = staff_create(email="support@example.com", password="correct-horse-battery", firstname="Sue",
                           lastname="Port", roles=["Support"])
    made = product("box")
    for call, kwargs in [(product_save, {"data": {"key": "x", "name": "X"}}),
                         (product_retire, {"product_id": made.pk}),
                         (price_save, {"product_id": made.pk, "data": {"currency": "USD", "period": "MONTHLY",
                                                                       "amount": "1"}})]:
        with pytest.raises(PermissionDenied):
            call(actor=support, **kwargs)
    made.refresh_from_db()
    assert made.retired is False and not made.prices.exists()


def test_retiring_takes_a_product_off_sale_once():
    made = product("box")
    price(made)
    retired = product_retire(actor=None, product_id=made.pk)
    assert retired.retired is True and retired.prices.count() == 1
    assert product_retire(actor=None, product_id=made.pk).retired is True
    assert list(AuditEvent.objects.filter(action="product.retire").values_list("changes", flat=True)) == [
        {"retired": [False, True]}]
    with pytest.raises(NotFound):
        product_retire(actor=None, product_id="00000000-0000-0000-0000-000000000000")


# --- prices -------------------------------------------------------------------------------------

def test_a_price_is_stored_exactly_and_labelled_as_staff_read_it():
    made = price(product("box"), period="annually", amount="200", currency="usd", setup_fee="15.5")
    assert (made.currency, made.period, made.amount, made.setup_fee) == ("USD", "ANNUALLY", Decimal("200"),
                                                                         Decimal("15.5"))
    assert made.label == "Annually - $200.00"
    assert price(product("vps", hourly=True), period="HOURLY", amount="0.9271").label == "Hourly - $0.9271"
    event = AuditEvent.objects.get(action="price.create", object_label__startswith="box")
    assert event.object_label == "box: Annually - $200.00"


@pytest.mark.parametrize("data, field", [
    ({"currency": "XYZ"}, "currency"),
    ({"currency": "JPY"}, "currency"),  # not one of CLIENTPANEL_CURRENCIES
    ({"period": "FORTNIGHTLY"}, "period"),
    ({"amount": ""}, "amount"),
    ({"amount": "-1"}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"amount": 20.5}, "amount"),  # a float is never money
    ({"amount": "1e13"}, "amount"),
    ({"setup_fee": "-0.01"}, "setup_fee"),
    ({"discount": "5"}, "discount"),
])
def test_bad_prices_are_field_errors_and_write_nothing(data, field):
    made = product("box")
    assert field in refused(price_save, actor=None, product_id=made.pk,
                            data={"currency": "USD", "period": "MONTHLY", "amount": "20", **data})
    assert not Price.objects.exists()


def test_one_price_per_product_currency_and_period():
    made = product("box")
    price(made)
    with pytest.raises(Conflict) as conflict:
        price(made, amount="25.00")
    assert (conflict.value.status_code, conflict.value.code) == (409, "price_exists")
    price(made, currency="EUR")
    price(made, period="QUARTERLY", amount="55.00")
    assert made.prices.count() == 3


def test_setup_fee_is_zero_unless_given():
    assert price(product("box")).setup_fee == Decimal("0")


@pytest.mark.parametrize("period, amount, ok", [
    ("MONTHLY", "20.01", True), ("MONTHLY", "20.0100", True), ("MONTHLY", "20.001", False),
    ("ONE_TIME", "99.999", False), ("ANNUALLY", "200.0", True), ("HOURLY", "0.9271", True),
    ("HOURLY", "0.92715", False),
])
def test_a_product_not_billed_by_the_hour_takes_the_currency_minor_unit_except_for_hourly_prices(period, amount,
                                                                                                   ok):
    made = product("box")
    if ok:
        assert price(made, period=period, amount=amount).amount == Decimal(amount)
    else:
        assert refused(price, made, period=period, amount=amount)["amount"]


def test_every_price_of_a_product_billed_by_the_hour_keeps_four_decimals():
    made = product("vps", hourly=True)
    assert price(made, amount="20.0005", setup_fee="0.0001").amount == Decimal("20.0005")
    assert refused(price, made, period="ANNUALLY", amount="1.00001")["amount"] == ["Use at most 4 decimal places."]


def test_the_setup_fee_takes_the_same_decimals_as_the_price():
    message = refused(price, product("box"), setup_fee="5.005")["setup_fee"]
    assert message == ["USD amounts have at most 2 decimal places."]


def test_the_decimals_rule_follows_the_currency(settings):
    settings.CLIENTPANEL_CURRENCIES = [*settings.CLIENTPANEL_CURRENCIES, "JPY"]
    made = product("box")
    assert refused(price, made, currency="JPY", amount="1000.5")["amount"] == ["JPY amounts have no decimal places."]
    assert price(made, currency="JPY", amount="1000.0").amount == Decimal("1000")


def test_moving_a_price_to_a_period_or_currency_that_takes_fewer_decimals_checks_its_amounts_again(settings):
    settings.CLIENTPANEL_CURRENCIES = [*settings.CLIENTPANEL_CURRENCIES, "JPY"]
    made = product("box")
    hourly = price(made, period="HOURLY", amount="0.9271")
    assert refused(price_save, actor=None, product_id=made.pk, price_id=hourly.pk,
                   data={"period": "MONTHLY"})["amount"] == ["USD amounts have at most 2 decimal places."]
    monthly = price(made, amount="8.50", setup_fee="1.25")
    fields = refused(price_save, actor=None, product_id=made.pk, price_id=monthly.pk, data={"currency": "JPY"})
    assert fields == {"amount": ["JPY amounts have no decimal places."],
                      "setup_fee": ["JPY amounts have no decimal places."]}
    price_save(actor=None, product_id=made.pk, price_id=hourly.pk, data={"period": "QUARTERLY", "amount": "60"})
    hourly.refresh_from_db()
    assert (hourly.period, hourly.amount) == ("QUARTERLY", Decimal("60"))


def test_changing_a_price_records_what_changed():
    made = product("box")
    monthly = price(made)
    price_save(actor=None, product_id=made.pk, price_id=monthly.pk, data={"amount": "22.00"})
    event = AuditEvent.objects.get(action="price.update")
    assert event.changes == {"amount": ["20.0000", "22.0000"]}
    assert event.object_label == "box: Monthly - $22.00"


def test_a_price_of_another_product_is_not_found():
    box, vps = product("box"), product("vps", hourly=True)
    monthly = price(box)
    with pytest.raises(NotFound):
        price_save(actor=None, product_id=vps.pk, price_id=monthly.pk, data={"amount": "1"})


def test_a_product_stops_being_billed_by_the_hour_only_once_its_prices_fit_the_currency():
    made = product("vps", hourly=True)
    fine = price(made, period="HOURLY", amount="0.9271")
    finer = price(made, amount="20.0005")
    message = refused(product_save, actor=None, product_id=made.pk, data={"hourly_billing": False})["hourly_billing"]
    assert "Monthly - $20.0005" in message[0] and "Hourly" not in message[0]
    price_save(actor=None, product_id=made.pk, price_id=finer.pk, data={"amount": "20.00"})
    assert product_save(actor=None, product_id=made.pk, data={"hourly_billing": "false"}).hourly_billing is False
    fine.refresh_from_db()
    assert fine.amount == Decimal("0.9271")  # hourly prices keep their 4 decimals
