"""A CLOSED or FRAUD client's auto top-up is not carried out (clients.rules.portal_open): the job
charges no card the client's users could no longer have set up or changed."""

import pytest
from django.utils import timezone

from clientpanel.clients.models import Client, ClientStatus
from clientpanel.payments.auto_top_up import KEY, auto_top_up_save, job_auto_top_up
from clientpanel.payments.models import PaymentAttempt

from .test_auto_top_up import client_with_a_service_due, keep_a_card, signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [ClientStatus.CLOSED, ClientStatus.FRAUD])
def test_a_closed_clients_card_is_not_topped_up(make_client, status):
    client = client_with_a_service_due(make_client)
    keep_a_card(signed_in(client.owner.email), client)
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="3")
    Client.objects.filter(pk=client.pk).update(status=status)
    assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 0}
    assert not PaymentAttempt.objects.filter(idempotency_key__startswith=KEY).exists()
    # Reopened (INACTIVE keeps the portal), the same shortfall is topped up.
    Client.objects.filter(pk=client.pk).update(status=ClientStatus.INACTIVE)
    assert job_auto_top_up(now=timezone.now()) == {"charged": 1, "failed": 0}
