"""Everything held about a client, as a ZIP a person can read (issue 14, privacy): the client and
its addresses and users as JSON; its services, ledger, documents, payments, e-mails and activity
as CSV (UTF-8 with BOM, formula cells guarded); the PDFs of its issued documents and the files
kept for it."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.labels import audit_action_label
from clientpanel.audit.models import AuditEvent
from clientpanel.audit.services import snapshot
from clientpanel.catalog.models import Period
from clientpanel.client_services.models import Service
from clientpanel.client_services.selectors import entry_service_names
from clientpanel.clients.models import Client
from clientpanel.clients.selectors import client_get
from clientpanel.core.csv_export import BOM, safe_cell
from clientpanel.core.errors import require
from clientpanel.einvoices.models import EInvoice
from clientpanel.einvoices.selectors import einvoice_filename
from clientpanel.einvoices.storage import einvoice_content
from clientpanel.files.models import ClientFile
from clientpanel.files.storage import client_file_read
from clientpanel.invoicing.models import Document, Payment
from clientpanel.invoicing.storage import pdf_filename, stored_pdf
from clientpanel.ledger.selectors import client_entries
from clientpanel.notifications.links import links_hidden
from clientpanel.notifications.models import EmailMessage
from clientpanel.notifications.services import client_language

from . import policies


def _csv(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell("" if value is None else value) for value in row])
    return BOM + out.getvalue().encode()


def _ledger_csv(client: Client) -> bytes:
    """The client's ledger, oldest first. The stored `type` code and English `description` stay as
    they were (the record, and what a parser of the file reads); `readable_type` and
    `readable_description` follow, in the language the caller set (the client's, as its e-mails
    speak it), written as the pages show them (a service's charge by the service's name, amounts in
    that language's format)."""
    entries = client_entries(client=client, names=entry_service_names()).order_by("sequence")
    return _csv(["sequence", "created_at", "type", "gross", "net", "balance_before", "balance_after",
                 "description", "transaction_id", "period_start", "period_end", "readable_type",
                 "readable_description"],
                ([e.sequence, e.created_at, e.type, e.gross, e.net, e.balance_before, e.balance_after,
                  e.description, e.transaction_id, e.period_start, e.period_end, e.get_type_display(),
                  e.reader_description] for e in entries.iterator()))


def _period_label(code: str) -> str:
    # Service.period has no choices of its own (it copies the price's); a code Period does not know reads as stored.
    return str(dict(Period.choices).get(code, code))


def client_data_export(*, actor: ActorLike, client_id) -> tuple[Client, bytes]:
    """The client and the ZIP of everything held about it."""
    actor = as_actor(actor)
    require(policies.can_export_client_data(actor), _("You are not allowed to export client data."))
    client = client_get(actor=actor, client_id=client_id)
    links = list(client.user_links.select_related("user").order_by("created_at"))
    profile = {
        "client": snapshot(client) | {"group": client.group.name if client.group else None,
                                      "balance": client.balance, "created_at": client.created_at},
        "addresses": [snapshot(address) for address in client.addresses.order_by("created_at")],
        "users": [{"email": link.user.email, "firstname": link.user.firstname, "lastname": link.user.lastname,
                   "phone": link.user.phone, "language": link.user.language,
                   "email_verified": link.user.email_verified, "owner": link.user_id == client.owner_id,
                   "permissions": link.permissions, "linked_at": link.created_at} for link in links],
    }
    buffer = io.BytesIO()
    # Each CSV keeps its stored codes and adds readable_<column> at the end, in the client's
    # language (not the exporting staff member's): the file is the client's data handed to the client.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, \
            translation.override(client_language(client)):
        archive.writestr("client.json", json.dumps(profile, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        archive.writestr("services.csv", _csv(
            ["label", "product", "status", "provision_status", "period", "amount", "setup_fee", "currency",
             "order_date", "activation_date", "billed_until", "suspended_at", "terminated_at", "readable_status",
             "readable_provision_status", "readable_period"],
            ([s.label, s.product.name, s.status, s.provision_status, s.period, s.amount, s.setup_fee, s.currency,
              s.order_date, s.activation_date, s.billed_until, s.suspended_at, s.terminated_at,
              s.get_status_display(), s.get_provision_status_display(), _period_label(s.period)]
             for s in Service.objects.filter(client=client).select_related("product").order_by("order_date"))))
        archive.writestr("ledger.csv", _ledger_csv(client))
        documents = list(Document.objects.filter(client=client).exclude(status="DRAFT").order_by("created_at"))
        archive.writestr("documents.csv", _csv(
            ["number", "type", "status", "currency", "issue_date", "due_date", "paid_date", "net", "tax", "total",
             "readable_type", "readable_status"],
            ([d.number, d.type, d.status, d.currency, d.issue_date, d.due_date, d.paid_date, d.net, d.tax, d.total,
              d.get_type_display(), d.get_status_display()] for d in documents)))
        einvoices = {e.document_id: e for e in EInvoice.objects.filter(document__client=client).exclude(sha256="")}
        for document in documents:
            archive.writestr(f"documents/{pdf_filename(document)}", stored_pdf(document))
            if document.pk in einvoices:  # the structured copy made at issue (KSeF, UBL, CII, Factur-X)
                made = einvoices[document.pk]
                archive.writestr(f"documents/{einvoice_filename(made, document)}", einvoice_content(made))
        archive.writestr("payments.csv", _csv(
            ["paid_at", "document", "gross", "net", "method", "transaction_id", "readable_method"],
            ([p.paid_at, p.document.number, p.gross, p.net, p.method, p.transaction_id, p.reader_method]
             for p in Payment.objects.filter(client=client).select_related("document").order_by("paid_at"))))
        emails = list(EmailMessage.objects.filter(client_id=client.pk).order_by("created_at"))
        archive.writestr("emails.csv", _csv(
            ["created_at", "recipient", "subject", "status", "body", "readable_status"],
            ([m.created_at, m.recipient, links_hidden(m.subject), m.status, links_hidden(m.body_text),
              m.get_status_display()] for m in emails)))
        events = AuditEvent.objects.filter(client_id=client.pk).order_by("created_at", "id")
        archive.writestr("activity.csv", _csv(
            ["created_at", "who", "action", "object", "changes", "readable_action"],
            ([e.created_at, e.actor_label, e.action, e.object_label, json.dumps(e.changes, ensure_ascii=False),
              audit_action_label(e.action)] for e in events.iterator())))
        for kept in ClientFile.objects.filter(client=client).order_by("created_at"):
            with client_file_read(kept) as handle:
                safe_name = kept.name.replace("/", "-").replace("\\", "-")
                archive.writestr(f"files/{kept.id}-{safe_name}", handle.read())
    return client, buffer.getvalue()
