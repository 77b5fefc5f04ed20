"""A payment through the offline test gateway, as the tests of refunds and reversals start from:
a proforma paid by a signed "payment.succeeded" notification, and so an invoice."""

from __future__ import annotations

from clientpanel.clients.models import Client
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.gateways import test_gateway as card
from clientpanel.payments.models import GatewayAccount, PaymentAttempt
from clientpanel.payments.services import notification_receive, payment_start
from clientpanel.tax.selectors import default_home_company


def paid_through_test_gateway(payer: Client, net_amount: str = "40") -> tuple[Document, PaymentAttempt]:
    """An Add Funds proforma of `net_amount` for payer, paid through the test gateway (an account of
    the default home company, made here): the invoice the payment turned it into, and the attempt."""
    account, _made = GatewayAccount.objects.get_or_create(home_company=default_home_company(), gateway="test")
    proforma = proforma_add_funds(actor=None, client_id=payer.pk, net_amount=net_amount)
    attempt, _checkout = payment_start(actor=None, document_ids=[proforma.pk], account_id=None,
                                       return_url=lambda a: "/")
    body, headers = card.signed_event(account.pk, kind="payment.succeeded", reference=attempt.reference,
                                      amount=attempt.amount, currency=attempt.currency)
    notification_receive(gateway_key="test", account_id=account.pk, body=body, headers=headers)
    attempt.refresh_from_db()
    return Document.objects.get(pk=Document.objects.get(pk=proforma.pk).related_id), attempt
