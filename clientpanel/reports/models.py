import uuid
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from clientpanel.core.fields import AmountField


class DashboardSnapshot(models.Model):
    """The dashboard's figures over every client, as the refresh_dashboard job last computed them
    (reports/dashboard.py): at a million clients and ten million ledger entries they take seconds
    to add up, so staff who see every client read them from here, with the moment they were
    computed; staff limited to their assigned clients get theirs added up live."""

    key = models.CharField(max_length=20, primary_key=True)  # "all": every client
    computed_at = models.DateTimeField()
    figures = models.JSONField(encoder=DjangoJSONEncoder)

    def __str__(self) -> str:
        return f"{self.key} at {self.computed_at:%Y-%m-%d %H:%M}"


# --- daily rollups (reports/rollups.py) ------------------------------------------------------
# Finance → Reports add up a year of payments, documents and charges; at a million clients that
# takes seconds, so the rollup job keeps them added up per local day. The dimensions are plain
# keys, not foreign keys: a rollup is history and must not stop a group or product from being
# deleted; 0 (or the nil UUID) stands for "none" so that a unique constraint holds every key.

NO_GROUP_KEY = 0
ZERO = Decimal("0.0000")
MAX_TAXES = 3  # a tax rule names up to three taxes (SPEC §6), so a document has up to three tax lines


class RollupState(models.Model):
    """How far the rollups go: every payment, document and charge *written* before `rolled_until`
    (their created_at or issue date, never back-dated) is in them; what was written since is
    added up live. One row."""

    key = models.CharField(max_length=20, primary_key=True)  # "reports"
    rolled_until = models.DateTimeField()
    time_zone = models.CharField(max_length=64)  # the days are this zone's; another zone rebuilds them

    def __str__(self) -> str:
        return f"{self.key} until {self.rolled_until:%Y-%m-%d %H:%M}"


class DailyRevenue(models.Model):
    """Payments received (gross, by the day they were paid) and credit notes issued (their total,
    positive) on one day, per currency, home company and client group — and the net of each (the
    tax is gross − net)."""

    day = models.DateField()
    currency = models.CharField(max_length=3)
    company_id = models.BigIntegerField()
    group_id = models.BigIntegerField(default=NO_GROUP_KEY)
    payments = AmountField(default=0)
    refunds = AmountField(default=0)
    payments_net = AmountField(default=0)
    refunds_net = AmountField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "currency", "company_id", "group_id"],
                                               name="daily_revenue_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.currency} +{self.payments} -{self.refunds}"


class DailyTax(models.Model):
    """Tax of one name and rate (or, with `kind`, reverse-charge or untaxed sales) on the invoices
    and credit notes issued on one day, per home company, group, currency and client country — and,
    for a seller with a tax currency (PLN for a Polish company), the net and tax in that currency:
    each document's own conversion (reports/tax_currency.py), `unconverted` counting the documents
    whose exchange rate was not known yet (UnconvertedTaxDocument keeps them until it is)."""

    RATE, REVERSE_CHARGE, UNTAXED = "rate", "reverse", "untaxed"

    day = models.DateField()
    company_id = models.BigIntegerField()
    group_id = models.BigIntegerField(default=NO_GROUP_KEY)
    currency = models.CharField(max_length=3)
    country = models.CharField(max_length=2, blank=True)
    kind = models.CharField(max_length=8)
    name = models.CharField(max_length=100, blank=True)
    rate = models.DecimalField(max_digits=9, decimal_places=4, default=0)
    documents = models.PositiveIntegerField(default=0)
    net = AmountField(default=0)
    tax = AmountField(default=0)
    tax_currency = models.CharField(max_length=3, blank=True, default="")  # "": the seller has none
    net_in_tax_currency = AmountField(default=0)
    tax_in_tax_currency = AmountField(default=0)
    unconverted = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["day", "company_id", "group_id", "currency", "country", "kind", "name", "rate", "tax_currency"],
            name="daily_tax_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.currency} {self.kind} {self.name} {self.rate}"


class UnconvertedTaxDocument(models.Model):
    """An invoice or credit note in the rollups (DailyTax) whose tax-currency figures were not known
    when it was rolled up (no exchange rate yet): each roll_up_reports run tries again and adds them
    once the rate is there; the reports add up the ones found meanwhile live."""

    document_id = models.UUIDField(primary_key=True)
    day = models.DateField(db_index=True)  # the day its company dated it, as its DailyTax rows

    def __str__(self) -> str:
        return f"{self.document_id} of {self.day}"


class DailyUsage(models.Model):
    """The charges posted on one day, per currency, client group and product of their service, and
    what credit notes gave back of them that day."""

    day = models.DateField()
    currency = models.CharField(max_length=3)
    group_id = models.BigIntegerField(default=NO_GROUP_KEY)
    product_id = models.UUIDField(default=uuid.UUID(int=0))  # nil: charges outside a service
    charges = models.PositiveBigIntegerField(default=0)
    amount = AmountField(default=0)  # positive: what the charges took
    # Positive: what credit notes' charge reversals written that day gave back of this product's
    # charges (reports/reversals.py); usage is amount − reversed.
    reversed = AmountField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "currency", "group_id", "product_id"],
                                               name="daily_usage_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.currency} {self.product_id} {self.amount}"
