from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from clientpanel.core.fields import AmountField
from clientpanel.core.ids import new_id

from .attempts import GatewayAccount


class SavedMethod(models.Model):
    """A card (or other method) a gateway keeps for a client, saved when the client paid and asked
    to keep it: the gateway's reference only, never a card number. The default one pays auto top-ups."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="saved_methods")
    account = models.ForeignKey(GatewayAccount, on_delete=models.CASCADE, related_name="saved_methods")
    reference = models.CharField(max_length=200)
    label = models.CharField(max_length=100)  # "Visa •••• 4242", as the gateway describes it
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "reference"], name="saved_method_unique"),
            models.UniqueConstraint(fields=["client"], condition=Q(is_default=True), name="saved_method_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.label} of {self.client_id}"


class AutoTopUp(models.Model):
    """A client's standing order: when its balance and credit would not cover the next `days` of
    its services' charges, charge the default saved method for `amount` (net), at most
    `max_per_month` times a calendar month (payments/auto_top_up.py)."""

    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, primary_key=True,
                                  related_name="auto_top_up")
    enabled = models.BooleanField(default=False)
    amount = AmountField()
    days = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1), MaxValueValidator(60)])
    max_per_month = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1),
                                                                             MaxValueValidator(31)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="auto_top_up_positive"),
                       models.CheckConstraint(condition=Q(days__gte=1, days__lte=60), name="auto_top_up_days"),
                       models.CheckConstraint(condition=Q(max_per_month__gte=1, max_per_month__lte=31),
                                              name="auto_top_up_per_month")]

    def __str__(self) -> str:
        return f"auto top-up of {self.client_id}: {self.amount} when {self.days} days are not covered"
