"""Who does something: recorded as the author of versions and checked for permissions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The person or process behind an action.

    ``kind`` is ``cli``, ``facilitator``, ``participant`` or ``system``; ``id`` is
    the facilitator's or participant's row id where there is one.
    """

    kind: str
    id: int | None = None
    label: str = ""

    def describe(self) -> str:
        """Return the label stored as the author of a version."""
        if self.label:
            return f"{self.kind}: {self.label}"
        return self.kind if self.id is None else f"{self.kind}:{self.id}"


CLI = Actor("cli")
SYSTEM = Actor("system")
