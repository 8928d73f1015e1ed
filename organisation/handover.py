"""What a member leaving a cellule still holds, and handing it over to a successor.

The organisation does not know the concerns built on it (the cases and their tasks): they register
here what they give a member to hold, and how it passes to someone else when the member leaves
(``organisation.actions.end_membership``).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User

from organisation.models import Membership
from organisation.policy import Actor


@dataclass(frozen=True)
class Holding:
    """One thing a member holds, as the composition page lists it (with a link to it)."""

    text: str
    url: str


@dataclass(frozen=True)
class Holder:
    # held(cell, user_ids) -> {user_id: [Holding, ...]}: in a few queries for the whole page.
    held: Callable[[object, list[int]], dict[int, list[Holding]]]
    # hand_over(actor, membership, successor): inside the transaction that ends the membership.
    hand_over: Callable[[Actor, Membership, User], None]


_HOLDERS: list[Holder] = []


def register(held: Callable[[object, list[int]], dict[int, list[Holding]]],
             hand_over: Callable[[Actor, Membership, User], None]) -> None:
    _HOLDERS.append(Holder(held, hand_over))


def held(cell, user_ids: list[int]) -> dict[int, list[Holding]]:
    """What each of these members holds in the cellule's département."""
    found: dict[int, list[Holding]] = defaultdict(list)
    for holder in _HOLDERS:
        for user_id, holdings in holder.held(cell, user_ids).items():
            found[user_id] += holdings
    return dict(found)


def hand_over(actor: Actor, membership: Membership, successor: User) -> None:
    for holder in _HOLDERS:
        holder.hand_over(actor, membership, successor)
