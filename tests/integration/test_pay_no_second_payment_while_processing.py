"""A proforma whose payment the gateway said is processing (a bank debit takes days) is not paid a
second time meanwhile: the portal still showed it unpaid and took a card payment too, and when the
debit went through as well the client had paid twice (the second held for staff to send back).
Once the gateway says the first failed — or staff settle it — it can be paid again."""

from __future__ import annotations

import pytest

from clientpanel.core.errors import Conflict
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.gateways import test_gateway as card
from clientpanel.payments.models import AttemptStatus, GatewayAccount
from clientpanel.payments.services import notification_receive, payment_start
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db


def _notify(account, attempt, kind: str) -> None:
    body, headers = card.signed_event(account.pk, kind=kind, reference=attempt.reference, amount=attempt.amount,
                                      currency=attempt.currency)
    notification_receive(gateway_key="test", account_id=account.pk, body=body, headers=headers)


def _start(*documents):
    return payment_start(actor=None, document_ids=[d.pk for d in documents], account_id=None,
                         return_url=lambda a: "/")[0]


def test_a_proforma_being_paid_by_a_processing_debit_is_not_paid_again_until_it_fails(make_client):
    account = GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")
    payer = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=payer.pk, net_amount="20")
    other = proforma_add_funds(actor=None, client_id=payer.pk, net_amount="30")
    first = _start(proforma)
    second_try = _start(proforma)  # a page opened and left: never blocks another try
    assert second_try.status == AttemptStatus.STARTED
    _notify(account, first, "payment.pending")
    with pytest.raises(Conflict, match=proforma.number):
        _start(proforma)
    with pytest.raises(Conflict, match=proforma.number):
        _start(other, proforma)
    assert _start(other).status == AttemptStatus.STARTED  # the others are paid as usual
    _notify(account, first, "payment.failed")
    assert _start(proforma).status == AttemptStatus.STARTED
