"""Settings → Home companies: the companies that issue documents and their tax rules."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.roles import SETTINGS
from clientpanel.core.errors import DomainError
from clientpanel.einvoices.exporters import exporter_choices
from clientpanel.einvoices.models import KsefEnvironment
from clientpanel.einvoices.selectors import einvoice_profile_of
from clientpanel.files import logos
from clientpanel.notifications import services as email_services
from clientpanel.payments.gateways import GatewayError, gateway_choices, get_gateway
from clientpanel.payments.gateways.settings_checks import shown_again
from clientpanel.tax import services as tax_services
from clientpanel.tax.models import HomeCompany, TaxRule
from clientpanel.tax.rules import company_registration_gaps
from clientpanel.ui.uploads import FileSizeLimit, upload_limited

from ..access import area_required
from ..feedback import run_and_report
from ..forms.tax import HomeCompanyForm, TaxRuleForm
from .common import form_page

# What a new tax rule's form starts with.
NEW_RULE = {"applies_private": True, "applies_company": True, "applies_company_tax_id": True, "priority": 0}


def _takes_settings(key: str) -> bool:
    try:
        return bool(get_gateway(key).settings_names)
    except GatewayError:  # a gateway no longer shipped
        return False


def _gateway_row(account, titles: dict) -> dict:
    """A gateway of the company as its row shows it: its settings box only for a gateway that reads
    settings or has some stored (to clear them), filled with them unless they hold a secret."""
    stored = account.settings_json
    return {"account": account, "title": titles.get(account.gateway, account.gateway),
            "settings": (shown_again(stored) or "") if stored or _takes_settings(account.gateway) else None}


@area_required(SETTINGS)
def home_company_list(request: HttpRequest) -> HttpResponse:
    companies = HomeCompany.objects.prefetch_related("tax_rules").order_by("-is_default", "name")
    return render(request, "backoffice/settings/home_company_list.html", {"companies": companies})


@area_required(SETTINGS)
@require_http_methods(["GET", "POST"])
def home_company_edit(request: HttpRequest, company_id: int | None = None) -> HttpResponse:
    company = get_object_or_404(HomeCompany, pk=company_id) if company_id else None
    initial = {}
    if company is not None:
        initial = {name: getattr(company, name) for name in HomeCompanyForm.base_fields}
        initial["payment_terms_days"] = company.payment_terms_days or ""
    form = HomeCompanyForm(request.POST or None, initial=initial or {
        "country": "US", "topup_item_name": "Add funds", "refund_item_name": "Refund",
        "proforma_pattern": "PROFORMA/{YEAR}/{MONTH}/{NUMBER}", "invoice_pattern": "INV/{YEAR}/{MONTH}/{NUMBER}",
        "credit_note_pattern": "CN/{YEAR}/{MONTH}/{NUMBER}", "reminder_days_before": 3, "reminder_days_overdue": 3})

    @transaction.atomic  # the company and its e-mail switches, or neither
    def save(data: dict) -> HomeCompany:
        saved = tax_services.home_company_save(actor=request.user, data=form.company_data(), company_id=company_id)
        email_services.home_company_muted_emails_set(actor=request.user, company_id=saved.pk,
                                                     keys=data["muted_emails"])
        return saved

    rules = company.tax_rules.order_by("country", "region", "-priority") if company else []
    titles = dict(gateway_choices())
    accounts = list(company.gateway_accounts.all()) if company else []
    taken = {account.gateway for account in accounts}
    offered = [(key, title) for key, title in titles.items() if key not in taken]
    return form_page(request, form, "backoffice/settings/home_company_form.html", {
        "company": company, "rules": rules, "rule_form": TaxRuleForm(initial=NEW_RULE),
        "gateway_accounts": [_gateway_row(account, titles) for account in accounts],
        "gateway_choices": offered, "offered_take_settings": any(_takes_settings(key) for key, _title in offered),
        "registration_gaps": company_registration_gaps(company) if company else [],
        "einvoice_profile": einvoice_profile_of(company) if company else None, "einvoice_formats": exporter_choices(),
        "ksef_environments": KsefEnvironment.choices,
        "logo_rules": logos.logo_dimensions_text()}, save=save,
        success=lambda saved: _("%(name)s saved.") % {"name": saved.name},
        then=lambda saved: redirect("backoffice:home-company-edit", company_id=saved.pk))


@area_required(SETTINGS)
@require_http_methods(["GET", "POST"])
def tax_rule_edit(request: HttpRequest, company_id: int, rule_id: int | None = None) -> HttpResponse:
    company = get_object_or_404(HomeCompany, pk=company_id)
    rule = get_object_or_404(TaxRule, pk=rule_id, home_company_id=company_id) if rule_id else None
    initial = {name: getattr(rule, name) for name in TaxRuleForm.base_fields} if rule else NEW_RULE
    form = TaxRuleForm(request.POST or None, initial=initial)
    # The company's other rules, and this one as saved or as typed: what it would charge.
    typed = request.POST if request.method == "POST" else initial
    taxes = [(typed.get(f"tax{n}_name"), typed.get(f"tax{n}_rate")) for n in (1, 2, 3)]
    gaps = company_registration_gaps(company, taxes, instead_of=rule_id)
    return form_page(request, form, "backoffice/settings/tax_rule_form.html",
                     {"rule": rule, "company_id": company_id, "company": company, "registration_gaps": gaps},
                     save=lambda data: tax_services.tax_rule_save(actor=request.user, company_id=company_id,
                                                                  data=data, rule_id=rule_id),
                     refused=lambda error: form.add_error("priority", error.message), success=_("Tax rule saved."),
                     then=lambda saved: redirect("backoffice:home-company-edit", company_id=company_id))


@area_required(SETTINGS)
@require_POST
def tax_rule_delete(request: HttpRequest, company_id: int, rule_id: int) -> HttpResponse:
    run_and_report(request, lambda: tax_services.tax_rule_delete(actor=request.user, rule_id=rule_id),
                   success=_("Tax rule deleted."), missing=_("That rule no longer exists."))
    return redirect("backoffice:home-company-edit", company_id=company_id)


@area_required(SETTINGS)
@require_POST
def tax_presets(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        made = tax_services.tax_presets_apply(actor=request.user, company_id=company_id,
                                              preset=request.POST.get("preset", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, ngettext("%(count)d tax rule created.", "%(count)d tax rules created.", made) % {
            "count": made})
    return redirect("backoffice:home-company-edit", company_id=company_id)


@area_required(SETTINGS)
@require_POST
@upload_limited(lambda: logos.LOGO_MAX_BYTES)
def home_company_logo(request: HttpRequest, company_id: int, upload_limit: FileSizeLimit) -> HttpResponse:
    """Upload a new logo (shown in the portal, printed on documents issued from now on), or remove it
    (action=remove)."""
    if request.POST.get("action") == "remove":
        run_and_report(request, lambda: logos.home_company_logo_remove(actor=request.user, company_id=company_id),
                       success=_("The logo is removed."), missing=_("Home company not found."))
    elif "logo" in upload_limit.too_large:
        messages.error(request, logos.too_large_message())
    else:
        try:
            logos.home_company_logo_set(actor=request.user, company_id=company_id, file=request.FILES.get("logo"))
        except DomainError as error:
            for message in error.fields.get("logo", [error.message]):
                messages.error(request, message)
        else:
            messages.success(request, _("The logo is saved; the portal shows it and documents issued from now on "
                                        "print it."))
    return redirect("backoffice:home-company-edit", company_id=company_id)
