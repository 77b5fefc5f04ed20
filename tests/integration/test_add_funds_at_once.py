"""The portal's cap on unpaid Add Funds proformas holds when a client sends many at once: the
count is read with the client's row locked, inside the transaction that issues the proforma."""

from __future__ import annotations

import pytest

from clientpanel.clients.actors import portal_actor
from clientpanel.core.errors import ValidationFailed
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.tests.concurrency import at_once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_sent_together_never_leave_more_unpaid_add_funds_proformas_than_the_cap(make_client, settings):
    settings.CLIENTPANEL_PORTAL_ADD_FUNDS = {"minimum": "10", "maximum": "10000", "maximum_balance": "",
                                             "unpaid_at_once": 3}
    client = make_client(currency="USD")
    actor = portal_actor(client.owner, client.pk)
    errors = at_once(lambda: proforma_add_funds(actor=actor, client_id=client.pk, net_amount="10"), workers=8)
    unpaid = Document.objects.filter(client=client, type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID)
    assert unpaid.count() == 3
    assert len(errors) == 5
    assert all(isinstance(e, ValidationFailed) and "wait to be paid" in " ".join(e.fields["net_amount"])
               for e in errors)
