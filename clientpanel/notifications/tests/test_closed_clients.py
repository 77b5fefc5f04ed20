"""A CLOSED or FRAUD client's users are sent only what they must still get (notifications/rules.py):
an invoice or credit note, a password reset while they may sign in for another client, the notice
that a password changed. Reminders, warnings, service notices, proformas, welcomes, invitations and
staff's messages are not — when queued, and again when sent (a message queued before the close is
withheld). ACTIVE and INACTIVE clients are sent everything."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.services import service_order
from clientpanel.clients.models import Client, ClientStatus
from clientpanel.clients.services import client_user_link
from clientpanel.core.errors import Conflict
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_issue, proforma_pay
from clientpanel.invoicing.storage import stored_pdf
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.notifications import kinds
from clientpanel.notifications.bulk import TO_ALL_USERS, clients_bulk_email
from clientpanel.notifications.jobs import job_low_balance_warnings, job_proforma_reminders
from clientpanel.notifications.models import EmailMessage, EmailStatus
from clientpanel.notifications.rules import CLIENT_CLOSED
from clientpanel.notifications.sending import send_due_emails
from clientpanel.notifications.services import client_context, email_queue, email_resend, password_reset_request

pytestmark = pytest.mark.django_db
T = dt.datetime(2027, 9, 2, 8, 0, tzinfo=dt.UTC)
CLOSED = [ClientStatus.CLOSED, ClientStatus.FRAUD]
OPEN = [ClientStatus.ACTIVE, ClientStatus.INACTIVE]

# Every message, and whether a closed client's owner (its only client) is sent it; the attached
# document where the message carries one. A new message must be placed here (the test below).
CLOSED_CLIENT_GETS = {
    (kinds.WELCOME, None): False,
    (kinds.INVITATION, None): False,
    (kinds.PASSWORD_RESET, None): False,  # its only client is closed: the portal refuses the sign-in
    (kinds.EMAIL_VERIFICATION, None): False,
    (kinds.PASSWORD_CHANGED, None): True,
    (kinds.SERVICE_STATUS, None): False,
    (kinds.PROFORMA_REMINDER, "proforma"): False,
    (kinds.LOW_BALANCE, None): False,
    (kinds.AUTO_TOP_UP_FAILED, None): False,
    (kinds.STAFF_MESSAGE, None): False,
    (kinds.DOCUMENT_ISSUED, "proforma"): False,
    (kinds.DOCUMENT_ISSUED, "invoice"): True,
    (kinds.DOCUMENT_ISSUED, "credit_note"): True,
    (kinds.PAYMENT_RECEIVED, "invoice"): True,
    (kinds.WEBHOOK_DISABLED, None): True,  # to staff
    (kinds.PAYMENT_REVERSED, None): True,  # to staff
    (kinds.PAYMENT_HELD, None): True,  # to staff
}


def _set_status(client, status):
    Client.objects.filter(pk=client.pk).update(status=status)
    client.refresh_from_db()


def _documents(client) -> dict[str, Document]:
    """An unpaid proforma, a paid one's invoice and a credit note of it (issued while open)."""
    unpaid = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    paid = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    proforma_pay(actor=None, document_id=paid.pk, amount=str(paid.total))
    invoice = Document.objects.get(pk=paid.pk).related
    note = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="5").note
    return {"proforma": unpaid, "invoice": invoice, "credit_note": note}


def _queue(key, client, document=None):
    with transaction.atomic():
        return email_queue(key=key, user=client.owner, client=client, language="en",
                           context=client_context(client, client.owner),
                           attachments=[{"document_id": str(document.pk)}] if document else ())


def test_every_message_is_decided_for_closed_clients_and_a_new_one_is_not_sent_by_default():
    assert {key for key, _document in CLOSED_CLIENT_GETS} == set(kinds.MESSAGE_KINDS)
    assert kinds.MessageKind("new", "New", "A message added later").closed_client == kinds.NOT_SENT


@pytest.mark.parametrize("status", CLOSED + OPEN)
def test_each_message_to_a_closed_client_goes_as_decided_and_to_an_open_one_always(make_client, status):
    client = make_client(currency="USD")
    documents = _documents(client)
    _set_status(client, status)
    EmailMessage.objects.all().delete()
    for (key, document), closed_gets in CLOSED_CLIENT_GETS.items():
        message = _queue(key, client, documents.get(document))
        expected = closed_gets or status in OPEN
        assert (message is not None) == expected, (key, document, status)
    assert EmailMessage.objects.count() == (
        len(CLOSED_CLIENT_GETS) if status in OPEN else sum(CLOSED_CLIENT_GETS.values()))


@pytest.mark.parametrize("status", CLOSED)
def test_a_message_queued_before_the_close_is_withheld_and_an_invoice_still_goes(smtp_server, make_client, status):
    client = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")  # queued: document_issued
    reminder = _queue(kinds.PROFORMA_REMINDER, client, proforma)
    paid = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    proforma_pay(actor=None, document_id=paid.pk, amount=str(paid.total))  # queued: its proforma, the thanks
    invoice = Document.objects.get(pk=paid.pk).related
    _set_status(client, status)  # staff close the client before the sending job ran

    assert send_due_emails() == {"sent": 1, "failed": 0, "given_up": 0, "withheld": 3}
    (received,) = smtp_server.messages
    assert received["To"] == client.owner.email and received["Subject"] == f"Payment received for {paid.number}"
    (attachment,) = list(received.iter_attachments())
    assert attachment.get_content() == stored_pdf(invoice)
    withheld = EmailMessage.objects.filter(status=EmailStatus.WITHHELD)
    assert {m.template for m in withheld} == {kinds.DOCUMENT_ISSUED, kinds.PROFORMA_REMINDER}
    assert reminder.pk in {m.pk for m in withheld}
    assert all(m.last_error == CLIENT_CLOSED and m.attempts == 0 and m.sent_at is None for m in withheld)
    assert send_due_emails() == {"sent": 0, "failed": 0, "given_up": 0}  # never tried again

    with pytest.raises(Conflict):  # nor resent by staff
        email_resend(actor=None, email_id=reminder.pk)


