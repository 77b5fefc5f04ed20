"""What several staff pages share: the client a page is about (404 when the staff member may not
see it) and the context of the client record's tabs."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from clientpanel.clients import selectors as client_selectors
from clientpanel.core.errors import NotFound


def client_or_404(request: HttpRequest, client_id):
    try:
        return client_selectors.client_get(actor=request.user, client_id=client_id)
    except NotFound:
        raise Http404("Client not found.") from None


def record_context(request: HttpRequest, client, tab: str) -> dict:
    return {"client": client, "tab": tab, "billing": client_selectors.billing_address_of(client)}
