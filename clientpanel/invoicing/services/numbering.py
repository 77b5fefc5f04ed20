"""Where documents are numbered: the next number of a home company's series for a document type
(SPEC §7), taken from the series' counter row (core/numbering.py), which the caller's transaction
holds until it commits."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils.translation import gettext as _

from clientpanel.core.errors import Conflict
from clientpanel.core.numbering import document_series_key, format_number, pattern_shape, sequence_next_dated
from clientpanel.tax.models import HomeCompany, ResetPeriod

from ..models import Document, DocumentType


def _pattern_and_reset(company: HomeCompany, doc_type: str) -> tuple[str, str]:
    return {
        DocumentType.PROFORMA: (company.proforma_pattern, company.proforma_reset),
        DocumentType.INVOICE: (company.invoice_pattern, company.invoice_reset),
        DocumentType.CREDIT_NOTE: (company.credit_note_pattern, company.credit_note_reset),
    }[doc_type]


def issue_zone(company: HomeCompany) -> zoneinfo.ZoneInfo:
    """The zone a document of the company is dated in: the company's zone when the document is
    issued (numbered). Recorded as the document's company_snapshot["time_zone"] — a final invoice or
    credit note too, whose other snapshot fields come from its proforma or invoice — and read from
    there ever after (Document.zone, the PDF, the e-invoice, the tax report), whatever the company's
    zone becomes later."""
    return company.zone


def document_number(*, company: HomeCompany, doc_type: str) -> tuple[str, dt.datetime]:
    """The next number of the company's series for this type, and the document's issue time.

    Both come from the counter row of the company, type and period, locked in the caller's
    transaction: the issue time is the moment the counter is held, so numbers are unique,
    gap-free and rise with issue times. Nobody chooses the date: a document is dated when it is
    issued. Periods and the date in the number are the company's own days in its time zone at
    this moment (issue_zone): a Warsaw invoice issued at 00:30 on the 1st belongs to the new month.
    The document keeps that zone in its company snapshot, so its printed date, its number's period
    and the tax report's period are read in one zone (docs/decisions.md)."""
    pattern, reset = _pattern_and_reset(company, doc_type)
    zone = issue_zone(company)

    def period_of(moment: dt.datetime) -> str:
        day = moment.astimezone(zone).date()
        return {ResetPeriod.NEVER: "", ResetPeriod.YEARLY: f"{day:%Y}"}.get(reset, f"{day:%Y-%m}")

    number, issued_at = sequence_next_dated(key=document_series_key(company.pk, doc_type), period_of=period_of)
    text = format_number(pattern, number, issued_at.astimezone(zone).date())
    _refuse_a_number_of_another_type(company, doc_type, text)
    return text, issued_at


def _refuse_a_number_of_another_type(company: HomeCompany, doc_type: str, number: str) -> None:
    """A Conflict when another type's document of the company carries the number already. Patterns
    that could make one number are refused when saved (tax.services.patterns); a company's patterns
    stored before that rule may still, and the unique index (per company and type) lets it through.
    The caller's transaction rolls back and gives the counter's number back, so nothing is issued
    until staff change the pattern; a gateway's payment is held for staff meanwhile."""
    # Only the types whose pattern has this one's shape can make this number: for a company whose
    # patterns differ (every one saved under the rule) no query is made, inside the series' lock.
    shape = pattern_shape(_pattern_and_reset(company, doc_type)[0])
    others = [value for value in DocumentType.values
              if value != doc_type and pattern_shape(_pattern_and_reset(company, value)[0]) == shape]
    if not others:
        return
    taken = Document.objects.filter(home_company=company, type__in=others, number=number).only("type").first()
    if taken is not None:
        raise Conflict(_("Number %(number)s is already carried by another document of this home company "
                         "(%(document)s): its numbering patterns make the same numbers. Give the pattern of one "
                         "of the two series other text in Settings → Home companies.")
                       % {"number": number, "document": taken.get_type_display()})
