"""What a newcomer tripped over in the first hour with the demo (an office manager's walk from a
product to a credit note): each kept by a test that fails if it comes back."""

import pytest
from django.urls import reverse

from clientpanel.catalog.services import price_save, product_save
from clientpanel.client_services.services import service_order

pytestmark = pytest.mark.django_db


def test_a_service_row_says_which_badge_is_the_provisioning_one(staff_client, make_client):
    """Two badges both reading PENDING side by side: the second is provisioning's, and says so."""
    product = product_save(actor=None, data={"key": "web", "name": "Web"})
    price = price_save(actor=None, product_id=product.pk, data={"currency": "USD", "period": "MONTHLY",
                                                               "amount": "10.00"})
    client = make_client()
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk,
                            allow_over_limit=True)
    tab = staff_client.get(reverse("backoffice:client-services", args=[client.pk])).content.decode()
    assert "PROVISIONING: PENDING" in tab
    detail = staff_client.get(reverse("backoffice:service-detail", args=[service.pk])).content.decode()
    assert "PROVISIONING: PENDING" in detail
