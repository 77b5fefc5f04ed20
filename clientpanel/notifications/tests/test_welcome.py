"""The welcome e-mail: sent only when asked (create form, Quick Create, API, Summary), in the
client's language, with a working set-password link when the owner has no password."""

import re

import pytest
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.services import client_create, client_user_link, client_user_remove, client_welcome_send
from clientpanel.core.errors import Conflict, PermissionDenied
from clientpanel.notifications.links import links_filled
from clientpanel.notifications.models import EmailMessage, EmailStatus
from clientpanel.notifications.rules import USER_UNLINKED
from clientpanel.notifications.sending import send_due_emails
from clientpanel.notifications.services import email_resend
from conftest import client_data

pytestmark = pytest.mark.django_db


def _link(text: str) -> str:
    return re.search(r"http://\S+/portal/password/set/\S+/", text).group(0)


def test_a_polish_client_created_by_api_with_the_welcome_gets_it_in_polish_and_can_set_a_password(
        api, client, smtp_server):
    data = client_data(language="pl", currency="PLN", email="nowy@example.com")
    created = api.post("/clients", {**data, "send_welcome_email": True})
    assert created.status_code == 201, created.content
    assert send_due_emails()["sent"] == 1
    (welcome,) = smtp_server.messages
    assert welcome["To"] == "nowy@example.com"
    assert welcome["Subject"].startswith("Witamy w ")
    body = welcome.get_body(("plain",)).get_content()
    assert "Ustaw hasło tutaj" in body

    link = _link(body).removeprefix("http://127.0.0.1:8000")
    assert client.get(link).status_code == 200
    done = client.post(link, {"password": "nowe-haslo-do-panelu", "password_again": "nowe-haslo-do-panelu"})
    assert done.status_code == 200
    assert client.get(link).status_code == 400  # once only


def test_creating_a_client_sends_nothing_unless_asked(api, make_client):
    make_client()
    assert api.post("/clients", client_data()).status_code == 201
    assert not EmailMessage.objects.exists()


def test_an_owner_with_a_password_gets_the_welcome_without_a_link(smtp_server):
    client_create(actor=None, data=client_data(password="a-long-passphrase-1"), send_welcome_email=True)
    send_due_emails()
    (welcome,) = smtp_server.messages
    assert "/portal/password/set/" not in welcome.get_body(("plain",)).get_content()


def test_staff_send_the_welcome_again_from_the_summary_and_others_may_not(staff_client, client, make_client):
    owner_client = make_client()
    url = reverse("backoffice:client-welcome-email", args=[owner_client.pk])
    response = staff_client.post(url)
    assert response.status_code == 302
    assert EmailMessage.objects.filter(client_id=owner_client.pk, template="welcome").count() == 1

    reader = staff_create(email="reader@example.com", password="correct-horse-battery", roles=["Read-only"])
    client.force_login(reader)
    assert client.post(url).status_code == 403
    assert EmailMessage.objects.filter(client_id=owner_client.pk).count() == 1


