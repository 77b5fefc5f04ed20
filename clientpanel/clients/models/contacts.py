"""Who and where a client is beyond its own row: addresses (SPEC §2), the users linked to it with
their permissions (SPEC §3), and the staff it is assigned to (SPEC §4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from clientpanel.core.ids import new_id

from ..validation import country_name, region_name
from .clients import Client


class AddressType(models.TextChoices):
    BILLING = "BILLING", pgettext_lazy("address type", "Billing")
    SHIPPING = "SHIPPING", pgettext_lazy("address type", "Shipping")
    SERVICE = "SERVICE", pgettext_lazy("address type", "Service")


class Address(models.Model):
    """A client's address (SPEC §2). Exactly one BILLING per client, created with it."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # No index of its own: address_client_type_idx starts with client_id.
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="addresses", db_index=False)
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

    # No index of its own: client_user_unique starts with client_id.
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="user_links", db_index=False)
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
