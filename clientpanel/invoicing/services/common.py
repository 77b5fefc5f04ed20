"""What the document services share: the conflict error of a document's state, the row lock of a
visible document, tax lines as stored, and the cleaning of short texts. Numbering is in
numbering.py, issuing (and finishing) in issuing.py."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike
from clientpanel.core.errors import Conflict, FieldErrors
from clientpanel.core.locks import lock_one
from clientpanel.core.text import clean_text

from ..models import Document
from ..selectors import documents_visible_to


class DocumentStateError(Conflict):
    code = "document_state"


def tax_lines_json(lines) -> list[dict[str, str]]:
    return [{"name": t.name, "rate": str(t.rate), "amount": str(t.amount)} for t in lines]


def locked_document(actor: ActorLike, document_id) -> Document:
    return lock_one(documents_visible_to(actor), _("Document not found."), pk=document_id)


def clean_short_text(value: object, limit: int, field: str, errors: FieldErrors) -> str:
    return "" if value is None else clean_text(value, field, errors, limit=limit, single_line=True)
