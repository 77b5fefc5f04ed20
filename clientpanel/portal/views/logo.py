"""The logo of the home company that bills the signed-in user's client (files/logos.py): an image,
never rendered as a page, cached by the browser for an hour."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from clientpanel.files.logos import home_company_logo_read
from clientpanel.ui.downloads import CLIENT_FILE_POLICY

from ..access import portal_page


@portal_page()
def logo(request: HttpRequest) -> HttpResponse:
    company = request.portal.company
    content = home_company_logo_read(company)
    if content is None:
        raise Http404("No logo.")
    response = HttpResponse(content, content_type=company.logo_content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CLIENT_FILE_POLICY
    patch_cache_control(response, private=True, max_age=3600)
    return response
