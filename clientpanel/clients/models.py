import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from clientpanel.core.fields import AmountField

from .validation import country_name, region_name


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

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
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
    home_company = models.ForeignKey("tax.HomeCompany", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="pinned_clients")
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


class AddressType(models.TextChoices):
    BILLING = "BILLING", pgettext_lazy("address type", "Billing")
    SHIPPING = "SHIPPING", pgettext_lazy("address type", "Shipping")
    SERVICE = "SERVICE", pgettext_lazy("address type", "Service")


class Address(models.Model):
    """A client's address (SPEC §2). Exactly one BILLING per client, created with it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="addresses")
    type = models.CharField(max_length=10, choices=AddressType.choices)
    name = models.CharField(max_length=100, default="Default")
    contact_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    address1 = models.CharField(max_length=255, blank=True)
    address2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2)
    region = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True, max_length=2000)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(type=AddressType.BILLING), name="address_one_billing_per_client"
            ),
            models.UniqueConstraint(
                fields=["client"], condition=Q(type=AddressType.SHIPPING, is_default=True),
                name="address_one_default_shipping_per_client",
            ),
            # The default flag means something only for shipping addresses.
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(type=AddressType.SHIPPING), name="address_default_only_shipping"
            ),
            models.CheckConstraint(condition=Q(type__in=AddressType.values), name="address_type_valid"),
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="address_country_iso"),
        ]
        indexes = [models.Index(fields=["client", "type"], name="address_client_type_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_type_display()})"

    @property
    def one_line(self) -> str:
        parts = [self.address1, self.address2]
        city = " ".join(p for p in [self.postcode, self.city] if p)
        parts += [city, region_name(self.country, self.region), country_name(self.country)]
        return ", ".join(p for p in parts if p)


class ClientUser(models.Model):
    """A user's link to a client with the permissions it carries (SPEC §3). The client's owner
    has a link too, always with every permission; Client.owner says who the owner is."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="user_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_links")
    permissions = models.JSONField(default=list)
    # The e-mails this user does not want about this client (keys of notifications.kinds; only the
    # ones a user may switch off: never a password link), like WHMCS's contact notification types.
    muted_emails = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "user"], name="client_user_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.client}"


class StaffAssignment(models.Model):
    """A client assigned to a staff member limited to assigned clients (SPEC §4)."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_assignments")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="staff_assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "client"], name="staff_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.staff} ↔ {self.client}"


class ClientImportStatus(models.TextChoices):
    UPLOADED = "UPLOADED", pgettext_lazy("import status", "Uploaded")
    CHECKING = "CHECKING", pgettext_lazy("import status", "Checking")
    CHECKED = "CHECKED", pgettext_lazy("import status", "Checked")
    IMPORTING = "IMPORTING", pgettext_lazy("import status", "Importing")
    IMPORTED = "IMPORTED", pgettext_lazy("import status", "Imported")
    REFUSED = "REFUSED", pgettext_lazy("import status", "Nothing imported")
    FAILED = "FAILED", pgettext_lazy("import status", "Failed")


class OnExisting(models.TextChoices):
    SKIP = "skip", pgettext_lazy("import existing clients", "Skip them")
    UPDATE = "update", pgettext_lazy("import existing clients", "Update them")
    REFUSE = "refuse", pgettext_lazy("import existing clients", "Reject their rows")


class ClientImport(models.Model):
    """A CSV file of clients on its way in (issue 13): the stored upload, which column feeds which
    field, the options of the commit, and what the last check or commit found (counts, the first
    rows' errors, the CSV of rejected rows). See clients/imports/."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    # Our own name in the default storage (client-imports/<id>.csv); empty once removed.
    stored_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    delimiter = models.CharField(max_length=1, default=",")
    headers = models.JSONField(default=list)
    row_count = models.PositiveIntegerField(default=0)
    # The field each column feeds, in the order of the headers ("" = not imported).
    columns = models.JSONField(default=list)
    on_existing = models.CharField(max_length=10, choices=OnExisting.choices, default=OnExisting.SKIP)
    valid_only = models.BooleanField(default=False)
    send_welcome_emails = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=ClientImportStatus.choices, default=ClientImportStatus.UPLOADED)
    # What the last check or commit found: counts, the first rows, the first rejected rows' errors.
    counts = models.JSONField(default=dict)
    preview = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    rejected_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # The background task of the last check or commit (automation.BackgroundTask), for the API's polling.
    task_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="client_import_created_idx")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class ClientImportMapping(models.Model):
    """A named mapping of CSV headers to client fields, saved in the import wizard to reuse with the
    next file of the same shape (matched by header, not by position)."""

    name = models.CharField(max_length=100, unique=True)
    fields = models.JSONField(default=dict)  # {header: field}
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
