"""Domain errors raised by services; views and the API map them to HTTP in one place."""

from django.core.exceptions import PermissionDenied

__all__ = ["DomainError", "PermissionDenied", "TransitionNotAllowed"]


class DomainError(Exception):
    """A request the domain refuses; the message is shown to the user."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class TransitionNotAllowed(DomainError):
    """The object is not in a state from which this move is allowed."""

    status_code = 409
    code = "transition_not_allowed"
