"""Fixtures of the payments tests."""

from __future__ import annotations

import pytest

from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.models import GatewayAccount
from clientpanel.tax.selectors import default_home_company

PASSWORD = "portal-payer-passphrase"


@pytest.fixture
def shop(make_client):
    account = GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")
    payer = make_client(currency="USD", company_name="Payer Ltd", password=PASSWORD)
    other = make_client(currency="USD", company_name="Other Ltd")
    return {"account": account, "payer": payer, "other": other,
            "first": proforma_add_funds(actor=None, client_id=payer.pk, net_amount="20"),
            "second": proforma_add_funds(actor=None, client_id=payer.pk, net_amount="30"),
            "theirs": proforma_add_funds(actor=None, client_id=other.pk, net_amount="40")}
