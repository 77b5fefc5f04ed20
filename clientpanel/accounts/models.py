import unicodedata
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from clientpanel.core.ids import new_id


def normalize_email(email: str) -> str:
    """Emails are compared case-insensitively everywhere; we store them lower-cased, in Unicode's
    compatibility form (NFKC: full-width letters are letters), with an international domain in its
    ASCII form — the form mail is delivered to — so a look-alike of an address (TAKEN@ＥＸＡＭＰＬＥ.com,
    a zero-width space in the domain) is that address."""
    email = unicodedata.normalize("NFKC", (email or "").strip()).lower()
    local, at, domain = email.rpartition("@")
    if at and domain and not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return email  # not a domain at all: the validator refuses it
    return f"{local}@{domain}" if at else email


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email=normalize_email(username))

    def create_user(self, email: str, password: str | None = None, **extra):
        user = self.model(email=normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login identity: staff members and client users alike (is_staff tells them apart)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    firstname = models.CharField(max_length=150, blank=True)
    lastname = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=8, default="en")
    email_verified = models.BooleanField(default=False)
    # Signed up in the portal by itself (issue 12): such a user confirms its address before its
    # first login; users created by staff or the API with a password may log in at once.
    self_registered = models.BooleanField(default=False, db_default=False)  # raw loaders (bench/) need not name it
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A "customer admin" (SPEC §4): sees and reaches only the clients assigned to them.
    limited_to_assigned_clients = models.BooleanField(default=False)
    # TOTP second factor: the secret is set at enrolment, confirmed once a code verifies.
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    recovery_codes = models.JSONField(default=list, blank=True)  # SHA-256 hashes of unused codes
    # The time step of the last TOTP code accepted: a code of that step or an earlier one is
    # refused, so each code opens one login only.
    totp_last_step = models.BigIntegerField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            # Case-insensitive uniqueness is enforced by storing lower case, checked here.
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="user_email_lowercase"),
        ]
        indexes = [models.Index(fields=["created_at", "id"], name="user_created_idx")]
        # Staff areas (SPEC §4); roles are Django groups holding some of these.
        permissions = [
            ("area_view_clients", "View clients"),
            ("area_edit_clients", "Edit clients"),
            ("area_finance", "Finance"),
            ("area_products", "Products"),
            ("area_settings", "Settings"),
            ("area_impersonate", "Impersonate (Login as Owner)"),
            ("area_manage_staff", "Manage staff"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.firstname} {self.lastname}".strip()

    @property
    def has_2fa(self) -> bool:
        return self.totp_confirmed_at is not None


class ApiToken(models.Model):
    """A Bearer token for the REST API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)  # to the minute
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # None: until revoked

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def state(self, now: datetime | None = None) -> str:
        """active, revoked or expired."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"
