"""Factur-X: the CII of an EN 16931 document (en16931.py, cii.py) embedded in the document's own PDF,
made PDF/A-3 (an sRGB output intent added), with the same bytes whenever the same document is made."""

from __future__ import annotations

import datetime as dt
import functools
import re
import struct
from io import BytesIO

import facturx
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from ..reasons import said
from . import CannotExport, EInvoiceInput, Exporter, cii, register
from .en16931 import build_document
from .en16931_xml import cii_flavor, xsd_problems

_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate) \(D\\072)\d{14}")
_XMP_DATE = re.compile(rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def _fixed_dates(pdf: bytes, day: dt.date) -> bytes:
    """The PDF's own dates set to the issue day, each replaced by one of the same length so that
    the cross-reference offsets stay right."""
    pdf = _PDF_DATE.sub(lambda m: m.group(1) + day.strftime("%Y%m%d000000").encode(), pdf)
    return _XMP_DATE.sub(lambda m: m.group(1) + day.strftime("%Y-%m-%dT00:00:00").encode(), pdf)


@functools.cache
def _srgb_profile() -> bytes:
    """An sRGB ICC profile, written by Pillow's LittleCMS — with a fixed creation date (header bytes
    24–35) and no profile ID (84–99, zero: "not computed"), so that the same document gives the
    same Factur-X bytes whenever it is made."""
    # Imported here: a Pillow built without LittleCMS then fails this export alone (recorded on
    # the e-invoice), not the start of every process that loads the exporters.
    from PIL import ImageCms  # Pillow (reportlab's dependency)

    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[24:36] = struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
    profile[84:100] = bytes(16)
    return bytes(profile)


def _with_output_intent(pdf: bytes) -> bytes:
    """The PDF with an sRGB output intent (PDF/A requires one for the colours it uses; reportlab
    writes none). factur-x adds the PDF/A-3 identification and the embedded XML; the PDF's fonts are
    embedded by reportlab (DejaVu Sans, invoicing/pdf/resources.py)."""
    writer = PdfWriter(clone_from=BytesIO(pdf))
    profile = DecodedStreamObject()
    profile.set_data(_srgb_profile())
    profile[NameObject("/N")] = NumberObject(3)
    condition = TextStringObject("sRGB IEC61966-2.1")
    intent = DictionaryObject({
        NameObject("/Type"): NameObject("/OutputIntent"), NameObject("/S"): NameObject("/GTS_PDFA1"),
        NameObject("/OutputConditionIdentifier"): condition, NameObject("/Info"): condition,
        # pypdf has no public way to add an indirect object to a writer; _add_object is its own.
        NameObject("/DestOutputProfile"): writer._add_object(profile)})
    writer.root_object[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@register
class FacturXExporter(Exporter):
    key = "facturx"
    title = gettext_lazy("Factur-X (PDF with CII)")
    media_type = "application/pdf"
    extension = "pdf"

    def export(self, data: EInvoiceInput, *, pdf: bytes | None = None) -> bytes:
        if not pdf:
            raise CannotExport(said("facturx_no_pdf"))
        xml = cii.build(build_document(data))
        pdf = _with_output_intent(pdf)
        # facturx stamps the moment of generation into the PDF's dates; the XMP is left
        # uncompressed so that they can be replaced by the issue day and the same input gives
        # the same bytes.
        content = facturx.generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=True,
                                               check_schematron=False, lang=data.language or "en",
                                               xmp_compression=False)
        return _fixed_dates(content, data.issue_date)

    def validate(self, content: bytes) -> list[str]:
        try:
            _name, xml = facturx.get_xml_from_pdf(content, check_xsd=False)
        except Exception as error:  # pypdf's many errors: an unreadable PDF is a problem to report
            return [str(error)]
        if not xml:
            return [_("The PDF has no embedded Factur-X XML.")]
        return xsd_problems(xml, cii_flavor)
