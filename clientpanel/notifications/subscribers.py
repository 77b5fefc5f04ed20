"""What e-mail listens to: domain events, each turned into the messages it causes, queued in the
event's own transaction (core/events.py). Connected from NotificationsConfig.ready()."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from django.urls import reverse
from django.utils import timezone, translation

from clientpanel.accounts.events import PasswordChanged
from clientpanel.accounts.links import SET_PASSWORD, link_args
from clientpanel.accounts.models import User
from clientpanel.accounts.roles import FINANCE
from clientpanel.accounts.selectors import staff_holding
from clientpanel.client_services.events import ServiceStatusChanged
from clientpanel.client_services.models import SUSPENSION_REASONS, Service, ServiceStatus
from clientpanel.clients.events import (
    ClientRegistered,
    ClientUserInvited,
    PasswordResetEmailRequested,
    WelcomeEmailRequested,
)
from clientpanel.clients.models import Client, ClientUser
from clientpanel.clients.permissions import ALL_PERMISSIONS
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.core.events import subscribe
from clientpanel.core.money import display_amount
from clientpanel.invoicing.events import DocumentIssued, DocumentPaid
from clientpanel.invoicing.models import Document, DocumentType
from clientpanel.payments.events import AutoTopUpFailed, PaymentHeld, PaymentReversedAtGateway
from clientpanel.payments.models import GatewayReversal, PaymentAttempt
from clientpanel.payments.selectors import reversal_notices

from .kinds import (
    AUTO_TOP_UP_FAILED,
    DOCUMENT_ISSUED,
    INVITATION,
    PASSWORD_CHANGED,
    PAYMENT_HELD,
    PAYMENT_RECEIVED,
    PAYMENT_REVERSED,
    SERVICE_STATUS,
    WELCOME,
    receives,
)
from .models import EmailMessage
from .portal_links import document_links, document_url
from .services import (
    base_url,
    client_context,
    client_language,
    email_queue,
    password_reset_email_queue,
    user_context,
    verification_email_queue,
)


def recipients(client: Client, key: str) -> list[User]:
    """The client's active users who receive the message (kinds.receives: those holding its
    audience's permission; the owner holds them all)."""
    links = ClientUser.objects.filter(client=client, user__is_active=True, user__is_staff=False).select_related("user")
    holding = [link.user for link in links
               if receives(key, ALL_PERMISSIONS if link.user_id == client.owner_id else link.permissions)]
    return sorted(holding, key=lambda user: user.email)


def _document_context(document: Document, language: str) -> dict[str, object]:
    """What a message about a document says of it, with the links to its page in the portal and to
    paying it there (portal_links.py)."""
    with translation.override(language):
        kind = str(DocumentType(document.type).label)
    # The due day in the document's own zone, as its PDF, the portal and the reminders say it.
    due = (document.due_date.astimezone(document.zone).date().isoformat()
           if document.type == DocumentType.PROFORMA and document.due_date else "")
    return {"document_type": kind, "document_number": document.number,
            "document_total": display_amount(abs(document.total), document.currency, language), "due_date": due,
            **document_links(document, document.client)}


def on_document_issued(events: Sequence[DocumentIssued]) -> None:
    """A proforma or credit note goes to the client with its PDF. A final invoice is issued by a
    payment, and goes out with the payment's message instead (one message per purpose)."""
    for event in events:
        if event.type == DocumentType.INVOICE:
            continue
        document = Document.objects.select_related("client").get(pk=event.document_id)
        client = document.client
        language = client_language(client)
        for user in recipients(client, DOCUMENT_ISSUED):
            email_queue(key=DOCUMENT_ISSUED, user=user, client=client, language=language,
                        context={**client_context(client, user), **_document_context(document, language)},
                        attachments=[{"document_id": str(document.pk)}])


def on_document_paid(events: Sequence[DocumentPaid]) -> None:
    """A paid proforma: the thanks, with the final invoice's PDF."""
    for event in events:
        proforma = Document.objects.select_related("client").get(pk=event.document_id)
        client = proforma.client
        language = client_language(client)
        context = {**_document_context(proforma, language), "invoice_number": event.invoice_number,
                   "invoice_url": document_url(event.invoice_id, client)}
        for user in recipients(client, PAYMENT_RECEIVED):
            email_queue(key=PAYMENT_RECEIVED, user=user, client=client, language=language,
                        context={**client_context(client, user), **context},
                        attachments=[{"document_id": str(event.invoice_id)}])


