"""Whole numbers in the staff panel's forms (payment terms, reminder days, a product's delays, a tax
rule's priority) are a sign and the digits 0–9, as the API reads them: Python's int() — and Django's
IntegerField, which goes through it — read "١٠" (Arabic-Indic), "۱۰", "１０" (full-width) and "1_0"
as 10, so a value the API refused with a 422 was stored from the panel. One field class
(ui.numbers.WholeNumberField), refusing in the words the field's service refuses a non-number."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from clientpanel.backoffice.forms.clients import ClientCreateForm, ClientProfileForm
from clientpanel.backoffice.forms.services import ProductForm
from clientpanel.backoffice.forms.settings import GroupForm
from clientpanel.backoffice.forms.tax import HomeCompanyForm, TaxRuleForm
from clientpanel.catalog.models import Product
from clientpanel.clients.models import ClientGroup
from clientpanel.ui.numbers import WholeNumberField

DAYS = "Enter a whole number of days."
REMINDER = "Enter 0 to 60 days (0: no reminder)."
FIELDS = [
    (ClientCreateForm, "payment_terms_days", DAYS), (ClientProfileForm, "payment_terms_days", DAYS),
    (GroupForm, "payment_terms_days", DAYS), (GroupForm, "reminder_days_before", REMINDER),
    (GroupForm, "reminder_days_overdue", REMINDER), (HomeCompanyForm, "payment_terms_days", "Use 0 to 365 days."),
    (HomeCompanyForm, "reminder_days_before", REMINDER), (HomeCompanyForm, "reminder_days_overdue", REMINDER),
    (TaxRuleForm, "priority", "Use a whole number from -1000 to 1000."),
    (ProductForm, "termination_delay_hours", "Use 0 to 8760 hours."),
    (ProductForm, "cancellation_delay_hours", "Use 0 to 8760 hours."),
]
OTHER_DIGITS = ["١٠", "۱۰", "१०", "１０", "1_0", "1e1", "٣", "1 0"]


@pytest.mark.parametrize("form, name, message", FIELDS, ids=[f"{f.__name__}.{n}" for f, n, _m in FIELDS])
def test_every_whole_number_field_takes_ascii_digits_only(form, name, message):
    field = form.base_fields[name]
    assert isinstance(field, WholeNumberField)
    for typed in OTHER_DIGITS:
        with pytest.raises(forms.ValidationError) as refused:
            field.clean(typed)
        assert refused.value.messages == [message], typed
    assert field.clean(" 10 ") == "10"  # as typed, stripped: the service reads it and checks its bounds


def test_the_field_keeps_a_sign_and_leaves_empty_to_its_form():
    field = WholeNumberField(required=False)
    assert (field.clean("-5"), field.clean("+5"), field.clean("")) == ("-5", "+5", "")
    with pytest.raises(forms.ValidationError, match=r"Enter a whole number\."):
        field.clean("٥")


@pytest.mark.django_db
def test_staff_pages_refuse_other_digits_the_api_refuses(staff_client, make_client):
    client = make_client()
    profile = staff_client.post(reverse("backoffice:client-profile", args=[client.pk]), {
        "firstname": client.firstname, "lastname": client.lastname, "language": "en", "currency": "USD",
        "status": "NEW", "credit_limit": "0", "payment_terms_days": "١٠"})
    assert profile.status_code == 200 and DAYS in profile.content.decode()
    client.refresh_from_db()
    assert client.payment_terms_days is None
    group = staff_client.post(reverse("backoffice:group-create"), {
        "name": "VIP", "colour": "#ff0000", "payment_terms_days": "14", "reminder_days_before": "٣"})
    assert group.status_code == 200 and REMINDER in group.content.decode()
    assert not ClientGroup.objects.exists()
    product = staff_client.post(reverse("backoffice:product-create"), {
        "key": "vps", "name": "VPS", "module": "manual", "termination_delay_hours": "٤٨",
        "cancellation_delay_hours": "48"})
    assert product.status_code == 200 and "Use 0 to 8760 hours." in product.content.decode()
    assert not Product.objects.exists()
