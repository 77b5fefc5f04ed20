"""The users linked to clients: a client's users, a user's clients, and the users an actor sees."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.accounts.models import User, normalize_email
from clientpanel.accounts.roles import VIEW_CLIENTS
from clientpanel.core.errors import NotFound

from ..models import Client, ClientUser
from ..permissions import MANAGE_USERS
from .directory import clients_visible_to


def client_user_links(*, client: Client) -> QuerySet[ClientUser]:
    """The client's linked users, the owner first."""
    owner_first = Case(When(user_id=client.owner_id, then=Value(0)), default=Value(1), output_field=IntegerField())
    return client.user_links.select_related("user").annotate(owner_first=owner_first).order_by(
        "owner_first", "user__email")


def user_client_links(*, actor: ActorLike, user: User) -> QuerySet[ClientUser]:
    """Every client the user belongs to that the actor may see, with the permissions on each."""
    return ClientUser.objects.filter(user=user, client__in=clients_visible_to(actor)).select_related("client")


def user_candidates(*, actor: ActorLike, search: str, client: Client | None = None, limit: int = 10) -> list[User]:
    """Client users whose email or name matches, for the "Associate User" picker: only users the
    actor sees already (users_visible_to), so the picker lists nobody from other clients."""
    search = (search or "").strip().lower()[:100]
    if len(search) < 2:
        return []
    visible = users_visible_to(actor)
    users = visible.filter(is_staff=False).filter(
        Q(email__contains=search) | Q(firstname__icontains=search) | Q(lastname__icontains=search))
    if client is not None:
        users = users.exclude(client_links__client=client)
    return list(users.order_by("email")[:limit])


def users_visible_to(actor: ActorLike, *, search: str = "", kind: str = "") -> QuerySet[User]:
    """Users in Manage Users: all of them for unlimited staff; a limited staff member sees the
    users of their assigned clients only."""
    actor = as_actor(actor)
    if actor.is_portal:
        # The users of its client, for a portal user who may manage them.
        if not actor.may_on_client(actor.client_id, MANAGE_USERS):
            return User.objects.none()
        users = User.objects.filter(client_links__client_id=actor.client_id)
    elif not (actor.is_system or actor.has_area(VIEW_CLIENTS)):
        return User.objects.none()
    else:
        users = User.objects.all()
        if actor.limited_to_assigned:
            users = users.filter(client_links__client__in=clients_visible_to(actor)).distinct()
    if kind == "staff":
        users = users.filter(is_staff=True)
    elif kind == "client":
        users = users.filter(is_staff=False)
    for word in (search or "").lower().split()[:4]:
        users = users.filter(Q(email__contains=word) | Q(firstname__icontains=word) | Q(lastname__icontains=word))
    return users.annotate(client_count=Count("client_links", distinct=True))


def is_account_out_of_reach(*, actor: ActorLike, email: str) -> bool:
    """Whether the address (as cleaned) is an existing login the actor does not see — another
    client's user or a staff member: what refusing to link it tells the actor."""
    user = User.objects.filter(email=normalize_email(email)).only("pk").first() if email else None
    return user is not None and not users_visible_to(actor).filter(pk=user.pk).exists()


def user_get(*, actor: ActorLike, user_id) -> User:
    try:
        return users_visible_to(actor).get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("User not found.")) from None