def on_auto_top_up_failed(events: Sequence[AutoTopUpFailed]) -> None:
    """A declined auto top-up: the client learns why, and whether it is tried again."""
    for event in events:
        client = Client.objects.get(pk=event.client_id)
        language = client_language(client)
        retry = ""
        if event.retry_at:  # the server's time, as the panel's e-mails say dates
            retry = f"{timezone.localtime(dt.datetime.fromisoformat(event.retry_at)):%Y-%m-%d %H:%M}"
        context = {"amount": display_amount(event.amount, event.currency, language), "reason": event.reason,
                   "retry_at": retry}
        for user in recipients(client, AUTO_TOP_UP_FAILED):
            email_queue(key=AUTO_TOP_UP_FAILED, user=user, client=client, language=language,
                        reference=f"auto_top_up_failed:{event.attempt_id}",
                        context={**client_context(client, user), **context})


def _finance_staff_seeing(client: Client) -> list[User]:
    """Staff holding Finance who see the client (its money's business is theirs)."""
    return [user for user in staff_holding(FINANCE) if clients_visible_to(user).filter(pk=client.pk).exists()]


def on_payment_reversed(events: Sequence[PaymentReversedAtGateway]) -> None:
    """A refund made in the gateway's dashboard, or a dispute opened or closed: staff holding
    Finance who see the client are told, each in its language, with the line the invoice's page
    shows and a link to it (payments.reversals records it; nothing in the books moved)."""
    for event in events:
        reversal = GatewayReversal.objects.select_related("attempt__client", "attempt__home_company").get(
            pk=event.reversal_id)
        attempt, client = reversal.attempt, reversal.attempt.client
        numbers = ", ".join(part.document.number or "" for part in attempt.documents.select_related("document")
                            .order_by("pk"))
        for user in _finance_staff_seeing(client):
            _staff_client, language, context = user_context(user)
            with translation.override(language), timezone.override(attempt.home_company.zone):
                notice = reversal_notices(attempts=[attempt])[0]
                told = next(line for line in notice.lines if line["reversal"].pk == reversal.pk)
                line = f"{told['text']}. {told['fee']}" if told["fee"] else told["text"]
            link = (reverse("backoffice:document-detail", args=[notice.invoices[-1].pk]) if notice.invoices
                    else reverse("backoffice:client-transactions", args=[client.pk]))
            email_queue(key=PAYMENT_REVERSED, user=user, client=None, language=language,
                        reference=f"payment_reversed:{reversal.pk}", context={
                            **context, "client_name": client.display_name, "client_number": client.number,
                            "reversal": line, "document_numbers": numbers, "document_link": base_url() + link})


def on_payment_held(events: Sequence[PaymentHeld]) -> None:
    """Money the panel could not apply (payments.services._apply): staff holding Finance who see
    the client are told, each in its language, with a link to the Transactions tab where it is
    resolved. Once per staff member and holding: the gateway's transaction names the holding, so
    money that comes after staff settled it by hand (another transaction) is told again, and the
    same holding published twice is not. The reason is the attempt's, word for word as the tab
    shows it beside Mark resolved: written once when it was held, in that moment's language (a
    gateway's notification: English), with the figures the gateway reported in it."""
    for event in events:
        attempt = PaymentAttempt.objects.select_related("client").get(pk=event.attempt_id)
        client = attempt.client
        holding = hashlib.sha256(attempt.transaction_id.encode()).hexdigest()[:16]  # whatever the id's length
        reference = f"payment_held:{attempt.pk}:{holding}"
        told = set(EmailMessage.objects.filter(reference=reference).values_list("user_id", flat=True))
        numbers = ", ".join(part.document.number or "" for part in attempt.documents.select_related("document")
                            .order_by("pk"))
        link = base_url() + reverse("backoffice:client-transactions", args=[client.pk]) + "#payment-attempts"
        for user in _finance_staff_seeing(client):
            if user.pk in told:
                continue
            _staff_client, language, context = user_context(user)
            email_queue(key=PAYMENT_HELD, user=user, client=None, language=language, reference=reference, context={
                **context, "client_name": client.display_name, "client_number": client.number,
                "amount": display_amount(attempt.amount, attempt.currency, language), "reason": attempt.error,
                "document_numbers": numbers, "transactions_link": link})


