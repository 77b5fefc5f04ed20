"""E-mails staff choose to send to clients (issue 13, the directory's bulk Send e-mail): the welcome
again (to each owner, with a set-password link when it has no password), or a message staff write
(the "staff_message" template around their subject and text) to each client's owner or all its
users. Client by client, each in its own transaction, audited on the client."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.clients.models import Client, ClientUser
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.clients.services import bulk_actor, client_welcome_send, clients_bulk_apply
from clientpanel.core.errors import FieldErrors, ValidationFailed, require
from clientpanel.core.locks import lock_one
from clientpanel.core.text import clean_text, has_visible_text

from . import policies
from .kinds import STAFF_MESSAGE, WELCOME
from .models import EmailMessage
from .rules import message_goes
from .services import client_context, client_language, email_queue

# The messages staff may send to clients they pick; the others are sent by what causes them (a
# document issued, a payment, a service's status, a reminder) or to one user (invitation, reset).
BULK_EMAIL_TEMPLATES = (STAFF_MESSAGE, WELCOME)
TO_OWNER = "owner"
TO_ALL_USERS = "users"
RECIPIENT_CHOICES = (TO_OWNER, TO_ALL_USERS)
SUBJECT_LIMIT = 200
TEXT_LIMIT = 10_000


def staff_message_clean(*, subject: object, text: object, recipients: object) -> tuple[str, str, str]:
    """The subject (one line), text and recipients of a message from staff, or ValidationFailed
    naming each problem."""
    errors = FieldErrors()
    subject = clean_text(subject, "subject", errors, limit=SUBJECT_LIMIT, single_line=True)
    if not errors.fields.get("subject") and not has_visible_text(subject):
        errors.add("subject", _("Write a subject."))
    text = clean_text(text, "text", errors, limit=TEXT_LIMIT)
    if not errors.fields.get("text") and not has_visible_text(text):
        errors.add("text", _("Write the message."))
    if recipients not in RECIPIENT_CHOICES:
        errors.add("recipients", _("Send it to the owner or to all the client's users."))
    errors.raise_if_any()
    return subject, text, str(recipients)


def client_message_send(*, actor: ActorLike, client_id, subject: str, text: str,
                        recipients: str = TO_OWNER) -> list[EmailMessage]:
    """Queue a message staff wrote to the client's owner or to all its active users, in the client's
    language, sent once this commits; recorded on the client (client.staff_message, with the
    subject and the addresses) when it goes to anybody. A user who switched messages from staff off
    (or whose home company did) gets none. Locks the client row."""
    actor = as_actor(actor)
    require(policies.can_send_client_emails(actor), _("You are not allowed to send e-mails to clients."))
    subject, text, recipients = staff_message_clean(subject=subject, text=text, recipients=recipients)
    with transaction.atomic():
        client = lock_one(clients_visible_to(actor), _("Client not found."), pk=client_id)
        links = ClientUser.objects.filter(client=client, user__is_active=True, user__is_staff=False)
        if recipients == TO_OWNER:
            links = links.filter(user_id=client.owner_id)
        users = sorted((link.user for link in links.select_related("user")), key=lambda user: user.email)
        language = client_language(client)
        queued = [message for message in (
            email_queue(key=STAFF_MESSAGE, user=user, client=client, language=language,
                        context={**client_context(client, user), "message_subject": subject, "message_text": text})
            for user in users) if message is not None]
        if queued:
            audit_record(action="client.staff_message", target=client, client_id=client.pk, changes={
                "subject": [None, subject], "recipients": [None, [message.recipient for message in queued]]})
    return queued


def clients_bulk_email(*, progress: Callable[..., None], actor_id: str, client_ids: list, template: str,
                       subject: str = "", text: str = "", recipients: str = TO_OWNER, ip: str | None = None) -> dict:
    """Background task "clients.bulk_email": the welcome to each client's owner, or a message from
    staff to each client's owner or users — per client its own transaction and audit event. The
    staff member must still be allowed to send e-mails to clients and see each client; the message
    is checked once before any client is touched."""
    actor = bulk_actor(actor_id, ip)
    require(policies.can_send_client_emails(actor), _("You are not allowed to send e-mails to clients."))
    if template == WELCOME:
        def apply(client_id) -> dict[str, int]:
            status = Client.objects.filter(pk=client_id).values_list("status", flat=True).first()
            if status is not None and not message_goes(WELCOME, client_status=status):
                return {"skipped": 1}  # a closed client's owner is not welcomed (rules.py)
            client_welcome_send(actor=actor, client_id=client_id)
            return {"sent": 1, "messages": 1}
    elif template == STAFF_MESSAGE:
        subject, text, recipients = staff_message_clean(subject=subject, text=text, recipients=recipients)

        def apply(client_id) -> dict[str, int]:
            queued = client_message_send(actor=actor, client_id=client_id, subject=subject, text=text,
                                         recipients=recipients)
            return {"sent": 1, "messages": len(queued)} if queued else {"skipped": 1}
    else:
        raise ValidationFailed(_("There is no such e-mail template to send."),
                               fields={"template": [_("Choose one of the templates offered.")]})
    result = clients_bulk_apply(actor=actor, client_ids=client_ids, progress=progress, apply=apply)
    return {"action": "email", "template": template, "value": subject if template == STAFF_MESSAGE else "",
            "recipients": recipients if template == STAFF_MESSAGE else TO_OWNER, **result}
