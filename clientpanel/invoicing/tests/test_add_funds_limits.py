"""The portal's Add Funds limits by currency: a currency's own figures (Settings → Add Funds limits)
or the defaults, refused with the figures written as money; staff issue any amount."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured

from clientpanel.accounts.roles import FINANCE, SETTINGS, VIEW_CLIENTS
from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.actors import portal_actor
from clientpanel.core.errors import NotFound, PermissionDenied, ValidationFailed
from clientpanel.invoicing.add_funds_limits import portal_limits
from clientpanel.invoicing.models import AddFundsLimit
from clientpanel.invoicing.services import add_funds_limit_delete, add_funds_limit_save, proforma_add_funds
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from config.settings.add_funds import portal_add_funds_defaults

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.CLIENTPANEL_CURRENCIES = ["USD", "EUR", "PLN", "JPY", "KWD"]
    settings.CLIENTPANEL_PORTAL_ADD_FUNDS = {"minimum": "10", "maximum": "10000", "maximum_balance": "",
                                             "unpaid_at_once": 50}


def staff_with(*areas: str):
    role, _made = Group.objects.get_or_create(name="+".join(areas))
    role.permissions.set(Permission.objects.filter(content_type__app_label="accounts", codename__in=areas))
    return staff_create(email=f"staff{Group.objects.count()}-{User.objects.count()}@example.com",
                        password="correct-horse-battery", roles=[role.name])


def _add(client, amount: str):
    return proforma_add_funds(actor=portal_actor(client.owner, client.pk), client_id=client.pk, net_amount=amount)


def _refusal(client, amount: str) -> str:
    with pytest.raises(ValidationFailed) as refused:
        _add(client, amount)
    return " ".join(refused.value.fields["net_amount"])


def test_a_jpy_client_keeps_to_the_yen_figures_exactly_at_the_boundaries():
    add_funds_limit_save(actor=None, currency="JPY", minimum="1000", maximum="1500000", maximum_balance="")
    client = _client("JPY")
    assert _refusal(client, "999") == "Add at least ¥1,000."
    assert _add(client, "1000").net == Decimal("1000")
    assert _add(client, "1500000").net == Decimal("1500000")
    assert _refusal(client, "1500001") == "Add at most ¥1,500,000 at once."
    assert "no decimal places" in _refusal(client, "1000.5")


def test_a_kwd_client_keeps_to_its_three_decimal_figures():
    add_funds_limit_save(actor=None, currency="KWD", minimum="3.500", maximum="3000", maximum_balance="")
    client = _client("KWD")
    assert _refusal(client, "3.499") == "Add at least KWD\xa03.500."
    assert _add(client, "3.5").net == Decimal("3.5")
    assert _add(client, "3000").net == Decimal("3000")
    assert _refusal(client, "3000.001") == "Add at most KWD\xa03,000.000 at once."


def test_a_currency_without_figures_of_its_own_keeps_to_the_defaults():
    add_funds_limit_save(actor=None, currency="JPY", minimum="1000", maximum="1500000")
    client = _client("EUR")
    assert portal_limits("EUR").own is False and portal_limits("JPY").own is True
    assert _refusal(client, "9.99") == "Add at least €10.00."
    assert _add(client, "10").net == Decimal("10")
    assert _add(client, "10000").net == Decimal("10000")
    assert _refusal(client, "10000.01") == "Add at most €10,000.00 at once."


def test_the_maximum_balance_counts_what_the_client_holds_and_says_what_may_still_be_added():
    add_funds_limit_save(actor=None, currency="JPY", minimum="1000", maximum="100000", maximum_balance="50000")
    client = _client("JPY")
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("30000"), description="Opening")
    assert _refusal(client, "20001") == "The balance may not exceed ¥50,000; you may add at most ¥20,000 now."
    assert _add(client, "20000").net == Decimal("20000")  # exactly up to the limit (unpaid: not counted yet)
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("19500"), description="More")
    assert _refusal(client, "1000") == "The balance may not exceed ¥50,000."  # ¥500 left, below the minimum


def test_staff_issue_any_amount_whatever_the_limits():
    add_funds_limit_save(actor=None, currency="JPY", minimum="1000", maximum="2000")
    client = _client("JPY")
    finance = staff_with(FINANCE, VIEW_CLIENTS)
    assert proforma_add_funds(actor=finance, client_id=client.pk, net_amount="5").net == Decimal("5")
    assert proforma_add_funds(actor=finance, client_id=client.pk, net_amount="90000").net == Decimal("90000")


def test_bad_figures_are_refused_field_by_field_and_nothing_is_saved():
    with pytest.raises(ValidationFailed) as refused:
        add_funds_limit_save(actor=None, currency="JPY", minimum="10.5", maximum="0", maximum_balance="-1")
    fields = refused.value.fields
    assert fields["minimum"] == ["JPY amounts have no decimal places."]
    assert fields["maximum"] == ["Enter an amount above zero."]
    assert "maximum_balance" in fields
    with pytest.raises(ValidationFailed) as refused:
        add_funds_limit_save(actor=None, currency="KWD", minimum="5", maximum="4", maximum_balance="1")
    assert refused.value.fields["maximum"] == ["The maximum may not be below the minimum (KWD\xa05.000)."]
    assert "below the minimum" in refused.value.fields["maximum_balance"][0]
    with pytest.raises(ValidationFailed) as refused:
        add_funds_limit_save(actor=None, currency="USD", minimum="1", maximum="20000000000")
    assert refused.value.fields["maximum"] == ["Enter at most $10,000,000,000.00."]
    with pytest.raises(ValidationFailed) as refused:
        add_funds_limit_save(actor=None, currency="XAU", minimum="1", maximum="2")
    assert "currency" in refused.value.fields
    assert not AddFundsLimit.objects.exists()


def test_changes_are_audited_and_removing_brings_back_the_defaults():
    add_funds_limit_save(actor=None, currency="JPY", minimum="1000", maximum="1500000")
    add_funds_limit_save(actor=None, currency="JPY", minimum="1000", maximum="1500000")  # the same: nothing written
    add_funds_limit_save(actor=None, currency="JPY", minimum="2000", maximum="1500000", maximum_balance="3000000")
    add_funds_limit_delete(actor=None, currency="JPY")
    events = list(AuditEvent.objects.filter(action__startswith="add_funds_limit.").order_by("created_at"))
    assert [e.action for e in events] == ["add_funds_limit.create", "add_funds_limit.update",
                                          "add_funds_limit.delete"]
    assert events[1].changes["minimum"] == ["1000.0000", "2000.0000"]
    assert portal_limits("JPY").minimum == Decimal("10") and portal_limits("JPY").own is False
    with pytest.raises(NotFound):
        add_funds_limit_delete(actor=None, currency="JPY")


def test_only_staff_with_settings_change_the_limits():
    client = _client("JPY")
    for actor in (portal_actor(client.owner, client.pk), staff_with(FINANCE)):
        with pytest.raises(PermissionDenied):
            add_funds_limit_save(actor=actor, currency="JPY", minimum="1", maximum="2")
    assert not AddFundsLimit.objects.exists()
    add_funds_limit_save(actor=staff_with(SETTINGS), currency="JPY", minimum="1", maximum="2")
    with pytest.raises(PermissionDenied):
        add_funds_limit_delete(actor=staff_with(FINANCE, VIEW_CLIENTS), currency="JPY")
    assert AddFundsLimit.objects.filter(currency="JPY").exists()


@pytest.mark.parametrize(("environ", "named"), [
    ({"CLIENTPANEL_PORTAL_ADD_FUNDS_MIN": "ten"}, "CLIENTPANEL_PORTAL_ADD_FUNDS_MIN='ten'"),
    ({"CLIENTPANEL_PORTAL_ADD_FUNDS_MAX": "1e4"}, "CLIENTPANEL_PORTAL_ADD_FUNDS_MAX='1e4'"),
    ({"CLIENTPANEL_PORTAL_ADD_FUNDS_MAX": "-5"}, "CLIENTPANEL_PORTAL_ADD_FUNDS_MAX='-5'"),
    ({"CLIENTPANEL_PORTAL_MAX_BALANCE": "0"}, "CLIENTPANEL_PORTAL_MAX_BALANCE='0'"),
    ({"CLIENTPANEL_PORTAL_ADD_FUNDS_MIN": "50", "CLIENTPANEL_PORTAL_ADD_FUNDS_MAX": "20"}, "is above"),
])
def test_bad_default_figures_stop_the_start_naming_the_variable(monkeypatch, environ, named):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=named.replace("(", r"\(")):
        portal_add_funds_defaults()


def test_good_default_figures_are_read_as_given(monkeypatch):
    monkeypatch.setenv("CLIENTPANEL_PORTAL_ADD_FUNDS_MIN", " 5.50 ")
    monkeypatch.setenv("CLIENTPANEL_PORTAL_MAX_BALANCE", "")
    assert portal_add_funds_defaults() == {"minimum": "5.50", "maximum": "10000", "maximum_balance": ""}


def _client(currency: str):
    from clientpanel.clients.services import client_create
    from conftest import client_data

    return client_create(actor=None, data=client_data(currency=currency))
