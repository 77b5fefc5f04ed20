"""Building the actor of a staff member, an API token or the system (see clientpanel.core.actor)."""

from __future__ import annotations

from clientpanel.core.actor import ACTOR_API_TOKEN, ACTOR_CLIENT_USER, ACTOR_STAFF, SYSTEM, Actor, acting_as, client_ip

from .models import ApiToken, User
from .roles import staff_areas

# What services and selectors accept as their actor: an Actor, a staff User (the panel's
# request.user), or None for the system.
ActorLike = Actor | User | None


def staff_actor(user: User, *, ip: str | None = None) -> Actor:
    """A staff member in the panel: the areas of its roles (none once deactivated) and its scope."""
    return Actor(kind=ACTOR_STAFF, user=user, label=user.email, ip=ip, areas=frozenset(staff_areas(user)),
                 limited_to_assigned=bool(user.limited_to_assigned_clients and not user.is_superuser))


def token_actor(api_token: ApiToken, *, ip: str | None = None) -> Actor:
    """An API token acts with its staff member's areas and scope as they are now (roles may have
    changed since the token was issued; the token's own scopes are checked per endpoint)."""
    staff = staff_actor(api_token.user, ip=ip)
    return Actor(kind=ACTOR_API_TOKEN, user=api_token.user, ip=ip,
                 label=f"API token {api_token.prefix}… of {api_token.user.email}",
                 areas=staff.areas, limited_to_assigned=staff.limited_to_assigned)


def as_actor(actor: ActorLike) -> Actor:
    """The actor a service was given. None is the system (commands, jobs, migrations); a User is
    taken as a staff member in the panel (a client user has no staff areas, so it may do nothing
    a staff policy guards — portal actors are built with clientpanel.clients.actors)."""
    if actor is None:
        return SYSTEM
    if isinstance(actor, Actor):
        return actor
    return staff_actor(actor)


class ActorMiddleware:
    """Marks the request's session user as the actor for the audit trail and the ledger. The
    portal replaces it with the client user's actor once it knows the selected client."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        ip = client_ip(request)
        if user is not None and user.is_authenticated and user.is_staff:
            actor = staff_actor(user, ip=ip)
        elif user is not None and user.is_authenticated:
            actor = Actor(kind=ACTOR_CLIENT_USER, user=user, label=user.email, ip=ip)
        else:
            actor = Actor(label="anonymous", ip=ip)
        with acting_as(actor):
            return self.get_response(request)
