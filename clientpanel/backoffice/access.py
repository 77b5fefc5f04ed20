"""Who may open which staff page: a logged-in, active staff member holding the page's area; and, for
the most dangerous actions, one that proved its password a short while ago (sudo_required)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from clientpanel.accounts.actors import as_actor
from clientpanel.accounts.roles import VIEW_CLIENTS, staff_areas
from clientpanel.core import errors
from clientpanel.core.actor import Actor

from .sudo import sudo_step


def _for_staff(view, area: str | frozenset[str] | None):
    """The view, opened only by a logged-in, active staff member holding the area, or one of a set
    of areas (None: any). A domain's NotFound or PermissionDenied that the view lets through (an
    unknown id in the address, an object another staff member deleted) is the 404 or 403 page with
    the domain's message, never a 500."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied("Staff only.")
        held = staff_areas(request.user)
        if area is not None and (area.isdisjoint(held) if isinstance(area, frozenset) else area not in held):
            raise PermissionDenied("Your role does not include this area.")
        try:
            return view(request, *args, **kwargs)
        except errors.NotFound as missing:
            raise Http404(missing.message) from None
        except errors.PermissionDenied as refusal:
            raise PermissionDenied(refusal.message) from None

    wrapper.required_area = area
    return wrapper


def area_required(area: str = VIEW_CLIENTS, *others: str):
    """Opened by staff holding the area, or any one of several: area_required(PRODUCTS, SETTINGS)."""
    needed = frozenset((area, *others)) if others else area

    def decorator(view):
        return _for_staff(view, needed)

    return decorator


def staff_required(view):
    """Any active staff member, whatever their roles (dashboard, own account)."""
    return _for_staff(view, None)


def policy_required(area: str, policy: Callable[[Actor], bool], refusal: str):
    """Opened by staff holding the area whom the domain's policy lets in too (a page that holds every
    client's data refuses staff limited to their assigned clients): 403 with the refusal otherwise,
    rather than the domain's own refusal surfacing from inside the view."""

    def decorator(view):
        @area_required(area)
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not policy(as_actor(request.user)):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def sudo_required(view=None, *, on_open: bool = False):
    """Sudo mode (accounts/sudo.py) for an action: unless the staff member proved its password within
    the last STAFF_SUDO_MINUTES, the action answers the re-authentication step and does nothing; a
    right password there continues to it. Placed below area_required / staff_required (who may is
    judged first). Guards what the view does on POST; on_open=True guards opening the page too (a
    form whose fields must not be typed before the proof: a new password)."""

    def decorator(inner):
        @wraps(inner)
        def wrapper(request, *args, **kwargs):
            if request.method in SAFE_METHODS and not on_open:
                return inner(request, *args, **kwargs)
            return sudo_step(request, inner, *args, **kwargs)

        wrapper.sudo_required = True
        return wrapper

    return decorator(view) if view is not None else decorator
