"""Facilitator accounts and what each facilitator may see."""

from __future__ import annotations

import re
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .errors import Invalid, NotAllowed, NotFound
from .live_models import Facilitator, ToolShare, Workshop
from .models import Tool
from .payload import is_row_id

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")
PASSWORD_MIN = 10
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def count(session: Session) -> int:
    """Return how many facilitator accounts exist (zero means first-run setup)."""
    return session.scalar(select(func.count()).select_from(Facilitator)) or 0


def create(session: Session, email: str, password: str) -> Facilitator:
    """Create a facilitator account; raise Invalid for a bad email, weak password or taken email."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise Invalid("enter an email address such as name@example.org")
    if len(password) < PASSWORD_MIN:
        raise Invalid(f"the password must be at least {PASSWORD_MIN} characters")
    if len(password) > 1000:
        raise Invalid("the password is too long")
    if session.scalar(select(Facilitator).where(Facilitator.email == email)):
        raise Invalid(f"there is already a facilitator {email}")
    facilitator = Facilitator(email=email, password_hash=_hasher.hash(password))
    session.add(facilitator)
    session.flush()
    return facilitator


def set_password(session: Session, email: str, password: str) -> Facilitator:
    """Give an existing facilitator a new password (same rules as at creation)."""
    facilitator = find(session, email)
    if not PASSWORD_MIN <= len(password) <= 1000:
        raise Invalid(f"the password must be at least {PASSWORD_MIN} characters")
    facilitator.password_hash = _hasher.hash(password)
    session.flush()
    return facilitator


def session_valid(session: Session, facilitator_id: Any, version: Any) -> bool:
    """Return whether a login session (facilitator id and session version) is still current."""
    if not is_row_id(facilitator_id) or not isinstance(version, int):
        return False
    facilitator = session.get(Facilitator, facilitator_id)
    return facilitator is not None and facilitator.session_version == version


def end_sessions(session: Session, facilitator_id: int) -> None:
    """End every login session of a facilitator (all devices, and any copied cookie)."""
    facilitator = session.get(Facilitator, facilitator_id)
    if facilitator is not None:
        facilitator.session_version += 1
        session.flush()


def authenticate(session: Session, email: str, password: str) -> Facilitator | None:
    """Return the facilitator whose email and password match, or None."""
    facilitator = session.scalar(select(Facilitator).where(Facilitator.email == email.strip().lower()))
    if facilitator is None:
        _hasher.hash(password)  # spend the same time whether or not the email exists
        return None
    try:
        _hasher.verify(facilitator.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return facilitator


def find(session: Session, email: str) -> Facilitator:
    """Return the facilitator with this email, or raise NotFound."""
    facilitator = session.scalar(select(Facilitator).where(Facilitator.email == email.strip().lower()))
    if facilitator is None:
        raise NotFound(f"there is no facilitator {email}")
    return facilitator


def visible_tools(session: Session, facilitator_id: int) -> list[Tool]:
    """Return the tools a facilitator may see: their own, shared with them, or made on the command line."""
    shared = select(ToolShare.tool_id).where(ToolShare.facilitator_id == facilitator_id)
    query = (
        select(Tool)
        .where(or_(Tool.owner_id == facilitator_id, Tool.owner_id.is_(None), Tool.id.in_(shared)))
        .order_by(Tool.id)
    )
    return list(session.scalars(query))


def check_tool(session: Session, facilitator_id: int, tool_id: int) -> Tool:
    """Return the tool if the facilitator may use it; NotFound otherwise (no hint that it exists)."""
    tool = session.get(Tool, tool_id) if is_row_id(tool_id) else None
    if tool is None:
        raise NotFound(f"there is no tool {tool_id}")
    if tool.owner_id not in (None, facilitator_id):
        shared = session.get(ToolShare, {"tool_id": tool_id, "facilitator_id": facilitator_id})
        if shared is None:
            raise NotFound(f"there is no tool {tool_id}")
    return tool


def share_tool(session: Session, owner_id: int, tool_id: int, email: str) -> None:
    """Share a tool the owner owns with another facilitator."""
    tool = check_tool(session, owner_id, tool_id)
    if tool.owner_id != owner_id:
        raise NotAllowed("only the tool's owner can share it")
    other = find(session, email)
    if other.id != owner_id and not session.get(ToolShare, {"tool_id": tool_id, "facilitator_id": other.id}):
        session.add(ToolShare(tool_id=tool_id, facilitator_id=other.id))
        session.flush()


def check_workshop(session: Session, facilitator_id: int, workshop_id: int) -> Workshop:
    """Return the workshop if this facilitator runs it, owns its tool or has it shared; NotFound otherwise."""
    workshop = session.get(Workshop, workshop_id) if is_row_id(workshop_id) else None
    if workshop is None:
        raise NotFound(f"there is no workshop {workshop_id}")
    if workshop.facilitator_id != facilitator_id:
        tool = session.get(Tool, workshop.tool_id)
        shared = session.get(ToolShare, {"tool_id": workshop.tool_id, "facilitator_id": facilitator_id})
        if not (shared or (tool is not None and tool.owner_id == facilitator_id)):
            raise NotFound(f"there is no workshop {workshop_id}")
    return workshop


def visible_workshops(session: Session, facilitator_id: int) -> list[Workshop]:
    """Return the workshops a facilitator may run: their own, or on tools they own or have shared; newest first."""
    shared = select(ToolShare.tool_id).where(ToolShare.facilitator_id == facilitator_id)
    owned = select(Tool.id).where(Tool.owner_id == facilitator_id)
    query = select(Workshop).where(
        or_(Workshop.facilitator_id == facilitator_id, Workshop.tool_id.in_(shared), Workshop.tool_id.in_(owned))
    )
    return list(session.scalars(query.order_by(Workshop.id.desc())))
