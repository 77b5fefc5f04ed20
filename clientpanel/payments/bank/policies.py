"""Who may import bank statements and record their payments."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.core.actor import Actor
from clientpanel.core.errors import require
from clientpanel.invoicing import policies as invoicing_policies


def can_import_bank_statements(actor: Actor) -> bool:
    """Staff (or the system) who record payments — the Finance area — and see every client: a
    statement holds every client's transfers, names and accounts, and its lines pay any proforma,
    so staff limited to their assigned clients may not open it."""
    if not invoicing_policies.can_record_payments(actor):
        return False
    return not (actor.is_staff_side and actor.limited_to_assigned)


def require_bank_statement_access(actor: ActorLike) -> None:
    """Refuse (PermissionDenied) whom can_import_bank_statements does not let in: every write of the
    statements (importing.py, reviewing.py, recording.py) begins with it."""
    require(can_import_bank_statements(as_actor(actor)),
            _("You are not allowed to import bank statements: it takes the Finance area and every client."))
