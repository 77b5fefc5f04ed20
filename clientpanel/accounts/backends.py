from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from clientpanel.core.actor import client_ip

from . import devices
from .models import User, normalize_email
from .throttle import STAFF_DOOR, login_blocked, login_failed


class EmailBackend(ModelBackend):
    """Log in by email, whatever its case, through the one login throttle (issue 9): every door that
    calls django.contrib.auth.authenticate counts wrong passwords per address, per account and
    address, and per device cookie or else per account at that door (`door`: the portal passes
    PORTAL_DOOR; anything else, Django's own views included, is the staff login). A blocked
    address, account or device is refused before its password is checked."""

    def authenticate(self, request, username=None, password=None, email=None, door=STAFF_DOOR, **kwargs):
        email = email or username
        if not isinstance(email, str) or not email or not isinstance(password, str):
            return None
        ip = client_ip(request) if request is not None else None
        device = devices.presented(request, email)
        if login_blocked(email, ip, door=door, device=device):
            # authenticate() answers None for this and asks no other backend.
            raise PermissionDenied("Too many failed attempts.")
        try:
            user = User.objects.get(email=normalize_email(email))
        except User.DoesNotExist:
            # Hash anyway so a missing account takes as long as a wrong password.
            User().set_password(password)
            login_failed(email, ip, door=door)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        login_failed(email, ip, door=door, device=device)
        return None
