from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy, pgettext_lazy

from clientpanel.core.fields import AmountField
from clientpanel.core.ids import new_id

from .provision_errors import MODULE, describe, step_label


class ServiceStatus(models.TextChoices):
    PENDING = "PENDING", pgettext_lazy("service status", "Pending")
    ACTIVE = "ACTIVE", pgettext_lazy("service status", "Active")
    SUSPENDED = "SUSPENDED", pgettext_lazy("service status", "Suspended")
    TERMINATED = "TERMINATED", pgettext_lazy("service status", "Terminated")
    CANCELLED = "CANCELLED", pgettext_lazy("service status", "Cancelled")
    MANUAL = "MANUAL", pgettext_lazy("service status", "Manual")  # staff handle it by hand; automation leaves it alone


class ProvisionStatus(models.TextChoices):
    PENDING = "PENDING", pgettext_lazy("provisioning status", "Pending")
    IN_PROGRESS = "IN_PROGRESS", pgettext_lazy("provisioning status", "In progress")
    COMPLETED = "COMPLETED", pgettext_lazy("provisioning status", "Completed")
    ERROR = "ERROR", pgettext_lazy("provisioning status", "Error")
    MANUAL = "MANUAL", pgettext_lazy("provisioning status", "Manual")


# Suspension reasons are stored as written here (English, like every stored text); people read them
# through SUSPENSION_REASONS, in their language.
INSUFFICIENT_FUNDS = "Insufficient funds"
SUSPENDED_BY_STAFF = "Suspended by staff"
SUSPENSION_REASONS = {INSUFFICIENT_FUNDS: gettext_lazy("Insufficient funds"),
                      SUSPENDED_BY_STAFF: gettext_lazy("Suspended by staff")}


class Service(models.Model):
    """A product sold to a client at a price (snapshotted), provisioned by the product's module and
    charged from the balance in advance, one period at a time (SPEC §9)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="services")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="services")
    price = models.ForeignKey("catalog.Price", null=True, on_delete=models.SET_NULL, related_name="services")
    label = models.CharField(max_length=6, unique=True)  # short reference: D4E0GV
    currency = models.CharField(max_length=3)
    period = models.CharField(max_length=12)
    amount = AmountField()
    setup_fee = AmountField()
    status = models.CharField(max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.PENDING)
    provision_status = models.CharField(max_length=12, choices=ProvisionStatus.choices,
                                        default=ProvisionStatus.PENDING)
    provision_error = models.TextField(blank=True, max_length=2000)
    # What the system wrote there, as a code and its parameters (provision_errors), so each reader
    # sees it in their language; `provision_error` keeps the English the API returns. A module's
    # own words: "module"; rows from before the codes: "".
    provision_error_code = models.CharField(max_length=12, blank=True, default="", db_default="")
    provision_error_params = models.JSONField(null=True, blank=True)
    # When the module's step began (IN_PROGRESS): a step whose worker died never answers, and the
    # provisioning job turns it into an ERROR staff can retry (jobs.py).
    provision_started_at = models.DateTimeField(null=True, blank=True)
    order_date = models.DateTimeField()
    activation_date = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=200, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)  # ends with the paid period
    billed_until = models.DateTimeField(null=True, blank=True)
    # The day of the month its billing started (activation, or a restart after an unpaid suspension):
    # every period of months ends on this day, clamped to the month's length (calculations.add_months),
    # so 31 Jan → 28 Feb → 31 Mar, never drifting to the 28th. NULL: billing never started, or
    # its last period was an hour (the first month after hourly billing starts where the hours ended).
    billing_anchor_day = models.PositiveSmallIntegerField(null=True, blank=True)
    # Staff ordered it although funds did not cover it: provisioning and the first charges (setup
    # fee and first period) post beyond the credit limit; later periods follow the usual rules.
    funds_override = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ServiceStatus.values), name="service_status_valid"),
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(setup_fee__gte=0), name="service_price_positive"),
            models.CheckConstraint(condition=Q(billing_anchor_day__isnull=True) | Q(billing_anchor_day__range=(1, 31)),
                                   name="service_billing_anchor_day_valid"),
        ]
        indexes = [
            # The billing pass walks the active services in client order. billed_until is in no index,
            # so charging a period (which moves only billed_until) is a HOT update touching no index
            # (the table leaves room on its pages for it: migration 0003).
            models.Index(fields=["client", "id"], name="service_active_client_idx", condition=Q(status="ACTIVE")),
            models.Index(fields=["client", "-order_date"], name="service_client_idx"),
            # Clients → Services' sorts (selectors.SERVICE_SORTS), each read both ways; none moves when
            # a period is charged.
            models.Index(fields=["order_date", "id"], name="service_order_date_idx"),
            models.Index(fields=["activation_date", "id"], name="service_activation_idx"),
            models.Index(fields=["currency", "amount", "id"], name="service_price_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.label}"

    @property
    def reader_provision_error(self) -> str:
        """provision_error in the active language (provision_errors.describe)."""
        return describe(self.provision_error, self.provision_error_code, self.provision_error_params)


class ChargeKind(models.TextChoices):
    SETUP = "SETUP", pgettext_lazy("service charge", "Setup fee")
    PERIOD = "PERIOD", pgettext_lazy("service charge", "Period")


class ServiceCharge(models.Model):
    """One charge of a service: its setup fee, or one period. Unique per service, kind and period
    start, so a pass that runs twice — or on two workers at once — charges once."""

    # No index of its own: the unique (service, kind, period_start) index serves lookups by service.
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="charges", db_index=False)
    kind = models.CharField(max_length=6, choices=ChargeKind.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField(null=True, blank=True)
    amount = AmountField()
    ledger_entry_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "kind", "period_start"],
                                               name="service_charge_once_per_period")]
        ordering = ["-period_start"]

    def __str__(self) -> str:
        return f"{self.service_id} {self.kind} {self.period_start:%Y-%m-%d %H:%M}"


class ProvisioningEvent(models.Model):
    """What a provisioning module was asked to do and what came of it."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="provisioning_events")
    action = models.CharField(max_length=40)
    outcome = models.CharField(max_length=10)  # OK, ERROR, TIMEOUT
    message = models.TextField(blank=True, max_length=2000)
    # As on Service.provision_error: the system's words as a code and parameters beside the English.
    message_code = models.CharField(max_length=12, blank=True, default="", db_default="")
    message_params = models.JSONField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.outcome}"

    @property
    def action_label(self) -> str:
        """The step in the active language: one of PROVISIONING_STEPS, or the product action's name
        as its module declares it ("Reboot"); an action no one names any more (a module removed or
        changed since), its code."""
        return step_label(self.action, self.service.product.module)

    @property
    def reader_message(self) -> str:
        """The message in the active language; an old row's wording is recognised on failures
        only (a success's words are the module's)."""
        code = self.message_code or ("" if self.outcome != "OK" else MODULE)
        return describe(self.message, code, self.message_params)
