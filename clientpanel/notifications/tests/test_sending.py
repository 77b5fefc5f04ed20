"""E-mail through a real SMTP server: what arrives, in which language, with which attachment, and
what happens when the server is down or refuses a recipient."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from clientpanel.clients.services import client_user_link
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.invoicing.storage import stored_pdf
from clientpanel.notifications.models import EmailMessage, EmailStatus
from clientpanel.notifications.sending import EMAIL_RETRY, send_due_emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def polish_client(make_client):
    return make_client(language="pl", currency="PLN")


def _pdf_of(message) -> bytes:
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    return attachment.get_content()


def test_an_issued_proforma_reaches_a_polish_client_in_polish_with_its_stored_pdf(smtp_server, polish_client):
    proforma = proforma_add_funds(actor=None, client_id=polish_client.pk, net_amount="100")
    queued = EmailMessage.objects.get(client_id=polish_client.pk)
    assert (queued.template, queued.language, queued.status) == ("document_issued", "pl", EmailStatus.QUEUED)

    assert send_due_emails() == {"sent": 1, "failed": 0, "given_up": 0}

    (received,) = smtp_server.messages
    assert received["To"] == polish_client.owner.email
    assert received["Subject"] == f"Proforma {proforma.number} od {proforma.company_snapshot['name']}"
    assert "Termin płatności" in received.get_body(("plain",)).get_content()
    assert _pdf_of(received) == stored_pdf(Document.objects.get(pk=proforma.pk))
    queued.refresh_from_db()
    assert queued.status == EmailStatus.SENT and queued.attempts == 1 and queued.sent_at is not None


def test_a_paid_proforma_sends_one_thanks_with_the_invoice_and_nothing_else(smtp_server, make_client):
    client = make_client(language="en", currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    send_due_emails()
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert subjects == [f"Proforma {proforma.number} from {proforma.company_snapshot['name']}",
                        f"Payment received for {proforma.number}"]
    invoice = Document.objects.get(pk=proforma.pk).related
    thanks = smtp_server.messages[1]
    assert invoice.number in thanks.get_body(("plain",)).get_content()
    assert _pdf_of(thanks) == stored_pdf(invoice)


def test_a_rolled_back_payment_queues_nothing(make_client):
    client = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    before = EmailMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
        raise RuntimeError("the caller fails after paying")
    assert EmailMessage.objects.count() == before


def test_users_with_manage_invoices_get_the_documents_and_the_others_do_not(smtp_server, make_client):
    client = make_client(currency="USD")
    client_user_link(actor=None, client_id=client.pk, data={
        "email": "books@example.com", "firstname": "Bo", "lastname": "Oks", "permissions": ["manage-invoices"]})
    client_user_link(actor=None, client_id=client.pk, data={
        "email": "tech@example.com", "firstname": "Te", "lastname": "Ch", "permissions": ["manage-services"]})
    proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    send_due_emails()
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([client.owner.email, "books@example.com"])


def test_smtp_down_for_an_hour_loses_nothing_and_each_message_arrives_once(smtp_server, make_client):
    client = make_client(currency="USD")
    smtp_server.stop()
    for amount in ("10", "20", "30"):
        proforma_add_funds(actor=None, client_id=client.pk, net_amount=amount)
    now = timezone.now()
    assert send_due_emails(now=now) == {"sent": 0, "failed": 3, "given_up": 0}
    waiting = EmailMessage.objects.filter(client_id=client.pk)
    assert {m.status for m in waiting} == {EmailStatus.FAILED}
    assert all(m.next_attempt_at == now + EMAIL_RETRY.delay(1) for m in waiting)
    assert all("Connection refused" in m.last_error or "Errno" in m.last_error for m in waiting)

    minute = now
    for _ in range(6):  # an hour of retries against a dead server: each fails, none is given up
        minute = max(m.next_attempt_at for m in EmailMessage.objects.filter(client_id=client.pk))
        send_due_emails(now=minute)
    assert set(EmailMessage.objects.filter(client_id=client.pk).values_list("status", flat=True)) == {
        EmailStatus.FAILED}
    assert minute - now >= dt.timedelta(hours=1)

    smtp_server.start()
    later = minute + dt.timedelta(hours=3)
    assert send_due_emails(now=later) == {"sent": 3, "failed": 0, "given_up": 0}
    assert send_due_emails(now=later + dt.timedelta(days=1)) == {"sent": 0, "failed": 0, "given_up": 0}
    assert len(smtp_server.messages) == 3


def test_a_refused_recipient_fails_that_message_only_and_at_once(smtp_server, make_client):
    refused = make_client(currency="USD")
    fine = make_client(currency="USD")
    smtp_server.mailbox.refuse.add(refused.owner.email)
    proforma_add_funds(actor=None, client_id=refused.pk, net_amount="10")
    proforma_add_funds(actor=None, client_id=fine.pk, net_amount="10")
    assert send_due_emails() == {"sent": 1, "failed": 0, "given_up": 1}
    given_up = EmailMessage.objects.get(client_id=refused.pk)
    assert given_up.status == EmailStatus.GIVEN_UP and given_up.last_error.startswith(f"{refused.owner.email}: 550")
    assert [m["To"] for m in smtp_server.messages] == [fine.owner.email]


@pytest.mark.django_db(transaction=True)
def test_two_consumers_send_each_message_once(smtp_server, make_client, on_postgres):
    if not on_postgres:
        pytest.skip("row locks (SKIP LOCKED) are PostgreSQL's; SQLite takes turns in one process")
    client = make_client(currency="USD")
    for n in range(20):
        proforma_add_funds(actor=None, client_id=client.pk, net_amount=str(10 + n))
    # Queued by commits in this test; the immediate-mode send after each commit went out already.
    EmailMessage.objects.update(status=EmailStatus.QUEUED, attempts=0, sent_at=None)
    smtp_server.messages.clear()
    results = []

    def consume():
        try:
            results.append(send_due_emails())
        finally:
            connection.close()

    threads = [threading.Thread(target=consume) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["sent"] for r in results) == 20
    assert len(smtp_server.messages) == 20
    assert len({m["Subject"] for m in smtp_server.messages}) == 20
