"""Who may read and resend e-mails: predicates over an Actor (see clientpanel.core.actor). Which
messages an actor sees at all is selectors.emails_visible_to."""

from __future__ import annotations

from clientpanel.accounts.roles import EDIT_CLIENTS, MANAGE_STAFF, SETTINGS, VIEW_CLIENTS
from clientpanel.core.actor import Actor


def can_view_emails(actor: Actor) -> bool:
    return actor.has_area(VIEW_CLIENTS)


def can_view_staff_emails(actor: Actor) -> bool:
    """Messages to staff (password resets) belong to no client: for staff managers only."""
    return actor.has_area(MANAGE_STAFF)


def can_resend_emails(actor: Actor) -> bool:
    return actor.has_area(EDIT_CLIENTS)


def can_edit_email_templates(actor: Actor) -> bool:
    return actor.has_area(SETTINGS)
