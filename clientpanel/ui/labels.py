"""Words the interfaces show for codes the domain keeps (setting keys, job names, audit actor
kinds…), in the reader's language, and the country, language and currency choices of their forms.
Enums with choices carry their own translated labels (models.py); these are the codes without one.
A code missing here is shown as it is."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clientpanel.client_services import models as service_models
from clientpanel.clients.models import AddressType
from clientpanel.clients.validation import country_choices as english_country_choices
from clientpanel.clients.validation import country_name as english_country_name
from clientpanel.clients.validation import enabled_currencies, enabled_languages
from clientpanel.clients.validation import language_name as english_language_name
from clientpanel.core.collation import sorted_by_name

# The settings a client inherits (clients.selectors.INHERITED_SETTINGS) and where a value comes from.
SETTING_NAMES = {
    "currency": _("Currency"), "language": _("Language"), "payment_terms_days": _("Payment terms (days)"),
    "tax_exempt": _("Tax exempt"), "reminders_enabled": _("Reminders"),
}
SETTING_SOURCES = {
    "client": pgettext_lazy("setting comes from", "client"), "group": pgettext_lazy("setting comes from", "group"),
    "home company": pgettext_lazy("setting comes from", "home company"),
    "system": pgettext_lazy("setting comes from", "system default"),
}

ACTOR_KINDS = {
    "staff": pgettext_lazy("actor", "staff"), "user": pgettext_lazy("actor", "client user"),
    "api_token": pgettext_lazy("actor", "API token"), "system": pgettext_lazy("actor", "system"),
}

PROVISIONING_OUTCOMES = {"OK": pgettext_lazy("provisioning outcome", "OK"),
                         "ERROR": pgettext_lazy("provisioning outcome", "ERROR"),
                         "TIMEOUT": pgettext_lazy("provisioning outcome", "TIMEOUT")}

SUSPENSION_REASONS = service_models.SUSPENSION_REASONS  # the domain's labels of its stored reasons

# Automation jobs (automation.registry.JOBS): a title and what each does; counts and triggers of a run.
JOB_TITLES = {
    "provision_pending": _("Provision pending services"), "charge_services": _("Charge services"),
    "enforce_credit": _("Enforce credit"), "cancel_stale_proformas": _("Cancel stale proformas"),
    "auto_top_up": _("Auto top-up"),
    "finish_documents": _("Finish issued documents"),
    "fetch_nbp_rates": _("Fetch NBP exchange rates"),
    "send_einvoices": _("Send e-invoices to KSeF"),
    "drain_outbox": _("Deliver the outbox"), "send_emails": _("Send e-mails"),
    "proforma_reminders": _("Proforma reminders"), "low_balance_warnings": _("Low balance warnings"),
    "fail_stalled_tasks": _("Fail stalled background tasks"),
    "clean_up_client_imports": _("Remove old import files"),
    "purge_webhooks": _("Purge webhook logs"),
    "purge_idempotency_keys": _("Forget old idempotency keys"),
    "refresh_dashboard": _("Refresh the dashboard"),
    "roll_up_reports": _("Roll up the reports"),
    "measure_search_trigrams": _("Measure the directory search's common trigrams"),
}
JOB_DESCRIPTIONS = {
    "provision_pending": _("Provision pending services whose funds arrived; cancel those unfunded past the "
                           "product's cancellation delay."),
    "charge_services": _("Charge every active service whose next period has started, in batches."),
    "enforce_credit": _("Unsuspend services suspended for insufficient funds once the next period is covered; end "
                        "services suspended past the termination delay and those cancelled at the end of their "
                        "period."),
    "cancel_stale_proformas": _("Cancel unpaid proformas that received nothing and are overdue."),
    "auto_top_up": _("Charge the saved card of clients with auto top-up whose balance will not cover the next days of "
                     "their services; a declined card is e-mailed and tried again after an hour, then six."),
    "finish_documents": _("Make the PDF and announce the issue of documents whose issuing request stopped before "
                          "it did, a minute after they were issued."),
    "fetch_nbp_rates": _("Fetch NBP's average rates (table A) of the last working day for the currencies billed in, "
                         "and make the e-invoices that waited for them; only where CLIENTPANEL_NBP_FETCH is on."),
    "send_einvoices": _("Hand the KSeF e-invoices of companies that send through KSeF's API over to KSeF and ask "
                        "what became of them: KSeF numbers and receipts kept, rejections with KSeF's reason; KSeF "
                        "out of reach is tried again for a day."),
    "drain_outbox": _("Hand what changes left in the outbox (e-mail, webhooks) to its handlers; retry failures "
                      "with growing delays, give up after the last attempt; delete delivered rows after a week."),
    "proforma_reminders": _("Remind clients of unpaid proformas before the due date, on it and after it (days per "
                            "home company or group), each reminder once."),
    "low_balance_warnings": _("Warn clients whose funds will not cover the next days of their services' charges, at "
                              "most once in that many days."),
    "send_emails": _("Send the queued e-mails; retry temporary failures with growing delays for more than a day, "
                     "give up at once when the server refuses a recipient for good."),
    "fail_stalled_tasks": _("Mark imports and bulk actions whose worker stopped (no progress for 15 minutes) as "
                            "failed, so no page waits for them for ever."),
    "clean_up_client_imports": _("Remove the files of client imports older than a week (uploads never committed, "
                                 "CSVs of rejected rows); their counts and errors stay."),
    "purge_webhooks": _("Remove deleted webhook endpoints a day after their deletion, and delivered or failed "
                        "webhook messages after 30 days."),
    "purge_idempotency_keys": _("Forget the API's Idempotency-Keys and the money forms' one-time keys after 30 days."),
    "refresh_dashboard": _("Add up the dashboard's figures over every client again when they are older than a few "
                           "minutes (CLIENTPANEL_DASHBOARD_REFRESH_MINUTES)."),
    "roll_up_reports": _("Add the payments, credit notes, invoices and charges written since the last run to the "
                         "reports' daily totals; the reports add up live only what is newer."),
    "measure_search_trigrams": _("Once a day, where there are 50,000 clients or more, find on a sample the "
                                 "trigrams most clients' search text holds, which the directory's search then "
                                 "leaves out of what it reads from the trigram index."),
}
JOB_COUNTS = {
    "measured": pgettext_lazy("job count", "measured"), "dense": pgettext_lazy("job count", "common trigrams"),
    "refreshed": pgettext_lazy("job count", "refreshed"),
    "rows": pgettext_lazy("job count", "rows"),
    "provisioned": pgettext_lazy("job count", "provisioned"), "cancelled": pgettext_lazy("job count", "cancelled"),
    "services": pgettext_lazy("job count", "services"), "charges": pgettext_lazy("job count", "charges"),
    "unsuspended": pgettext_lazy("job count", "unsuspended"), "terminated": pgettext_lazy("job count", "terminated"),
    "done": pgettext_lazy("job count", "delivered"), "failed": pgettext_lazy("job count", "to retry"),
    "given_up": pgettext_lazy("job count", "given up"), "purged": pgettext_lazy("job count", "purged"),
    "sent": pgettext_lazy("job count", "sent"), "reminders": pgettext_lazy("job count", "reminders"),
    "warned": pgettext_lazy("job count", "warned"),
    "charged": pgettext_lazy("job count", "charged"), "finished": pgettext_lazy("job count", "finished"),
    "accepted": pgettext_lazy("job count", "accepted"), "rejected": pgettext_lazy("job count", "rejected"),
    "waiting": pgettext_lazy("job count", "waiting"), "unreachable": pgettext_lazy("job count", "not reached"),
    "withheld": pgettext_lazy("job count", "withheld (client closed)"),
}
# Background tasks' kinds (automation/registry.py BACKGROUND), as their page's title.
BACKGROUND_TASK_KINDS: dict[str, str] = {
    "clients.import": _("Import clients"),
    "clients.bulk": _("Bulk change of clients"),
    "clients.bulk_email": _("E-mail to clients"),
    "payments.bank_upload": _("Bank statement upload"),
    "payments.bank_record": _("Recording a bank statement's payments"),
}
JOB_TRIGGERS = {"schedule": pgettext_lazy("job trigger", "schedule"), "manual": pgettext_lazy("job trigger", "manual"),
                "command": pgettext_lazy("job trigger", "command")}  # manage.py run_automation



# Why a VIES check answered ERROR (clients.Client.vies_error, from tax.vies): shown on the Summary.
VIES_ERRORS = {
    "unreachable": _("VIES could not be reached or did not answer in time; try again later."),
    "unexpected_answer": _("VIES gave an answer that could not be read; try again later."),
    "MS_UNAVAILABLE": _("The member state's VAT service is unavailable; try again later."),
    "MS_MAX_CONCURRENT_REQ": _("The member state's VAT service is busy; try again later."),
    "GLOBAL_MAX_CONCURRENT_REQ": _("VIES is busy; try again later."),
    "SERVICE_UNAVAILABLE": _("VIES is unavailable; try again later."),
    "TIMEOUT": _("The member state's VAT service did not answer in time; try again later."),
    "INVALID_INPUT": _("VIES refused the number as malformed; check the tax ID."),
}


def enum_label(enum, code: str) -> str:
    """A code as its enum's label in the reader's language; a code the enum does not know (or
    none) as it is."""
    try:
        return str(enum(code).label)
    except ValueError:
        return code or ""


def vies_error_label(code: str) -> str:
    if code in VIES_ERRORS:
        return str(VIES_ERRORS[code])
    return _("VIES answered with the error %(code)s.") % {"code": code}


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@cache
def _country_catalog(language: str) -> gettext.NullTranslations:
    """pycountry's own translations of its country names (iso3166-1), so every language names
    the same countries the English list has."""
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def country_name(code: str) -> str:
    english = english_country_name(code)
    language = _language()
    return english if language == "en" or english == code else _country_catalog(language).gettext(english)


def country_choices() -> list[tuple[str, str]]:
    language = _language()
    return english_country_choices() if language == "en" else list(_translated_countries(language))


@cache
def _translated_countries(language: str) -> tuple[tuple[str, str], ...]:
    catalog = _country_catalog(language)
    # In the language's alphabetical order (core/collation.py): "Łotwa" after "Luksemburg" in Polish.
    return tuple(sorted_by_name(((code, catalog.gettext(name)) for code, name in english_country_choices()),
                                language, name=lambda item: item[1]))


def language_name(code: str) -> str:
    language = _language()
    if language == "en":
        return english_language_name(code)
    try:
        return Locale.parse(code).get_display_name(language).capitalize()
    except (ValueError, TypeError, UnknownLocaleError):
        return code


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in enabled_languages()]


def currency_choices() -> list[tuple[str, str]]:
    language = _language()
    return [(code, f"{code} — {get_currency_name(code, locale=language)}") for code in enabled_currencies()]


# The name an address nobody named reads with, in the reader's language: the portal names a new one
# so, and pages read the English names the services store for one ("Shipping": ui.address_name).
UNNAMED_ADDRESS = {AddressType.BILLING: _("Billing address"), AddressType.SHIPPING: _("Shipping address"),
                   AddressType.SERVICE: _("Service address")}
