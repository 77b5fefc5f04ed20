"""How the parts of the KSeF FA(3) exporter (ksef_fa3*.py) write the file: the schema's namespace, a
child element in it, and its value types — amounts (TKwotowy) and numbers written as they are given."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from ..reasons import said
from . import CannotExport

NAMESPACE = "http://crd.gov.pl/wzor/2025/06/25/13775/"
CENT = Decimal("0.01")


def qualified(tag: str) -> str:
    """The tag in FA(3)'s namespace, as lxml names it."""
    return f"{{{NAMESPACE}}}{tag}"


def child(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    """A new last child of `parent` in FA(3)'s namespace, with its text when given."""
    element = etree.SubElement(parent, qualified(tag), attributes)
    if text is not None:
        element.text = text
    return element


def amount_text(value: Decimal) -> str:
    """TKwotowy: at most two decimals, always written with two. An amount with a finer part
    (a three-decimal currency) cannot be written without changing it, so it is refused."""
    if value != value.quantize(CENT):
        raise CannotExport(said("fa3_decimals", amount=value))
    return f"{(value.quantize(CENT) + 0):f}"  # "+ 0" turns a negative zero into "0.00"


def number_text(value: Decimal, least_places: int = 0) -> str:
    """A quantity, price or rate as given, never rounded: needless zeros dropped, but at least
    `least_places` decimals (730; a price 12.50, 0.0137; a rate 4.2350 as NBP publishes it)."""
    exponent = value.normalize().as_tuple().exponent
    places = max(-exponent if isinstance(exponent, int) else 0, least_places)
    return f"{(value + 0).quantize(Decimal(1).scaleb(-places)):f}"  # "+ 0": no negative zero
