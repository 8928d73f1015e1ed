"""What a form's page shows when an entry point refuses: the refusal's own French message."""


class Refusal(Exception):
    """A refusal whose message, in French, is for the person who asked: ``ui.forms.submit`` shows it.

    The entry points raise their own (``organisation.errors.ActionRefused`` derives from it)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)
