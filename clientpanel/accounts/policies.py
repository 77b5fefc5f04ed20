"""Who may manage staff, roles, client users and API tokens: predicates over an Actor (see
clientpanel.core.actor). Which staff an actor reaches at all is selectors.staff_visible_to."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clientpanel.core.actor import Actor, holds_area

from . import roles

can_manage_staff = holds_area(roles.MANAGE_STAFF)


def can_create_client_users(actor: Actor) -> bool:
    """Portal logins not yet linked to any client. Not by staff limited to assigned clients: they
    see only their clients' users, so a login they made unlinked would be out of their reach at
    once (they add users on a client's Users tab, which links them)."""
    return actor.has_area(roles.EDIT_CLIENTS) and not actor.limited_to_assigned


def can_change_roles(actor: Actor) -> bool:
    """Roles are shared by every staff member, so one limited to assigned clients changes none."""
    return actor.is_system or actor.is_superuser or not actor.limited_to_assigned


def can_issue_token_for(actor: Actor, user) -> bool:
    """A staff actor issues tokens only for itself (a token acts as its owner); the system, through
    create_api_token, for anybody."""
    return actor.is_system or actor.user_id == user.pk


def grants_unchecked(actor: Actor) -> bool:
    """The system and superusers grant any area; everybody else only areas it holds itself."""
    return actor.is_system or actor.is_superuser


def can_change_own_credentials(actor: Actor) -> bool:
    """A user's password, e-mail and second factor are its own: staff signed in as the user (Login
    as Owner) see the account but change none of them."""
    return actor.impersonator is None


def staff_credentials_refusal(actor: Actor, staff, staff_areas: set[str]) -> str | None:
    """Why the actor may not reset this staff member's password or second factor (None: it may).

    A new password the actor chooses is a way into the other account, so nobody reaches, through
    it, more than it holds itself: only a superuser resets a superuser, and a staff member holding
    an area the actor lacks (or reaching every client while the actor is limited to assigned ones)
    is out of reach. Nobody resets its own: its own password is changed on its account page, with
    the present one. staff_areas: the areas the staff member's roles grant, active or not."""
    if actor.is_system:
        return None
    if not can_manage_staff(actor):
        return _("Your role does not include managing staff.")
    if actor.user_id == staff.pk:
        return _("Change your own password and two-factor authentication on your account page.")
    if staff.is_superuser and not actor.is_superuser:
        return _("Only superusers reset a superuser's password or two-factor authentication.")
    if actor.is_superuser:
        return None
    if set(staff_areas) - actor.areas:
        return _("This staff member holds areas you do not; ask a staff manager who holds them.")
    if actor.limited_to_assigned and not staff.limited_to_assigned_clients:
        return _("This staff member reaches every client; ask a staff manager who does too.")
    return None


# A client user's names, phone and language, its verified address, its second factor and a reset
# e-mail: staff with Edit clients. Not a portal user with Manage Users: the login may belong to
# other clients too, and its credentials are its own.
can_manage_user_accounts = holds_area(roles.EDIT_CLIENTS)
