"""Domain errors: each carries a stable ``code`` and a human message."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class of every error the core raises on purpose."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        """Return the error as the JSON body clients receive."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class Invalid(DomainError):
    """The input is malformed or breaks a rule of the tool."""

    code = "invalid"
    status = 422


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the actor)."""

    code = "not_found"
    status = 404


class NotAllowed(DomainError):
    """The actor may not do this."""

    code = "not_allowed"
    status = 403


class Conflict(DomainError):
    """The change was made against a state that is no longer current."""

    code = "conflict"
    status = 409

    def __init__(self, message: str, *, current: dict[str, Any]) -> None:
        super().__init__(message, details={"current": current})
        self.current = current
