from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from clientpanel.core.actor import client_ip

from . import devices
from .models import User, normalize_email
from .throttle import STAFF_DOOR, door_of, login_attempt


class EmailBackend(ModelBackend):
    """Log in by email, whatever its case, through the one login throttle (issue 9): every door that
    calls django.contrib.auth.authenticate counts wrong passwords per address, per account and
    address, and per device cookie or else per account at that door (`door`: the portal passes
    PORTAL_DOOR, the staff login STAFF_DOOR; none, Django's own views included, is the staff login's
    count). A blocked address, account or device is refused before its password is checked.

    The password is counted as a wrong one before it is checked and forgiven when right
    (throttle.login_attempt): a cache that cannot write refuses the right password too. A door named
    signs in its own kind of account only (throttle.door_of): another kind, or an inactive account,
    keeps its count and is answered None like a wrong password."""

    def authenticate(self, request, username=None, password=None, email=None, door=None, **kwargs):
        email = email or username
        if not isinstance(email, str) or not email or not isinstance(password, str):
            return None
        ip = client_ip(request) if request is not None else None
        attempt = login_attempt(email, ip, door=door or STAFF_DOOR, device=devices.presented(request, email))
        if attempt is None:
            # authenticate() answers None for this and asks no other backend.
            raise PermissionDenied("Too many failed attempts.")
        try:
            user = User.objects.get(email=normalize_email(email))
        except User.DoesNotExist:
            # Hash anyway so a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        if (user.check_password(password) and self.user_can_authenticate(user)
                and (door is None or door_of(user) == door)):
            attempt.give_back()
            return user
        return None
