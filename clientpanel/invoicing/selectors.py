"""Reads of documents, scoped to what the actor may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.clients.models import Client
from clientpanel.clients.selectors import client_get, clients_found_by, clients_visible_to
from clientpanel.core.errors import FieldErrors, NotFound, ValidationFailed
from clientpanel.core.fields import AmountField
from clientpanel.core.sorting import sort_of

from . import policies
from .models import Document, DocumentStatus, DocumentType
from .pricing import PricedItems, proforma_priced


def documents_visible_to(actor: ActorLike) -> QuerySet[Document]:
    """The documents of the clients the actor sees; in the portal, only with Manage Invoices and
    never a draft (staff prepare those)."""
    actor = as_actor(actor)
    documents = Document.objects.filter(client__in=clients_visible_to(actor))
    if actor.is_portal:
        if not policies.can_view_documents(actor, actor.client_id):
            return Document.objects.none()
        documents = documents.exclude(status=DocumentStatus.DRAFT)
    return documents


# Finance → Documents' sorts (core.sorting), each read off an index in either direction: the number's,
# the status's (status, -created_at), and those of migration 0012. A total sorts by currency first:
# 100 EUR and 100 PLN are not the same amount (as the directory's balance). "created" is the default
# (newest first), which no column shows.
DOCUMENT_SORTS: dict[str, tuple[str, ...]] = {
    "created": ("created_at", "id"),
    "number": ("number", "id"),
    "issue_date": ("issue_date", "id"),
    "due_date": ("due_date", "id"),
    "total": ("currency", "total", "id"),
    "status": ("status", "-created_at", "-id"),
}
DOCUMENT_DEFAULT_SORT = "-created"


def document_list(*, actor: ActorLike, client: Client | None = None, type: str = "", status: str = "",
                  search: str = "", overdue: bool = False, now: dt.datetime | None = None,
                  sort: str = "") -> QuerySet[Document]:
    """The documents the actor sees, newest first unless `sort` names another of DOCUMENT_SORTS
    (ValidationFailed on `sort` for one it does not), by client, type, status, words of the number
    or of the client (the words the directory finds it by: name, number, owner's e-mail, tax ID,
    phone; in the portal, which lists one client's documents, of the number only), and `overdue`:
    unpaid past the due date at `now` (the dashboard's "overdue")."""
    order = sort_of(sort, DOCUMENT_SORTS, default=DOCUMENT_DEFAULT_SORT)
    actor = as_actor(actor)
    documents = documents_visible_to(actor).select_related("home_company", "client")
    if overdue:
        documents = documents.filter(status=DocumentStatus.UNPAID, due_date__lt=now or timezone.now())
    if client is not None:
        documents = documents.filter(client=client)
    if type:
        if type not in DocumentType.values:
            raise ValidationFailed(_("Unknown type."), fields={"type": [
                _("Use one of %(choices)s.") % {"choices": ", ".join(DocumentType.values)}]})
        documents = documents.filter(type=type)
    if status:
        if status not in DocumentStatus.values:
            raise ValidationFailed(_("Unknown status %(status)s.") % {"status": repr(status)}, fields={"status": [
                _("Use one of %(choices)s.") % {"choices": ", ".join(DocumentStatus.values)}]})
        documents = documents.filter(status=status)
    for word in (search or "").split()[:4]:
        # Across clients a word may also name the client; the portal's own client's name would find them all.
        found = Q(number__icontains=word)
        documents = documents.filter(found if actor.is_portal else found | Q(client__in=clients_found_by(word)))
    return documents.order_by(*order.ordering)


def with_details(documents: QuerySet[Document]) -> QuerySet[Document]:
    """The documents with everything a full view of each shows — its items, the document it came
    from and the documents that came from it — fetched in a fixed number of queries, however many
    documents there are."""
    return documents.select_related("related").prefetch_related("items", "derived")


def document_get(*, actor: ActorLike, document_id) -> Document:
    try:
        return documents_visible_to(actor).select_related("home_company", "client", "related").get(pk=document_id)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Document not found.")) from None


def documents_of_the_sale(*, actor: ActorLike, document: Document) -> list[Document]:
    """The documents of one sale that the actor sees, in the order they were made: the proforma, the
    invoice it became and that invoice's credit notes (oldest first), `document` among them — of its
    client only. A proforma not invoiced (yet) stands alone: none. In the portal, never a draft nor
    a document without Manage Invoices (documents_visible_to)."""
    invoice_id = document.pk if document.type == DocumentType.INVOICE else document.related_id
    if invoice_id is None:
        return []
    rank = {DocumentType.PROFORMA: 0, DocumentType.INVOICE: 1, DocumentType.CREDIT_NOTE: 2}
    sale = documents_visible_to(actor).filter(Q(pk=invoice_id) | Q(related_id=invoice_id), client_id=document.client_id)
    return sorted(sale, key=lambda d: (rank[d.type], d.issue_date or d.created_at, d.created_at))


def amount_owing(*, client: Client) -> Decimal:
    """What is still due on the client's UNPAID documents."""
    total = Document.objects.filter(client=client, status=DocumentStatus.UNPAID).aggregate(
        due=Sum(F("total") - F("paid_gross"), output_field=AmountField()))["due"]
    return total or Decimal("0.0000")


def proforma_preview(*, actor: ActorLike, client_id, items: object) -> tuple[PricedItems | None, dict[str, list[str]]]:
    """What a proforma of these items would hold for the client (its lines' nets, the tax per rate,
    the totals) and every problem of its items by field ("items.0.quantity"…): the panel's editor
    shows them as staff type. Nothing is written."""
    client = client_get(actor=actor, client_id=client_id)
    errors = FieldErrors()
    priced = proforma_priced(client, items, errors)
    return priced, errors.fields
