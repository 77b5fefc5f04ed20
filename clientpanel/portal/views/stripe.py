"""Stripe's test cards page (issue 15): with a Stripe account in test mode (test keys, or
localstripe), the payer lands here instead of Stripe's hosted page, picks one of Stripe's test
payment methods, and the server confirms the PaymentIntent with it. Nothing here sees a card
number; the outcome arrives as Stripe's signed webhook, like any real payment's. "Pay and keep the
card" attaches the card to the client's Stripe Customer, for auto top-up."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clientpanel.clients.permissions import MANAGE_INVOICES
from clientpanel.payments.gateways import GatewayError, get_gateway
from clientpanel.payments.gateways.stripe_gateway import StripeGateway
from clientpanel.payments.models import AttemptStatus
from clientpanel.payments.selectors import account_of
from clientpanel.payments.services import attempt_documents

from ..access import portal_page
from .payments import payer_attempt_or_404

KEEP_SUFFIX = "_keep"  # a card's button value with it: pay, and keep the card at Stripe


@portal_page(MANAGE_INVOICES)
@require_http_methods(["GET", "POST"])
def stripe_test_cards(request: HttpRequest, attempt_id) -> HttpResponse:
    attempt = payer_attempt_or_404(request, attempt_id)
    if attempt.gateway != StripeGateway.key:
        raise Http404("No such payment.")
    if request.method == "POST":
        if attempt.status != AttemptStatus.STARTED:
            return redirect("portal:payment", attempt_id=attempt.pk)
        account = account_of(attempt, StripeGateway.key)
        if account is None:
            raise Http404("Stripe is not set up for this company any more.")
        card = request.POST.get("card", "")
        keep = card.endswith(KEEP_SUFFIX)  # "Pay and keep the card": for later charges (auto top-up)
        try:
            get_gateway(StripeGateway.key).confirm_with_test_card(
                settings=account.settings, reference=attempt.reference, card=card.removesuffix(KEEP_SUFFIX),
                keep=keep, client_id=attempt.client_id, account_id=account.pk,
                email=request.portal.user.email if keep else "")
        except GatewayError as error:
            messages.error(request, str(error))
        return redirect("portal:payment", attempt_id=attempt.pk)
    return render(request, "portal/stripe_test_cards.html", {
        "attempt": attempt, "documents": attempt_documents(attempt), "started": attempt.status == AttemptStatus.STARTED,
        "note": _("Stripe in test mode: no real card is charged. Choose one of Stripe's test cards.")})
