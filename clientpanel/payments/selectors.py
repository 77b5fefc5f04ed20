"""What the portal offers to pay with, and what staff see of online payments."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from clientpanel.accounts.actors import ActorLike
from clientpanel.clients.selectors import clients_visible_to

from .gateways import GatewayError, get_gateway
from .models import GatewayAccount, PaymentAttempt

TEST_GATEWAY = "test"


def online_gateways(*, home_company_id: int, currency: str) -> list[GatewayAccount]:
    """The enabled gateway accounts of a home company that take this currency online, in the order
    the company set (bank transfer is not among them: it has no checkout)."""
    accounts = GatewayAccount.objects.filter(home_company_id=home_company_id, enabled=True)
    found = []
    for account in accounts:
        try:
            online = get_gateway(account.gateway).online
        except GatewayError:  # a gateway no longer shipped: not offered
            online = False
        if account.gateway == TEST_GATEWAY and not settings.CLIENTPANEL_TEST_GATEWAY:
            online = False  # it settles proformas without money: only where the server allows it
        if online and (not account.currencies or currency in account.currencies):
            found.append(account)
    return found


def account_of(attempt: PaymentAttempt, gateway: str | None = None) -> GatewayAccount | None:
    """The gateway account an attempt was made through (its home company's, for its gateway), if the
    company still has it."""
    return GatewayAccount.objects.filter(home_company_id=attempt.home_company_id,
                                         gateway=gateway or attempt.gateway).first()


def attempts_visible_to(actor: ActorLike) -> QuerySet[PaymentAttempt]:
    """The payment attempts of the clients the actor sees."""
    return PaymentAttempt.objects.filter(client__in=clients_visible_to(actor))


def client_attempts(*, client) -> QuerySet[PaymentAttempt]:
    """A client's online payment attempts, newest first, with what each paid (staff's Transactions tab)."""
    return client.payment_attempts.prefetch_related("documents__document").order_by("-created_at")
