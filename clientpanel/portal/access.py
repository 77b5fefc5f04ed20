"""Portal pages: signed in, in the user's language, and each behind its permission key (SPEC §3) —
a page the user may not see answers 404, as if it did not exist."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from clientpanel.core.actor import set_actor

from . import session


def portal_page(permission: str | None = None) -> Callable:
    """A portal page for the signed-in client user (else the login page), acting as the client it
    selected; with a permission key, 404 for a user without it."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            portal = session.current(request)
            if portal is None:
                return redirect(f"{reverse('portal:login')}?{urlencode({'next': request.get_full_path()})}")
            if permission is not None and not portal.may(permission):
                raise Http404("No such page.")
            request.portal = portal
            set_actor(portal.actor)
            translation.activate(portal.user.language)
            request.LANGUAGE_CODE = translation.get_language()
            return view(request, *args, **kwargs)

        wrapper.portal_permission = permission  # read by the portal permission matrix
        return wrapper

    return decorate
