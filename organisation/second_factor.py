"""The second factor: a TOTP authenticator whose secret is encrypted at rest, and recovery codes.

The secret is encrypted with Fernet under ``SECOND_FACTOR_KEY`` (derived from ``SECRET_KEY`` when
not given), so a copy of the database alone gives no one's codes. Should that key change, the
secrets no longer decrypt: the codes are refused (never a server error) until the admin resets the
factor. Recovery codes are shown once and kept as keyed hashes. Enrolment and every use are events
of the trail.
"""

import base64
import hashlib
import logging
import secrets
import time

import qrcode
import qrcode.image.svg
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.oath import TOTP

import audit
from organisation.models import RecoveryCode, SecondFactor

logger = logging.getLogger(__name__)
STEP, DIGITS, TOLERANCE = 30, 6, 1
RECOVERY_CODES = 10
ISSUER = "Cellule de suivi"


def _fernet() -> Fernet:
    key = settings.SECOND_FACTOR_KEY or base64.urlsafe_b64encode(
        hashlib.sha256(f"second-factor:{settings.SECRET_KEY}".encode()).digest()).decode()
    return Fernet(key)


def new_secret() -> str:
    """A new secret, base32 as authenticator applications take it."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def provisioning_uri(user: User, secret: str) -> str:
    label = f"{ISSUER}:{user.get_username()}"
    return f"otpauth://totp/{label}?secret={secret}&issuer={ISSUER}&digits={DIGITS}&period={STEP}".replace(" ", "%20")


def qr_svg(uri: str) -> str:
    """The QR code of the URI, as inline SVG (no image file, no script)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def _totp(key: bytes, drift: int = 0) -> TOTP:
    totp = TOTP(key, STEP, 0, DIGITS, drift)
    totp.time = time.time()
    return totp


def code_matches(secret: str, code: str) -> int | None:
    """For enrolment: the time step of the code the application shows for a secret not yet saved."""
    totp = _totp(base64.b32decode(secret))
    return totp.t() if code.strip().isdigit() and totp.verify(int(code), TOLERANCE) else None


def verify_totp(device: SecondFactor, code) -> bool:
    """A code of the user's authenticator, each time step accepted once, tries slowed after failures.

    The device is read again under a row lock: two sessions giving the same code at the same instant
    (or many wrong codes at once) each wait for the other's verdict, so the step spent by one is
    refused to the other, and each failure counts toward the delay of the next try."""
    code = str(code).strip()
    with transaction.atomic():
        device = SecondFactor.objects.select_for_update().filter(pk=device.pk).first()
        if device is None:  # reset meanwhile
            return False
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            return False
        try:
            key = _fernet().decrypt(device.secret.encode())
        except InvalidToken:  # encrypted under another key (SECRET_KEY or SECOND_FACTOR_KEY changed)
            logger.warning("Second facteur de %s illisible avec la clé actuelle : à réinitialiser.", device.user_id)
            return False
        totp = _totp(key)
        if code.isdigit() and totp.verify(int(code), TOLERANCE, device.last_t + 1):
            device.last_t = totp.t()
            device.throttle_reset(commit=False)
            device.save(update_fields=["last_t", "throttling_failure_timestamp", "throttling_failure_count"])
            return True
        device.throttle_increment(commit=False)
        device.save(update_fields=["throttling_failure_timestamp", "throttling_failure_count"])
        return False


def _digest(code: str) -> str:
    return salted_hmac("recovery-code", code.replace("-", "").strip().upper(), algorithm="sha256").hexdigest()


def enrol(user: User, secret: str, step: int) -> tuple[SecondFactor, list[str]]:
    """Save the confirmed authenticator and make new recovery codes, shown to the user once. The
    code that confirmed it (its time ``step``) is spent."""
    codes = [f"{secrets.token_hex(3).upper()}-{secrets.token_hex(3).upper()}" for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        SecondFactor.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        device = SecondFactor.objects.create(user=user, name="Application d'authentification", confirmed=True,
                                             secret=_fernet().encrypt(base64.b32decode(secret)).decode(),
                                             last_t=step)
        RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=_digest(code)) for code in codes)
        audit.record("user.second_factor_enrol", obj=user, actor=user)
    return device, codes


def use_recovery_code(user: User, code: str) -> bool:
    """Sign in with a recovery code, which can never serve again."""
    digest = _digest(code)
    with transaction.atomic():
        for stored in RecoveryCode.objects.select_for_update().filter(user=user, used_at__isnull=True):
            if constant_time_compare(stored.digest, digest):
                stored.used_at = timezone.now()
                stored.save(update_fields=["used_at"])
                left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
                audit.record("user.recovery_code_used", obj=user, actor=user, details={"restants": left})
                return True
    return False


def device_of(user: User) -> SecondFactor | None:
    return SecondFactor.objects.filter(user=user, confirmed=True).first()
