"""The messages the product sends: each one's key, name, and the variables its templates may use
(listed beside the editor in Settings → E-mail templates; any other variable is refused at save)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientpanel.clients.permissions import MANAGE_INVOICES, MANAGE_SERVICES

COMMON_VARIABLES: dict[str, Promise] = {
    "user_firstname": _("First name of the user the e-mail goes to"),
    "user_email": _("E-mail address of that user"),
    "client_name": _("The client's name (company, or first and last name)"),
    "client_number": _("The client's number"),
    "company_name": _("Your home company's name"),
}


# Links to a document's page in the client area (portal_links.py): empty when the client's users
# cannot sign in there (a CLOSED or FRAUD client), so no message carries a link that leads nowhere.
DOCUMENT_URL = _("Address of the document's page in the portal (empty when the client is closed)")
PAY_URL = _("Address where the proforma is paid online: its page in the portal, with the Pay now button (empty "
            "when it cannot be paid online now, or the client is closed)")


# What a closed client's users are sent of a message (MessageKind.closed_client).
NOT_SENT = "not_sent"  # nothing: it serves the portal, or is automation's
SENT = "sent"  # always: a security notice, or a message to staff
LEGAL_DOCUMENTS = "legal_documents"  # when what it attaches is an invoice or a credit note
OPEN_LOGIN = "open_login"  # when the user may still sign in, for another client that is open


@dataclass(frozen=True)
class MessageKind:
    key: str
    name: Promise
    description: Promise
    variables: dict[str, Promise] = field(default_factory=dict)
    # Whether a home company or a client user may switch it off; links to set or reset a password
    # and to verify an address always go.
    optional: bool = True
    # Who of a client's users receives it: those holding this permission on the client (the owner
    # holds every one); None: whoever it is addressed to.
    audience: str | None = None
    # Whether the users of a CLOSED or FRAUD client (clients.rules.portal_open) are still sent it:
    # NOT_SENT by default, so a new message follows the closed portal unless it says otherwise
    # (notifications/rules.py applies it when the message is queued and again when it is sent).
    closed_client: str = NOT_SENT

    @property
    def all_variables(self) -> dict[str, Promise]:
        return {**COMMON_VARIABLES, **self.variables}


WELCOME = "welcome"
INVITATION = "invitation"
PASSWORD_RESET = "password_reset"
PASSWORD_CHANGED = "password_changed"
EMAIL_VERIFICATION = "email_verification"
SERVICE_STATUS = "service_status"
PROFORMA_REMINDER = "proforma_reminder"
LOW_BALANCE = "low_balance"
DOCUMENT_ISSUED = "document_issued"
PAYMENT_RECEIVED = "payment_received"
AUTO_TOP_UP_FAILED = "auto_top_up_failed"
STAFF_MESSAGE = "staff_message"
WEBHOOK_DISABLED = "webhook_disabled"
PAYMENT_REVERSED = "payment_reversed"
PAYMENT_HELD = "payment_held"

MESSAGE_KINDS: dict[str, MessageKind] = {kind.key: kind for kind in (
    MessageKind(WELCOME, _("Welcome"), _("Sent to a new client's owner when staff ask for it."), {
        "set_password_url": _("Link to choose a password (empty when the user has one already)"),
        "login_url": _("Address of the portal's login page"),
    }, optional=False),
    MessageKind(INVITATION, _("Invitation"), _("Sent to a user linked to a client, when asked."), {
        "set_password_url": _("Link to choose a password (empty when the user has one already)"),
        "login_url": _("Address of the portal's login page"),
    }, optional=False),
    MessageKind(PASSWORD_RESET, _("Password reset"),
                _("Sent to a client user or staff member who asked for a new password, or to a client user "
                  "when staff send it from the client's Users tab."), {
        "reset_password_url": _("Link to choose a new password (works once, for 24 hours)"),
    }, optional=False, closed_client=OPEN_LOGIN),
    MessageKind(PASSWORD_CHANGED, _("Password changed"),
                _("Tells a user or staff member that its password was changed, by itself or by staff, so a "
                  "change it did not make does not go unnoticed."), {
        "changed_at": _("When it was changed (UTC)"),
        "changed_by": _("The staff member who set it (empty when the user changed it itself)"),
    }, optional=False, closed_client=SENT),
    MessageKind(EMAIL_VERIFICATION, _("E-mail verification"),
                _("Asks a user to confirm the address, when staff send it."), {
        "verify_email_url": _("Link to confirm the address (7 days)"),
    }, optional=False, closed_client=OPEN_LOGIN),
    MessageKind(PROFORMA_REMINDER, _("Proforma reminder"),
                _("An unpaid proforma: some days before it is due, on the due date, and some days after "
                  "(days per home company; a group may set its own)."), {
        "document_number": _("The proforma's number"),
        "document_total": _("What is left to pay, with the currency"),
        "due_date": _("When it is due"),
        "reminder_stage": _("before, due or overdue"),
        "days": _("Days until the due date (before) or since it (overdue)"),
        "document_url": DOCUMENT_URL,
        "pay_url": PAY_URL,
    }, audience=MANAGE_INVOICES),
    MessageKind(LOW_BALANCE, _("Low balance"),
                _("The balance and credit limit will not cover the charges of the next days."), {
        "balance": _("The balance with the currency"),
        "available": _("Balance plus credit limit, with the currency"),
        "upcoming_charges": _("The charges of the coming days, with the currency"),
        "days": _("How many days ahead were counted"),
    }, audience=MANAGE_INVOICES),
    MessageKind(SERVICE_STATUS, _("Service status"),
                _("A service became active, was suspended (with the reason) or terminated."), {
        "service_name": _("The product's name"),
        "service_label": _("The service's label"),
        "service_status": _("Its new status"),
        "reason": _("Why it was suspended (empty otherwise)"),
    }, audience=MANAGE_SERVICES),
    MessageKind(DOCUMENT_ISSUED, _("Document issued"),
                _("A proforma, invoice or credit note was issued; its PDF is attached."), {
        "document_type": _("Proforma, Invoice or Credit note"),
        "document_number": _("The document's number"),
        "document_total": _("Its total with the currency"),
        "due_date": _("When it is due (proformas)"),
        "document_url": DOCUMENT_URL,
        "pay_url": PAY_URL,
    }, audience=MANAGE_INVOICES, closed_client=LEGAL_DOCUMENTS),
    MessageKind(PAYMENT_RECEIVED, _("Payment received"),
                _("A proforma was paid in full and its invoice issued; the invoice PDF is attached."), {
        "document_number": _("The proforma's number"),
        "invoice_number": _("The final invoice's number"),
        "document_total": _("The amount paid with the currency"),
        "invoice_url": _("Address of the final invoice's page in the portal (empty when the client is closed)"),
        "document_url": _("Address of the proforma's page in the portal (empty when the client is closed)"),
    }, audience=MANAGE_INVOICES, closed_client=LEGAL_DOCUMENTS),
    MessageKind(AUTO_TOP_UP_FAILED, _("Auto top-up failed"),
                _("The saved card was declined (or the payment service did not answer) when auto top-up "
                  "charged it; says whether and when it is tried again."), {
        "amount": _("The amount the top-up tried to charge, with the currency"),
        "reason": _("Why it failed, in the payment service's words"),
        "retry_at": _("When it is tried again (empty: it is not)"),
    }, audience=MANAGE_INVOICES),
    MessageKind(STAFF_MESSAGE, _("Message from staff"),
                _("A subject and text staff write when they send it to clients (the directory's bulk "
                  "action Send e-mail); this template frames their text."), {
        "message_subject": _("The subject staff wrote"),
        "message_text": _("The text staff wrote (plain text; in the HTML version its line breaks are kept)"),
    }),
    MessageKind(WEBHOOK_DISABLED, _("Webhook endpoint disabled"),
                _("Sent to staff holding Settings when deliveries to a webhook endpoint were stopped (failing "
                  "for 24 hours, or it answered 410 Gone)."), {
        "endpoint_url": _("The endpoint's URL"),
        "endpoint_description": _("Its description"),
        "reason": _("Why it was stopped"),
        "endpoint_link": _("Address of the endpoint's page in the staff panel"),
    }, optional=False, closed_client=SENT),
    MessageKind(PAYMENT_REVERSED, _("Refund or dispute at the payment gateway"),
                _("Sent to staff holding Finance who see the client when money of an online payment was refunded "
                  "in the gateway's own dashboard (not from the panel), or the payer disputed it (opened, won, "
                  "lost): nothing in the books changed, so staff decide whether a credit note records it."), {
        "reversal": _("What happened, when and how much, and what to do ('Refunded at Stripe on 24 Nov 2026: "
                      "$50.00 — issue a credit note to record it')"),
        "document_numbers": _("The proformas and invoices the payment paid"),
        "document_link": _("Address of the invoice's page in the staff panel (or the client's Transactions tab)"),
    }, optional=False, closed_client=SENT),
    MessageKind(PAYMENT_HELD, _("Online payment held for review"),
                _("Sent to staff holding Finance who see the client when the payment gateway took money the panel "
                  "could not apply as it stands (another amount or currency, a proforma paid or cancelled "
                  "meanwhile, money that came after the payment was settled by hand): the payment is held, its "
                  "proformas cannot be paid again, and staff resolve it on the client's Transactions tab."), {
        "amount": _("The amount of the payment, with the currency"),
        "reason": _("Why it is held, as the client's Transactions tab says it ('The gateway reported €50.00; the "
                    "payment was for $50.00.')"),
        "document_numbers": _("The proformas the payment was for"),
        "transactions_link": _("Address of the client's Transactions tab in the staff panel, where it is resolved"),
    }, optional=False, closed_client=SENT),
)}


OPTIONAL_KINDS = tuple(key for key, kind in MESSAGE_KINDS.items() if kind.optional)


def receives(key: str, permissions) -> bool:
    """Whether a client's user holding these permission keys there (the owner: all of them) is sent
    the message about that client — the one rule of who receives what (subscribers.recipients), and
    of which switches a user is offered."""
    audience = MESSAGE_KINDS[key].audience
    return audience is None or audience in permissions


def optional_kinds_received(permissions) -> list[MessageKind]:
    """The messages such a user can switch off: the optional ones it receives."""
    return [MESSAGE_KINDS[key] for key in OPTIONAL_KINDS if receives(key, permissions)]
