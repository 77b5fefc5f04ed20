"""The English/Polish switch of the pages before sign-in (the portal's and the staff panel's login,
reset and e-mailed-link pages): the choice kept in the language cookie that LocaleMiddleware reads,
for a visitor without an account (ui.languages.remember_language, as the signed-in switches do)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clientpanel.ui.languages import remember_language
from clientpanel.ui.redirects import next_within


@never_cache
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Back to the page the switch was pressed on (`next`, a path of this site; anything else, such
    as another site's address, is the portal's login page). Only a language of the panel is kept.
    Once signed in, the language saved on the account wins over the cookie (portal.access.portal_page,
    StaffLanguageMiddleware)."""
    back = next_within(request, request.POST.get("next", ""), prefix="/", fallback=reverse("portal:login"))
    return remember_language(redirect(back), request.POST.get("language", ""))
