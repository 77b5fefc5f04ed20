"""Paying online in the portal (issue 15): "Pay now" on one or several unpaid proformas, the
gateway's page (for the offline test gateway, a page of the portal that plays the card), the page
a payer comes back to, and the address gateways send their notifications to."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.clients.permissions import MANAGE_INVOICES
from clientpanel.core.errors import Conflict, DomainError
from clientpanel.core.ids import int_id_or_none
from clientpanel.core.money import format_amount_input
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.selectors import documents_visible_to
from clientpanel.payments.auto_top_up import (
    auto_top_up_save,
    saved_method_make_default,
    saved_method_remove,
    saved_methods,
)
from clientpanel.payments.gateways import NotVerified, gateway_choices, get_gateway
from clientpanel.payments.gateways import test_gateway as test_card
from clientpanel.payments.models import AttemptStatus, AutoTopUp, PaymentAttempt
from clientpanel.payments.policies import can_charge_saved_methods
from clientpanel.payments.rules import ENDED_UNCHARGED
from clientpanel.payments.saved_charges import pay_with_saved_method
from clientpanel.payments.selectors import account_of, online_gateways, payable_online, saved_methods_offered
from clientpanel.payments.services import attempt_documents, attempt_for_payer, notification_receive, payment_start
from clientpanel.ui.forms import SentOnceForm

from ..access import portal_page
from ..forms import AutoTopUpForm, sent_once, show_refusal

log = logging.getLogger(__name__)


def _ids(values: list[str]) -> list[str]:
    """The document ids a form sent (a value that is no id at all is a 404, as a wrong id is)."""
    found = []
    for value in values[:50]:
        try:
            found.append(str(uuid.UUID(value)))
        except ValueError:
            raise Http404("No such document.") from None
    return found


def payer_attempt_or_404(request: HttpRequest, attempt_id) -> PaymentAttempt:
    """A payment attempt this user may follow (its client's documents are the user's to pay), or a 404."""
    try:
        return attempt_for_payer(actor=request.portal.actor, attempt_id=attempt_id)
    except DomainError:
        raise Http404("No such payment.") from None


@portal_page(MANAGE_INVOICES)
@require_POST
def pay(request: HttpRequest) -> HttpResponse:
    """Pay the chosen proformas: straight to the gateway when the company offers one, else a choice.
    Each Pay button's form starts one payment (its one-time key, ui.forms.sent_once): pressed twice,
    the second is refused, not a second checkout."""
    once = SentOnceForm(request.POST)
    if not once.is_valid():
        messages.error(request, once.non_field_errors()[0])
        return redirect("portal:invoices")
    return start_paying(request, _ids(request.POST.getlist("documents")), request.POST.get("account", ""),
                        key=once.submission_key)


def start_paying(request: HttpRequest, ids: list[str], account: str = "", *, key: str = "") -> HttpResponse:
    """Send the payer to the gateway for these proformas — or to a choice when the company offers
    several gateways and none was chosen (Pay now, Pay the selected, Add funds and pay). key: the
    one-time key of the form that asked (claimed when the payment starts; Add Funds spent its own)."""
    documents = list(documents_visible_to(request.portal.actor).filter(pk__in=ids).order_by("due_date", "number"))
    if not documents:
        messages.error(request, _("Choose at least one unpaid proforma to pay."))
        return redirect("portal:invoices")
    offered = online_gateways(home_company_id=documents[0].home_company_id, currency=documents[0].currency)
    # A gateway whose own page cannot ask whether to keep the card (Stripe's) is asked here first.
    asks_to_keep = [a.pk for a in offered if get_gateway(a.gateway).keep_asked_before_start(a.settings)]
    if (len(offered) > 1 and not account) or (asks_to_keep and request.POST.get("chosen") != "1"):
        titles = dict(gateway_choices())
        return render(request, "portal/pay.html", {
            "documents": documents, "accounts": [(a.pk, titles.get(a.gateway, a.gateway)) for a in offered],
            "asks_to_keep": asks_to_keep, "chosen_account": account,
            "total": sum(d.total - d.paid_gross for d in documents), "currency": documents[0].currency})
    try:
        _attempt, checkout = sent_once(request, key, lambda: payment_start(
            actor=request.portal.actor, document_ids=ids,
            account_id=int_id_or_none(account),
            return_url=lambda a: request.build_absolute_uri(reverse("portal:payment", args=[a.pk])),
            keep_method=request.POST.get("keep_method") == "on"))
    except DomainError as error:
        messages.error(request, error.message)
        if len(ids) == 1:
            return redirect("portal:document", document_id=ids[0])
        return redirect("portal:invoices")
    return redirect(checkout.redirect_url)


@portal_page(MANAGE_INVOICES)
@require_POST
def pay_with_saved(request: HttpRequest) -> HttpResponse:
    """Pay a proforma with a card the gateway keeps for the client (its page's "Pay with …"): charged
    at once, then the payment's page says how it went. Its one-time key keeps a second press from
    charging the card again."""
    ids = _ids(request.POST.getlist("documents"))
    once = SentOnceForm(request.POST)
    try:
        if not once.is_valid():
            raise Conflict(once.non_field_errors()[0])
        attempt = sent_once(request, once.submission_key, lambda: pay_with_saved_method(
            actor=request.portal.actor, document_ids=ids, method_id=request.POST.get("method", "")))
    except DomainError as error:
        messages.error(request, error.message)
        # Back to the proforma's page, when it is one the user sees; else to the invoices.
        if len(ids) == 1 and documents_visible_to(request.portal.actor).filter(pk=ids[0]).exists():
            return redirect("portal:document", document_id=ids[0])
        return redirect("portal:invoices")
    return redirect("portal:payment", attempt_id=attempt.pk)


@portal_page(MANAGE_INVOICES)
def payment(request: HttpRequest, attempt_id) -> HttpResponse:
    """Where a payer comes back from the gateway: what happened, and the documents it paid."""
    attempt = payer_attempt_or_404(request, attempt_id)
    documents = attempt_documents(attempt)
    invoices = Document.objects.filter(pk__in=[d.related_id for d in documents if d.related_id]).order_by("number") \
        if attempt.status == AttemptStatus.SUCCEEDED else Document.objects.none()
    # After a failure the proformas that can be paid now are offered again, so "try again" is one
    # click (not one whose other payment is still settling: the button would only be refused).
    payable = payable_online(documents)[0] if attempt.status in ENDED_UNCHARGED else set()
    unpaid = [d for d in documents if d.pk in payable]
    return render(request, "portal/payment.html", {"attempt": attempt, "documents": documents, "unpaid": unpaid,
                                                   "invoices": list(invoices), "status": AttemptStatus,
                                                   # a declined card: another saved one is one click too
                                                   "saved_methods": saved_methods_offered(
                                                       request.portal.actor, unpaid[0]) if unpaid else []})


# --- the offline test gateway's page ---------------------------------------------------------------

OUTCOMES = ("succeed", "succeed_save", "succeed_save_declining", "fail", "pending", "secure", "approve", "decline",
            "complete")


@portal_page(MANAGE_INVOICES)
@require_http_methods(["GET", "POST"])
def test_gateway(request: HttpRequest, attempt_id) -> HttpResponse:
    """The test gateway's "card page": the tester picks what the card does; the page then notifies
    as the gateway would (signed, through the same path as any gateway's notification)."""
    attempt = payer_attempt_or_404(request, attempt_id)
    if attempt.gateway != test_card.TestGateway.key or not settings.CLIENTPANEL_TEST_GATEWAY:
        raise Http404("No such payment.")
    step = "choose"
    if attempt.status not in (AttemptStatus.STARTED, AttemptStatus.PENDING):
        # Its checkout ended (paid, failed, or closed because another payment of its proformas went
        # through): as a gateway's page refuses a card then, the payment's own page says how it ended.
        return redirect("portal:payment", attempt_id=attempt.pk)
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        if outcome not in OUTCOMES:
            return HttpResponseBadRequest(_("Choose what the card does."))
        if outcome == "secure":
            step = "secure"  # the bank's 3-D Secure question, before anything is sent
        else:
            kind = {"succeed": "payment.succeeded", "approve": "payment.succeeded", "complete": "payment.succeeded",
                    "succeed_save": "payment.succeeded", "succeed_save_declining": "payment.succeeded",
                    "fail": "payment.failed", "decline": "payment.failed", "pending": "payment.pending"}[outcome]
            save = {"succeed_save": "card", "succeed_save_declining": "declining"}.get(outcome, "")
            error = _("3-D Secure authentication failed (test).") if outcome == "decline" else \
                _("The card was declined (test).") if outcome == "fail" else ""
            account = account_of(attempt)
            if account is None:
                raise Http404("The test gateway is not set up for this company any more.")
            body, headers = test_card.signed_event(account.pk, kind=kind, reference=attempt.reference,
                                                   amount=attempt.amount, currency=attempt.currency, error=error,
                                                   save=save)
            notification_receive(gateway_key=attempt.gateway, account_id=account.pk, body=body, headers=headers)
            if outcome == "pending":
                step = "pending"
            else:
                return redirect("portal:payment", attempt_id=attempt.pk)
    return render(request, "portal/test_gateway.html", {"attempt": attempt, "step": step,
                                                         "documents": attempt_documents(attempt)})


# --- notifications from gateways ------------------------------------------------------------------

@csrf_exempt
@require_POST
def notify(request: HttpRequest, gateway: str, account_id: int) -> HttpResponse:
    """A gateway's notification: verified, stored, applied once. 200 for anything verified (even
    when it changes nothing, so the gateway stops sending it); 400 for a bad signature, logged."""
    try:
        event = notification_receive(gateway_key=gateway, account_id=account_id, body=request.body,
                                     headers=request.headers)
    except NotVerified as refusal:
        log.warning("Refused a %s notification for account %s from %s: %s", gateway, account_id,
                    request.META.get("REMOTE_ADDR"), refusal)
        return HttpResponseBadRequest("not verified")
    return HttpResponse(f"ok {event.event_id}", content_type="text/plain")


# --- saved payment methods and auto top-up -------------------------------------------------------------

@portal_page(MANAGE_INVOICES)
@require_http_methods(["GET", "POST"])
def payment_methods(request: HttpRequest) -> HttpResponse:
    """The client's saved cards (make one the default, remove one) and its auto top-up."""
    client = request.portal.client
    actor = request.portal.actor
    setting = AutoTopUp.objects.filter(client=client).first()
    form = AutoTopUpForm(request.POST if request.POST.get("action") == "auto_top_up" else None, initial={
        "enabled": setting.enabled if setting else False,
        "amount": format_amount_input(setting.amount) if setting else "",
        "days": setting.days if setting else 7, "max_per_month": setting.max_per_month if setting else 3})
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "default":
                saved_method_make_default(actor=actor, client_id=client.pk, method_id=_ids([request.POST.get(
                    "method", "")])[0])
                messages.success(request, _("The default card is changed."))
            elif action == "remove":
                saved_method_remove(actor=actor, client_id=client.pk, method_id=_ids([request.POST.get(
                    "method", "")])[0])
                messages.success(request, _("The card is removed."))
            elif action == "auto_top_up" and form.is_valid():
                auto_top_up_save(actor=actor, client_id=client.pk, **form.cleaned_data)
                # Saved either way, so the message says which: on or off (a card is kept first to turn it on).
                messages.success(request, _("Auto top-up is on.") if form.cleaned_data["enabled"]
                                 else _("Auto top-up is off."))
            elif action != "auto_top_up":
                return HttpResponseBadRequest(_("Choose what to do."))
            if action != "auto_top_up" or (form.is_bound and not form.errors):
                return redirect("portal:payment-methods")
        except DomainError as error:
            if action == "auto_top_up":
                show_refusal(form, error)
            else:
                messages.error(request, error.message)
                return redirect("portal:payment-methods")
    return render(request, "portal/payment_methods.html", {
        "methods": saved_methods(actor=actor, client_id=client.pk), "form": form, "setting": setting,
        "client": client, "sets_charges": can_charge_saved_methods(actor)})
