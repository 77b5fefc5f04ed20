"""Asking a signed-in user for its present password again before a change that a borrowed session
must not make (a new password, turning two-factor authentication on or off).

Through the login throttle (the user's email, and the address when known), as a sign-in is: a
stolen session cannot guess the password through these forms any faster than at the login page,
and wrong guesses here count towards the login's block too."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clientpanel.core.errors import FieldErrors, ValidationFailed

from . import throttle
from .models import User

FIELD = "current_password"


def present_password_check(user: User, password: object, errors: FieldErrors, *, ip: str | None = None) -> None:
    """Add an error on `current_password` unless `password` is the user's present one; a wrong one
    is counted (call outside any transaction that may roll back, or the count goes with it)."""
    if throttle.login_blocked(user.email, ip):
        errors.add(FIELD, str(throttle.TOO_MANY_ATTEMPTS))
    elif not isinstance(password, str) or not password or not user.check_password(password):
        throttle.login_failed(user.email, ip)
        errors.add(FIELD, _("This is not your present password."))


def present_password_require(user: User, password: object, *, ip: str | None = None) -> None:
    """present_password_check, raising ValidationFailed (nothing is changed then)."""
    errors = FieldErrors()
    present_password_check(user, password, errors, ip=ip)
    if errors.fields:
        raise ValidationFailed(errors.fields[FIELD][0], fields=errors.fields)
