from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from clientpanel.core.fields import AmountField
from clientpanel.core.ids import new_id
from clientpanel.core.money import format_amount_input, reader_amount

from .calculations import RATE_MAX_DIGITS, RATE_PLACES


class Period(models.TextChoices):
    ONE_TIME = "ONE_TIME", pgettext_lazy("billing period", "One time")
    HOURLY = "HOURLY", pgettext_lazy("billing period", "Hourly")
    DAILY = "DAILY", pgettext_lazy("billing period", "Daily")
    WEEKLY = "WEEKLY", pgettext_lazy("billing period", "Weekly")
    MONTHLY = "MONTHLY", pgettext_lazy("billing period", "Monthly")
    QUARTERLY = "QUARTERLY", pgettext_lazy("billing period", "Quarterly")
    SEMIANNUALLY = "SEMIANNUALLY", pgettext_lazy("billing period", "Semiannually")
    ANNUALLY = "ANNUALLY", pgettext_lazy("billing period", "Annually")
    BIENNIALLY = "BIENNIALLY", pgettext_lazy("billing period", "Biennially")
    TRIENNIALLY = "TRIENNIALLY", pgettext_lazy("billing period", "Triennially")


class Product(models.Model):
    """Something sold to clients and provisioned through a module (SPEC §9)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    key = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    module = models.CharField(max_length=50, default="manual")
    module_settings = models.JSONField(default=dict, blank=True)
    hourly_billing = models.BooleanField(default=False)
    termination_delay_hours = models.PositiveIntegerField(default=48)
    cancellation_delay_hours = models.PositiveIntegerField(default=48)
    hidden = models.BooleanField(default=False)
    retired = models.BooleanField(default=False)
    # Prices in a currency without an explicit price of the period come from the default
    # currency's price × that currency's ExchangeRate (catalog.selectors.offers_of).
    derive_prices = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"


class Price(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(max_length=3)
    period = models.CharField(max_length=12, choices=Period.choices)
    amount = AmountField()
    setup_fee = AmountField(default=Decimal("0"))
    # Off sale for new orders (and not a source of derived prices); services ordered at it keep
    # their own snapshot of amount, setup fee, currency and period.
    retired = models.BooleanField(default=False, db_default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "currency", "period"], name="price_unique_per_period"),
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(setup_fee__gte=0), name="price_not_negative"),
        ]
        ordering = ["currency", "period"]

    def __str__(self) -> str:
        return f"{self.get_period_display()} - {format_amount_input(self.amount)} {self.currency}"

    @property
    def label(self) -> str:
        """"Monthly - 20.00 USD", as the seed shows prices."""
        return price_label(self.period, self.amount, self.currency)


def price_label(period: str, amount: Decimal, currency: str) -> str:
    """"Monthly - $20.00" as the seed shows prices, the amount as every amount is shown (the
    reader's language; the currency's decimals unless more are significant: an hourly $0.9271)."""
    return f"{dict(Period.choices).get(period, period)} - {reader_amount(amount, currency)}"


class ExchangeRate(models.Model):
    """How many units of `currency` one unit of the default currency (CLIENTPANEL_DEFAULT_CURRENCY)
    buys: PLN 4.3127 means 1 USD = 4.3127 PLN. Derived prices are the default currency's price × rate."""

    currency = models.CharField(max_length=3, unique=True)
    rate = models.DecimalField(max_digits=RATE_MAX_DIGITS, decimal_places=RATE_PLACES)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive")]
        ordering = ["currency"]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate.normalize():f}"
