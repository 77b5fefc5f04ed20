"""Money on a document (a proforma or an invoice): recording a payment, issuing a credit note (with
the money sent back through the gateway that took it), retrying a refused gateway refund, and
cancelling a proforma (a partly paid one from a dialog naming what stays on the balance). Each money
form is sent once (common.sent_once); a cancel sent twice cancels once."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.roles import FINANCE
from clientpanel.core.errors import DomainError, NotFound
from clientpanel.core.money import format_amount_input, reader_amount
from clientpanel.invoicing import rules as document_rules
from clientpanel.invoicing import services as document_services
from clientpanel.invoicing.models import DocumentStatus
from clientpanel.payments.models import GatewayRefund, RefundStatus
from clientpanel.payments.refunds import credit_note_with_gateway_refund, gateway_refund_send, refundable_attempt

from ..access import area_required
from ..forms.finance import (
    CreditNoteForm,
    PaymentForm,
)
from .common import document_action_response, document_or_404, form_page, sent_once


@area_required(FINANCE)
@require_http_methods(["GET", "POST"])
def document_pay(request: HttpRequest, document_id) -> HttpResponse:
    document = document_or_404(request, document_id)
    due = format_amount_input(document.amount_due, document.currency)
    form = PaymentForm(request.POST or None, initial={"amount": due}, currency=document.currency)
    # A time typed without a zone is the home company's local time.
    with timezone.override(document.home_company.zone):
        valid = request.method == "POST" and form.is_valid()
    if valid:
        try:
            data = {k: v for k, v in form.service_data.items() if v}
            outcome = sent_once(request, form, lambda: document_services.proforma_pay(
                actor=request.user, document_id=document.pk, **data))
        except DomainError as error:
            form.apply_errors(error)
        else:
            payment = outcome.payment
            if outcome.created:
                messages.success(request, _("Payment of %(amount)s recorded.") % {
                    "amount": reader_amount(payment.gross, document.currency)})
            else:
                messages.info(request, _("Payment %(transaction_id)s of %(amount)s was already recorded "
                                         "on %(date)s (entry #%(sequence)s); nothing new was posted.") % {
                    "transaction_id": payment.transaction_id,
                    "amount": reader_amount(payment.gross, document.currency),
                    "date": f"{payment.created_at:%Y-%m-%d}",
                    "sequence": outcome.entry_sequence})
            return document_action_response(request, document)
    return render(request, "backoffice/documents/_payment_form.html", {"document": document, "form": form})


@area_required(FINANCE)
@require_http_methods(["GET", "POST"])
def document_credit_note(request: HttpRequest, document_id) -> HttpResponse:
    document = document_or_404(request, document_id)
    paid_online = refundable_attempt(document)
    form = CreditNoteForm(request.POST or None, currency=document.currency, gateway_refund=paid_online is not None)

    def issue(_data: dict):
        return sent_once(request, form, lambda: _issue(form.service_data))

    def _issue(data: dict):
        if data.pop("refund_through_gateway", False):
            outcome, refund = credit_note_with_gateway_refund(
                actor=request.user, invoice_id=document.pk, net_amount=data["net_amount"], reason=data["reason"],
                transaction_id=data.get("transaction_id", ""), allow_over_limit=data.get("allow_over_limit", False))
            if refund.status == RefundStatus.SUCCEEDED:
                messages.success(request, _("The money went back through the gateway (refund %(id)s).") % {
                    "id": refund.refund_id})
            else:
                messages.error(request, _("The credit note is issued, but the gateway refused the refund: "
                                          "%(reason)s Retry it from the credit note's page.") % {
                    "reason": refund.error})
            return outcome
        return document_services.credit_note_issue(actor=request.user, invoice_id=document.pk, **data)

    def issued(outcome) -> HttpResponse:
        note = outcome.note
        if outcome.created:
            messages.success(request, _("Credit note %(number)s issued.") % {"number": note.number})
        else:
            messages.info(request, _("Credit note %(number)s was already issued for this transaction ID on "
                                     "%(date)s; nothing new was posted.") % {
                "number": note.number, "date": f"{note.issue_date:%Y-%m-%d}"})
        return document_action_response(request, note)

    return form_page(request, form, "backoffice/documents/_credit_note_form.html",
                     {"document": document, "paid_online": paid_online,
                      "refundable": document_rules.refundable_net(document)},
                     save=issue, then=issued)


@area_required(FINANCE)
@require_POST
def document_gateway_refund_retry(request: HttpRequest, document_id) -> HttpResponse:
    """Ask the gateway again for a credit note's refund it refused or did not answer."""
    note = document_or_404(request, document_id)
    refund = GatewayRefund.objects.filter(credit_note=note).first()
    if refund is None:
        raise Http404("No refund through a gateway for this document.")
    refund = gateway_refund_send(refund_id=refund.pk, actor=request.user)
    if refund.status == RefundStatus.SUCCEEDED:
        messages.success(request, _("The money went back through the gateway (refund %(id)s).") % {
            "id": refund.refund_id})
    else:
        messages.error(request, _("The gateway refused the refund again: %(reason)s") % {"reason": refund.error})
    return redirect("backoffice:document-detail", document_id=note.pk)


@area_required(FINANCE)
@require_http_methods(["GET", "POST"])
def document_cancel(request: HttpRequest, document_id) -> HttpResponse:
    """Cancel a proforma: at once after the page's confirm, or, when it has received part of its total,
    from a dialog naming what was received and what stays on the client's balance. The dialog sends the
    amount it showed; the service cancels only while that is still what was received."""
    document = document_or_404(request, document_id)
    if request.method == "GET":
        return _cancel_dialog(request, document)
    already = document.status == DocumentStatus.CANCELLED
    try:
        cancelled = document_services.proforma_cancel(actor=request.user, document_id=document.pk,
                                                      confirm_paid=request.POST.get("confirm_paid"))
    except NotFound:
        messages.error(request, _("That document no longer exists."))
        return redirect("backoffice:document-detail", document_id=document.pk)
    except DomainError as error:
        if request.htmx:  # the dialog again, with the refusal and the amounts as they are now
            return _cancel_dialog(request, document_or_404(request, document_id), error=error.message)
        messages.error(request, error.message)
        return redirect("backoffice:document-detail", document_id=document.pk)
    if already:
        messages.info(request, _("Proforma %(number)s was already cancelled.") % {"number": document.number})
    else:
        messages.success(request, _("Proforma %(number)s cancelled.") % {"number": document.number})
    return document_action_response(request, cancelled)


def _cancel_dialog(request: HttpRequest, document, *, error: str = "") -> HttpResponse:
    return render(request, "backoffice/documents/_cancel_form.html", {
        "document": document, "error": error, "cancellable": document_rules.can_be_cancelled(document),
        "paid": document.paid_gross, "credit": document_rules.credit_kept_on_cancel(document),
        "confirm_paid": str(document.paid_gross)})