NOTIFIED_STATUSES = {ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED, ServiceStatus.TERMINATED}


def on_service_status_changed(events: Sequence[ServiceStatusChanged]) -> None:
    """Activated, suspended (with the reason) or terminated; pending, cancelled and manual changes
    are staff's business and send nothing."""
    for event in events:
        if event.new_status not in NOTIFIED_STATUSES:
            continue
        service = Service.objects.select_related("client", "product").get(pk=event.service_id)
        client = service.client
        language = client_language(client)
        with translation.override(language):
            status = str(ServiceStatus(event.new_status).label)
            reason = str(SUSPENSION_REASONS.get(event.reason, event.reason)) if event.reason else ""
        context = {"service_name": service.product.name, "service_label": service.label, "service_status": status,
                   "reason": reason}
        for user in recipients(client, SERVICE_STATUS):
            email_queue(key=SERVICE_STATUS, user=user, client=client, language=language,
                        context={**client_context(client, user), **context})


def _with_set_password_link(key: str, events: Sequence[WelcomeEmailRequested | ClientUserInvited]) -> None:
    """One message per user, with a link to choose a password when it has none (one message, not
    a greeting and a second e-mail with the link)."""
    for event in events:
        client = Client.objects.get(pk=event.client_id)
        user = User.objects.get(pk=event.user_id)
        link = ""
        if not user.has_usable_password():
            link = base_url() + reverse("portal:set_password", kwargs=link_args(SET_PASSWORD, user))
        email_queue(key=key, user=user, client=client, language=client_language(client),
                    context={**client_context(client, user), "set_password_url": "",
                             "login_url": base_url() + reverse("portal:login")},
                    links={"set_password_url": link})


def on_welcome_requested(events: Sequence[WelcomeEmailRequested]) -> None:
    """The welcome to a client's owner."""
    _with_set_password_link(WELCOME, events)


def on_client_user_invited(events: Sequence[ClientUserInvited]) -> None:
    """The invitation of a user linked to a client."""
    _with_set_password_link(INVITATION, events)


def on_client_registered(events: Sequence[ClientRegistered]) -> None:
    """A portal sign-up confirms its address before its first login."""
    for event in events:
        verification_email_queue(User.objects.get(pk=event.user_id))


def on_password_changed(events: Sequence[PasswordChanged]) -> None:
    """The notice that a password was changed, to its user (a staff member's too), naming the staff
    member who set it when it was not the user itself."""
    for event in events:
        user = User.objects.get(pk=event.user_id)
        client, language, context = user_context(user)
        changed_by = ""
        if event.changed_by_id is not None and event.changed_by_id != user.pk:
            staff = User.objects.filter(pk=event.changed_by_id).first()
            changed_by = (staff.full_name or staff.email) if staff is not None else ""
        email_queue(key=PASSWORD_CHANGED, user=user, client=client, language=language, context={
            **context, "changed_at": timezone.now().strftime("%Y-%m-%d %H:%M UTC"), "changed_by": changed_by})


def on_password_reset_requested(events: Sequence[PasswordResetEmailRequested]) -> None:
    """A reset link that staff sent from a client's Users tab: about that client, in its language."""
    for event in events:
        password_reset_email_queue(User.objects.get(pk=event.user_id), Client.objects.get(pk=event.client_id))


def connect() -> None:
    subscribe(PasswordChanged, on_password_changed)
    subscribe(PasswordResetEmailRequested, on_password_reset_requested)
    subscribe(ClientRegistered, on_client_registered)
    subscribe(ServiceStatusChanged, on_service_status_changed)
    subscribe(WelcomeEmailRequested, on_welcome_requested)
    subscribe(ClientUserInvited, on_client_user_invited)
    subscribe(DocumentIssued, on_document_issued)
    subscribe(DocumentPaid, on_document_paid)
    subscribe(AutoTopUpFailed, on_auto_top_up_failed)
    subscribe(PaymentReversedAtGateway, on_payment_reversed)
    subscribe(PaymentHeld, on_payment_held)
