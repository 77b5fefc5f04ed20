"""Who may read and resend e-mails: predicates over an Actor (see clientpanel.core.actor). Which
messages an actor sees at all is selectors.emails_visible_to."""

from __future__ import annotations

from clientpanel.accounts.roles import EDIT_CLIENTS, MANAGE_STAFF, SETTINGS, VIEW_CLIENTS
from clientpanel.core.actor import holds_area

can_view_emails = holds_area(VIEW_CLIENTS)

# Messages to staff (password resets) belong to no client: for staff managers only.
can_view_staff_emails = holds_area(MANAGE_STAFF)

can_resend_emails = holds_area(EDIT_CLIENTS)
# What staff choose to send to clients (the directory's bulk Send e-mail): the area of a client's
# Send welcome e-mail.
can_send_client_emails = holds_area(EDIT_CLIENTS)
can_edit_email_templates = holds_area(SETTINGS)
