"""Bearer tokens of the service accounts: ``cds_<key_id>_<secret>``.

The key id (public, indexed) finds the account; the secret (256 random bits) is kept as its SHA-256
only and compared in constant time. A slow hash would add nothing: nobody can guess 256 random bits,
and it would let anyone cost the server a hash per request.
"""

import hashlib
import hmac
import re
import secrets

PREFIX = "cds"
TOKEN = re.compile(rf"^{PREFIX}_([A-Za-z0-9]{{12}})_([A-Za-z0-9_-]{{43}})$")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> tuple[str, str, str]:
    """A fresh token, its key id and the digest of its secret."""
    key_id = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(12))
    secret = secrets.token_urlsafe(32)
    return f"{PREFIX}_{key_id}_{secret}", key_id, digest(secret)


def parse(token: str) -> tuple[str, str] | None:
    """The key id and the secret of a well-formed token, None otherwise."""
    match = TOKEN.match(token or "")
    return (match[1], match[2]) if match else None


def matches(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)
