"""A home company's e-invoice settings (its format, how KSeF files reach KSeF) and the exchange
rates staff enter for foreign-currency VAT: the configuration the making and sending of e-invoices
(making.py, services.py, sending.py) read."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.core.errors import FieldErrors, ValidationFailed, require
from clientpanel.core.locks import lock_one
from clientpanel.core.money import AmountError, parse_decimal
from clientpanel.core.text import clean_text
from clientpanel.tax.models import HomeCompany

from . import policies
from .exporters import CannotExport, get_exporter
from .making import einvoices_waiting_for_rate
from .models import EInvoiceProfile, KsefEnvironment, VatExchangeRate
from .rates import polish_holidays
from .reasons import describe
from .requirements import company_unmet

# The token's variable must be named for KSeF: a settings user must not point the job at another
# secret of the server (the database's, the session key) and have it sent to KSeF.
ENV_NAME = re.compile(r"^(CLIENTPANEL_)?KSEF_[A-Z0-9_]{1,80}$")


def einvoice_profile_save(*, actor: ActorLike, company_id, format_key: object, ksef_environment: object = None,
                          ksef_token_env: object = None, vat_exemption_basis: object = None,
                          split_payment: object = None) -> EInvoiceProfile:
    """Choose the e-invoice format of a home company ("" — none) and, for KSeF, how files reach it:
    offline (staff send them) or through KSeF's API in its test, demo or production environment,
    with a token read from the server's environment variable named here (never the token itself).
    A format whose requirements the company does not meet (requirements.company_unmet) is refused.
    Documents issued before keep what they had (or had not)."""
    actor = as_actor(actor)
    require(policies.can_configure_einvoices(actor), _("You are not allowed to change settings."))
    errors = FieldErrors()
    key = str(format_key or "").strip()
    if key:
        try:
            get_exporter(key)
        except CannotExport:
            errors.add("format", _("Choose one of the formats offered."))
    environment = str(ksef_environment or KsefEnvironment.OFFLINE).strip().upper()
    variable = str(ksef_token_env or "").strip()
    if environment not in KsefEnvironment.values:
        errors.add("ksef_environment", _("Choose offline or one of KSeF's environments."))
    elif environment != KsefEnvironment.OFFLINE:
        if key != "ksef_fa3":
            errors.add("ksef_environment", _("Only KSeF FA(3) e-invoices are sent to KSeF."))
        if not ENV_NAME.match(variable):
            errors.add("ksef_token_env", _("Name the environment variable holding the KSeF token: KSEF_ and "
                                           "capitals (e.g. KSEF_TOKEN)."))
        elif not os.environ.get(variable):
            errors.add("ksef_token_env", _("The environment variable %(name)s is not set on this server.") % {
                "name": variable})
    elif variable and not ENV_NAME.match(variable):
        errors.add("ksef_token_env", _("Name the environment variable holding the KSeF token: KSEF_ and "
                                       "capitals (e.g. KSEF_TOKEN)."))
    basis = clean_text(vat_exemption_basis, "vat_exemption_basis", errors, limit=200, single_line=True) \
        if vat_exemption_basis else ""
    errors.raise_if_any()
    with transaction.atomic():
        company = lock_one(HomeCompany.objects.all(), _("Home company not found."), pk=company_id)
        if key == "ksef_fa3" and company.country != "PL":
            message = _("KSeF FA(3) is for Polish companies; choose UBL or CII for a company in %(country)s.") % {
                "country": company.country}
            raise ValidationFailed(message, fields={"format": [message]})
        # A format the company cannot meet (EN 16931 without a VAT or tax number, stacked taxes) would
        # fail every document's e-invoice: refused here, under the format, saying what to fill.
        unmet = company_unmet(key, company)
        if unmet is not None:
            message = describe(unmet, unmet.code, unmet.params)
            raise ValidationFailed(message, fields={"format": [message]})
        profile, _created = EInvoiceProfile.objects.get_or_create(home_company=company)
        before = {"format": profile.format or None, "ksef_environment": profile.ksef_environment,
                  "ksef_token_env": profile.ksef_token_env or None,
                  "vat_exemption_basis": company.vat_exemption_basis or None,
                  "split_payment": profile.split_payment}
        profile.format, profile.ksef_environment, profile.ksef_token_env = key, environment, variable
        if company.vat_exemption_basis != basis:  # the company's: documents record it at issue (tax.models)
            company.vat_exemption_basis = basis
            company.save(update_fields=["vat_exemption_basis"])
        if split_payment is not None:
            profile.split_payment = split_payment in (True, "on", "true", "1")
        profile.save()
        after = {"format": key or None, "ksef_environment": environment, "ksef_token_env": variable or None,
                 "vat_exemption_basis": basis or None, "split_payment": profile.split_payment}
        audit_record(action="einvoice.profile", target=company,
                     changes={name: [before[name], after[name]] for name in after if before[name] != after[name]})
    return profile


RATE_MAX = Decimal("1000000")


def vat_exchange_rate_save(*, actor: ActorLike, currency: object, day: object, rate: object,
                           table: object = "", to_currency: str = "PLN") -> VatExchangeRate:
    """Enter (or correct) the tax exchange rate of one currency on one day: how many units of
    `to_currency` one unit bought (NBP table A for PLN). Documents made with a rate keep it."""
    actor = as_actor(actor)
    require(policies.can_enter_vat_rates(actor), _("You are not allowed to enter exchange rates."))
    errors = FieldErrors()
    code = str(currency or "").strip().upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha()) or code == to_currency:
        errors.add("currency", _("Enter a currency code such as EUR or USD (not %(to)s itself).") % {"to": to_currency})
    parsed_day = None
    try:
        parsed_day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day or "").strip())
    except ValueError:
        errors.add("day", _("Enter the day as 2026-11-20."))
    if parsed_day is not None and parsed_day > timezone.localdate():
        errors.add("day", _("A rate cannot be of a day still to come."))
    elif parsed_day is not None and to_currency == "PLN" and (
            parsed_day.weekday() >= 5 or parsed_day in polish_holidays(parsed_day.year)):
        errors.add("day", _("NBP publishes no rates on %(day)s (a weekend or a public holiday): no document uses a "
                            "rate of that day.") % {"day": parsed_day.isoformat()})
    rate_rule = _("Enter the rate as a positive number with at most six decimals, e.g. 4.2345.")
    try:
        value = parse_decimal(str(rate or "").strip().replace(",", ".").replace(" ", ""),
                              float_refused=rate_rule, missing=rate_rule, not_a_number=rate_rule)
    except AmountError:
        value = None
    if value is None or value <= 0 or value >= RATE_MAX or \
            value != value.quantize(Decimal("0.000001")):
        errors.add("rate", rate_rule)
    label = " ".join(str(table or "").split())
    if len(label) > 40:
        errors.add("table", _("At most 40 characters."))
    errors.raise_if_any()
    with transaction.atomic():
        found, created = VatExchangeRate.objects.select_for_update().get_or_create(
            currency=code, to_currency=to_currency, day=parsed_day,
            defaults={"rate": value, "table": label, "created_by_label": actor.label[:300]})
        before = None if created else str(found.rate)
        if not created:
            found.rate, found.table, found.created_by_label = value, label, actor.label[:300]
            found.save()
        audit_record(action="vat_exchange_rate.save", target=found,
                     changes={"rate": [before, str(value)], "day": [None, parsed_day.isoformat()],
                              "currency": [None, code]})
        einvoices_waiting_for_rate(currency=code, day=parsed_day)
    return found
