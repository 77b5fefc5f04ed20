"""Which messages the users of a CLOSED or FRAUD client are still sent — the one rule, asked by
services.email_queue when a message is queued and by sending.py again just before it is sent (a
message queued before staff closed the client is then not sent: it is WITHHELD, as is an invitation
or welcome whose user staff removed from the client meanwhile: withheld_reason).

A closed client is closed to its users (clients.rules.portal_open), so what serves the portal or
comes from automation — reminders, low-balance warnings, auto top-up failures, service notices, a
proforma to pay, welcomes, invitations, messages staff write to clients — is not sent. What goes
(MessageKind.closed_client): an invoice or a credit note (the buyer must receive it, whoever issued
it; the message carries no portal link), a password reset or address confirmation while the user
may still sign in for another client that is open, the notice that a password was changed (no
link; it guards the person's login), and everything to staff (no client). NEW, ACTIVE and INACTIVE
clients are sent everything, as before."""

from __future__ import annotations

from collections.abc import Iterable

from clientpanel.clients.models import Client, ClientUser
from clientpanel.clients.rules import portal_open, portal_open_q
from clientpanel.invoicing.models import Document, DocumentType

from .kinds import INVITATION, LEGAL_DOCUMENTS, MESSAGE_KINDS, OPEN_LOGIN, SENT, WELCOME

# What a buyer must be given (an accounting document); a proforma is only a request to pay.
LEGAL_DOCUMENT_TYPES = frozenset({DocumentType.INVOICE, DocumentType.CREDIT_NOTE})


def message_goes(key: str, *, client_status: str | None, user_id=None, attachments: Iterable[dict] = ()) -> bool:
    """Whether the message `key` about a client with this status (None: about no client, or one
    that is gone) goes to the user: always unless the client is CLOSED or FRAUD; then as its kind
    says. Reads the attached documents or the user's other clients only for a closed client."""
    if client_status is None or portal_open(client_status):
        return True
    rule = MESSAGE_KINDS[key].closed_client if key in MESSAGE_KINDS else None
    if rule == SENT:
        return True
    if rule == LEGAL_DOCUMENTS:
        ids = [reference.get("document_id") for reference in attachments]
        types = set(Document.objects.filter(pk__in=ids).values_list("type", flat=True)) if ids else set()
        return bool(types) and types <= LEGAL_DOCUMENT_TYPES
    if rule == OPEN_LOGIN:
        return user_id is not None and login_open(user_id)
    return False


def login_open(user_id) -> bool:
    """Whether the user may still sign in to the portal: it is linked to a client that is open (or
    to none, as a staff member is)."""
    links = ClientUser.objects.filter(user_id=user_id)
    return not links.exists() or links.filter(portal_open_q("client__")).exists()


# Why a queued message is not sent after all: kept on it (WITHHELD) for the E-mails tab, stored in
# English like the mail server's errors.
CLIENT_CLOSED = "Not sent: the client was closed or marked as fraud before it went."
USER_UNLINKED = "Not sent: the user was removed from the client before it went."
# The messages that are about a user's link to a client — its greeting and the link to choose a
# password: once staff removed the user from the client (an invitation withdrawn), they are void.
LINK_MESSAGES = frozenset({WELCOME, INVITATION})


def withheld_reason(message) -> str | None:
    """Why a queued EmailMessage may not go now (None: it goes): its client is closed (message_goes,
    with the client's status as it is now), or it is a link message to a user no longer linked to
    its client."""
    if message.client_id is None:
        return None
    if message.template in LINK_MESSAGES and not (
            message.user_id is not None
            and ClientUser.objects.filter(client_id=message.client_id, user_id=message.user_id).exists()):
        return USER_UNLINKED
    status = Client.objects.filter(pk=message.client_id).values_list("status", flat=True).first()
    goes = message_goes(message.template, client_status=status, user_id=message.user_id,
                        attachments=message.attachments or ())
    return None if goes else CLIENT_CLOSED
