"""Reminder days and e-mail switches in Settings: a home company's, a group's own days, checked
and saved together or not at all."""

import re

import pytest
from django.urls import reverse

from clientpanel.clients.models import ClientGroup
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db


def _company_form(company: HomeCompany, **changes) -> dict:
    data = {"name": company.name, "country": company.country, "topup_item_name": "Add funds",
            "refund_item_name": "Refund", "proforma_pattern": company.proforma_pattern,
            "proforma_reset": company.proforma_reset, "invoice_pattern": company.invoice_pattern,
            "invoice_reset": company.invoice_reset, "credit_note_pattern": company.credit_note_pattern,
            "credit_note_reset": company.credit_note_reset, "is_default": "on"}
    return {**data, **changes}


def test_a_home_company_sets_its_reminder_days_and_mutes_messages(staff_client):
    company = default_home_company()
    url = reverse("backoffice:home-company-edit", args=[company.pk])
    response = staff_client.post(url, _company_form(company, reminder_days_before="5", reminder_days_overdue="0",
                                                    muted_emails=["low_balance", "service_status"]))
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.reminder_days_before, company.reminder_days_overdue) == (5, 0)
    assert company.muted_emails == ["low_balance", "service_status"]
    page = staff_client.get(url).content.decode()
    boxes = {re.search(r'value="(\w+)"', tag).group(1): "checked" in tag
             for tag in re.findall(r'<input type="checkbox" name="muted_emails"[^>]*>', page)}
    assert boxes["low_balance"] and boxes["service_status"] and not boxes["document_issued"]


def test_days_out_of_range_or_a_password_link_muted_save_nothing(staff_client):
    company = default_home_company()
    url = reverse("backoffice:home-company-edit", args=[company.pk])
    bad_days = staff_client.post(url, _company_form(company, name="Renamed", reminder_days_before="61"))
    assert "Enter 0 to 60 days" in bad_days.content.decode()
    unmutable = staff_client.post(url, _company_form(company, name="Renamed", muted_emails=["password_reset"]))
    assert unmutable.status_code == 200
    company.refresh_from_db()
    assert company.name != "Renamed" and company.reminder_days_before == 3 and company.muted_emails == []


def test_a_group_sets_or_inherits_its_reminder_days(staff_client):
    group = ClientGroup.objects.create(name="VIP")
    url = reverse("backoffice:group-edit", args=[group.pk])
    form = {"name": "VIP", "colour": "#6c757d", "reminder_days_before": "7", "reminder_days_overdue": ""}
    assert staff_client.post(url, form).status_code == 302
    group.refresh_from_db()
    assert (group.reminder_days_before, group.reminder_days_overdue) == (7, None)
    refused = staff_client.post(url, {**form, "reminder_days_overdue": "-1"})
    assert "Enter 0 to 60 days" in refused.content.decode()
