"""Every e-mail about a document links to the document's page in the client portal, and an unpaid
proforma's to paying it there (WHMCS's {$invoice_link}, Invoice Ninja's "View invoice"): absolute,
from CLIENTPANEL_BASE_URL; a logged-out recipient who follows it signs in and lands on the document.
A closed client's users, who cannot sign in, get no link (notifications/portal_links.py)."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from clientpanel.clients.models import Client as ClientRecord
from clientpanel.clients.models import ClientStatus
from clientpanel.clients.services import client_user_link
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.notifications import kinds
from clientpanel.notifications.jobs import job_proforma_reminders
from clientpanel.notifications.models import EmailMessage
from clientpanel.notifications.sending import send_due_emails
from clientpanel.payments.models import GatewayAccount
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db
BASE = "https://panel.example.com"
PASSWORD = "portal-user-passphrase"
LINK_VARIABLES = {kinds.DOCUMENT_ISSUED: ["document_url", "pay_url"],
                  kinds.PROFORMA_REMINDER: ["document_url", "pay_url"],
                  kinds.PAYMENT_RECEIVED: ["invoice_url", "document_url"]}


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.CLIENTPANEL_BASE_URL = BASE + "/"


@pytest.fixture
def pays_online(db):
    return GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")


def _page(document) -> str:
    return BASE + reverse("portal:document", args=[document.pk])


def _bodies(message) -> tuple[str, str]:
    return tuple(message.get_body((part,)).get_content().replace("\r\n", "\n") for part in ("plain", "html"))


def _portal_links(text: str) -> list[str]:
    return re.findall(re.escape(BASE) + r"/portal/[^\s\"<]*", text)


def test_an_issued_proforma_links_to_paying_it_and_the_link_signs_the_recipient_in_and_lands_there(
        smtp_server, make_client, pays_online):
    client = make_client(language="pl", currency="PLN", password=PASSWORD)
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    send_due_emails()
    (received,) = smtp_server.messages
    text, html = _bodies(received)
    assert f"Zobacz dokument i zapłać online w strefie klienta:\n{_page(proforma)}\n" in text
    assert f'<a href="{_page(proforma)}">Zobacz dokument i zapłać online</a>' in html

    browser = Client()  # signed out, as the recipient's mail program opens it
    path = urlsplit(_portal_links(text)[0]).path
    to_login = browser.get(path)
    assert to_login.status_code == 302 and to_login["Location"].startswith(reverse("portal:login"))
    login_form = browser.get(to_login["Location"]).content.decode().split('id="portal-login"')[1]
    next_url = re.search(r'name="next" value="([^"]*)"', login_form).group(1)
    assert next_url == path
    signed_in = browser.post(reverse("portal:login"), {"email": client.owner.email, "password": PASSWORD,
                                                       "next": next_url})
    assert signed_in.status_code == 302 and signed_in["Location"] == path
    page = browser.get(path).content.decode()
    assert proforma.number in page and 'id="pay-now"' in page  # paying is the page's POST, not the link


def test_a_proforma_no_gateway_takes_links_to_its_page_but_not_to_paying_online(smtp_server, make_client):
    client = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    send_due_emails()
    text, html = _bodies(smtp_server.messages[0])
    assert f"View it in the client area:\n{_page(proforma)}\n" in text and "pay online" not in text
    assert f'<a href="{_page(proforma)}">View it in the client area</a>' in html


def test_the_payment_thanks_links_to_the_invoice_which_the_signed_in_payer_can_open(smtp_server, make_client):
    client = make_client(currency="USD", password=PASSWORD)
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    invoice = Document.objects.get(pk=proforma.pk).related
    send_due_emails()
    thanks = smtp_server.messages[1]
    text, html = _bodies(thanks)
    assert f"View invoice {invoice.number} in the client area:\n{_page(invoice)}\n" in text
    assert f'<a href="{_page(invoice)}">View invoice {invoice.number} in the client area</a>' in html

    browser = Client()
    browser.post(reverse("portal:login"), {"email": client.owner.email, "password": PASSWORD})
    page = browser.get(urlsplit(_page(invoice)).path)
    assert page.status_code == 200 and invoice.number in page.content.decode()


def test_a_credit_note_links_to_its_page(smtp_server, make_client):
    client = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    note = credit_note_issue(actor=None, invoice_id=Document.objects.get(pk=proforma.pk).related_id,
                             net_amount="5").note
    send_due_emails()
    (received,) = [m for m in smtp_server.messages if note.number in m["Subject"]]
    text, _html = _bodies(received)
    assert _portal_links(text) == [_page(note)]


def test_a_reminder_links_to_paying_the_proforma_and_says_only_its_page_once_paying_online_stops(
        make_client, pays_online):
    client = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    job_proforma_reminders(now=proforma.due_date)
    due = EmailMessage.objects.get(reference=f"reminder:{proforma.pk}:due")
    assert f"Pay it online in the client area:\n{_page(proforma)}\n" in due.body_text
    assert f'<a href="{_page(proforma)}">Pay it online</a>' in due.body_html

    GatewayAccount.objects.filter(pk=pays_online.pk).update(enabled=False)
    job_proforma_reminders(now=proforma.due_date + dt.timedelta(days=3))  # the home company's days after
    overdue = EmailMessage.objects.get(reference=f"reminder:{proforma.pk}:overdue")
    assert f"View it in the client area:\n{_page(proforma)}\n" in overdue.body_text
    assert "Pay it online" not in overdue.body_text


@pytest.mark.parametrize("status", [ClientStatus.CLOSED, ClientStatus.FRAUD])
def test_a_closed_clients_invoice_and_credit_note_go_without_a_portal_link(smtp_server, make_client, pays_online,
                                                                           status):
    client = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    ClientRecord.objects.filter(pk=client.pk).update(status=status)
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))  # money by transfer, after the close
    note = credit_note_issue(actor=None, invoice_id=Document.objects.get(pk=proforma.pk).related_id,
                             net_amount="5").note
    send_due_emails()
    received = {m["Subject"]: m for m in smtp_server.messages}
    assert set(received) == {f"Payment received for {proforma.number}",
                             f"Credit note {note.number} from {note.company_snapshot['name']}"}
    for message in received.values():
        text, html = _bodies(message)
        assert "/portal/" not in text and "/portal/" not in html and "client area" not in text


def test_an_edited_template_may_use_the_links_and_the_editor_lists_them(staff_client, make_client):
    for key, names in LINK_VARIABLES.items():
        page = staff_client.get(reverse("backoffice:email-template-edit", args=[key, "en"])).content.decode()
        listed = page.split('id="email-variables"')[1]
        for name in names:
            assert f"{{{{ {name} }}}}" in listed, (key, name)
            assert str(kinds.MESSAGE_KINDS[key].variables[name]) in listed.replace("&#x27;", "'")
    url = reverse("backoffice:email-template-edit", args=[kinds.DOCUMENT_ISSUED, "en"])
    saved = staff_client.post(url, {"subject": "{{ document_number }}", "body_text": "Pay: {{ pay_url }}",
                                    "body_html": '<a href="{{ document_url }}">See it</a>', "save": "1"})
    assert saved.status_code == 302
    client = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    message = EmailMessage.objects.get(client_id=client.pk)
    assert message.body_text == "Pay:\n"  # no gateway: nothing to pay online
    assert message.body_html == f'<a href="{_page(proforma)}">See it</a>'



def test_the_login_a_link_leads_to_goes_on_only_to_a_portal_page_of_this_site(make_client):
    client = make_client(currency="USD", password=PASSWORD)
    for elsewhere in ("https://evil.example/portal/invoices/", "//evil.example/portal/", "/portal/../staff/",
                      "/staff/"):
        signed_in = Client().post(reverse("portal:login"), {"email": client.owner.email, "password": PASSWORD,
                                                            "next": elsewhere})
        assert signed_in["Location"] == reverse("portal:dashboard"), elsewhere


def test_a_user_acting_for_another_client_is_asked_to_switch_and_then_sees_the_document(smtp_server, make_client):
    first = make_client(currency="USD", password=PASSWORD)
    second = make_client(currency="USD")
    client_user_link(actor=None, client_id=second.pk, data={"email": first.owner.email,
                                                            "permissions": ["manage-invoices"]})
    proforma = proforma_add_funds(actor=None, client_id=second.pk, net_amount="10")
    send_due_emails()
    (received,) = [m for m in smtp_server.messages if m["To"] == first.owner.email]
    path = urlsplit(_portal_links(_bodies(received)[0])[0]).path

    browser = Client()
    browser.post(reverse("portal:login"), {"email": first.owner.email, "password": PASSWORD, "next": path})
    asked = browser.get(path).content.decode()
    assert second.display_name in asked and proforma.number not in asked
    switched = browser.post(reverse("portal:switch-client"), {"client": str(second.pk), "next": path})
    assert switched["Location"] == path
    assert proforma.number in browser.get(path).content.decode()
