"""Who is signed in to the portal, kept in the session under keys of its own: a portal sign-in is
not a staff login (Django's auth user stays the staff member's, or nobody), so a staff session is no
portal session and a portal session opens no staff page. Login as Owner adds the staff member as
the impersonator, for 30 minutes at most, while the staff session lives on untouched."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import staff_actor
from clientpanel.accounts.models import User
from clientpanel.accounts.roles import IMPERSONATE, staff_areas
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.models import Client, ClientUser
from clientpanel.clients.permissions import MANAGE_USERS
from clientpanel.clients.rules import ACCOUNT_CLOSED, portal_open, portal_open_q, takes_new_business
from clientpanel.clients.selectors import (
    ADDING_FUNDS,
    ORDERING,
    client_tax_decision,
    clients_visible_to,
    new_business_refusal,
)
from clientpanel.core.actor import Actor, client_ip
from clientpanel.core.errors import NotFound
from clientpanel.ui import code_step

from .menu import menu_for

USER = "portal:user"
CLIENT = "portal:client"
IMPERSONATOR = "portal:impersonator"
IMPERSONATION_STARTED = "portal:impersonation_started"
IMPERSONATION_LIMIT = dt.timedelta(minutes=30)
AWAITING_CODE = "portal:awaiting_code"  # user id, next address and since when, between the two login steps
# The user's password, as Django's staff sessions keep it (a keyed hash of the password hash): a new
# password — changed on the Account page or chosen from a reset link — ends every portal session
# signed in with the old one, so a thief's session does not outlive the owner's recovery.
PASSWORD_HASH = "portal:password_hash"


@dataclass(frozen=True)
class Portal:
    """The signed-in client user, the client it acts for, its actor, and every client it may switch to."""

    user: User
    client: Client
    actor: Actor
    links: list[ClientUser]
    impersonator: User | None = None
    # The client the session acted for until this request, gone from its links since (closed, or the
    # link removed): this request acts for another (portal_page lets no action through on it).
    moved_from: str = ""  # its name

    @property
    def moved(self) -> bool:
        return bool(self.moved_from)

    def may(self, permission: str) -> bool:
        return permission in self.actor.permissions

    @property
    def manages_users(self) -> bool:
        """The Users page: Manage Users, while the setting offers the page at all."""
        return bool(settings.CLIENTPANEL_PORTAL_MANAGE_USERS) and self.may(MANAGE_USERS)

    @property
    def menu(self) -> list[tuple[str, str]]:
        return menu_for(self)

    @property
    def client_closed(self) -> bool:
        """The client is closed to its users (rules.portal_open): only staff, logged in as one, see it."""
        return not portal_open(self.client.status)

    @property
    def takes_new_business(self) -> bool:
        """Order and Add funds are offered (clients.rules.takes_new_business): not for a closed or
        fraud client, which only staff reach (Login as Owner)."""
        return takes_new_business(self.client.status)

    def order_refusal(self) -> str:
        """Why Order is not offered ("" when it is), as ordering would refuse it."""
        return new_business_refusal(self.client, ORDERING)

    def add_funds_refusal(self) -> str:
        """Why Add funds is not offered ("" when it is), as adding funds would refuse it."""
        return new_business_refusal(self.client, ADDING_FUNDS)

    @functools.cached_property
    def company(self):
        """The home company that bills the client: its name heads every portal page."""
        return client_tax_decision(self.client).home_company


def _own_links(user: User):
    """The user's links to the clients it may act for itself (rules.portal_open), oldest first."""
    return ClientUser.objects.filter(portal_open_q("client__"), user=user).order_by("created_at")


def _client_name(client_id: str) -> str | None:
    try:
        return Client.objects.filter(pk=client_id).values_list("display_name", flat=True).first()
    except (ValueError, ValidationError):
        return None


def sign_in_refusal(user: User) -> str | None:
    """Why a client user whose password (and code) was right may not sign in to the portal: it manages
    no client, or only clients closed to it (the same words for CLOSED and FRAUD); None when it may."""
    if not ClientUser.objects.filter(user=user).exists():
        return _("This login manages no client account yet.")
    if not _own_links(user).exists():
        return str(ACCOUNT_CLOSED)
    return None


def sign_in(request: HttpRequest, user: User) -> None:
    """A client user's own sign-in: a fresh session key and CSRF token (no fixation of either, as
    Django's login() does for staff), its first open client selected, last_login recorded."""
    request.session.cycle_key()
    rotate_token(request)
    for key in (IMPERSONATOR, IMPERSONATION_STARTED, AWAITING_CODE):
        request.session.pop(key, None)
    request.session[USER] = str(user.pk)
    request.session[PASSWORD_HASH] = user.get_session_auth_hash()
    first = _own_links(user).values_list("client_id", flat=True).first()
    request.session[CLIENT] = str(first) if first else ""
    # As django.contrib.auth.login does: its receiver records last_login, which also ends any
    # password-reset link sent before this sign-in (the reset token includes last_login).
    user_logged_in.send(sender=user.__class__, request=request, user=user)


