"""Settings → Add Funds limits: the portal's Add Funds limits in each currency — its own figures,
or the defaults from the environment — and setting or removing a currency's own."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.roles import SETTINGS
from clientpanel.core.money import format_amount_input
from clientpanel.invoicing.add_funds_limits import limit_rows
from clientpanel.invoicing.services import add_funds_limit_delete, add_funds_limit_save

from ..access import area_required
from ..forms.add_funds_limits import AddFundsLimitForm
from .common import form_page, found_or_404


@area_required(SETTINGS)
@require_http_methods(["GET", "POST"])
def add_funds_limits(request: HttpRequest) -> HttpResponse:
    rows = limit_rows()
    form = AddFundsLimitForm(request.POST or None, currencies=settings.CLIENTPANEL_CURRENCIES,
                             initial=_initial(rows, request.GET.get("currency", "")))
    return form_page(
        request, form, "backoffice/settings/add_funds_limits.html", {"rows": rows},
        save=lambda data: add_funds_limit_save(actor=request.user, currency=data["currency"],
                                               minimum=data["minimum"], maximum=data["maximum"],
                                               maximum_balance=data["maximum_balance"]),
        success=lambda saved: _("The Add Funds limits in %(currency)s are saved; the portal keeps to them from now "
                                "on.") % {"currency": saved.currency},
        then=lambda saved: redirect("backoffice:add-funds-limits"))


@area_required(SETTINGS)
@require_POST
def add_funds_limit_remove(request: HttpRequest, currency: str) -> HttpResponse:
    found_or_404(lambda: add_funds_limit_delete(actor=request.user, currency=currency),
                 "This currency has no limits of its own.")
    messages.success(request, _("The Add Funds limits of %(currency)s are removed: it keeps to the defaults.")
                     % {"currency": currency.upper()})
    return redirect("backoffice:add-funds-limits")


def _initial(rows, currency: str) -> dict[str, str]:
    """The form filled with the figures that apply in the currency the Edit link names."""
    row = next((row for row in rows if row.currency == currency), None)
    if row is None:
        return {}
    return {"currency": currency, "minimum": format_amount_input(row.minimum, currency),
            "maximum": format_amount_input(row.maximum, currency),
            "maximum_balance": "" if row.maximum_balance is None
            else format_amount_input(row.maximum_balance, currency)}
