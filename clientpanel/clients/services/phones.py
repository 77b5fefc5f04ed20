"""One phone number in three places (issue 14): the client's (Client.phone), its owner's login
(User.phone) and its billing contact's (the billing Address.phone). They start as one number —
client_create gives the owner the client's and the billing contact the owner's unless another was
typed — and stay one: when the client's number changes (staff's profile form, the portal's profile,
PATCH /api/v1/clients/{id}, a CSV import updating clients), the owner's and the billing contact's
follow when they held the old number (or, like it, none); a number entered apart for either stays.
When staff change the owner's number (Users tab → Account), every client it owns whose number was
the owner's follows, and those clients' billing contacts with it. One hop only: a client's change
never travels on through the owner to the owner's other clients. See docs/decisions.md."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from clientpanel.accounts.models import User
from clientpanel.audit.services import audit_record

from ..models import Address, AddressType, Client


def client_phone_mirrors_follow(client: Client, old: str, new: str) -> list[str]:
    """After the client's phone changed from old to new: the owner's and the billing contact's
    that held old take new, each audited on the client. Inside the caller's transaction with the
    client row locked; locks the owner's row after it (clients first, then users: the order
    client_user_account_update keeps). Answers what followed ("owner", "billing_address")."""
    followed: list[str] = []
    if old == new:
        return followed
    owner = User.objects.select_for_update().get(pk=client.owner_id)
    if owner.phone == old:
        owner.phone = new
        owner.save(update_fields=["phone"])
        audit_record(action="user.update", target=owner, client_id=client.pk, changes={"phone": [old, new]})
        followed.append("owner")
    billing = Address.objects.select_for_update().filter(client_id=client.pk, type=AddressType.BILLING).first()
    if billing is not None and billing.phone == old:
        billing.phone = new
        billing.save(update_fields=["phone", "updated_at"])
        audit_record(action="address.update", target=billing, client_id=client.pk, changes={"phone": [old, new]})
        followed.append("billing_address")
    return followed


def lock_clients_owned_by(user_id, also_client_id) -> None:
    """Lock every client the user owns and the one a change is made through, in primary-key order
    and before any user row, so two changes of one owner's phone through different clients (or a
    client's own change, which locks client then owner) cannot deadlock. Malformed ids lock
    nothing: the caller's own lookup answers NotFound for them."""
    try:
        ids = {*Client.objects.filter(owner_id=user_id).values_list("pk", flat=True), also_client_id}
        locked = Client.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        list(locked.values_list("pk", flat=True))
    except (ValueError, TypeError, ValidationError):
        return
