"""The one rule of what is sold to a client (clients.rules.takes_new_business): nothing new for a
CLOSED (an erased one is CLOSED too) or FRAUD client. Ordering a service and an Add Funds proforma
both ask it, so the two can never disagree (docs/decisions.md, "Closed clients order nothing new")."""

import pytest

from clientpanel.client_services.rules import client_takes_orders
from clientpanel.clients.models import Client, ClientStatus
from clientpanel.clients.rules import portal_open, takes_new_business
from clientpanel.invoicing.services.proformas import takes_top_ups

OPEN = {ClientStatus.NEW, ClientStatus.ACTIVE, ClientStatus.INACTIVE}


@pytest.mark.parametrize("status", ClientStatus.values)
def test_only_a_closed_or_fraud_client_takes_no_new_business_and_orders_and_top_ups_agree(status):
    client = Client(status=status)
    assert takes_new_business(status) is (status in OPEN)
    assert client_takes_orders(client) is takes_new_business(status)
    assert takes_top_ups(client) is takes_new_business(status)
    # The portal's own rule bars the same two statuses today (Login as Owner reaches them).
    assert portal_open(status) is takes_new_business(status)
