"""Portal pages: signed in, in the user's language, each behind its permission key (SPEC §3) — a
page the user may not see answers 404, as if it did not exist — and never stored by a cache. A page
of another client the user is linked to, with the page's permission there, asks to act for it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import NoReturn, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from clientpanel.client_services.models import Service
from clientpanel.client_services.selectors import service_for_cancellation
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.models import Address
from clientpanel.clients.rules import ACCOUNT_CLOSED
from clientpanel.clients.selectors import address_get
from clientpanel.core.actor import Actor, set_actor
from clientpanel.core.errors import NotFound
from clientpanel.files.models import ClientFile
from clientpanel.files.selectors import client_file_get
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.selectors import documents_visible_to

from . import session

# Where a portal form's POST may be redirected besides this site (CSP form-action, settings allow
# 'self' only): Stripe Checkout, the page payment_start sends a Stripe payment to.
GATEWAY_FORM_TARGETS = ("https://checkout.stripe.com",)


class OfAnotherClient(Exception):
    """The page asked for belongs to another client the user is linked to: it is not shown until the
    user agrees to act for that client (portal_page answers a confirmation page)."""

    def __init__(self, link):
        super().__init__(str(link.client_id))
        self.link = link


T = TypeVar("T")


def not_here(request: HttpRequest, model: type[Model], object_id) -> NoReturn:
    """A page's object is not the selected client's: raise OfAnotherClient when it is one of the
    user's other clients' and the portal shows it to the user there, else Http404 (another client's
    by id, or one the portal hides from its users — a draft, a file not shown in the portal — is no
    page at all)."""
    others = {str(link.client_id): link for link in request.portal.links if link.client_id != request.portal.client.pk}
    link = _shown_elsewhere(request, model, object_id, others)
    if link is None:
        raise Http404("No such page.")
    raise OfAnotherClient(link)


def shown_or_not_here(request: HttpRequest, lookup: Callable[[], T], model: type[Model], object_id) -> T:
    """What lookup answers (a selector's get, or a service acting on one object of the selected
    client), or not_here when it raises NotFound."""
    try:
        return lookup()
    except NotFound:
        not_here(request, model, object_id)


def _document_shown(actor: Actor, link, object_id) -> bool:
    return documents_visible_to(actor).filter(pk=object_id).exists()


def _service_shown(actor: Actor, link, object_id) -> bool:
    # Every service of the client, as the cancellation page (Place New Orders) shows it; the page's
    # own permission is checked by the caller.
    return _found(lambda: service_for_cancellation(actor=actor, service_id=object_id))


def _file_shown(actor: Actor, link, object_id) -> bool:
    return _found(lambda: client_file_get(actor=actor, client_id=link.client_id, file_id=object_id))


def _address_shown(actor: Actor, link, object_id) -> bool:
    return _found(lambda: address_get(client=link.client, address_id=object_id))


def _found(lookup: Callable[[], object]) -> bool:
    try:
        lookup()
    except NotFound:
        return False
    return True


# The object a portal page's address names, by the address's keyword: the page of one, asked for
# while acting for a client without the page's permission, is looked for among the clients the user
# holds that permission on (portal_page asks to act for the one it belongs to, else answers 404).
# An address keyword missing here is a 404 there, as before. Each model's check answers whether the
# portal shows the object to the user acting for that client, with the selectors its pages use.
PAGE_OBJECTS: dict[str, type[Model]] = {"document_id": Document, "service_id": Service, "file_id": ClientFile,
                                        "address_id": Address}
SHOWN: dict[type[Model], Callable[[Actor, object, object], bool]] = {
    Document: _document_shown, Service: _service_shown, ClientFile: _file_shown, Address: _address_shown}


def _shown_elsewhere(request: HttpRequest, model: type[Model], object_id, links: dict):
    """The link (of links, by client id) to the client the object belongs to, when the portal shows
    the object to the user acting for that client; else None — a draft document, a file hidden from
    the portal, is not offered (switching would only answer 404, and tell it exists)."""
    if not links or model not in SHOWN:
        return None
    owner = model._default_manager.filter(pk=object_id, client_id__in=list(links)).values_list(
        "client_id", flat=True).first()
    if owner is None:
        return None
    link, portal = links[str(owner)], request.portal
    try:
        actor = portal_actor(portal.user, link.client_id, impersonator=portal.impersonator)
    except NotFound:  # closed to its users meanwhile
        return None
    return link if SHOWN[model](actor, link, object_id) else None


def _held_elsewhere(request: HttpRequest, permission: str, kwargs: dict):
    """The user's link to the other client a page's object (named by the address) belongs to, when
    the user holds the page's permission on that client and the portal shows it the object there;
    else None."""
    portal = request.portal
    links = {str(link.client_id): link for link in portal.links
             if link.client_id != portal.client.pk and permission in link.permissions}
    for keyword, model in PAGE_OBJECTS.items():
        if keyword in kwargs:
            return _shown_elsewhere(request, model, kwargs[keyword], links)
    return None


def _switch_confirm(request: HttpRequest, link) -> HttpResponse:
    return render(request, "portal/switch_confirm.html", {"other": link.client, "next": request.get_full_path()})


def _not_done(request: HttpRequest, reason: str, *, signed_in: bool) -> HttpResponse:
    """The page answering an action (a POST) that a client closed meanwhile stopped: not done, why."""
    response = render(request, "portal/not_done.html", {"reason": reason, "signed_in": signed_in}, status=409)
    add_never_cache_headers(response)
    return response


def portal_page(permission: str | None = None) -> Callable:
    """A portal page for the signed-in client user (else the login page), acting as the client it
    selected; with a permission key, 404 for a user without it."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            portal = session.current(request)
            if portal is None and getattr(request, "portal_closed", False):
                # An action sent by a session whose (only) client closed since: say it was not done.
                return _not_done(request, str(ACCOUNT_CLOSED), signed_in=False)
            if portal is None:
                return redirect(f"{reverse('portal:login')}?{urlencode({'next': request.get_full_path()})}")
            request.portal = portal
            set_actor(portal.actor)
            translation.activate(portal.user.language)
            request.LANGUAGE_CODE = translation.get_language()
            if portal.moved:
                # The client this session acted for was closed (or unlinked) meanwhile: say so and for
                # whom it acts now, and do no action meant for the other client for this one.
                moved = _("%(old)s is no longer open to you in the client area. You now act for %(client)s "
                          "(%(number)s).") % {"old": portal.moved_from, "client": portal.client.display_name,
                                              "number": portal.client.number}
                if request.method not in ("GET", "HEAD"):
                    return _not_done(request, moved, signed_in=True)
                messages.info(request, moved)
            if permission is not None and not portal.may(permission):
                # Not here, but maybe the page of another of the user's clients, where it holds the
                # permission: only a page to look at is offered, never an action (a POST).
                elsewhere = _held_elsewhere(request, permission, kwargs) if request.method == "GET" else None
                if elsewhere is None:
                    raise Http404("No such page.")
                with timezone.override(portal.company.zone):  # its footer names the zone too
                    return _finished(_switch_confirm(request, elsewhere))
            # Times read in the zone of the home company that bills the client, as its documents,
            # their PDFs and the staff panel's document pages read them: an order placed at 05:25 in
            # Warsaw says 05:25, and a date near midnight is the day of its invoice.
            with timezone.override(portal.company.zone):
                try:
                    response = view(request, *args, **kwargs)
                except OfAnotherClient as turn:
                    # An action (a POST) is not offered across clients: only a page to look at is.
                    if request.method != "GET" or (permission is not None
                                                   and permission not in turn.link.permissions):
                        raise Http404("No such page.") from None
                    response = _switch_confirm(request, turn.link)
            return _finished(response)

        wrapper.portal_permission = permission  # read by the portal permission matrix
        return wrapper

    return decorate


def _finished(response: HttpResponse) -> HttpResponse:
    """A portal page's response, never kept by a cache and free to send its form to the gateway."""
    # A signed-in page shows the client's money and documents, and the 2FA page its secret
    # and recovery codes: no browser or proxy keeps a copy (as the staff panel's pages),
    # unless the view chose its own caching (the company's logo, private for an hour).
    if not response.has_header("Cache-Control"):
        add_never_cache_headers(response)
    # Pay, Add funds and the saved cards POST here and are redirected to the gateway's page:
    # browsers hold such a redirect to the form-action of the page the form was on.
    response._csp_update = {"form-action": list(GATEWAY_FORM_TARGETS)}
    return response
