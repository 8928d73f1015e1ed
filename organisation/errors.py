"""The one refusal of the entry points: the action is impossible now, with a French message."""


class ActionRefused(Exception):
    """The action cannot be done in the case's current state, or its preconditions are not met.

    Missing rights are ``organisation.policy.AccessDenied``; an object outside the user's scope is a 404.
    """

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)
