"""How an invoice was paid, as the formats ask it: a code from a list, never the recorded words.
KSeF FA(3) has FormaPlatnosci 1–7 (or PlatnoscInna with a description); UBL and CII carry
UNCL4461's payment means code (30 credit transfer, 58 SEPA credit transfer, 48 bank card, 10 cash).

The payment's method is read by its code where the system wrote it (a bank statement's transfer, a
gateway's payment: invoicing.payment_methods), which also recognises older rows by their exact
wording in any of the panel's languages — a gateway's title stored in Polish maps as its English
does. Text someone typed is read by its words, in English or Polish."""

from __future__ import annotations

from django.utils import translation

from clientpanel.invoicing.payment_methods import CARD, CASH, MOBILE, TRANSFER, method_label, method_means

from . import EInvoiceInput

TRANSFER_CODES = ("30", "58")  # UNCL4461's transfers: the ones that name the account paid into (BG-17)

_WORDS = ((("transfer", "przelew", "wire"), TRANSFER), (("card", "karta", "karty", "kartą"), CARD),
          (("cash", "gotówka", "gotowka"), CASH), (("blik", "mobile", "mobilna"), MOBILE))


def payment_kind(data: EInvoiceInput) -> str:
    """TRANSFER, CARD, CASH or MOBILE for the recorded method; "" when nothing says."""
    if not data.payment_means.strip() and not data.payment_method_code:
        return ""
    kind = method_means(data.payment_means, data.payment_method_code)
    if kind:
        return kind
    lowered = data.payment_means.lower()
    return next((kind for words, kind in _WORDS if any(word in lowered for word in words)), "")


def payment_description(data: EInvoiceInput) -> str:
    """The method in words, in the document's language (the system's methods translated, typed text as typed)."""
    with translation.override(data.language or "en"):
        return method_label(data.payment_means, data.payment_method_code).strip()
