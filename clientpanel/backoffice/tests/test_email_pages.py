"""The E-mails tab, one message, Resend and Settings → E-mail log, and who sees what."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.clients.services import client_welcome_send, staff_assignments_set
from clientpanel.notifications.models import EmailMessage, EmailStatus
from clientpanel.notifications.sending import send_due_emails
from clientpanel.notifications.services import password_reset_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def welcomed(make_client):
    clients = [make_client(), make_client()]
    for c in clients:
        client_welcome_send(actor=None, client_id=c.pk)
    return clients


def test_the_emails_tab_lists_the_clients_messages_only(staff_client, welcomed):
    mine, other = welcomed
    page = staff_client.get(reverse("backoffice:client-emails", args=[mine.pk])).content.decode()
    assert mine.owner.email in page and other.owner.email not in page
    assert "Queued" in page


def test_a_message_shows_its_body_and_resend_queues_a_copy(staff_client, welcomed):
    mine, _ = welcomed
    email = EmailMessage.objects.get(client_id=mine.pk)
    EmailMessage.objects.filter(pk=email.pk).update(status=EmailStatus.GIVEN_UP, attempts=1,
                                                    last_error="user@x: 550 No such user here")
    page = staff_client.get(reverse("backoffice:email-detail", args=[email.pk])).content.decode()
    assert "550 No such user here" in page and email.body_text.splitlines()[0] in page
    response = staff_client.post(reverse("backoffice:email-resend", args=[email.pk]))
    copy = EmailMessage.objects.filter(client_id=mine.pk).exclude(pk=email.pk).get()
    assert response.status_code == 302 and copy.status == EmailStatus.QUEUED and copy.body_text == email.body_text


def test_a_limited_staff_member_reaches_no_other_clients_message_by_id(client, welcomed):
    mine, other = welcomed
    limited = staff_create(email="limited@example.com", password="correct-horse-battery", roles=["Support"],
                           limited_to_assigned_clients=True)
    staff_assignments_set(actor=None, staff_id=limited.pk, client_ids=[mine.pk])
    client.force_login(limited)
    foreign = EmailMessage.objects.get(client_id=other.pk)
    assert client.get(reverse("backoffice:email-detail", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("backoffice:email-resend", args=[foreign.pk])).status_code == 404
    log = client.get(reverse("backoffice:email-log")).content.decode()
    assert mine.owner.email in log and other.owner.email not in log


def test_resend_needs_edit_clients_and_a_csrf_token(client, welcomed, staff):
    mine, _ = welcomed
    email = EmailMessage.objects.get(client_id=mine.pk)
    reader = staff_create(email="reader@example.com", password="correct-horse-battery", roles=["Read-only"])
    client.force_login(reader)
    assert client.post(reverse("backoffice:email-resend", args=[email.pk])).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    assert strict.post(reverse("backoffice:email-resend", args=[email.pk])).status_code == 403
    assert EmailMessage.objects.filter(client_id=mine.pk).count() == 1


def test_the_log_filters_by_status_and_refuses_a_bad_one(staff_client, welcomed):
    mine, other = welcomed
    EmailMessage.objects.filter(client_id=mine.pk).update(status=EmailStatus.SENT)
    sent = staff_client.get(reverse("backoffice:email-log"), {"status": "sent"}).content.decode()
    assert mine.owner.email in sent and other.owner.email not in sent
    bad = staff_client.get(reverse("backoffice:email-log"), {"status": "exploded"})
    assert bad.status_code == 400


def test_a_failing_mail_server_shows_on_the_dashboard_and_automation(staff_client, welcomed):
    mine, other = welcomed
    assert 'id="email-health"' not in staff_client.get(reverse("backoffice:dashboard")).content.decode()
    EmailMessage.objects.filter(client_id=mine.pk).update(status=EmailStatus.FAILED, attempts=2,
                                                         last_error="ConnectionRefusedError: [Errno 111]")
    EmailMessage.objects.filter(client_id=other.pk).update(status=EmailStatus.GIVEN_UP, last_error="550 No such user")
    for page in ("backoffice:dashboard", "backoffice:automation"):
        html = staff_client.get(reverse(page)).content.decode()
        assert "1 message waits after a failure" in html and "1 message given up" in html
        assert "?status=failed" in html


def test_a_one_time_link_reaches_its_recipient_and_nobody_else(staff_client, client, make_client, smtp_server):
    """A password reset's link would let whoever reads it into the account: the stored message,
    the E-mails tab and a resend never hold it; only the message that is sent does."""
    owner = make_client().owner
    client.post(reverse("portal:password_reset"), {"email": owner.email})
    message = EmailMessage.objects.get(template="password_reset")
    assert "/portal/password/reset/" not in message.subject + message.body_text + message.body_html
    page = staff_client.get(reverse("backoffice:email-detail", args=[message.pk])).content.decode()
    assert "/portal/password/reset/" not in page and "one-time link, sent only to the recipient" in page

    assert send_due_emails()["sent"] == 1
    (sent,) = smtp_server.messages
    link = re.search(r"http://\S+(/portal/password/reset/\S+/)", sent.get_body(("plain",)).get_content()).group(1)
    assert client.get(link).status_code == 200  # the recipient's link works
    message.refresh_from_db()
    assert message.links == {}  # and is forgotten once sent

    refused = staff_client.post(reverse("backoffice:email-resend", args=[message.pk]), follow=True)
    assert "held a one-time link" in refused.content.decode()
    assert EmailMessage.objects.filter(template="password_reset").count() == 1


def test_an_unsent_message_keeps_its_link_for_a_resend_to_the_same_recipient(staff_client, make_client):
    owner = make_client().owner
    password_reset_request(email=owner.email)
    message = EmailMessage.objects.get(template="password_reset")
    staff_client.post(reverse("backoffice:email-resend", args=[message.pk]))
    copy = EmailMessage.objects.filter(template="password_reset").exclude(pk=message.pk).get()
    assert copy.recipient == owner.email and copy.links == message.links and copy.links["reset_password_url"]
