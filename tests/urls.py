"""Walk the URL resolver: every URL pattern of the product, with sample arguments."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLES = {"int": "1", "str": "93", "slug": "x", "path": "1", "uuid": "00000000-0000-0000-0000-000000000000"}


def _sample(pattern) -> str:
    text = str(pattern.pattern)
    if hasattr(pattern.pattern, "_route"):  # path(): <converter:name>
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "1"), text)
    # re_path(): keep the first alternative of a named group, "1" for anything else
    text = re.sub(r"\(\?P<\w+>([\w-]+)(?:\|[^)]*)?\)", r"\1", text)
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "1", text)
    return text.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")


def walk(patterns=None, prefix: str = "/", namespace: str = ""):
    """Yield (sample path, namespaced name) for every URL pattern."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + _sample(pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + _sample(pattern), f"{namespace}{pattern.name}" if pattern.name else None
