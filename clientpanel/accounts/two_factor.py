"""TOTP second factor for staff (SPEC §4): enrol with a QR code, confirm with a code, recovery codes."""

from __future__ import annotations

import hashlib
import io
import secrets

import pyotp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone

from clientpanel.audit.services import audit_record
from clientpanel.core.errors import ValidationFailed

from .models import User

ISSUER = "Clientpanel"
RECOVERY_CODE_COUNT = 10


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def totp_begin(*, user: User) -> str:
    """Start (or restart) enrolment: a new secret, not active until a code confirms it."""
    if user.has_2fa:
        raise ValidationFailed("Two-factor authentication is on already.", fields={"code": ["Turn it off first."]})
    user.totp_secret = pyotp.random_base32()
    user.save(update_fields=["totp_secret"])
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(user: User) -> str:
    image = qrcode.make(provisioning_uri(user), image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def _code_ok(user: User, code: str) -> bool:
    code = (code or "").strip().replace(" ", "")
    return bool(user.totp_secret) and code.isdigit() and pyotp.TOTP(user.totp_secret).verify(code, valid_window=1)


@transaction.atomic
def totp_confirm(*, user: User, code: str) -> list[str]:
    """Turn 2FA on once a code from the app verifies; answers the recovery codes, shown once."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.has_2fa:
        raise ValidationFailed("Two-factor authentication is on already.", fields={"code": ["It is on already."]})
    if not _code_ok(user, code):
        raise ValidationFailed("The code does not match.", fields={"code": [
            "That code does not match; check the time on your phone and enter the current 6 digits."]})
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODE_COUNT)]
    user.recovery_codes = [_hash(c) for c in codes]
    user.totp_confirmed_at = timezone.now()
    user.save(update_fields=["recovery_codes", "totp_confirmed_at"])
    audit_record(action="staff.2fa_on", target=user, changes={"two_factor": [False, True]})
    return codes


@transaction.atomic
def totp_verify(*, user: User, code: str) -> bool:
    """A login's second step: a current TOTP code, or an unused recovery code (then spent)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.has_2fa:
        return False
    if _code_ok(user, code):
        return True
    hashed = _hash(code or "")
    if hashed in user.recovery_codes:
        user.recovery_codes = [h for h in user.recovery_codes if h != hashed]
        user.save(update_fields=["recovery_codes"])
        audit_record(action="staff.2fa_recovery_code_used", target=user,
                     changes={"recovery_codes_left": [len(user.recovery_codes) + 1, len(user.recovery_codes)]})
        return True
    return False


@transaction.atomic
def totp_disable(*, user: User, code: str) -> None:
    if not totp_verify(user=user, code=code):
        raise ValidationFailed("The code does not match.",
                               fields={"code": ["Enter a current code or a recovery code."]})
    User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed_at=None, recovery_codes=[])
    audit_record(action="staff.2fa_off", target=user, changes={"two_factor": [True, False]})
