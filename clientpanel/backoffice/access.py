"""Who may open which staff page: a logged-in, active staff member holding the page's area."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from clientpanel.accounts.roles import VIEW_CLIENTS, staff_areas


def _for_staff(view, area: str | None):
    """The view, opened only by a logged-in, active staff member holding the area (None: any)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied("Staff only.")
        if area is not None and area not in staff_areas(request.user):
            raise PermissionDenied("Your role does not include this area.")
        return view(request, *args, **kwargs)

    wrapper.required_area = area
    return wrapper


def area_required(area: str = VIEW_CLIENTS):
    def decorator(view):
        return _for_staff(view, area)

    return decorator


def staff_required(view):
    """Any active staff member, whatever their roles (dashboard, own account)."""
    return _for_staff(view, None)
