from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from clientpanel.core.actor import client_ip

from .models import User, normalize_email
from .throttle import login_blocked, login_failed


class EmailBackend(ModelBackend):
    """Log in by email, whatever its case, through the one login throttle (issue 9): every door that
    calls django.contrib.auth.authenticate — the staff login, the portal later — counts wrong
    passwords per email and per address, and a blocked email or address is refused before its
    password is checked."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = email or username
        if not isinstance(email, str) or not email or not isinstance(password, str):
            return None
        ip = client_ip(request) if request is not None else None
        if login_blocked(email, ip):
            # authenticate() answers None for this and asks no other backend.
            raise PermissionDenied("Too many failed attempts.")
        try:
            user = User.objects.get(email=normalize_email(email))
        except User.DoesNotExist:
            # Hash anyway so a missing account takes as long as a wrong password.
            User().set_password(password)
            login_failed(email, ip)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        login_failed(email, ip)
        return None
