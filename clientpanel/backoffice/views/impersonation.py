"""Login as Owner (SPEC §4): staff with the impersonate area open the portal as one of a client's
users, in the same browser, for 30 minutes at most; the staff session lives on."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientpanel.accounts.actors import staff_actor
from clientpanel.accounts.roles import IMPERSONATE
from clientpanel.audit.services import audit_record
from clientpanel.clients.models import ClientUser
from clientpanel.clients.policies import can_login_as_owner
from clientpanel.portal import session as portal_session

from ..access import area_required
from .common import client_or_404


@area_required(IMPERSONATE)
@require_POST
def login_as(request: HttpRequest, client_id, user_id=None) -> HttpResponse:
    """Open the portal as the client's owner (the Summary's Login as Owner) or as one of its users
    (Log in as on the Users tab). A POST only: a link cannot start it."""
    client = client_or_404(request, client_id)  # in the staff member's scope, else 404
    if not can_login_as_owner(staff_actor(request.user)):
        raise Http404("No such page.")
    link = ClientUser.objects.filter(client=client, user_id=user_id or client.owner_id,
                                     user__is_active=True).select_related("user").first()
    if link is None:
        raise Http404("This user is not linked to the client.")
    # The label is worded in the staff member's language, as stored labels are (decisions.md).
    label = _("%(client)s as %(email)s") % {"client": client, "email": link.user.email}
    audit_record(action="client.login_as", target=client, client_id=client.pk, object_label=label,
                 changes={"user": [None, link.user.email]})
    portal_session.start_impersonation(request, staff=request.user, user=link.user, client=client)
    return redirect("portal:dashboard")
