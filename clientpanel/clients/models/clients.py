"""A client, its group and its balance row (SPEC §1, §5, §8)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from clientpanel.core.fields import AmountField
from clientpanel.core.ids import new_id


class ClientStatus(models.TextChoices):
    NEW = "NEW", pgettext_lazy("client status", "New")
    ACTIVE = "ACTIVE", pgettext_lazy("client status", "Active")
    INACTIVE = "INACTIVE", pgettext_lazy("client status", "Inactive")
    CLOSED = "CLOSED", pgettext_lazy("client status", "Closed")
    FRAUD = "FRAUD", pgettext_lazy("client status", "Fraud")


class ViesStatus(models.TextChoices):
    UNCHECKED = "UNCHECKED", pgettext_lazy("VIES status", "Unchecked")
    VALID = "VALID", pgettext_lazy("VIES status", "Valid")
    INVALID = "INVALID", pgettext_lazy("VIES status", "Invalid")
    ERROR = "ERROR", pgettext_lazy("VIES status", "Error")


class ClientGroup(models.Model):
    """Clients sharing settings (SPEC §8). Empty settings mean "not set here"."""

    name = models.CharField(max_length=100, unique=True)
    colour = models.CharField(max_length=7, default="#6c757d")
    currency = models.CharField(max_length=3, blank=True)
    language = models.CharField(max_length=8, blank=True)
    payment_terms_days = models.PositiveIntegerField(null=True, blank=True)
    tax_exempt = models.BooleanField(null=True, blank=True)
    reminders_enabled = models.BooleanField(null=True, blank=True)
    # The group's own reminder days (empty: its clients' home company decides).
    reminder_days_before = models.PositiveSmallIntegerField(null=True, blank=True)
    reminder_days_overdue = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(reminder_days_before__lte=60) | Q(reminder_days_before__isnull=True),
                                   name="group_reminder_before_bounded"),
            models.CheckConstraint(condition=Q(reminder_days_overdue__lte=60) | Q(reminder_days_overdue__isnull=True),
                                   name="group_reminder_overdue_bounded"),
            models.CheckConstraint(condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="group_colour_hex"),
            models.CheckConstraint(condition=Q(payment_terms_days__lte=365), name="group_payment_terms_bounded"),
        ]

    def __str__(self) -> str:
        return self.name


class Client(models.Model):
    """A customer account of the business: owner, billing data, money totals (SPEC §1)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    number = models.CharField(max_length=40, unique=True)
    id_number = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=ClientStatus.choices, default=ClientStatus.NEW)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_clients")
    firstname = models.CharField(max_length=150)
    lastname = models.CharField(max_length=150)
    company_name = models.CharField(max_length=255, blank=True)
    # "Company or firstname lastname", kept by clients.services so the directory can sort on an index.
    display_name = models.CharField(max_length=301)
    tax_id = models.CharField(max_length=64, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=8)
    currency = models.CharField(max_length=3)
    credit_limit = AmountField(default=Decimal("0"))
    # The balance lives in its own narrow row (ClientBalance, below): see there why.
    # No index of its own: client_group_created_idx starts with group_id (one index less to keep
    # up on every insert; a CSV import of 100,000 clients pays for each).
    group = models.ForeignKey(ClientGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="clients",
                              db_index=False)
    # Pinned by staff; otherwise the tax rules pick the billing home company at each issue (SPEC §6).
    # Indexed only where set (client_home_company_idx): most clients pin none.
    home_company = models.ForeignKey("tax.HomeCompany", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="pinned_clients", db_index=False)
    # Own settings; None means "inherit" (group → home company → system default, SPEC §8).
    payment_terms_days = models.PositiveIntegerField(null=True, blank=True)
    tax_exempt = models.BooleanField(null=True, blank=True)
    reminders_enabled = models.BooleanField(null=True, blank=True)
    admin_notes = models.TextField(blank=True, max_length=10_000)
    public_notes = models.TextField(blank=True, max_length=10_000)
    vies_status = models.CharField(max_length=10, choices=ViesStatus.choices, default=ViesStatus.UNCHECKED)
    vies_checked_at = models.DateTimeField(null=True, blank=True)
    # Why the last check answered ERROR (tax.vies: unreachable, unexpected_answer or VIES's own code).
    # db_default: raw loaders (bench/) need not name it.
    vies_error = models.CharField(max_length=50, blank=True, default="", db_default="")
    # The e-invoice the client asked for (issue 16): its format ("" — its home company's) and its
    # Peppol participant ID ("0088:5790000436057", "9945:PL5260250995"), written as its electronic
    # address in the file. A client that asked gets the file with each invoice e-mail.
    einvoice_format = models.CharField(max_length=20, blank=True, default="", db_default="")
    peppol_id = models.CharField(max_length=60, blank=True, default="", db_default="")
    # Copies of the billing address's country and city, kept in the same transaction by the
    # address services: the directory filters and sorts by them over a million rows.
    billing_country = models.CharField(max_length=2)
    billing_city = models.CharField(max_length=100, blank=True)
    # Lower-cased words the directory searches (number, names, company, owner email, tax ID,
    # phone, id_number); trigram-indexed on PostgreSQL.
    search_text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="client_credit_limit_not_negative"),
            models.CheckConstraint(condition=Q(status__in=ClientStatus.values), name="client_status_valid"),
            models.CheckConstraint(condition=Q(vies_status__in=ViesStatus.values), name="client_vies_status_valid"),
            models.CheckConstraint(condition=~Q(firstname="") & ~Q(lastname=""), name="client_names_required"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="client_currency_iso"),
            models.CheckConstraint(condition=Q(billing_country__regex=r"^[A-Z]{2}$"), name="client_country_iso"),
            models.CheckConstraint(condition=Q(payment_terms_days__lte=365), name="client_payment_terms_bounded"),
        ]
        # Every directory sort has an index ending in id, which breaks ties and drives keyset paging.
        indexes = [
            models.Index(fields=["created_at", "id"], name="client_created_idx"),
            models.Index(fields=["display_name", "id"], name="client_display_name_idx"),
            models.Index(fields=["status", "id"], name="client_status_idx"),
            models.Index(fields=["billing_country", "billing_city", "id"], name="client_located_idx"),
            models.Index(fields=["billing_country", "created_at", "id"], name="client_country_created_idx"),
            models.Index(fields=["status", "created_at", "id"], name="client_status_created_idx"),
            # Serves the capped count (index-only) when both filters are set.
            models.Index(fields=["billing_country", "status", "created_at", "id"],
                         name="client_country_status_idx"),
            models.Index(fields=["group", "created_at", "id"], name="client_group_created_idx"),
            models.Index(fields=["home_company"], condition=Q(home_company__isnull=False),
                         name="client_home_company_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.display_name}"

    def save(self, *args, **kwargs) -> None:
        # Every client has its balance row from the moment it exists, and the row's copy of the
        # currency follows the client's (a client may change currency only while it has no money
        # history, clients.services.client_update; the copy serves the directory's balance sort).
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            ClientBalance.objects.create(client=self, currency=self.currency)
        elif "currency" in (kwargs.get("update_fields") or ("currency",)):
            ClientBalance.objects.filter(client_id=self.pk).exclude(currency=self.currency).update(
                currency=self.currency)

    @property
    def balance(self) -> Decimal:
        """The client's balance (its ClientBalance row; select_related("balance_row") where many are read)."""
        return self.balance_row.balance


class ClientBalance(models.Model):
    """A client's balance and the counter numbering its ledger entries, in a narrow row of their own.

    Every ledger post moves both (ledger.services, the only writer, SPEC §5). On the client's own row
    — a dozen indexes, the directory's trigram index among them — each move changed an indexed
    column and so wrote a new entry into every index; here a post touches two small indexes, and
    staff editing a client's profile never wait for a post, nor a post for them. One row per
    client, made with the client (Client.save, or the CSV import beside its clients)."""

    client = models.OneToOneField(Client, primary_key=True, on_delete=models.CASCADE, related_name="balance_row")
    # A copy of the client's currency for the directory's balance sort: 100 EUR and 100 PLN are
    # not the same amount, so the sort lists each currency's clients together.
    currency = models.CharField(max_length=3)
    balance = AmountField(default=Decimal("0"))
    # The sequence number of the client's last ledger entry (the next post takes this + 1).
    ledger_sequence = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="client_balance_currency_iso"),
        ]
        indexes = [models.Index(fields=["currency", "balance", "client"], name="client_balance_sort_idx")]

    def __str__(self) -> str:
        return f"{self.balance} {self.currency}"
