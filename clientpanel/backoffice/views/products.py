"""The Products area: products, their prices (added, edited, retired and brought back), retiring a
product, and the exchange rates derived prices come from."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.roles import PRODUCTS, SETTINGS
from clientpanel.catalog import selectors as catalog_selectors
from clientpanel.catalog import services as catalog_services
from clientpanel.catalog.models import Price, Product
from clientpanel.core.errors import DomainError, NotFound
from clientpanel.core.money import format_amount_input

from ..access import area_required
from ..forms.services import ExchangeRateForm, PriceEditForm, PriceForm, ProductForm
from .common import form_page, found_or_404


@area_required(PRODUCTS)
def product_list(request: HttpRequest) -> HttpResponse:
    products = list(Product.objects.prefetch_related("prices").order_by("retired", "name"))
    rates = catalog_selectors.exchange_rates()
    for product in products:
        product.derived = catalog_selectors.derived_offers_of(product, rates=rates)
    return render(request, "backoffice/products/list.html", {"products": products})


@area_required(PRODUCTS)
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, product_id=None) -> HttpResponse:
    product = get_object_or_404(Product, pk=product_id) if product_id else None
    initial = {"module": "manual", "termination_delay_hours": 48, "cancellation_delay_hours": 48}
    if product is not None:
        initial = {name: getattr(product, name) for name in ProductForm.base_fields}
        initial["module_settings"] = json.dumps(product.module_settings) if product.module_settings else ""
    return form_page(
        request, ProductForm(request.POST or None, initial=initial), "backoffice/products/edit.html", {
            "product": product, "prices": product.prices.all() if product else [],
            "derived": catalog_selectors.derived_offers_of(product) if product else [],
            "default_currency": catalog_selectors.default_currency(),
            "price_form": PriceForm(initial={"setup_fee": "0"}),
            # A refused price comes back as it was typed (price_add's redirect carries it).
            "typed_price": {name: request.GET.get(f"price_{name}", "") for name in PriceForm.base_fields}},
        save=lambda data: catalog_services.product_save(actor=request.user, data=data, product_id=product_id),
        success=lambda saved: _("Product %(name)s saved.") % {"name": saved.name},
        then=lambda saved: redirect("backoffice:product-edit", product_id=saved.pk))


@area_required(PRODUCTS)
@require_POST
def price_add(request: HttpRequest, product_id) -> HttpResponse:
    form = PriceForm(request.POST)
    if form.is_valid():
        try:
            catalog_services.price_save(actor=request.user, product_id=product_id, data=form.cleaned_data)
        except NotFound:
            raise Http404("Product not found.") from None
        except DomainError as error:
            # The fields' own messages under their labels ("Amount: Enter a number, e.g. 12.50."),
            # not the service's summary, which names them by key ("… not valid: amount.").
            if error.fields:
                messages.error(request, _price_problems(form, error.fields))
            else:
                messages.error(request, error.message)
        else:
            messages.success(request, _("Price added."))
            return redirect("backoffice:product-edit", product_id=product_id)
    else:
        messages.error(request, _price_problems(form, {k: list(v)[:1] for k, v in form.errors.items()}))
    typed = {f"price_{name}": request.POST.get(name, "")[:40] for name in PriceForm.base_fields}
    return redirect(f"{reverse('backoffice:product-edit', args=[product_id])}?{urlencode(typed)}")


def _price_problems(form: PriceForm, fields: dict[str, list[str]]) -> str:
    problems = "; ".join(f"{form.fields[k].label if k in form.fields else k}: {message}"
                         for k, messages_ in fields.items() for message in messages_)
    return _("Check the price: %(problems)s") % {"problems": problems}


@area_required(PRODUCTS)
@require_POST
def product_retire(request: HttpRequest, product_id) -> HttpResponse:
    product = found_or_404(lambda: catalog_services.product_retire(actor=request.user, product_id=product_id),
                           "Product not found.")
    messages.success(request, _("%(name)s is retired: no new orders; its services go on.") % {"name": product.name})
    return redirect("backoffice:product-list")


@area_required(PRODUCTS)
@require_http_methods(["GET", "POST"])
def price_edit(request: HttpRequest, product_id, price_id: int) -> HttpResponse:
    price = get_object_or_404(Price.objects.select_related("product"), pk=price_id, product_id=product_id)
    initial = {"amount": format_amount_input(price.amount), "setup_fee": format_amount_input(price.setup_fee)}
    return form_page(
        request, PriceEditForm(request.POST or None, initial=initial), "backoffice/products/price_edit.html",
        {"product": price.product, "price": price},
        save=lambda data: found_or_404(lambda: catalog_services.price_save(
            actor=request.user, product_id=product_id, price_id=price_id,
            data={"amount": data["amount"], "setup_fee": data["setup_fee"] or "0"}), "Price not found."),
        success=lambda saved: _("Price saved: %(price)s. Services ordered before keep their price.")
        % {"price": saved.label},
        then=lambda saved: redirect("backoffice:product-edit", product_id=product_id))


@area_required(PRODUCTS)
@require_POST
def price_retire(request: HttpRequest, product_id, price_id: int) -> HttpResponse:
    """Retire a price (retired=1) or bring it back (retired=0)."""
    retire = request.POST.get("retired", "1") != "0"
    try:
        price = catalog_services.price_save(actor=request.user, product_id=product_id, price_id=price_id,
                                            data={"retired": retire})
    except NotFound:
        raise Http404("Price not found.") from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, (_("%(price)s is retired: no new orders; its services go on.") if retire
                                   else _("%(price)s is on sale again.")) % {"price": price.label})
    return redirect("backoffice:product-edit", product_id=product_id)


@area_required(PRODUCTS, SETTINGS)
@require_http_methods(["GET", "POST"])
def exchange_rates(request: HttpRequest) -> HttpResponse:
    rows = catalog_selectors.exchange_rate_rows()
    form = ExchangeRateForm(request.POST or None, currencies=[row["currency"] for row in rows])
    return form_page(
        request, form, "backoffice/products/exchange_rates.html",
        {"rows": rows, "default_currency": catalog_selectors.default_currency()},
        save=lambda data: catalog_services.exchange_rate_save(actor=request.user, currency=data["currency"],
                                                              rate=data["rate"]),
        success=lambda saved: _("1 %(default)s = %(rate)s %(currency)s saved; new orders derive their prices "
                                "from it, services ordered before keep theirs.")
        % {"default": catalog_selectors.default_currency(), "rate": catalog_selectors.rate_shown(saved.rate),
           "currency": saved.currency},
        then=lambda saved: redirect("backoffice:product-exchange-rates"))


@area_required(PRODUCTS, SETTINGS)
@require_POST
def exchange_rate_delete(request: HttpRequest, currency: str) -> HttpResponse:
    found_or_404(lambda: catalog_services.exchange_rate_delete(actor=request.user, currency=currency),
                 "Rate not found.")
    messages.success(request, _("The %(currency)s rate is removed: its derived prices are no longer offered.")
                     % {"currency": currency.upper()})
    return redirect("backoffice:product-exchange-rates")
