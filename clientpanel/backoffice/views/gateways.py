"""Settings → Home companies → Online payments: the gateways a company takes payments through and
in which currencies (payments.gateway_accounts)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientpanel.accounts.roles import SETTINGS
from clientpanel.core.errors import DomainError, NotFound
from clientpanel.payments.gateway_accounts import gateway_account_delete, gateway_account_save
from clientpanel.payments.gateways import gateway_choices
from clientpanel.payments.gateways.settings_checks import shown_again
from clientpanel.payments.models import GatewayAccount
from clientpanel.tax.models import HomeCompany

from ..access import area_required, sudo_required
from ..feedback import run_and_report
from .common import go_to

# The form's fields, as the service names them; a refusal of any other is said above the form.
GATEWAY_FIELDS = ("gateway", "currencies", "settings")


def _typed(request: HttpRequest) -> dict:
    return {"gateway": request.POST.get("gateway", "")[:30], "enabled": request.POST.get("enabled") == "on",
            "currencies": request.POST.get("currencies", "")[:400], "settings": request.POST.get("settings")}


def _saved_or_refused(request: HttpRequest, company_id: int, account: GatewayAccount | None, typed: dict,
                      save: Callable[[], object], *, success: str, missing: str) -> HttpResponse:
    """Save; saved or gone, back to the company's page with a message. Refused, the gateway's form
    again on a page of its own, each reason under its field and what was typed kept (a flash
    message on the company's page lost the typing, the settings' JSON most of all)."""
    back = reverse("backoffice:home-company-edit", args=[company_id]) + "#gateways-card"
    try:
        save()
    except NotFound:
        messages.error(request, missing)
    except DomainError as refused:
        company = get_object_or_404(HomeCompany, pk=company_id)
        errors = refused.fields or {"": [refused.message]}
        titles = dict(gateway_choices())
        taken = set(company.gateway_accounts.values_list("gateway", flat=True))
        return render(request, "backoffice/settings/gateway_account_form.html", {
            "company": company, "account": account, "typed": typed | {"settings": shown_again(typed["settings"])},
            "errors": errors,
            "gateway_title": titles.get(account.gateway, account.gateway) if account else "",
            "gateway_choices": [(key, title) for key, title in titles.items() if key not in taken],
            "other_errors": [message for field, field_messages in errors.items()
                             if field not in GATEWAY_FIELDS for message in field_messages]}, status=422)
    else:
        messages.success(request, success)
    return go_to(request, back)


@area_required(SETTINGS)
@sudo_required
@require_POST
def gateway_account_add(request: HttpRequest, company_id: int) -> HttpResponse:
    typed = _typed(request)
    return _saved_or_refused(request, company_id, None, typed, lambda: gateway_account_save(
        actor=request.user, company_id=company_id, gateway=typed["gateway"], currencies=typed["currencies"],
        settings=typed["settings"]),
        success=_("The gateway is added; clients can pay with it now."), missing=_("Home company not found."))


@area_required(SETTINGS)
@sudo_required
@require_POST
def gateway_account_edit(request: HttpRequest, company_id: int, account_id: int) -> HttpResponse:
    missing = _("This home company has no such gateway.")
    if request.POST.get("action") == "remove":
        run_and_report(request, lambda: gateway_account_delete(actor=request.user, company_id=company_id,
                                                               account_id=account_id),
                       success=_("The gateway is removed; its past payments stay."), missing=missing)
        return go_to(request, reverse("backoffice:home-company-edit", args=[company_id]) + "#gateways-card")
    company = get_object_or_404(HomeCompany, pk=company_id)  # (a pk lookup: an id past the column's range is a 404)
    account = GatewayAccount.objects.filter(pk=account_id, home_company=company).first()
    typed = _typed(request)
    return _saved_or_refused(request, company_id, account, typed, lambda: gateway_account_save(
        actor=request.user, company_id=company_id, account_id=account_id, gateway=typed["gateway"],
        enabled=typed["enabled"], currencies=typed["currencies"], settings=typed["settings"]),
        success=_("The gateway is saved."), missing=missing)