@pytest.mark.parametrize("status", OPEN)
def test_an_active_or_inactive_client_is_sent_what_was_queued(smtp_server, make_client, status):
    client = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    _queue(kinds.PROFORMA_REMINDER, client, proforma)
    _set_status(client, status)
    assert send_due_emails() == {"sent": 2, "failed": 0, "given_up": 0}
    assert len(smtp_server.messages) == 2


@pytest.mark.parametrize("status", CLOSED)
def test_a_credit_note_staff_issue_after_the_close_reaches_the_client_with_its_pdf(smtp_server, make_client,
                                                                                    staff, status):
    client = make_client(currency="USD")
    paid = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    proforma_pay(actor=None, document_id=paid.pk, amount=str(paid.total))
    send_due_emails()
    smtp_server.messages.clear()
    _set_status(client, status)
    note = credit_note_issue(actor=staff, invoice_id=Document.objects.get(pk=paid.pk).related_id,
                             net_amount="5").note
    send_due_emails()
    (received,) = smtp_server.messages
    assert note.number in received["Subject"]
    (attachment,) = list(received.iter_attachments())
    assert attachment.get_content() == stored_pdf(note)
    # A proforma staff issue for it is not sent: it asks to pay through the portal its users lost.
    proforma_issue(actor=staff, client_id=client.pk, items=[{"description": "Hosting", "quantity": "1",
                                                             "unit_price": "10"}])
    assert send_due_emails() == {"sent": 0, "failed": 0, "given_up": 0}


@pytest.mark.parametrize("status", CLOSED)
def test_reminders_and_low_balance_warnings_skip_a_closed_client(make_client, status):
    closed, active = make_client(currency="USD"), make_client(currency="USD")
    product = Product.objects.create(key="vps-h", name="VPS hourly", module="sample")
    price = Price.objects.create(product=product, currency="USD", period="HOURLY", amount=Decimal("0.1000"))
    proformas = {}
    for client in (closed, active):
        entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("10"), description="Top-up")
        service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
        proformas[client.pk] = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    _set_status(closed, status)
    due = proformas[active.pk].due_date
    assert job_proforma_reminders(now=due) == {"reminders": 1}
    assert list(EmailMessage.objects.filter(template=kinds.PROFORMA_REMINDER).values_list("client_id", flat=True)
                ) == [active.pk]

    call_command("run_automation", "--at", T.isoformat())  # provisions, charges the first hour, warns
    assert list(EmailMessage.objects.filter(template=kinds.LOW_BALANCE).values_list("client_id", flat=True)) == [
        active.pk]
    assert job_low_balance_warnings(now=T + dt.timedelta(days=8)) == {"warned": 1}  # the active one again


@pytest.mark.parametrize("status", CLOSED)
def test_a_password_reset_goes_only_while_the_user_may_sign_in_for_another_client(smtp_server, make_client,
                                                                                   status):
    closed, other = make_client(), make_client()
    _set_status(closed, status)
    password_reset_request(email=closed.owner.email)  # its only client is closed
    assert not EmailMessage.objects.filter(template=kinds.PASSWORD_RESET).exists()

    client_user_link(actor=None, client_id=other.pk, data={"email": closed.owner.email,
                                                           "permissions": ["manage-invoices"]})
    password_reset_request(email=closed.owner.email)  # it signs in for the other client
    send_due_emails()
    (received,) = [m for m in smtp_server.messages if m["To"] == closed.owner.email]
    assert "/portal/password/reset/" in received.get_body(("plain",)).get_content()

    password_reset_request(email=closed.owner.email)
    _set_status(other, status)  # its last open client closes before the reset went out
    assert send_due_emails() == {"sent": 0, "failed": 0, "given_up": 0, "withheld": 1}
    assert len([m for m in smtp_server.messages if m["To"] == closed.owner.email]) == 1
    withheld = EmailMessage.objects.get(template=kinds.PASSWORD_RESET, status=EmailStatus.WITHHELD)
    assert withheld.links == {}  # its one-time link is forgotten, as a sent one's is


@pytest.mark.parametrize("status", CLOSED)
def test_staff_bulk_e_mail_skips_a_closed_client(make_client, staff, status):
    closed, active = make_client(), make_client()
    _set_status(closed, status)
    EmailMessage.objects.all().delete()
    welcome = clients_bulk_email(progress=lambda *args, **kwargs: None, actor_id=str(staff.pk),
                                 client_ids=[str(closed.pk), str(active.pk)], template=kinds.WELCOME)
    assert (welcome["counts"]["sent"], welcome["counts"]["skipped"]) == (1, 1)
    message = clients_bulk_email(progress=lambda *args, **kwargs: None, actor_id=str(staff.pk),
                                 client_ids=[str(closed.pk), str(active.pk)], template=kinds.STAFF_MESSAGE,
                                 subject="Maintenance", text="On Sunday.", recipients=TO_ALL_USERS)
    assert (message["counts"]["sent"], message["counts"]["skipped"]) == (1, 1)
    assert set(EmailMessage.objects.values_list("client_id", "template")) == {
        (active.pk, kinds.WELCOME), (active.pk, kinds.STAFF_MESSAGE)}
