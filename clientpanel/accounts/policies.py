"""Who may manage staff, roles, client users and API tokens: predicates over an Actor (see
clientpanel.core.actor). Which staff an actor reaches at all is selectors.staff_visible_to."""

from __future__ import annotations

from clientpanel.core.actor import Actor, holds_area

from . import roles

can_manage_staff = holds_area(roles.MANAGE_STAFF)
can_create_client_users = holds_area(roles.EDIT_CLIENTS)


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
