"""The services read days, hours and priorities as the API and the staff forms do (core.text.
whole_number): another script's digits ("١٠", "１０") are refused on the field, whoever calls, never
stored as 10."""

from __future__ import annotations

import pytest

from clientpanel.catalog.models import Product
from clientpanel.catalog.services import product_save
from clientpanel.clients.models import Client, ClientGroup
from clientpanel.clients.services import client_create, group_save
from clientpanel.core.errors import ValidationFailed
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save
from conftest import client_data

pytestmark = pytest.mark.django_db
DIGITS = ["١٠", "１０"]


def _refused(call, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        call()
    assert field in refused.value.fields, refused.value.fields


@pytest.mark.parametrize("digits", DIGITS)
def test_a_client_and_a_group_refuse_foreign_digits(digits):
    _refused(lambda: client_create(actor=None, data=client_data(payment_terms_days=digits)), "payment_terms_days")
    assert not Client.objects.exists()
    _refused(lambda: group_save(actor=None, data={"name": "Slow", "payment_terms_days": digits}),
             "payment_terms_days")
    _refused(lambda: group_save(actor=None, data={"name": "Slow", "reminder_days_before": digits}),
             "reminder_days_before")
    assert not ClientGroup.objects.exists()


@pytest.mark.parametrize("digits", DIGITS)
def test_a_product_and_a_home_company_refuse_foreign_digits(digits):
    _refused(lambda: product_save(actor=None, data={"name": "VPS", "termination_delay_hours": digits}),
             "termination_delay_hours")
    assert not Product.objects.exists()
    company = default_home_company()
    _refused(lambda: home_company_save(actor=None, company_id=company.pk, data={"payment_terms_days": digits}),
             "payment_terms_days")
    assert HomeCompany.objects.get(pk=company.pk).payment_terms_days == company.payment_terms_days


def test_ascii_digits_still_go():
    client = client_create(actor=None, data=client_data(payment_terms_days=" 10 "))
    assert client.payment_terms_days == 10
