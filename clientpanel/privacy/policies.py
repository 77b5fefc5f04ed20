"""Who may export or erase what is held about a client: staff who edit clients (the request comes
from the client; acting on it is a client-management task), within the clients they see."""

from __future__ import annotations

from clientpanel.accounts.roles import EDIT_CLIENTS
from clientpanel.core.actor import holds_area

can_export_client_data = holds_area(EDIT_CLIENTS)
can_erase_client_data = holds_area(EDIT_CLIENTS)