def await_code(request: HttpRequest, user: User, next_url: str) -> None:
    """The password was right and the user has 2FA: remember who, for a few minutes, until the code."""
    code_step.await_code(request, AWAITING_CODE, user, next_url)


def awaiting_code(request: HttpRequest) -> tuple[User | None, str]:
    """The client user whose code the login's second step asks for (None when there is none, or its
    five minutes have passed), and where to go after it."""
    return code_step.awaiting_code(request, AWAITING_CODE, staff=False)


def sign_out(request: HttpRequest) -> None:
    for key in (USER, CLIENT, IMPERSONATOR, IMPERSONATION_STARTED, AWAITING_CODE, PASSWORD_HASH):
        request.session.pop(key, None)


def keep_after_password_change(request: HttpRequest, user: User) -> None:
    """The user changed its password in this session: this one stays signed in (the others end)."""
    request.session.cycle_key()
    request.session[PASSWORD_HASH] = user.get_session_auth_hash()


def _password_unchanged(request: HttpRequest, user: User) -> bool:
    kept = request.session.get(PASSWORD_HASH) or ""
    return any(constant_time_compare(kept, known) for known in
               (user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()))


def start_impersonation(request: HttpRequest, *, staff: User, user: User, client: Client) -> None:
    """Login as Owner: the portal as this client user, on behalf of the staff member signed in."""
    request.session[USER] = str(user.pk)
    request.session[PASSWORD_HASH] = user.get_session_auth_hash()
    request.session[CLIENT] = str(client.pk)
    request.session[IMPERSONATOR] = str(staff.pk)
    request.session[IMPERSONATION_STARTED] = timezone.now().isoformat()


def select_client(request: HttpRequest, client_id) -> None:
    request.session[CLIENT] = str(client_id)


def current(request: HttpRequest) -> Portal | None:
    """The portal's signed-in user for this request, or None (nobody, an ended impersonation, a
    user no longer active or no longer linked to any client it may act for, a sign-in made before the
    user's password changed). A client closed to its users (rules.portal_open) — even since the last
    request — is neither acted for nor offered; staff during Login as Owner still see it."""
    user_id = request.session.get(USER)
    if not user_id:
        return None
    impersonator = None
    if request.session.get(IMPERSONATOR):
        started = dt.datetime.fromisoformat(request.session.get(IMPERSONATION_STARTED))
        staff = getattr(request, "user", None)
        # It ends on return, on the staff member's logout (another auth user), after 30 minutes, and
        # as soon as the staff member may no longer impersonate (deactivated, the area taken away).
        if (timezone.now() - started > IMPERSONATION_LIMIT or staff is None or not staff.is_authenticated
                or str(staff.pk) != request.session.get(IMPERSONATOR)
                or not (staff.is_active and staff.is_staff and IMPERSONATE in staff_areas(staff))):
            sign_out(request)
            return None
        impersonator = staff
    user = User.objects.filter(pk=user_id, is_active=True, is_staff=False).first()
    if user is None or not _password_unchanged(request, user):
        sign_out(request)
        return None
    if impersonator is not None:
        # Staff see, as the user, only the clients they may see themselves (assignment rules).
        links = ClientUser.objects.filter(user=user, client__in=clients_visible_to(staff_actor(impersonator)))
        links = links.order_by("created_at")
    else:
        links = _own_links(user)
    links = list(links.select_related("client"))
    if not links:
        closed = impersonator is None and ClientUser.objects.filter(user=user).exists()
        sign_out(request)
        if closed and request.method in ("GET", "HEAD"):
            messages.error(request, str(ACCOUNT_CLOSED))
        elif closed:
            request.portal_closed = True  # portal_page answers the action a page saying it was not done
        return None
    selected = request.session.get(CLIENT)
    chosen = next((link for link in links if str(link.client_id) == selected), links[0])
    request.session[CLIENT] = str(chosen.client_id)
    try:
        actor = portal_actor(user, chosen.client_id, impersonator=impersonator, ip=client_ip(request))
    except NotFound:
        sign_out(request)
        return None
    moved_from = ""
    if selected and selected != str(chosen.client_id):
        moved_from = _client_name(selected) or _("The client selected before")
    return Portal(user=user, client=chosen.client, actor=actor, links=links, impersonator=impersonator,
                  moved_from=moved_from)
