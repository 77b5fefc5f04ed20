"""TOTP second factor for staff (SPEC §4) and client users (issue 12): enrol with a QR code, confirm
with a code, recovery codes. Staff signed in as a client user (Login as Owner) change none of it."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets

import pyotp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.audit.services import audit_record
from clientpanel.core.errors import DomainError, ValidationFailed, require

from . import policies
from .actors import ActorLike, as_actor
from .models import User
from .reauth import present_password_require
from .throttle import code_attempt

ISSUER = "Clientpanel"
RECOVERY_CODE_COUNT = 10


class TooManyCodes(DomainError):
    code = "too_many_attempts"
    status_code = 429


def _audit_action(user: User, what: str) -> str:
    return f"{'staff' if user.is_staff else 'user'}.{what}"


def _may_change(actor: ActorLike, user: User | None = None, password: object = None) -> None:
    """Refuse staff signed in as the user; with a user, also anybody who does not type the user's
    present password (reauth: throttled as a sign-in is), so a borrowed session cannot turn the
    second factor on with the thief's phone, nor off."""
    actor = as_actor(actor)
    require(policies.can_change_own_credentials(actor),
            _("Staff signed in as this user cannot change its two-factor authentication."))
    if user is not None:
        present_password_require(user, password, ip=actor.ip)


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def totp_begin(*, user: User, actor: ActorLike = None) -> str:
    """Start (or restart) enrolment: a new secret, not active until a code confirms it."""
    _may_change(actor)
    if user.has_2fa:
        raise ValidationFailed(_("Two-factor authentication is on already."),
                               fields={"code": [_("Turn it off first.")]})
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


def _matching_step(user: User, code: str) -> int | None:
    """The time step whose code this is (one step of clock drift either way), or None."""
    code = (code or "").strip().replace(" ", "")
    if not user.totp_secret or not (code.isascii() and code.isdigit()) or len(code) != 6:
        return None
    totp = pyotp.TOTP(user.totp_secret)
    now = totp.timecode(timezone.now())
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def totp_confirm(*, user: User, code: str, password: str, actor: ActorLike = None) -> list[str]:
    """Turn 2FA on once the present password is right and a code from the app verifies; answers the
    recovery codes, shown once. A wrong password changes nothing (and spends no code)."""
    _may_change(actor, user, password)  # outside the transaction: a rollback must not forget a wrong password
    return _confirm(user=user, code=code)


@transaction.atomic
def _confirm(*, user: User, code: str) -> list[str]:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.has_2fa:
        raise ValidationFailed(_("Two-factor authentication is on already."), fields={"code": [_("It is on already.")]})
    step = _matching_step(user, code)
    if step is None:
        raise ValidationFailed(_("The code does not match."), fields={"code": [
            _("That code does not match; check the time on your phone and enter the current 6 digits.")]})
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODE_COUNT)]
    user.recovery_codes = [_hash(c) for c in codes]
    user.totp_confirmed_at = timezone.now()
    user.totp_last_step = step  # the enrolment code cannot then open a login
    user.save(update_fields=["recovery_codes", "totp_confirmed_at", "totp_last_step"])
    audit_record(action=_audit_action(user, "2fa_on"), target=user, changes={"two_factor": [False, True]})
    return codes


@transaction.atomic
def _spend_code(*, user_id: object, code: str) -> bool:
    """Accept a TOTP code of a later time step than any accepted before, or an unused recovery code
    (then removed). The user row is locked, so two requests with one code cannot both pass."""
    user = User.objects.select_for_update().get(pk=user_id)
    if not user.has_2fa:
        return False
    step = _matching_step(user, code)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return False  # this code, or a later one, was accepted already: a replay
        user.totp_last_step = step
        user.save(update_fields=["totp_last_step"])
        return True
    hashed = _hash(code or "")
    if hashed in user.recovery_codes:
        user.recovery_codes = [h for h in user.recovery_codes if h != hashed]
        user.save(update_fields=["recovery_codes"])
        audit_record(action=_audit_action(user, "2fa_recovery_code_used"), target=user,
                     changes={"recovery_codes_left": [len(user.recovery_codes) + 1, len(user.recovery_codes)]})
        return True
    return False


def totp_verify(*, user: User, code: str) -> bool:
    """A second factor, for a login's second step or turning 2FA off: a current TOTP code not
    accepted before, or an unused recovery code (then spent).

    At most throttle.MAX_FAILURES wrong codes per account in throttle.WINDOW, whatever else
    happens (a right password, a new login, another process): beyond them TooManyCodes, before
    the code is even looked at."""
    # Counted as a wrong code before it is looked at, outside any transaction (a rollback must not
    # forget it), and forgiven when right: a cache that cannot count refuses the right code too.
    attempt = code_attempt(user.pk)
    if attempt is None:
        message = _("Too many wrong codes. Wait 15 minutes and try again.")
        raise TooManyCodes(message, fields={"code": [message]})
    if _spend_code(user_id=user.pk, code=str(code or "")[:64]):
        attempt.give_back()
        return True
    return False


def totp_disable(*, user: User, code: str, password: str, actor: ActorLike = None) -> None:
    """Turn 2FA off: the present password, then a current code or a recovery code. A wrong
    password changes nothing and spends no code."""
    _may_change(actor, user, password)
    if not totp_verify(user=user, code=code):
        raise ValidationFailed(_("The code does not match."),
                               fields={"code": [_("Enter a current code or a recovery code.")]})
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed_at=None, recovery_codes=[],
                                               totp_last_step=None)
        audit_record(action=_audit_action(user, "2fa_off"), target=user, changes={"two_factor": [True, False]})


def totp_clear(user: User) -> bool:
    """Forget the user's second factor — secret, recovery codes, last accepted step — so it enrols
    afresh (staff reset it for somebody who lost the phone). In the caller's transaction, on the
    row the caller locked; the caller decides who may and records the audit event. Answers whether
    there was anything to forget (an enrolment begun but never confirmed counts)."""
    had = bool(user.has_2fa or user.totp_secret or user.recovery_codes)
    user.totp_secret, user.totp_confirmed_at, user.recovery_codes, user.totp_last_step = "", None, [], None
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "recovery_codes", "totp_last_step"])
    return had
