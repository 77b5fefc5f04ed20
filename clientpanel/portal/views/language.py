"""The English/Polish switch of the pages before sign-in (the portal's and the staff panel's login,
reset and e-mailed-link pages): Django's set_language, which keeps the choice in the language
cookie that LocaleMiddleware reads, for a visitor without an account."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from clientpanel.ui.redirects import next_within


@never_cache
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Back to the page the switch was pressed on (`next`, a path of this site; anything else, such
    as another site's address, is the portal's login page). Only a language of the panel is kept
    (set_language takes any Django has words for, "de" too). Once signed in, the language saved on
    the account wins over the cookie (portal.access.portal_page, StaffLanguageMiddleware)."""
    data = request.POST.copy()
    data["next"] = next_within(request, data.get("next", ""), prefix="/", fallback=reverse("portal:login"))
    if data.get("language") not in dict(settings.LANGUAGES):
        return redirect(data["next"])
    request.POST = data
    return set_language(request)
