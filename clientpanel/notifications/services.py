"""Writing e-mails: each one is rendered and queued (an EmailMessage row) inside the transaction
of its cause, and sent after that commits (sending.py). Nothing is queued for a change that rolls
back; nothing queued is lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.accounts.links import RESET_PASSWORD, VERIFY_EMAIL, link_args
from clientpanel.accounts.models import User, normalize_email
from clientpanel.audit.services import audit_record, diff
from clientpanel.client_services.models import INSUFFICIENT_FUNDS, SUSPENSION_REASONS, ServiceStatus
from clientpanel.clients.models import Client, ClientUser
from clientpanel.clients.selectors import users_visible_to
from clientpanel.core.after_commit import CoalescedTask
from clientpanel.core.errors import Conflict, NotFound, require
from clientpanel.core.money import display_amount
from clientpanel.invoicing.models import DocumentType
from clientpanel.tax.selectors import default_home_company

from . import policies
from .kinds import EMAIL_VERIFICATION, MESSAGE_KINDS, PASSWORD_RESET
from .links import has_links, link_placeholders
from .models import EmailMessage, EmailTemplate
from .muting import (  # noqa: F401 — the views and tests name these as services' own
    client_user_muted_emails_set,
    home_company_muted_emails_set,
    own_muted_emails_set,
)
from .rendering import PARTS, Rendered, check_template, message_language, preview_parts, render, template_parts
from .rules import USER_UNLINKED, message_goes, withheld_reason
from .selectors import email_get, home_company_of
from .sending import send_due_emails
from .tasks import password_reset_task, send_emails_task


def base_url() -> str:
    return settings.CLIENTPANEL_BASE_URL.rstrip("/")


def client_context(client: Client, user: User) -> dict[str, object]:
    """The variables every message to a client's user has (kinds.COMMON_VARIABLES)."""
    return {"user_firstname": user.firstname or user.email, "user_email": user.email,
            "client_name": client.display_name, "client_number": client.number,
            "company_name": home_company_of(client).name}


def user_context(user: User) -> tuple[Client | None, str, dict[str, object]]:
    """A message to a user for itself (a reset, a verification): about its first client when it is
    a client user, in that client's language; a staff member's in its own language, from the
    default home company."""
    link = user.client_links.select_related("client").order_by("created_at").first() if not user.is_staff else None
    if link is not None:
        return link.client, client_language(link.client), client_context(link.client, user)
    company = default_home_company()
    return None, message_language(user.language, company.language), {
        "user_firstname": user.firstname or user.email, "user_email": user.email, "client_name": "",
        "client_number": "", "company_name": company.name}


def client_language(client: Client) -> str:
    """Client language → home company language → English."""
    return message_language(client.language, home_company_of(client).language)


def email_queue(*, key: str, user: User, client: Client | None, language: str, context: dict[str, object],
                attachments: Iterable[dict] = (), reference: str = "", links: dict[str, str] | None = None,
                now: dt.datetime | None = None) -> EmailMessage | None:
    """Render the message for the user and queue it in the caller's transaction; it is sent once
    that commits. Refused outside a transaction (a message must stand or fall with its cause).
    Jobs pass the time of their pass (`run_automation --at T`) and what the message is about.
    Nothing is queued (None) when the client's home company or the user switched the message off,
    or when the client is CLOSED or FRAUD and the message is not one its users are still sent
    (rules.message_goes).
    `links`: the context's one-time links (a password to choose…), stored apart from the message
    and filled in only as it is sent (links.py)."""
    if not connection.in_atomic_block:
        raise RuntimeError("e-mails are queued inside the transaction that causes them")
    attachments = list(attachments)
    if is_muted(key, user, client) or not message_goes(
            key, client_status=client.status if client else None, user_id=user.pk, attachments=attachments):
        return None
    links = {name: link for name, link in (links or {}).items() if link}
    rendered = render(key, language, {**context, **link_placeholders(links)})
    now = now or timezone.now()
    message = EmailMessage.objects.create(
        created_at=now, next_attempt_at=now, template=key, language=language, recipient=user.email, reference=reference,
        client_id=client.pk if client else None, user=user, subject=rendered.subject,
        body_text=rendered.body_text, body_html=rendered.body_html, attachments=list(attachments), links=links)
    send_after_commit.after_commit()
    return message


