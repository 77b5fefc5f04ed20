"""Logging in and out of the staff panel, with the second step for staff who use two-factor
authentication."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from clientpanel.accounts.login import login_completed
from clientpanel.ui import code_step
from clientpanel.ui.redirects import next_within

from ..forms.account import CodeForm, StaffLoginForm

PENDING = "pending_2fa"  # the staff member whose code the second step asks for (ui/code_step.py)


def staff_next(request: HttpRequest, next_url: str) -> str:
    """Where to go on after a login or the language switch: a path of this site, else the dashboard."""
    return next_within(request, next_url, prefix="/", fallback=reverse("backoffice:dashboard"))


class StaffLoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        # Only a path of ours: "?next=-1" sent the browser to /staff/login/-1, a 404.
        url = super().get_redirect_url()
        return url if url.startswith("/") else ""

    def form_valid(self, form):
        user = form.get_user()
        if user.has_2fa:
            # Not logged in yet: the second step (login_verify below) does that.
            code_step.await_code(self.request, PENDING, user, self.get_redirect_url())
            return redirect("backoffice:login-verify")
        response = super().form_valid(form)
        login_completed(request=self.request, response=response, user=user)
        return response


class StaffLogoutView(auth_views.LogoutView):
    next_page = "backoffice:login"


@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login for staff with 2FA: the password was right (at most five minutes
    ago), now the code."""
    user, next_url = code_step.awaiting_code(request, PENDING, staff=True)
    if user is None:
        return redirect("backoffice:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.completes_login_of(user):
        request.session.pop(PENDING, None)
        login(request, user, backend="clientpanel.accounts.backends.EmailBackend")
        response = redirect(staff_next(request, next_url))
        login_completed(request=request, response=response, user=user)
        return response
    return render(request, "backoffice/login_verify.html", {"form": form, "anonymous_layout": True})
