"""Ed25519 signatures of chain heads (checkpoints and export bundles).

The private key comes from the ``AUDIT_SIGNING_KEY`` setting (32 raw bytes, base64); whoever
verifies offline needs only the public key (``manage.py audit_public_key``). Like the signed tree
head of a Certificate Transparency log: a head signed once cannot be silently rewritten later.
"""

import base64
import binascii
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


def sign(payload: dict) -> dict:
    key = private_key()
    return {
        "payload": payload,
        "signature": base64.b64encode(key.sign(_payload_bytes(payload))).decode(),
        "public_key": public_key_text(key),
    }


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
