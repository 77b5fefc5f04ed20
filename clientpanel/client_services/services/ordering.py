"""Ordering a service: a PENDING service for a product at one of its prices, refused when the
client's funds do not cover the first charge plus the setup fee (unless staff override it)."""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.catalog import selectors as catalog_selectors
from clientpanel.catalog.models import Price, Product
from clientpanel.catalog.selectors import Offer
from clientpanel.clients.models import Client
from clientpanel.clients.selectors import ORDERING, clients_visible_to, new_business_refusal
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, require
from clientpanel.core.events import publish
from clientpanel.core.ids import int_id_or_none
from clientpanel.core.money import reader_amount

from .. import policies, rules
from ..calculations import period_charge
from ..events import ServiceOrdered
from ..models import ProvisionStatus, Service
from ..shortfalls import OrderNotCovered, Shortfall, funds, held_for_pending

LABEL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def _new_label() -> str:
    for _attempt in range(20):
        label = "".join(secrets.choice(LABEL_ALPHABET) for _position in range(6))
        if not Service.objects.filter(label=label).exists():
            return label
    raise RuntimeError("could not find a free service label")


def first_charge(product: Product, price: Price | Offer) -> Decimal:
    """What the first period costs (ONE_TIME: the price itself)."""
    charge = period_charge(period=price.period, amount=price.amount, hourly_billing=product.hourly_billing,
                           start=timezone.now())
    return charge.amount if charge else price.amount


def service_order(*, actor: ActorLike, client_id, product_id, price_id, allow_over_limit: bool = False
                  ) -> Service:
    """Add a service (PENDING) for a product at one of its offers in the client's currency (an
    explicit price, or one derived from the default currency's price: price_id names that one). Refused
    for a client closed or marked as fraud (409 `client_closed`, rules.client_takes_orders), and
    when the balance plus credit limit do not cover the first charge plus the setup fee, unless
    staff override it (recorded in the audit trail). Provisioning is queued after commit."""
    actor = as_actor(actor)
    require(policies.can_order(actor, client_id), _("You are not allowed to add services."))
    if allow_over_limit:
        require(policies.can_override_funds(actor), _("You are not allowed to order beyond the credit limit."))
    with transaction.atomic():
        clients = clients_visible_to(actor)
        try:
            client = clients.select_for_update(of=("self",), no_key=True).get(pk=client_id)
        except (Client.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("Client not found.")) from None
        if not rules.client_takes_orders(client):  # judged on the locked row: closed meanwhile counts
            raise Conflict(new_business_refusal(client, ORDERING), code="client_closed")
        errors = FieldErrors()
        product = Product.objects.filter(pk=product_id).first() if _uuid_like(product_id) else None
        if product is None:
            product = Product.objects.filter(key=str(product_id)).first()
        if product is None or not policies.can_order_product(actor, product):
            errors.add("product", _("Choose a product that is on sale."))
        offer = None
        if product is not None and not errors:
            offers = catalog_selectors.offers_of(product, client.currency)
            price_pk = int_id_or_none(price_id)
            price = Price.objects.filter(pk=price_pk, product=product).first() if price_pk is not None else None
            if not offers:
                errors.add("product", _("%(product)s has no price in %(currency)s, the client's currency.")
                           % {"product": product.name, "currency": client.currency})
            elif price is None:
                errors.add("price", _("Choose one of the product's prices."))
            else:
                offer = catalog_selectors.offer_for_price(offers, price)
                if offer is None and price.retired:
                    errors.add("price", _("This price is retired; choose another."))
                elif offer is None:
                    errors.add("price", _("The client pays in %(client_currency)s; this price is in "
                                          "%(price_currency)s.") % {"client_currency": client.currency,
                                                                    "price_currency": price.currency})
        errors.raise_if_any()
        need = first_charge(product, offer) + offer.setup_fee
        held = held_for_pending(client.pk, now=timezone.now())
        shortfall = Shortfall.of(need, client, held=held)
        if shortfall and not allow_over_limit:
            # Amounts as people read them in their language ("$5.00", "5,00 USD"), not the ledger's "5.0000".
            amounts = {"funds": reader_amount(funds(client), client.currency),
                       "held": reader_amount(held, client.currency), "need": reader_amount(need, client.currency)}
            raise OrderNotCovered(
                _("Balance plus credit limit (%(funds)s), less %(held)s for the services still being set up, do "
                  "not cover the first charge and setup fee (%(need)s).") % amounts if held else
                _("Balance plus credit limit (%(funds)s) do not cover the first charge and setup fee (%(need)s).")
                % amounts, fields={"price": [_("Not enough funds.")]}, shortfall=shortfall)
        override = shortfall is not None
        # The service keeps its own copy of the price (a snapshot): later edits, retiring the price or
        # a new exchange rate never change what it is charged. A derived price links to its source.
        service = Service.objects.create(
            client=client, product=product, price=offer.price, label=_new_label(), currency=offer.currency,
            period=offer.period, amount=offer.amount, setup_fee=offer.setup_fee, order_date=timezone.now(),
            provision_status=ProvisionStatus.PENDING, funds_override=override)
        audit_record(action="service.order", target=service, client_id=client.pk, object_label=str(service),
                     changes={"price": [None, offer.label],
                              **({"exchange_rate": [None, str(offer.rate)]} if offer.derived else {}),
                              "funds_override": [None, True] if override else [None, None]})
        # tasks.queue_provisioning queues the provisioning when this commits.
        publish(ServiceOrdered(service_id=service.pk, client_id=client.pk, label=service.label))
    return service


def _uuid_like(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True