def test_the_create_forms_carry_the_welcome_checkbox(staff_client):
    page = staff_client.get(reverse("backoffice:client-create")).content.decode()
    checkbox = re.search(r'<input type="checkbox" name="send_welcome_email"[^>]*>', page).group(0)
    assert "checked" in checkbox  # ticked by default (CLIENTPANEL_WELCOME_EMAIL_DEFAULT)
    data = client_data(email="form@example.com")
    form = {"email": data["email"], "firstname": "Ann", "lastname": "Form", "language": "en", "currency": "USD",
            "status": "NEW", "billing_country": "PL", "send_welcome_email": "on"}
    response = staff_client.post(reverse("backoffice:client-create"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert EmailMessage.objects.filter(recipient="form@example.com", template="welcome").count() == 1
    quick = {"quick-firstname": "Qu", "quick-lastname": "Ick", "quick-email": "quick@example.com",
             "quick-country": "PL"}
    assert staff_client.post(reverse("backoffice:client-quick-create"), quick).status_code == 302
    assert not EmailMessage.objects.filter(recipient="quick@example.com").exists()  # unticked: nothing


def test_a_welcome_sent_through_the_service_needs_edit_clients(make_client):
    owner_client = make_client()
    reader = staff_create(email="reader2@example.com", password="correct-horse-battery", roles=["Read-only"])
    with pytest.raises(PermissionDenied):
        client_welcome_send(actor=reader, client_id=owner_client.pk)


def test_an_invited_new_user_gets_a_link_an_existing_one_none_and_nobody_is_invited_unasked(make_client):
    client = make_client(language="pl")
    client_user_link(actor=None, client_id=client.pk, send_invitation=True, data={
        "email": "nowa@example.com", "firstname": "Nowa", "lastname": "Osoba", "permissions": []})
    invitation = EmailMessage.objects.get(recipient="nowa@example.com")
    assert invitation.template == "invitation" and invitation.subject.startswith("Masz dostęp do konta")
    assert "/portal/password/set/" in links_filled(invitation.body_text, invitation.links)
    other = make_client()
    client_user_link(actor=None, client_id=other.pk, send_invitation=True, data={
        "email": "nowa@example.com", "permissions": []})
    again = EmailMessage.objects.filter(recipient="nowa@example.com").order_by("-id").first()
    assert again.pk != invitation.pk and "/portal/password/set/" in links_filled(again.body_text, again.links)
    client_user_link(actor=None, client_id=other.pk, data={
        "email": "quiet@example.com", "firstname": "Q", "lastname": "Uiet", "permissions": []})
    assert not EmailMessage.objects.filter(recipient="quiet@example.com").exists()


def test_the_api_invites_a_linked_user_and_sets_reminder_days(api, make_client):
    client = make_client()
    linked = api.post(f"/clients/{client.pk}/users", {"email": "api-invited@example.com", "firstname": "A",
                                                       "lastname": "Pi", "send_invitation": True})
    assert linked.status_code == 201, linked.content
    assert EmailMessage.objects.filter(recipient="api-invited@example.com", template="invitation").count() == 1
    group = api.post("/groups", {"name": "Slow payers", "reminder_days_before": 10, "reminder_days_overdue": 0})
    assert group.status_code == 201 and group.json()["reminder_days_before"] == 10
    assert api.post("/groups", {"name": "Bad", "reminder_days_before": 61}).status_code == 422


def test_the_welcome_names_the_portals_login_page(make_client):
    client = make_client()
    client_welcome_send(actor=None, client_id=client.pk)
    welcome = EmailMessage.objects.get(client_id=client.pk, template="welcome")
    assert "http://127.0.0.1:8000/portal/login/" in welcome.body_text


@pytest.mark.parametrize("status", ["CLOSED", "FRAUD"])
def test_a_closed_clients_summary_offers_no_welcome_and_a_post_is_refused_in_words(staff_client, make_client, status):
    closed = make_client(status=status)
    summary = staff_client.get(reverse("backoffice:client-summary", args=[closed.pk]))
    assert summary.status_code == 200 and b'id="send-welcome-email"' not in summary.content
    response = staff_client.post(reverse("backoffice:client-welcome-email", args=[closed.pk]), follow=True)
    assert response.status_code == 200
    assert "receive no welcome e-mail" in response.content.decode() and b"queued" not in response.content
    assert not EmailMessage.objects.filter(client_id=closed.pk).exists()
    assert AuditEvent.objects.filter(client_id=closed.pk, action="client.welcome_email").count() == 0
    with pytest.raises(Conflict):
        client_welcome_send(actor=None, client_id=closed.pk)
    open_one = make_client(status="INACTIVE")
    offered = staff_client.get(reverse("backoffice:client-summary", args=[open_one.pk]))
    assert b'id="send-welcome-email"' in offered.content


def test_an_invitation_withdrawn_before_the_sending_job_ran_is_withheld_and_not_resent(make_client, smtp_server):
    client = make_client()
    for email in ("withdrawn@example.com", "kept@example.com"):
        client_user_link(actor=None, client_id=client.pk, send_invitation=True, data={
            "email": email, "firstname": "In", "lastname": "Vited", "permissions": []})
    withdrawn = EmailMessage.objects.get(recipient="withdrawn@example.com")
    client_user_remove(actor=None, client_id=client.pk, user_id=withdrawn.user_id)  # its login goes too

    assert send_due_emails() == {"sent": 1, "failed": 0, "given_up": 0, "withheld": 1}
    assert [m["To"] for m in smtp_server.messages] == ["kept@example.com"]
    withdrawn.refresh_from_db()
    assert (withdrawn.status, withdrawn.last_error, withdrawn.links) == (
        EmailStatus.WITHHELD, USER_UNLINKED, {})
    with pytest.raises(Conflict) as refused:
        email_resend(actor=None, email_id=withdrawn.pk)
    assert refused.value.code == "email_user_unlinked"


def test_an_invitation_to_a_login_linked_elsewhere_is_withheld_once_this_client_removed_it(make_client, smtp_server):
    first, second = make_client(), make_client()
    for client in (first, second):
        client_user_link(actor=None, client_id=client.pk, send_invitation=True, data={
            "email": "twice@example.com", "firstname": "Two", "lastname": "Links", "permissions": []})
    from_first, from_second = EmailMessage.objects.filter(recipient="twice@example.com").order_by("id")
    client_user_remove(actor=None, client_id=first.pk, user_id=from_first.user_id)  # the login stays: second's

    assert send_due_emails() == {"sent": 1, "failed": 0, "given_up": 0, "withheld": 1}
    from_first.refresh_from_db(), from_second.refresh_from_db()
    assert (from_first.status, from_second.status) == (EmailStatus.WITHHELD, EmailStatus.SENT)
