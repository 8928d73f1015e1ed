"""The one refusal of the entry points: the action is impossible now, with a French message."""

from ui.errors import Refusal


class ActionRefused(Refusal):
    """The action cannot be done in the case's current state, or its preconditions are not met.

    Missing rights are ``organisation.policy.AccessDenied``; an object outside the user's scope is a 404.
    """
