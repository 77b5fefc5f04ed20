"""PDF of a document (SPEC §7) with reportlab: the home company's logo, the parties with their
addresses and every registration, items with their rate, net and (EU) gross, net/tax/gross per rate,
what to pay and how, the corrected invoice and the reason on a credit note, the reverse-charge note or
the exemption's legal basis recorded at issue (vat_notes),
in the document's language (any of settings.LANGUAGES: its words come from the gettext catalog,
locale/<language>/LC_MESSAGES/django.po, with that language active while the PDF is made)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from ..models import Document
from .layout import Layout

# Babel's locale for amounts, by document language.
LOCALES = {"en": "en_US", "pl": "pl_PL"}


def document_language(document: Document) -> str:
    """The language chosen when the document was issued (the client's when PDF_IN_CLIENT_LANGUAGE
    is on, else the home company's), English when the panel does not speak it."""
    return document.language if document.language in dict(settings.LANGUAGES) else "en"


def document_pdf(document: Document, *, logo: bytes | None = None) -> bytes:
    """The document's PDF in its own language, whatever language the request that makes it speaks;
    `logo`: the home company's logo (PNG or JPEG bytes) as it is when the document is issued."""
    language = document_language(document)
    with translation.override(language):
        return Layout(document, language=language, locale=LOCALES.get(language, language)).build(logo)
