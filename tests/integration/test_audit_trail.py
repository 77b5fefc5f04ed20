"""The audit trail through real requests: the panel records the staff member and their address,
the API the token and the staff member it acts for, and a refused request records nothing."""

import pytest
from django.db import transaction
from django.urls import reverse

from clientpanel.accounts.models import ApiToken
from clientpanel.audit.models import AuditEvent
from clientpanel.catalog.services import product_save
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save

pytestmark = pytest.mark.django_db


def test_a_change_in_the_panel_records_the_staff_member_and_their_address(staff_client, staff):
    product = product_save(actor=None, data={"key": "box", "name": "Box"})
    response = staff_client.post(reverse("backoffice:product-retire", args=[product.pk]), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="product.retire")
    assert (event.actor, event.actor_kind, event.actor_label, event.ip) == (staff, "staff", staff.email,
                                                                            "203.0.113.9")
    assert (event.object_id, event.object_label, event.changes) == (str(product.pk), "Box (box)",
                                                                   {"retired": [False, True]})


def test_a_change_through_the_api_records_the_token_and_its_staff_member(api, staff):
    response = api.post("/home-companies", {"name": "Dublin Ltd", "country": "IE"})
    assert response.status_code == 201, response.content
    token = ApiToken.objects.get(user=staff)
    event = AuditEvent.objects.get(action="home_company.create")
    assert (event.actor, event.actor_kind) == (staff, "api_token")
    assert event.actor_label == f"API token {token.prefix}… of {staff.email}"
    assert event.object_label == "Dublin Ltd" and event.changes["country"] == [None, "IE"]


def test_a_refused_request_records_nothing(api, staff_client):
    before = AuditEvent.objects.count()
    assert api.post("/home-companies", {"name": "Nowhere", "country": "XX"}).status_code == 422
    product = product_save(actor=None, data={"key": "box", "name": "Box"})
    refused = staff_client.post(reverse("backoffice:price-add", args=[product.pk]),
                                {"currency": "USD", "period": "MONTHLY", "amount": "20.001", "setup_fee": "0"})
    assert refused.status_code == 302 and not product.prices.exists()
    assert AuditEvent.objects.count() == before + 1  # the product made above, nothing else


def test_a_service_whose_transaction_rolls_back_leaves_no_event():
    company = default_home_company()
    with pytest.raises(RuntimeError), transaction.atomic():
        home_company_save(actor=None, company_id=company.pk, data={"city": "Kraków"})
        assert AuditEvent.objects.filter(action="home_company.update").exists()  # written with the change
        raise RuntimeError("something later in the same transaction failed")
    assert not AuditEvent.objects.filter(action="home_company.update").exists()
    company.refresh_from_db()
    assert company.city == ""


def test_each_change_is_one_event_with_its_old_and_new_values():
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"city": "Kraków"})
    home_company_save(actor=None, company_id=company.pk, data={"city": "Gdańsk"})
    assert list(AuditEvent.objects.filter(action="home_company.update").order_by("id").values_list(
        "changes", flat=True)) == [{"city": ["", "Kraków"]}, {"city": ["Kraków", "Gdańsk"]}]
