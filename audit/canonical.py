"""Values made canonical before they are hashed: exactly what the database will give back.

An event is hashed once, when it is recorded, and re-hashed from its stored row by every
verification: any value the database stores differently from how it was received would break the
chain from that event on. So each value is first brought to the form both databases return:
addresses through ``ipaddress`` (``2001:DB8:0:0:0:0:0:1`` is stored and read as ``2001:db8::1``),
text without what PostgreSQL refuses (NUL, lone surrogates), details as plain JSON (keys as text,
tuples as lists, no NaN, whole floats as integers: jsonb keeps numbers as decimals).
"""

import ipaddress
import json
import math
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

# What a refused address may leave in the details, at most.
REJECTED_ADDRESS_LENGTH = 100


def text(value: str) -> str:
    """Text as PostgreSQL can store it: no NUL character, no lone surrogate (both replaced)."""
    value = value.replace("\x00", "\ufffd")
    return value.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(value) else value


def _has_surrogate(value: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in value)


def address(value: str | None) -> tuple[str | None, str]:
    """The address as the database returns it, and what was received when it was no address."""
    if not value:
        return None, ""
    try:
        parsed = ipaddress.ip_address(value.strip())
    except ValueError:
        return None, text(value)[:REJECTED_ADDRESS_LENGTH]
    if isinstance(parsed, ipaddress.IPv6Address):
        return _ipv6(parsed), ""
    return str(parsed), ""


def _ipv6(parsed: ipaddress.IPv6Address) -> str:
    """As PostgreSQL's inet writes it: RFC 5952, but an IPv4 address inside an IPv6 one (mapped
    ``::ffff:a.b.c.d`` or compatible ``::a.b.c.d``) written dotted."""
    packed = parsed.packed  # without the zone (fe80::1%eth0), which is no part of the address
    embedded = str(ipaddress.IPv4Address(packed[12:]))
    if packed[:10] == bytes(10) and packed[10:12] == b"\xff\xff":
        return f"::ffff:{embedded}"
    if packed[:12] == bytes(12) and packed[12:14] != bytes(2):
        return f"::{embedded}"
    return str(ipaddress.IPv6Address(packed))


def details(value: dict[str, Any] | None) -> dict[str, Any]:
    """The details as plain JSON values, as both databases return them."""
    # The JSON round trip turns dates, decimals and UUIDs into the strings the database returns.
    plain: dict[str, Any] = json.loads(json.dumps(_plain(value or {}), cls=DjangoJSONEncoder, allow_nan=False))
    return plain


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {text(str(key)): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return text(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)  # JSON has no NaN nor infinity
        if value.is_integer():
            return int(value)  # PostgreSQL's jsonb reads 1e16 back as 10000000000000000, -0.0 as 0.0
    return value
