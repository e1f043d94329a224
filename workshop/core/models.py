"""Database tables, as typed SQLAlchemy 2.x models.

A draft version stores its content in two parts (see ``drafts.py`` for why):
each distinct item body once in ``item_revision``, and per version a compressed
manifest of the structure that points at those bodies.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, LargeBinary, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Base of every table; constraint names are stable for migrations."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime(timezone=True)}


class Tool(Base):
    """An instrument being co-produced; its content lives in its draft versions."""

    __tablename__ = "tool"

    #: Primary key; the number users type in the CLI.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Title of the latest version, kept here so lists need not read versions.
    title: Mapped[str] = mapped_column(String(200))
    #: When the tool was created.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Who created it (an actor label such as ``facilitator:3`` or ``cli``).
    created_by: Mapped[str] = mapped_column(String(200))
    #: The facilitator who owns it; None for tools made on the command line (every facilitator sees those).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("facilitator.id"), default=None)
    #: Number of the newest draft version; changes must be based on it.
    latest_version: Mapped[int] = mapped_column(default=0)
    #: Number of the version marked agreed, if any.
    agreed_version: Mapped[int | None] = mapped_column(default=None)


class ItemRevision(Base):
    """One distinct body of one item; shared by every version that holds it unchanged."""

    __tablename__ = "item_revision"
    __table_args__ = (UniqueConstraint("tool_id", "digest"),)

    #: Primary key; manifests refer to revisions by it.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The tool the item belongs to.
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"))
    #: The item's stable id (survives rewording and moves).
    item_id: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of the canonical JSON body: the same body is stored once per tool.
    digest: Mapped[str] = mapped_column(String(64))
    #: The item as canonical JSON text (the tool format's item object).
    body: Mapped[str] = mapped_column(Text)


class DraftVersion(Base):
    """An immutable, numbered snapshot of a whole tool."""

    __tablename__ = "draft_version"
    __table_args__ = (UniqueConstraint("tool_id", "number"),)

    #: Primary key (internal); users speak of (tool, number).
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The tool this is a version of.
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"))
    #: 1, 2, 3, ... without gaps within a tool.
    number: Mapped[int]
    #: The version this one was made from (None for the first).
    parent_number: Mapped[int | None]
    #: What made it: create, edit, restore or import.
    kind: Mapped[str] = mapped_column(String(20))
    #: When it was saved.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Who saved it (actor label).
    author: Mapped[str] = mapped_column(String(200))
    #: Why: free text given with the change.
    note: Mapped[str] = mapped_column(Text, default="")
    #: Optional human name, e.g. "agreed after workshop 1"; the only mutable field.
    name: Mapped[str | None] = mapped_column(String(200), default=None)
    #: SHA-256 over the structure and item digests: equal digests mean equal content.
    digest: Mapped[str] = mapped_column(String(64))
    #: zlib-compressed JSON: the tool's structure with item revision ids in place of items.
    manifest: Mapped[bytes] = mapped_column(LargeBinary)
    #: The changes from the parent, each with its ``provenance`` (proposal, votes, round).
    changes: Mapped[list[Any]] = mapped_column(JSON)