def is_muted(key: str, user: User, client: Client | None) -> bool:
    """Whether the message is switched off for this user about this client: by the client's home
    company or on the user's link to the client. Messages that are not optional always go."""
    if not MESSAGE_KINDS[key].optional or client is None:
        return False
    if key in (home_company_of(client).muted_emails or []):
        return True
    link = ClientUser.objects.filter(client=client, user=user).only("muted_emails").first()
    return link is not None and key in (link.muted_emails or [])


# After a commit that queued messages: send now in Huey's immediate mode, else queue a sending
# task (at most one per second per process, core/after_commit.py), so a bulk e-mail to thousands
# of clients, a commit each, queues a few tasks rather than one per client.
send_after_commit = CoalescedTask(inline=lambda: send_due_emails(), task=lambda: send_emails_task)


def email_resend(*, actor: ActorLike, email_id) -> EmailMessage:
    """Queue a copy of a message as it was rendered (same recipient, subject, bodies, attachments):
    the E-mails tab's Resend. The original keeps its own history. A message whose one-time link was
    sent already cannot be copied (the link is forgotten): a new link is asked for instead. Nor can a
    message a CLOSED or FRAUD client's users are no longer sent, or an invitation to a user since
    removed from the client (rules.py)."""
    actor = as_actor(actor)
    require(policies.can_resend_emails(actor), _("You are not allowed to resend e-mails."))
    with transaction.atomic():
        original = email_get(actor=actor, email_id=email_id)
        reason = withheld_reason(original)
        if reason == USER_UNLINKED:
            raise Conflict(_("This user is no longer linked to the client: the message is not sent any more."),
                           code="email_user_unlinked")
        if reason is not None:
            raise Conflict(_("This client is closed: its users are not sent this message any more."),
                           code="email_client_closed")
        if not original.links and any(has_links(text) for text in
                                      (original.subject, original.body_text, original.body_html)):
            raise Conflict(_("This message held a one-time link, which is not kept once it is sent; send a new "
                             "one instead (a password reset or verification e-mail from the user's page)."),
                           code="email_link_gone")
        now = timezone.now()
        copy = EmailMessage.objects.create(
            created_at=now, next_attempt_at=now, template=original.template, language=original.language,
            recipient=original.recipient, client_id=original.client_id, user_id=original.user_id,
            subject=original.subject, body_text=original.body_text, body_html=original.body_html,
            attachments=original.attachments, links=original.links)
        audit_record(action="email.resend", object_type="email", object_id=str(copy.pk),
                     object_label=f"{copy.subject} → {copy.recipient}"[:300], client_id=copy.client_id,
                     changes={"resent_from": [None, original.pk]})
        send_after_commit.after_commit()
    return copy


def _checked_key(key: str, language: str) -> None:
    if key not in MESSAGE_KINDS or language not in settings.CLIENTPANEL_LANGUAGES:
        raise NotFound(_("There is no such e-mail template."))


def email_template_save(*, actor: ActorLike, key: str, language: str, parts: dict[str, str]) -> EmailTemplate:
    """Settings → E-mail templates: keep the staff's subject, text and HTML for one message and
    language, once they compile and use only the message's variables (refused with the line)."""
    actor = as_actor(actor)
    require(policies.can_edit_email_templates(actor), _("You are not allowed to change e-mail templates."))
    _checked_key(key, language)
    parts = {part: str(parts.get(part) or "") for part in PARTS}
    check_template(key, parts)
    with transaction.atomic():
        before = template_parts(key, language) or {}
        template, _created = EmailTemplate.objects.update_or_create(key=key, language=language, defaults=parts)
        audit_record(action="email_template.save", object_type="email_template", object_id=f"{key}/{language}",
                     object_label=f"{key} ({language})", changes=diff(before, parts))
    return template


def email_template_reset(*, actor: ActorLike, key: str, language: str) -> None:
    """Back to the shipped default: the staff's edit is deleted."""
    actor = as_actor(actor)
    require(policies.can_edit_email_templates(actor), _("You are not allowed to change e-mail templates."))
    _checked_key(key, language)
    with transaction.atomic():
        deleted, _rows = EmailTemplate.objects.filter(key=key, language=language).delete()
        if deleted:
            audit_record(action="email_template.reset", object_type="email_template", object_id=f"{key}/{language}",
                         object_label=f"{key} ({language})")


