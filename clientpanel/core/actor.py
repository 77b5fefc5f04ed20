"""Who is acting: a staff member in the panel, an API token, a client user in the portal (perhaps a
staff member logged in as that user), or the system (commands, jobs).

An `Actor` carries everything a permission check needs, so policies never query for it: the staff
areas and client scope of staff and tokens, the client and permission keys of a portal user, and the
impersonator when staff act as a client user. Services take one as their `actor` argument; the
current one (set once per request by the middleware or the API's authentication) is what the audit
trail and the ledger record. Actors are built in `clientpanel.accounts.actors` (staff, tokens) and
`clientpanel.clients.actors` (portal users), which know the roles and client links."""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

ACTOR_STAFF = "staff"
ACTOR_CLIENT_USER = "user"
ACTOR_API_TOKEN = "api_token"
ACTOR_SYSTEM = "system"
ACTOR_KINDS = (ACTOR_STAFF, ACTOR_CLIENT_USER, ACTOR_API_TOKEN, ACTOR_SYSTEM)


@dataclass(frozen=True)
class Actor:
    kind: str = ACTOR_SYSTEM
    user: Any = None
    label: str = "system"
    ip: str | None = None
    # Staff members and their API tokens: the areas of their roles (SPEC §4), and whether they see
    # only the clients assigned to them.
    areas: frozenset[str] = field(default_factory=frozenset)
    limited_to_assigned: bool = False
    # A client user in the portal: the client it acts for and its permission keys there (SPEC §3).
    client_id: Any = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    # The staff member behind a client user during Login as Owner.
    impersonator: Any = None

    @property
    def is_system(self) -> bool:
        return self.kind == ACTOR_SYSTEM

    @property
    def is_staff_side(self) -> bool:
        """Staff in the panel or one of their API tokens: checked by areas and client scope."""
        return self.kind in (ACTOR_STAFF, ACTOR_API_TOKEN)

    @property
    def is_portal(self) -> bool:
        return self.kind == ACTOR_CLIENT_USER

    @property
    def is_superuser(self) -> bool:
        """A superuser staff member (or its token): every area, every client, may make superusers."""
        return self.is_staff_side and bool(getattr(self.user, "is_superuser", False))

    @property
    def user_id(self) -> Any:
        return getattr(self.user, "pk", None)

    @property
    def impersonator_id(self) -> Any:
        return getattr(self.impersonator, "pk", None)

    def has_area(self, area: str) -> bool:
        """The system may do everything; staff and tokens what their roles grant; portal users no
        staff area at all."""
        return self.is_system or (self.is_staff_side and area in self.areas)

    def may_on_client(self, client_id: Any, permission: str) -> bool:
        """A portal user holds the permission key on that very client (the one selected)."""
        return self.is_portal and self.client_id is not None and str(client_id) == str(self.client_id) \
            and permission in self.permissions


def holds_area(area: str) -> Callable[[Actor], bool]:
    """The policy of everything one staff area allows (see Actor.has_area): the system, and staff
    and their tokens whose roles grant the area; never a portal user. For policies that ask no more,
    as `can_issue_documents = holds_area(FINANCE)`."""

    def policy(actor: Actor) -> bool:
        return actor.has_area(area)

    return policy


SYSTEM = Actor()

_current: ContextVar[Actor] = ContextVar("clientpanel_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


@contextlib.contextmanager
def acting_as(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def set_actor(actor: Actor) -> None:
    """Replace the actor for the rest of this request (the API learns it only after authenticating)."""
    _current.set(actor)


def _trusted_proxy(address: str) -> bool:
    for entry in settings.CLIENTPANEL_TRUSTED_PROXIES:  # addresses or networks, or "*"
        with contextlib.suppress(ValueError):
            if entry == "*" or ipaddress.ip_address(address) in ipaddress.ip_network(entry, strict=False):
                return True
    return False


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or — when that is a trusted proxy (FORWARDED_ALLOW_IPS, as
    gunicorn's: behind nginx every REMOTE_ADDR is the proxy's, and the per-address throttles would
    lock everybody out at once) — the last X-Forwarded-For hop, the one the proxy appended. Anybody
    else's X-Forwarded-For is ignored: a client does not choose its address in the trail."""
    remote = request.META.get("REMOTE_ADDR") or None
    if remote and _trusted_proxy(remote):
        hop = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        with contextlib.suppress(ValueError):
            return str(ipaddress.ip_address(hop))
    return remote
