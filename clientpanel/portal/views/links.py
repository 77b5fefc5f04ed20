"""Pages of the client side (thin: the accounts services and links decide). The pages e-mails link
to serve staff and client users alike; none logs anybody in."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from clientpanel.accounts.links import RESET_PASSWORD, SET_PASSWORD, VERIFY_EMAIL, LinkTokens, user_of_link
from clientpanel.accounts.models import User
from clientpanel.accounts.services import email_verify_from_link, password_set_from_link
from clientpanel.accounts.throttle import password_reset_allowed
from clientpanel.core.actor import client_ip
from clientpanel.core.errors import ValidationFailed
from clientpanel.notifications.services import password_reset_request
from clientpanel.ui.forms import NewPasswordForm

from ..forms import PasswordResetForm


def _in_language_of_link(request: HttpRequest, uidb64: str) -> None:
    """The page (its form's refusals, its confirmation, and the refusal of a link no longer valid)
    speaks the language of the user the link was made for (User.language; an invitation gives the
    invitee its client's, the language of the e-mail), not the browser's — unless the visitor chose
    one with the switch (the language cookie, which LocaleMiddleware followed already). The link's
    user id is a random UUID sent only in the e-mail, so the language of a spent or expired link
    tells nobody anything new."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) in dict(settings.LANGUAGES):
        return
    try:
        language = User.objects.filter(pk=force_str(urlsafe_base64_decode(uidb64))).values_list(
            "language", flat=True).first()
    except (ValidationError, ValueError, TypeError, OverflowError, UnicodeDecodeError):
        return
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language


def _choose_password(request: HttpRequest, tokens: LinkTokens, uidb64: str, token: str, title: str) -> HttpResponse:
    _in_language_of_link(request, uidb64)
    user = user_of_link(tokens, uidb64, token)
    if user is None:
        return render(request, "portal/link_invalid.html", status=400)
    form = NewPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            password_set_from_link(user=user, password=form.cleaned_data["password"])
        except ValidationFailed as error:
            for message in error.fields.get("password", [str(error)]):
                form.add_error("password", message)
        else:
            return render(request, "portal/password_set.html", {"email": user.email, "staff": user.is_staff})
    return render(request, "portal/set_password.html", {"form": form, "email": user.email, "title": title})


@never_cache
@sensitive_post_parameters("password", "password_again")
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Choose a password from a welcome or invitation link (valid 7 days, once)."""
    return _choose_password(request, SET_PASSWORD, uidb64, token, "set")


@never_cache
@sensitive_post_parameters("password", "password_again")
@require_http_methods(["GET", "POST"])
def reset_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Choose a new password from a reset link (valid 24 hours, once)."""
    return _choose_password(request, RESET_PASSWORD, uidb64, token, "reset")


@never_cache
@require_http_methods(["GET", "POST"])
def request_password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer is the same whether the address has an account or not, and
    whether the throttle let the request through, so the page tells nobody who is a user."""
    form = PasswordResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if password_reset_allowed(email, client_ip(request)):
            password_reset_request(email=email)
        return render(request, "portal/password_reset_sent.html", {"email": email})
    return render(request, "portal/password_reset.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Confirm an address from the verification link. Opening the link shows a button; the POST
    verifies, so a mail scanner following links does not spend it."""
    _in_language_of_link(request, uidb64)
    user = user_of_link(VERIFY_EMAIL, uidb64, token)
    if user is None:
        return render(request, "portal/link_invalid.html", status=400)
    if request.method == "POST":
        email_verify_from_link(user=user)
        return render(request, "portal/email_verified.html", {"email": user.email, "staff": user.is_staff})
    return render(request, "portal/verify_email.html", {"email": user.email})
