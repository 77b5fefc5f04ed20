"""A proforma an online payment of which is settling offers no bank transfer, nor asks the client to
arrange a payment: the page says to wait (the rule, invoicing.rules.pays_by_transfer, decides it; the
template only shows what the view computed). Once the payment is gone, the transfer is offered again."""

import pytest
from django.test import Client
from django.urls import reverse

from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.models import AttemptStatus, PaymentAttempt
from clientpanel.payments.services import payment_start
from clientpanel.tax.models import HomeCompany

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [AttemptStatus.PENDING, AttemptStatus.HELD])
def test_no_transfer_while_a_payment_settles_and_again_once_it_is_gone(world, status):
    HomeCompany.objects.update(bank_details="PL61 1090 1014 0000 0712 1981 2874")
    proforma = proforma_add_funds(actor=None, client_id=world["mine"].pk, net_amount="40")
    attempt, _checkout = payment_start(actor=None, document_ids=[proforma.pk], account_id=None,
                                       return_url=lambda attempt: "/portal/")
    PaymentAttempt.objects.filter(pk=attempt.pk).update(status=status)
    browser = Client()
    browser.post(reverse("portal:login"), {"email": world["mine"].owner.email, "password": PASSWORD})
    url = reverse("portal:document", args=[proforma.pk])
    page = browser.get(url).content.decode()
    assert 'id="payment-settling"' in page and 'id="pay-now"' not in page
    assert 'id="transfer-title"' not in page and "PL61 1090 1014" not in page and 'id="ask-how-to-pay"' not in page
    PaymentAttempt.objects.filter(pk=attempt.pk).update(status=AttemptStatus.FAILED)
    page = browser.get(url).content.decode()
    assert 'id="payment-settling"' not in page and 'id="pay-now"' in page
    assert 'id="transfer-title"' in page and "PL61 1090 1014" in page
