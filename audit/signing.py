"""Ed25519 signatures of chain heads (checkpoints and export bundles).

The private key comes from the ``AUDIT_SIGNING_KEY`` setting (32 raw bytes, base64); whoever
verifies offline needs only the public key (``manage.py audit_public_key``). Like the signed tree
head of a Certificate Transparency log: a head signed once cannot be silently rewritten later.

Each signed payload names its key (``key_id``, from the public key), so the key can rotate: the
public keys of former keys, listed in ``AUDIT_TRUSTED_PUBLIC_KEYS``, still verify what they signed.
"""

import base64
import binascii
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def private_key() -> Ed25519PrivateKey:
    if not settings.AUDIT_SIGNING_KEY:
        raise ImproperlyConfigured("AUDIT_SIGNING_KEY: clé de signature du journal d'audit non configurée.")
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(settings.AUDIT_SIGNING_KEY))


def public_key_text(key: Ed25519PrivateKey | None = None) -> str:
    raw = (key or private_key()).public_key().public_bytes_raw()
    return base64.b64encode(raw).decode()


def _payload_bytes(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id(public_key: str) -> str:
    """A short name of a public key (base64), written in what it signs."""
    try:
        raw = base64.b64decode(public_key, validate=True)
    except (ValueError, binascii.Error):
        raw = public_key.encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(payload: dict) -> dict:
    key = private_key()
    public = public_key_text(key)
    payload = {**payload, "key_id": key_id(public)}
    return {
        "payload": payload,
        "signature": base64.b64encode(key.sign(_payload_bytes(payload))).decode(),
        "public_key": public,
    }


def trusted_public_keys(given: list[str] | None = None) -> dict[str, str]:
    """The public keys a signature is checked against, by key id: those given, or else the
    configured key's and the former ones of ``AUDIT_TRUSTED_PUBLIC_KEYS``. Never the key a signed
    document carries itself: a forger would carry their own."""
    keys = list(given or [])
    if not keys:
        keys = list(settings.AUDIT_TRUSTED_PUBLIC_KEYS)
        if settings.AUDIT_SIGNING_KEY:
            keys.append(public_key_text())
    return {key_id(key): key for key in keys}


def verify(signed: dict, public_key: str) -> bool:
    """Whether ``signed`` carries a valid signature of its payload by ``public_key`` (base64)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signed["signature"], validate=True), _payload_bytes(signed["payload"]))
    except (InvalidSignature, ValueError, KeyError, TypeError, binascii.Error):
        return False
    return True


def new_key_text() -> str:
    """A fresh private key, base64: what AUDIT_SIGNING_KEY expects."""
    return base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()
