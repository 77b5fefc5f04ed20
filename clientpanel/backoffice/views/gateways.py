"""Settings → Home companies → Online payments: the gateways a company takes payments through and
in which currencies (payments.gateway_accounts)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientpanel.accounts.roles import SETTINGS
from clientpanel.payments.gateway_accounts import gateway_account_delete, gateway_account_save

from ..access import area_required, sudo_required
from ..feedback import run_and_report


@area_required(SETTINGS)
@sudo_required
@require_POST
def gateway_account_add(request: HttpRequest, company_id: int) -> HttpResponse:
    run_and_report(request, lambda: gateway_account_save(
        actor=request.user, company_id=company_id, gateway=request.POST.get("gateway", "")[:30],
        currencies=request.POST.get("currencies", "")[:400], settings=request.POST.get("settings")),
        success=_("The gateway is added; clients can pay with it now."), missing=_("Home company not found."))
    return redirect("backoffice:home-company-edit", company_id=company_id)


@area_required(SETTINGS)
@sudo_required
@require_POST
def gateway_account_edit(request: HttpRequest, company_id: int, account_id: int) -> HttpResponse:
    if request.POST.get("action") == "remove":
        run_and_report(request, lambda: gateway_account_delete(actor=request.user, company_id=company_id,
                                                               account_id=account_id),
                       success=_("The gateway is removed; its past payments stay."),
                       missing=_("This home company has no such gateway."))
    else:
        run_and_report(request, lambda: gateway_account_save(
            actor=request.user, company_id=company_id, account_id=account_id, gateway=request.POST.get("gateway", ""),
            enabled=request.POST.get("enabled") == "on", currencies=request.POST.get("currencies", "")[:400],
            settings=request.POST.get("settings")),
            success=_("The gateway is saved."), missing=_("This home company has no such gateway."))
    return redirect("backoffice:home-company-edit", company_id=company_id)
