"""A page's Back or Cancel link (ui.redirects.came_from; the error pages and sudo mode's step):
the page the visitor came from when it is a page of this site and not this very one."""

import pytest
from django.test import RequestFactory

from clientpanel.ui.redirects import came_from


@pytest.mark.parametrize(("referer", "back"), [
    ("http://testserver/staff/clients/?q=acme&page=2", "http://testserver/staff/clients/?q=acme&page=2"),
    ("http://testserver/portal/invoices/", "http://testserver/portal/invoices/"),
    ("", ""),  # none sent
    ("http://evil.example/staff/", ""),  # another site's
    ("javascript:alert(1)//testserver/staff/", ""),  # not a web address
    ("http://testserver/staff/tokens/", ""),  # this very page
    ("http://testserver/staff/..\\evil/", ""),  # a path the browser would read otherwise
])
def test_back_is_a_page_of_this_site_the_visitor_came_from(referer, back) -> None:
    request = RequestFactory().get("/staff/tokens/", HTTP_REFERER=referer)
    assert came_from(request) == back
