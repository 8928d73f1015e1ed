"""The address of one object by its id, for each row of a list (its page, its actions).

Django's ``reverse`` matches the URL patterns anew at each call: about 35 µs, which a list of 25 rows
with one or two links each pays a millisecond for. An address whose one argument is an ``<int:…>`` id is
the same text around the id for every id: that text is worked out once per worker, script prefix and
URLconf, and the id written in its place. Anything else (not an id, a pattern that refuses it) goes
through ``reverse`` and gets its answer or its error."""

import functools

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

MARK = 9876543210  # the id the pattern is reversed with, then replaced: found nowhere else in an address


@functools.lru_cache(maxsize=128)
def _around(name: str, prefix: str, urlconf: str) -> tuple[str, str] | None:
    """The address of ``name`` before and after its id, or None if its pattern is not one id's."""
    try:
        before, _, after = reverse(name, args=[MARK], urlconf=urlconf).partition(str(MARK))
        if reverse(name, args=[7], urlconf=urlconf) != f"{before}7{after}":
            return None
    except NoReverseMatch:
        return None
    return before, after


def by_id(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for an address whose one argument is an object's id."""
    if type(pk) is int and pk >= 0:  # a bool is no id
        around = _around(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        if around is not None:
            return f"{around[0]}{pk}{around[1]}"
    return reverse(name, args=[pk])
