"""Settings → Home companies → Online payments: each gateway's row has a cell under each header (the
switch under "On", the currencies under "Currencies"…), and a settings box only for a gateway that
reads settings or has some stored — bank transfer showed an empty "{}" box though it reads none.
Stored settings holding a secret are never written into the page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from clientpanel.accounts import sudo
from clientpanel.payments.models import GatewayAccount
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db

STRIPE = {"secret_key_env": "STRIPE_SECRET_KEY", "webhook_secret_env": "STRIPE_WEBHOOK_SECRET"}


@pytest.fixture
def company():
    company = default_home_company()
    GatewayAccount.objects.create(home_company=company, gateway="bank_transfer", position=1)
    GatewayAccount.objects.create(home_company=company, gateway="stripe", position=2, settings=STRIPE,
                                  currencies=["PLN"])
    return company


def _page(staff_client, company) -> str:
    return staff_client.get(reverse("backoffice:home-company-edit", args=[company.pk])).content.decode()


def _table(page: str) -> str:
    return page.split('id="gateway-accounts"')[1].split("</table>")[0]


TITLES = {"bank_transfer": "Bank transfer", "stripe": "Card (Stripe)"}


def _row(page: str, gateway: str) -> str:
    rows = re.findall(r"<tr[ >].*?</tr>", _table(page).split("<tbody>")[1], re.S)
    return next(row for row in rows if f'<td class="cp-card-head">{TITLES[gateway]}' in row)


def test_a_gateway_reading_no_settings_has_no_settings_box(staff_client, company):
    page = _page(staff_client, company)
    bank = _row(page, "bank_transfer")
    assert 'name="settings"' not in bank and "{}" not in bank
    stripe = _row(page, "stripe")
    assert 'name="settings"' in stripe and "STRIPE_SECRET_KEY" in stripe and "{}" not in stripe


def test_each_header_has_its_cell_and_each_control_its_rows_form(staff_client, company):
    page = _page(staff_client, company)
    headers = re.findall(r"<th>", _table(page).split("</thead>")[0])
    for gateway in ("bank_transfer", "stripe"):
        row = _row(page, gateway)
        cells = re.findall(r"<td[ >]", row)
        assert len(cells) == len(headers) == 5, (gateway, len(cells))
        labels = re.findall(r'<td data-label="([^"]+)"', row)
        assert labels == ["On", "Currencies", "Settings"]
        form_id = re.search(r'<form method="post" action="[^"]+" id="(gateway-form-\d+)"', row)[1]
        for name in ("enabled", "currencies"):
            assert re.search(rf'name="{name}" form="{form_id}"', row), (gateway, name)
        assert f'form="{form_id}">Save<' in row


def test_saving_a_row_changes_that_gateway_and_keeps_settings_it_has_no_box_for(staff_client, staff, company):
    session = staff_client.session
    sudo.sudo_grant(session, user=staff)
    session.save()
    bank = GatewayAccount.objects.get(gateway="bank_transfer")
    response = staff_client.post(reverse("backoffice:gateway-account-edit", args=[company.pk, bank.pk]), {
        "gateway": "bank_transfer", "enabled": "on", "currencies": "PLN"})  # what its row sends
    assert response.status_code == 302
    bank.refresh_from_db()
    assert (bank.currencies, bank.settings, bank.enabled) == (["PLN"], {}, True)


def test_stored_settings_holding_a_secret_are_not_shown(staff_client, company):
    GatewayAccount.objects.filter(gateway="stripe").update(settings={"api_key": "sk_live_abcdef123456"})
    stripe = _row(_page(staff_client, company), "stripe")
    assert 'name="settings"' in stripe and "sk_live_abcdef123456" not in stripe


def test_the_add_form_asks_for_settings_only_when_a_gateway_offered_reads_some(staff_client, company):
    def add_form(page):
        return page.split('id="gateway-add"')[1].split("</form>")[0]

    assert 'name="settings"' not in add_form(_page(staff_client, company))  # test and bank transfer: none
    GatewayAccount.objects.filter(gateway="stripe").delete()
    assert 'name="settings"' in add_form(_page(staff_client, company))
