"""Saved payment methods and auto top-up (issue 15, item 4): a prepaid, hourly-billed client keeps a
card with the gateway and asks to be topped up when its balance and credit would not cover the next
days of its services' charges. The `auto_top_up` job charges the default card for the chosen amount
— an Add Funds proforma paid off-session through the gateway — at most a set number of times a
calendar month. One shortfall (the client's ledger since money last came in) is charged at most
once: its tries carry the idempotency key `auto-top-up:<client>:<last money in>:<try>`, unique in the
database, so two consumers never both charge; a declined try is e-mailed to the client and retried
after an hour, then six, then given up until money comes in. A charge the gateway did not answer
stays pending — never charged again — until the gateway's notification settles it."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_DOWN, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.client_services.selectors import upcoming_charges
from clientpanel.clients.models import Client
from clientpanel.clients.rules import portal_open
from clientpanel.core.actor import Actor
from clientpanel.core.errors import Conflict, DomainError, FieldErrors, NotFound, require
from clientpanel.core.events import publish
from clientpanel.core.money import AMOUNT_MAX, AmountError, currency_minor_unit, parse_currency_amount
from clientpanel.core.text import whole_number
from clientpanel.invoicing.add_funds_limits import portal_limits
from clientpanel.invoicing.models import Document, DocumentStatus
from clientpanel.invoicing.policies import can_add_funds
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.ledger.models import LedgerEntry

from .events import AutoTopUpFailed
from .gateways import get_gateway
from .models import AttemptDocument, AttemptStatus, AutoTopUp, PaymentAttempt, SavedMethod
from .policies import can_charge_saved_methods
from .rules import ENDED_UNCHARGED, SETTLING
from .saved_charges import charge_saved_method, pending_attempt

log = logging.getLogger(__name__)

KEY = "auto-top-up"
RETRY_AFTER = (dt.timedelta(hours=1), dt.timedelta(hours=6))  # after the first and the second declined try
MAX_TRIES = len(RETRY_AFTER) + 1
TOP_UP_ACTOR = Actor(label="auto top-up")


# --- what the client (or staff) set ---------------------------------------------------------------

def saved_methods(*, actor: ActorLike, client_id) -> list[SavedMethod]:
    require(can_add_funds(as_actor(actor), client_id), _("You are not allowed to manage payment methods."))
    return list(SavedMethod.objects.filter(client_id=client_id).select_related("account")
                .order_by("-is_default", "-created_at"))


def _method(actor: ActorLike, client_id, method_id) -> SavedMethod:
    require(can_add_funds(as_actor(actor), client_id), _("You are not allowed to manage payment methods."))
    method = SavedMethod.objects.select_for_update().filter(pk=method_id, client_id=client_id).first()
    if method is None:
        raise NotFound(_("No such payment method."))
    return method


def _refuse_staff_as_client(actor: ActorLike) -> None:
    """Which card is charged, when and for how much is the card holder's to say: staff signed in as
    the client (Login as Owner) would set up charges of a card whose holder is absent, without
    Finance (policies.can_charge_saved_methods). Removing a card stays open to them."""
    require(can_charge_saved_methods(as_actor(actor)), _("Staff signed in as the client cannot change how its saved "
                                                         "cards are charged; the client does it itself."))


def saved_method_make_default(*, actor: ActorLike, client_id, method_id) -> SavedMethod:
    _refuse_staff_as_client(actor)
    with transaction.atomic():
        method = _method(actor, client_id, method_id)
        SavedMethod.objects.filter(client_id=client_id, is_default=True).exclude(pk=method.pk).update(is_default=False)
        method.is_default = True
        method.save(update_fields=["is_default"])
    return method


def saved_method_remove(*, actor: ActorLike, client_id, method_id) -> None:
    """Forget a saved method (the gateway keeps nothing chargeable for us any more); when it was the
    default, the newest other one becomes the default."""
    with transaction.atomic():
        method = _method(actor, client_id, method_id)
        was_default = method.is_default
        method.delete()
        if was_default:
            other = SavedMethod.objects.filter(client_id=client_id).order_by("-created_at").first()
            if other is not None:
                other.is_default = True
                other.save(update_fields=["is_default"])


def auto_top_up_save(*, actor: ActorLike, client_id, enabled: bool, amount: object, days: object,
                     max_per_month: object) -> AutoTopUp:
    """Switch auto top-up on or off and set it: the net amount charged each time (within the
    portal's Add Funds limits), the days of charges the balance must cover (1–60), and the most
    top-ups a month (1–31)."""
    require(can_add_funds(as_actor(actor), client_id), _("You are not allowed to manage payment methods."))
    _refuse_staff_as_client(actor)
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise NotFound(_("Client not found."))
    errors = FieldErrors()
    try:
        # At most the currency's minor unit of decimals, as the proforma each top-up issues takes.
        net = parse_currency_amount(amount, client.currency, allow_negative=False)
        if net <= 0 or net > AMOUNT_MAX:
            raise AmountError(_("Enter an amount above 0."))
    except AmountError as error:
        errors.add("amount", str(error))
        net = None
    stored = AutoTopUp.objects.filter(client=client).values_list("amount", flat=True).first()
    # Each top-up is an Add Funds the client asked for: the portal's limits hold for a new amount.
    # One kept as it is (saved before the limits, or before they were lowered) is not judged again,
    # so the setting can still be switched off; the job keeps each charge within them (_amount_now).
    if net is not None and net != stored:
        limits = portal_limits(client.currency)
        if problem := limits.amount_problem(net):
            errors.add("amount", problem)
        elif limits.maximum_balance is not None and net > limits.maximum_balance:
            errors.add("amount", _("The balance may not exceed %(limit)s.") % {
                "limit": limits.shown["maximum_balance"]})
    numbers = {}
    for name, value, low, high in (("days", days, 1, 60), ("max_per_month", max_per_month, 1, 31)):
        try:
            number = whole_number(value)
            if not low <= number <= high:
                raise ValueError
            numbers[name] = number
        except (TypeError, ValueError):
            errors.add(name, _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
    if enabled and not SavedMethod.objects.filter(client_id=client_id, is_default=True).exists():
        errors.add("enabled", _("Save a card first: pay a proforma online and keep the card for later charges."))
    errors.raise_in_full()
    setting, _created = AutoTopUp.objects.update_or_create(client=client, defaults={
        "enabled": bool(enabled), "amount": net, **numbers})
    return setting


# --- the job --------------------------------------------------------------------------------------

def job_auto_top_up(*, now: dt.datetime) -> dict:
    """Top up every client whose balance and credit would not cover its next days of charges."""
    charged = failed = 0
    settings_by_days: dict[int, list[AutoTopUp]] = {}
    for setting in AutoTopUp.objects.filter(enabled=True).order_by("client_id"):
        settings_by_days.setdefault(setting.days, []).append(setting)
    for days, settings in settings_by_days.items():
        for start in range(0, len(settings), 1000):
            batch = settings[start:start + 1000]
            need = upcoming_charges(client_ids=[s.client_id for s in batch], now=now,
                                    until=now + dt.timedelta(days=days))
            clients = Client.objects.select_related("balance_row").in_bulk([s.client_id for s in batch])
            for setting in batch:
                client = clients.get(setting.client_id)
                if client is None or client.balance + client.credit_limit >= need.get(client.pk, Decimal(0)):
                    continue
                if not portal_open(client.status):
                    continue  # a closed (or fraud) client's standing order to charge its card is not carried out

                try:
                    outcome = top_up(setting=setting, now=now)
                except DomainError:  # this client's setting is refused (stored before a rule): the others go on
                    log.exception("auto top-up of client %s refused; the next clients are topped up", client.pk)
                    failed += 1
                    continue
                charged += outcome == AttemptStatus.SUCCEEDED
                failed += outcome == AttemptStatus.FAILED
    return {"charged": charged, "failed": failed}


def _month_start(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def top_up(*, setting: AutoTopUp, now: dt.datetime) -> str | None:
    """Try one charge for the client's present shortfall; answer the attempt's status, or None when
    nothing was tried (no card, the month's limit, a try of this shortfall under way or too recent,
    all tries spent, or another worker took it)."""
    method = SavedMethod.objects.select_related("account").filter(client_id=setting.client_id,
                                                                   is_default=True).first()
    if method is None or not method.account.enabled:
        return None
    ours = PaymentAttempt.objects.filter(client_id=setting.client_id, idempotency_key__startswith=f"{KEY}:")
    if ours.filter(status__in=[AttemptStatus.STARTED, *SETTLING]).exists():
        # A charge whose outcome is not known yet (the gateway's answer may still come), or money taken
        # and held for staff: not charged again until staff resolve it.
        return None
    if ours.filter(created_at__gte=_month_start(now)).exclude(status__in=ENDED_UNCHARGED).count() \
            >= setting.max_per_month:
        return None
    # The shortfall is "since money last came in": charges (hourly ones every hour) move the balance
    # down without making a new shortfall; a payment or a credit does.
    last = LedgerEntry.objects.filter(client_id=setting.client_id, net__gt=0).aggregate(
        last=Max("sequence"))["last"] or 0
    prefix = f"{KEY}:{setting.client_id}:{last}:"
    tries = list(ours.filter(idempotency_key__startswith=prefix).order_by("created_at"))
    if any(t.status not in ENDED_UNCHARGED for t in tries) or len(tries) >= MAX_TRIES:
        return None
    if tries and now < tries[-1].created_at + RETRY_AFTER[len(tries) - 1]:
        return None
    gateway = get_gateway(method.account.gateway)
    try:
        with transaction.atomic():
            proforma = _proforma_of(ours)
            if proforma is None:
                amount = _amount_now(setting)
                if amount is None:
                    return None
                proforma = proforma_add_funds(actor=TOP_UP_ACTOR, client_id=setting.client_id, net_amount=amount)
            # PENDING under the proforma's lock: the client paying it from the portal at the same
            # moment (its saved card, or a gateway's page) is refused, or refuses this.
            attempt = pending_attempt([proforma], gateway=gateway.key, started_by_label=TOP_UP_ACTOR.label,
                                      idempotency_key=f"{prefix}{len(tries) + 1}")
    except IntegrityError:  # another worker is charging this shortfall
        return None
    except Conflict:  # a payment of the proforma is settling, or it was paid meanwhile: not charged now
        return None
    charge_saved_method(attempt, method, description=proforma.number or "", reference_prefix=KEY)
    if attempt.status == AttemptStatus.FAILED:
        retry = now + RETRY_AFTER[len(tries)] if len(tries) + 1 < MAX_TRIES else None
        with transaction.atomic():
            publish(AutoTopUpFailed(client_id=setting.client_id, attempt_id=attempt.pk, amount=attempt.amount,
                                    currency=attempt.currency, reason=attempt.error,
                                    retry_at=retry.isoformat() if retry else None))
    return attempt.status


def _amount_now(setting: AutoTopUp) -> Decimal | None:
    """The saved amount within the portal's limits as they are now: lowered to the most one Add
    Funds may add and to the room the maximum balance leaves; None (nothing charged) when lowering
    leaves less than the minimum or nothing. An amount saved within limits that changed since is
    otherwise charged as the client set it."""
    client = Client.objects.select_related("balance_row").only("currency", "balance_row__balance").get(
        pk=setting.client_id)
    limits = portal_limits(client.currency)
    amount = min(setting.amount, limits.maximum)
    if limits.maximum_balance is not None:
        room = (limits.maximum_balance - client.balance).quantize(
            Decimal(1).scaleb(-currency_minor_unit(client.currency)), rounding=ROUND_DOWN)
        amount = min(amount, room)
    if amount <= 0 or (amount < setting.amount and amount < limits.minimum):
        return None
    return amount


def _proforma_of(ours) -> Document | None:
    """The top-up proforma an earlier try charged, while it is still unpaid: a retry, and a try for a
    new shortfall after money moved the balance, charge that one — a second proforma beside it left
    the client owing both (dashboard, aging, reminders) for one top-up."""
    # A payment of it still settling (processing, or held for staff): never charged again meanwhile.
    processing = AttemptDocument.objects.filter(attempt__status__in=SETTLING).values("document_id")
    part = (AttemptDocument.objects.filter(attempt__in=ours, document__status=DocumentStatus.UNPAID)
            .exclude(document_id__in=processing)  # paid by the client meanwhile, not known yet: not twice
            .select_related("document").order_by("attempt__created_at").first())
    return part.document if part is not None else None
