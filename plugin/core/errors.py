"""Errors the core raises, so every entry point can report them the same way."""


class CloudScoreError(Exception):
    """Base class of the errors this plugin raises on purpose."""


class InputError(CloudScoreError, ValueError):
    """Bad user input, tied to the field (Processing parameter name) that holds it.

    ``str(error)`` starts with the field name, e.g. ``THRESHOLD: clear threshold 1.5 is outside 0..1``,
    so the message is useful as it is in a log, a message bar or a Processing error.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class Cancelled(CloudScoreError):
    """The user cancelled the run; nothing was written, what was fetched is kept."""
