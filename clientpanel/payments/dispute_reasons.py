"""A dispute's reason in the reader's words: gateways send a code (Stripe's `reason`:
"product_not_received"), which a Polish page showed as it came. A code not listed here is shown as
the gateway wrote it, with spaces for underscores."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

DISPUTE_REASONS = {
    "bank_cannot_process": pgettext_lazy("dispute reason", "the bank cannot process it"),
    "check_returned": pgettext_lazy("dispute reason", "cheque returned"),
    "credit_not_processed": pgettext_lazy("dispute reason", "a promised refund was not made"),
    "customer_initiated": pgettext_lazy("dispute reason", "started by the payer"),
    "debit_not_authorized": pgettext_lazy("dispute reason", "debit not authorised"),
    "duplicate": pgettext_lazy("dispute reason", "charged twice"),
    "fraudulent": pgettext_lazy("dispute reason", "fraudulent"),
    "general": pgettext_lazy("dispute reason", "general"),
    "incorrect_account_details": pgettext_lazy("dispute reason", "incorrect account details"),
    "insufficient_funds": pgettext_lazy("dispute reason", "insufficient funds"),
    "product_not_received": pgettext_lazy("dispute reason", "product not received"),
    "product_unacceptable": pgettext_lazy("dispute reason", "product unacceptable"),
    "subscription_canceled": pgettext_lazy("dispute reason", "subscription cancelled"),
    "unrecognized": pgettext_lazy("dispute reason", "payment not recognised"),
}


def dispute_reason_label(code: str) -> str:
    """The reason in the active language, or the gateway's code made readable."""
    label = DISPUTE_REASONS.get(code)
    return str(label) if label is not None else code.replace("_", " ")
