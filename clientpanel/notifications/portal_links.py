"""Links in a message to the pages of the client portal where a document is seen and paid (WHMCS's
{$invoice_link}, Invoice Ninja's "View invoice"): absolute, from CLIENTPANEL_BASE_URL, and built
by the portal's URL names (notifications sits below the portal and imports none of it).

A link is given only when the client's users may sign in to the portal (clients.rules.portal_open):
a CLOSED or FRAUD client's users are still sent its invoices and credit notes (rules.py), without a
link that would lead to a refused login. A logged-out recipient who follows one is sent to the
portal's login, which goes on to the page (its `next`, kept to the portal's own paths). The link is
decided when the message is written: an invoice's message queued while the client was open and sent
after staff closed it (the only kind that still goes then) keeps the link it was written with."""

from __future__ import annotations

from django.urls import reverse

from clientpanel.clients.models import Client
from clientpanel.clients.rules import portal_open
from clientpanel.invoicing.models import Document
from clientpanel.payments.selectors import payable_online

from .services import base_url


def document_url(document_id, client: Client) -> str:
    """The absolute address of the page of the client's document (by id) in the portal; "" when
    the client's users cannot sign in there."""
    if not portal_open(client.status):
        return ""
    return base_url() + reverse("portal:document", args=[document_id])


def document_links(document: Document, client: Client) -> dict[str, str]:
    """A message's document_url and pay_url. Paying starts with a POST (the page's Pay now button,
    carrying its one-time key), so pay_url is the document's page, given only while the portal
    offers to pay it online there (an unpaid proforma whose home company takes its currency through
    a gateway, no payment of it settling): a link never moves money by being opened."""
    url = document_url(document.pk, client)
    payable = bool(url) and document.pk in payable_online([document])[0]
    return {"document_url": url, "pay_url": url if payable else ""}
