"""Django's admin (/django-admin/): a read-only view of the data for superusers (issue 9).

It has no login of its own. Its login page sends people to the staff login, which asks the
second factor whenever one is set up and shares the one login throttle; the admin then reuses
that staff session, and only a superuser's."""

from __future__ import annotations

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy


class StaffSessionAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Clientpanel data (read-only)")
    site_title = gettext_lazy("Clientpanel data")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user.is_superuser)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        return self._refuse(request, request.GET.get("next") or reverse("admin:index"))

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def staff_session_only(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not self.has_permission(request):
                return self._refuse(request, request.get_full_path())
            return inner(request, *args, **kwargs)

        return update_wrapper(staff_session_only, inner)

    @staticmethod
    def _refuse(request: HttpRequest, next_url: str) -> HttpResponse:
        if request.user.is_authenticated:
            # Logged in through the staff panel but not a superuser: the login would only loop.
            raise PermissionDenied("Django's admin is for superusers.")
        return redirect_to_login(next_url, login_url=reverse("backoffice:login"))
