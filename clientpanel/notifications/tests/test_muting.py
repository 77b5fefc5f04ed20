"""A home company may switch messages off for its clients, and a client user for itself on a
client; links to set or reset a password and to verify an address always go."""

import pytest

from clientpanel.accounts.services import staff_create
from clientpanel.clients.models import ClientUser
from clientpanel.clients.services import client_user_link
from clientpanel.core.errors import NotFound
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.notifications.kinds import OPTIONAL_KINDS
from clientpanel.notifications.models import EmailMessage
from clientpanel.notifications.selectors import home_company_of
from clientpanel.notifications.services import (
    client_user_muted_emails_set,
    home_company_muted_emails_set,
    password_reset_request,
)
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db


def test_a_home_company_switches_a_message_off_for_its_clients(make_client):
    company = default_home_company()
    company.muted_emails = ["document_issued", "password_reset"]
    company.save()
    client = make_client(currency="USD")
    proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    assert not EmailMessage.objects.filter(template="document_issued").exists()
    password_reset_request(email=client.owner.email)  # not optional: goes anyway
    assert EmailMessage.objects.filter(template="password_reset", recipient=client.owner.email).count() == 1


def test_a_client_user_switches_a_message_off_on_one_client_only(make_client):
    first, second = make_client(currency="USD"), make_client(currency="USD")
    for client in (first, second):
        client_user_link(actor=None, client_id=client.pk, data={
            "email": "books@example.com", "firstname": "B", "lastname": "Ooks", "permissions": ["manage-invoices"]})
    ClientUser.objects.filter(client=first, user__email="books@example.com").update(muted_emails=["document_issued"])
    proforma_add_funds(actor=None, client_id=first.pk, net_amount="10")
    proforma_add_funds(actor=None, client_id=second.pk, net_amount="10")
    to_books = EmailMessage.objects.filter(recipient="books@example.com")
    assert list(to_books.values_list("client_id", flat=True)) == [second.pk]
    assert EmailMessage.objects.filter(recipient=first.owner.email, template="document_issued").exists()


def test_password_and_address_links_are_never_optional():
    assert {"welcome", "invitation", "password_reset", "email_verification"}.isdisjoint(OPTIONAL_KINDS)
    assert {"document_issued", "payment_received", "proforma_reminder", "service_status", "low_balance"} <= set(
        OPTIONAL_KINDS)


def test_staff_set_a_users_switches_but_leave_those_the_home_company_switched_off_as_they_were(make_client):
    client = make_client(currency="USD")
    link = client_user_link(actor=None, client_id=client.pk, data={
        "email": "books@example.com", "firstname": "B", "lastname": "Ooks", "permissions": ["manage-invoices"]})
    client_user_muted_emails_set(actor=None, client_id=client.pk, user_id=link.user_id, keys=["proforma_reminder"])
    home_company_muted_emails_set(actor=None, company_id=home_company_of(client).pk,
                                  keys=["proforma_reminder", "low_balance"])
    # Neither dropped (the dialog does not offer it) nor added (a forged key) while the company sends it to nobody.
    assert client_user_muted_emails_set(actor=None, client_id=client.pk, user_id=link.user_id,
                                        keys=["document_issued", "low_balance"]) == ["document_issued",
                                                                                      "proforma_reminder"]
    assert client_user_muted_emails_set(actor=None, client_id=client.pk, user_id=link.user_id,
                                        keys=[]) == ["proforma_reminder"]
    # A staff member limited to assigned clients does not reach another client's users.
    helper = staff_create(email="helper@example.com", password="correct-horse-battery", roles=["Support"],
                          limited_to_assigned_clients=True)
    with pytest.raises(NotFound):
        client_user_muted_emails_set(actor=helper, client_id=client.pk, user_id=link.user_id, keys=["document_issued"])
    link.refresh_from_db()
    assert link.muted_emails == ["proforma_reminder"]
