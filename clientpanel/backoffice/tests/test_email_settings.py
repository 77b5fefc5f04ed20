"""Reminder days and e-mail switches in Settings: a home company's, a group's own days, checked
and saved together or not at all."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.clients.models import ClientGroup
from clientpanel.clients.services import client_user_link
from clientpanel.notifications.models import EmailMessage
from clientpanel.notifications.selectors import home_company_of
from clientpanel.notifications.services import client_user_muted_emails_set, home_company_muted_emails_set
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


def test_associating_a_new_user_invites_it_unless_unticked(staff_client, make_client):
    client = make_client()
    url = reverse("backoffice:client-user-associate", args=[client.pk])
    form = staff_client.get(url).content.decode()
    assert re.search(r'<input type="checkbox" name="send_invitation"[^>]*checked', form)
    staff_client.post(url, {"email": "invited@example.com", "firstname": "In", "lastname": "Vited",
                            "send_invitation": "on"})
    staff_client.post(url, {"email": "silent@example.com", "firstname": "Si", "lastname": "Lent"})
    assert EmailMessage.objects.filter(recipient="invited@example.com", template="invitation").count() == 1
    assert not EmailMessage.objects.filter(recipient="silent@example.com").exists()


def test_a_linked_user_mutes_messages_with_its_permissions(staff_client, make_client):
    client = make_client()
    link = client_user_link(actor=None, client_id=client.pk, data={
        "email": "ops@example.com", "firstname": "O", "lastname": "Ps", "permissions": []})
    url = reverse("backoffice:client-user-edit", args=[client.pk, link.user_id])
    staff_client.post(url, {"permissions": ["manage-services"], "muted_emails": ["service_status"]})
    link.refresh_from_db()
    assert link.permissions == ["manage-services"] and link.muted_emails == ["service_status"]
    staff_client.post(url, {"permissions": [], "muted_emails": ["password_reset"]})
    link.refresh_from_db()
    assert link.permissions == ["manage-services"]  # refused as a whole
    # Staff see every switch; the dialog says which ones reach the user (the portal offers only those).
    dialog = staff_client.get(url).content.decode()
    assert 'value="document_issued"' in dialog and "only the e-mails its permissions cover" in dialog


def test_the_users_dialog_names_what_the_home_company_switched_off_and_keeps_the_users_own_switch(
        staff_client, make_client):
    client = make_client()
    link = client_user_link(actor=None, client_id=client.pk, data={
        "email": "ops@example.com", "firstname": "O", "lastname": "Ps", "permissions": ["manage-invoices"]})
    client_user_muted_emails_set(actor=None, client_id=client.pk, user_id=link.user_id, keys=["proforma_reminder"])
    company = home_company_of(client)
    home_company_muted_emails_set(actor=None, company_id=company.pk, keys=["proforma_reminder", "low_balance"])
    url = reverse("backoffice:client-user-edit", args=[client.pk, link.user_id])
    dialog = staff_client.get(url).content.decode()
    assert 'value="proforma_reminder"' not in dialog and 'value="low_balance"' not in dialog
    assert 'value="document_issued"' in dialog
    note = dialog.split('id="company-off-emails">')[1].split("</p>")[0]
    assert f"{company.name} sends none of these to anybody:" in note
    assert "Proforma reminder" in note and "Low balance" in note
    assert reverse("backoffice:home-company-edit", args=[company.pk]) in note
    # Saving with everything offered ticked off leaves the company's two as the user had them.
    saved = staff_client.post(url, {"permissions": ["manage-invoices"], "muted_emails": ["document_issued"]})
    assert saved.status_code == 302
    link.refresh_from_db()
    assert link.muted_emails == ["document_issued", "proforma_reminder"]
    assert staff_client.post(url, {"permissions": ["manage-invoices"]}).status_code == 302
    link.refresh_from_db()
    assert link.muted_emails == ["proforma_reminder"]
    # Not a choice while the company sends it to nobody: refused, nothing written.
    forged = staff_client.post(url, {"permissions": [], "muted_emails": ["low_balance"]})
    assert forged.status_code == 200 and "low_balance is not one of the available choices" in forged.content.decode()
    link.refresh_from_db()
    assert link.permissions == ["manage-invoices"] and link.muted_emails == ["proforma_reminder"]
    # Once the company sends it again, the user's own switch is there as it was.
    home_company_muted_emails_set(actor=None, company_id=company.pk, keys=[])
    dialog = staff_client.get(url).content.decode()
    assert re.search(r'<input[^>]*value="proforma_reminder"[^>]*checked', dialog)
    assert 'id="company-off-emails"' not in dialog


def test_staff_send_a_verification_and_the_login_page_offers_a_reset(staff_client, make_client):
    owner = make_client().owner
    assert staff_client.post(reverse("backoffice:user-verification-email", args=[owner.pk])).status_code == 302
    assert EmailMessage.objects.filter(recipient=owner.email, template="email_verification").count() == 1
    login = Client().get(reverse("backoffice:login")).content.decode()
    assert reverse("portal:password_reset") in login


def test_a_staff_member_is_offered_no_verification_and_is_sent_none(staff_client, staff):
    """Its link confirms through the client portal: a staff account's page offers no button, and a
    POST is refused with a message, nothing queued."""
    other = staff_create(email="agent2@example.com", password="correct-horse-battery", roles=["Support"])
    page = staff_client.get(reverse("backoffice:user-detail", args=[other.pk])).content.decode()
    assert 'id="send-verification"' not in page
    refused = staff_client.post(reverse("backoffice:user-verification-email", args=[other.pk]), follow=True)
    assert "only client users are sent this" in refused.content.decode()
    assert not EmailMessage.objects.filter(recipient=other.email).exists()
