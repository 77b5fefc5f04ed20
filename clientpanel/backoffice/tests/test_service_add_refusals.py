"""Staff's Add service form shows a refusal where it belongs: a closed or fraud client (409
`client_closed`, client_services.rules.client_takes_orders) above the form, as the form sent twice
— no price would do — while a refusal of the price chosen stays under the price."""

import pytest
from django.urls import reverse

from clientpanel.client_services.models import Service
from clientpanel.client_services.tests.test_billing import funded_client, make_product
from clientpanel.clients.models import Client, ClientStatus

pytestmark = pytest.mark.django_db

WORDS = {ClientStatus.CLOSED: "This client is closed: reopen it before ordering a service.",
         ClientStatus.FRAUD: "This client is marked as fraud: change its status before ordering a service."}


@pytest.mark.parametrize("status", [ClientStatus.CLOSED, ClientStatus.FRAUD])
def test_a_closed_or_fraud_client_is_refused_above_the_form_not_under_the_price(staff_client, status):
    client = funded_client("100")
    product, price = make_product(period="MONTHLY", amount="10.00")
    Client.objects.filter(pk=client.pk).update(status=status)
    page = staff_client.post(reverse("backoffice:service-add", args=[client.pk]),
                             {"product": str(product.pk), "price": str(price.pk)})
    form = page.context["form"]
    assert page.status_code == 200 and form.non_field_errors() == [WORDS[status]]
    assert not form["price"].errors
    assert not Service.objects.exists()


def test_a_price_the_funds_do_not_cover_is_still_refused_under_the_price(staff_client):
    client = funded_client("5")
    product, price = make_product(period="MONTHLY", amount="10.00")
    page = staff_client.post(reverse("backoffice:service-add", args=[client.pk]),
                             {"product": str(product.pk), "price": str(price.pk)})
    form = page.context["form"]
    assert page.status_code == 200 and form["price"].errors and not form.non_field_errors()
    assert not Service.objects.exists()
