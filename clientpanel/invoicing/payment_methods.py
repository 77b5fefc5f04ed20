"""A payment's method as each reader sees it. What staff type (or an API client sends) is kept and
shown exactly as typed. What the system writes — a bank statement's transfer, an online gateway's
payment — also keeps a code beside the text (`Payment.method_code`: "bank_transfer",
"gateway:<key>"), so it shows in the reader's language and says how the money came (an e-invoice's
payment means) whatever language the text was written in. Rows from before the codes are
recognised by their exact wording: the English "bank transfer" the statements wrote, a gateway's
title in any language the panel speaks; anything else shows as stored.

The gateways live above invoicing (payments): they register their codes here (payments.methods)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

BANK_TRANSFER = "bank_transfer"  # a bank statement's line recorded as a payment
GATEWAY = "gateway:"  # + the gateway's key: an online payment a gateway reported

# How the money came, as e-invoices ask it (KSeF's FormaPlatnosci, UNCL4461 in UBL/CII).
TRANSFER, CARD, CASH, MOBILE = "transfer", "card", "cash", "mobile"

BANK_TRANSFER_TEXT = "bank transfer"  # the English a statement's payment records as its `method`

_LABELS: dict[str, Promise | str] = {BANK_TRANSFER: gettext_lazy("Bank transfer")}
_MEANS: dict[str, str] = {BANK_TRANSFER: TRANSFER}
_OLD_TEXT: dict[str, str] = {BANK_TRANSFER_TEXT: BANK_TRANSFER}  # exact wordings other than the labels


def gateway_code(key: str) -> str:
    return f"{GATEWAY}{key}"[:50]


def method_register(code: str, *, label: Promise | str, means: str = "") -> None:
    """A code the system writes, its label (a lazy translation: its English is also what is stored)
    and how its money comes ("" when no e-invoice code fits)."""
    _LABELS[code] = label
    if means:
        _MEANS[code] = means
    else:
        _MEANS.pop(code, None)


def method_columns(code: str) -> dict[str, str]:
    """The payment's `method` and `method_code` for a code the system writes: the text in English
    (the record the API returns, the same whichever language the payer's request had)."""
    if code == BANK_TRANSFER:
        return {"method": BANK_TRANSFER_TEXT, "method_code": code}
    with translation.override("en"):
        return {"method": str(_LABELS.get(code, code))[:50], "method_code": code}


def method_code_of(method: str, code: str) -> str:
    """The row's code: its own, or for a row without one its exact wording recognised ("" when it
    is text someone typed)."""
    if code:
        return code
    if not method:
        return ""
    if method in _OLD_TEXT:
        return _OLD_TEXT[method]
    for known, label in _LABELS.items():
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                if str(label) == method:
                    return known
    return ""


def method_label(method: str, code: str = "") -> str:
    """The method in the active language: the system's own translated, what was typed as typed
    (also a code nobody registers any more: its text as stored)."""
    label = _LABELS.get(method_code_of(method, code))
    return method if label is None else str(label)


def method_means(method: str, code: str = "") -> str:
    """How the money came (TRANSFER, CARD…) for the system's methods, old rows included; "" for
    typed text and for a gateway that says nothing about it."""
    return _MEANS.get(method_code_of(method, code), "")
