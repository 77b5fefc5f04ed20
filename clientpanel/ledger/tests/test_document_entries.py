"""The entries a document posted, as its page lists them: read within the document's client, whose
(client, sequence) index finds them; a lookup by document_id alone would read the whole ledger."""

import uuid
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientpanel.ledger.models import EntryType
from clientpanel.ledger.selectors import document_entries
from clientpanel.ledger.services import entry_post


def test_a_documents_entries_are_its_own_oldest_first_read_by_its_client(make_client):
    client, other = make_client(), make_client(company_name="Other Ltd")
    document_id = uuid.uuid4()
    first, _ = entry_post(client_id=client.pk, type=EntryType.PAYMENT, net=Decimal("10.00"), document_id=document_id)
    entry_post(client_id=client.pk, type=EntryType.PAYMENT, net=Decimal("5.00"))
    second, _ = entry_post(client_id=client.pk, type=EntryType.CHARGE, net=Decimal("-3.50"), document_id=document_id)
    entry_post(client_id=other.pk, type=EntryType.PAYMENT, net=Decimal("1.00"), document_id=uuid.uuid4())
    with CaptureQueriesContext(connection) as queries:
        entries = list(document_entries(client_id=client.pk, document_id=document_id))
    assert [e.pk for e in entries] == [first.pk, second.pk]
    assert len(queries) == 1
    assert "client_id" in queries[0]["sql"].split("WHERE", 1)[1]
    # The client is part of the lookup: another client's id finds none of the document's entries.
    assert not document_entries(client_id=other.pk, document_id=document_id).exists()
