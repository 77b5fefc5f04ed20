"""Pages of the client side (thin: the accounts services and links decide)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from clientpanel.accounts.links import SET_PASSWORD, user_of_link
from clientpanel.accounts.services import password_set_from_link
from clientpanel.core.errors import ValidationFailed

from .forms import SetPasswordForm


@never_cache
@sensitive_post_parameters("password", "password_again")
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Choose a password from a welcome or invitation link (valid 7 days, once)."""
    user = user_of_link(SET_PASSWORD, uidb64, token)
    if user is None:
        return render(request, "portal/link_invalid.html", status=400)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_set_from_link(user=user, password=form.cleaned_data["password"])
        except ValidationFailed as error:
            for message in error.fields.get("password", [str(error)]):
                form.add_error("password", message)
        else:
            return render(request, "portal/password_set.html", {"email": user.email})
    return render(request, "portal/set_password.html", {"form": form, "email": user.email})