def email_preview(*, actor: ActorLike, key: str, language: str, parts: dict[str, str], client: Client) -> Rendered:
    """The message as the client's owner would get it, from templates being edited (checked first);
    the message's own values are examples (a sample link, the client's latest document)."""
    _checked_key(key, language)
    parts = {part: str(parts.get(part) or "") for part in PARTS}
    check_template(key, parts)
    owner = client.owner
    money = display_amount(Decimal("123.00"), client.currency, language)
    with translation.override(language):
        sample = {
            "set_password_url": f"{base_url()}/portal/password/set/…/", "login_url": f"{base_url()}/portal/login/",
            "reset_password_url": f"{base_url()}/portal/password/reset/…/",
            "verify_email_url": f"{base_url()}/portal/verify/…/",
            "document_url": f"{base_url()}/portal/invoices/…/", "pay_url": f"{base_url()}/portal/invoices/…/",
            "invoice_url": f"{base_url()}/portal/invoices/…/",
            "document_type": str(DocumentType.PROFORMA.label), "document_number": "PROFORMA/2026/11/1",
            "invoice_number": "INV/2026/11/1", "document_total": money,
            "due_date": (timezone.now() + dt.timedelta(days=3)).date().isoformat(), "reminder_stage": "before",
            "days": 3, "service_name": "VPS Small", "service_label": "K7QZ2A",
            "service_status": str(ServiceStatus.SUSPENDED.label), "reason": str(SUSPENSION_REASONS[INSUFFICIENT_FUNDS]),
            "balance": money, "available": money, "upcoming_charges": money,
            "changed_at": timezone.now().strftime("%Y-%m-%d %H:%M UTC"), "changed_by": "Sam Staff",
            "message_subject": _("Planned maintenance"),
            "message_text": _("Our network will be upgraded on Sunday night.\nYour services may be unreachable for a "
                              "few minutes.")}
    return preview_parts(key, parts, {**client_context(client, owner), **sample})


def password_reset_request(*, email: str) -> None:
    """Queue a job that looks the address up and sends its reset link (password_reset_send): the
    request does the same work whether the address has an account, so neither its page nor its time
    tells (accounts.throttle limits how often)."""
    password_reset_task(normalize_email(email))


def password_reset_send(*, email: str) -> EmailMessage | None:
    """The job: a reset link for the active user with this address, if there is one."""
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        return None
    with transaction.atomic():
        return password_reset_email_queue(user)


def password_reset_email_queue(user: User, client: Client | None = None) -> EmailMessage | None:
    """The message with a link to choose a new password (24 hours, once), in the caller's
    transaction: about the given client and in its language (staff sent it from that client's
    Users tab), else about the user's first client (user_context)."""
    if client is None:
        client, language, context = user_context(user)
    else:
        language, context = client_language(client), client_context(client, user)
    link = base_url() + reverse("portal:reset_password", kwargs=link_args(RESET_PASSWORD, user))
    return email_queue(key=PASSWORD_RESET, user=user, client=client, language=language, context=context,
                       links={"reset_password_url": link})


def email_verification_send(*, actor: ActorLike, user_id) -> EmailMessage:
    """Ask a user to confirm its address (staff send it from the user's page)."""
    actor = as_actor(actor)
    require(policies.can_resend_emails(actor), _("You are not allowed to send e-mails to users."))
    try:
        user = users_visible_to(actor).get(pk=user_id, is_active=True)
    except (User.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("User not found.")) from None
    if user.is_staff:  # its link confirms through the client portal, which staff do not sign in to
        raise Conflict(_("A staff member's address is not confirmed by e-mail; only client users are sent this."))
    with transaction.atomic():
        message = verification_email_queue(user)
        audit_record(action="user.verification_email", target=user, changes={"email": [None, user.email]})
    return message


def verification_email_queue(user: User) -> EmailMessage:
    """The message with a link that confirms the user's address, in the user's language (in the
    caller's transaction: staff's button, or a portal sign-up)."""
    client, language, context = user_context(user)
    link = base_url() + reverse("portal:verify_email", kwargs=link_args(VERIFY_EMAIL, user))
    return email_queue(key=EMAIL_VERIFICATION, user=user, client=client, language=language, context=context,
                       links={"verify_email_url": link})
