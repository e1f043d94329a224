"""The draft store: tools and their immutable, numbered draft versions.

How versions are stored, and why: a 300-item tool is about 150 KB of JSON, so a
full copy per version would pass 50 MB within a few hundred versions. Instead
each distinct item body is stored once (``item_revision``, keyed by its digest)
and a version keeps only a zlib-compressed manifest of the structure that names
the revisions it holds. A typical version therefore costs about one new item
body plus a 1-2 KB manifest, and reading any version back needs no replay.

Every function takes an open SQLAlchemy session inside a write (or read)
transaction; the caller commits.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .actors import Actor
from .changes import Change, apply_changes
from .content import (
    Domain,
    ToolContent,
    Topic,
    canonical_json,
    digest,
    item_from_dict,
    item_to_dict,
)
from .errors import Conflict, Invalid, NotFound
from .models import DraftVersion, ItemRevision, Tool
from .validation import TITLE_MAX, validate

NAME_MAX = 200
NOTE_MAX = 2000
_CACHE_SIZE = 64
#: Parsed contents by version digest: equal digests mean equal content, in any database.
_content_cache: OrderedDict[str, ToolContent] = OrderedDict()


@dataclass(frozen=True)
class VersionInfo:
    """What a caller sees of a draft version (its content is read separately)."""

    tool_id: int
    number: int
    parent_number: int | None
    kind: str
    created_at: datetime
    author: str
    note: str
    name: str | None
    digest: str
    changes: list[Change]
    agreed: bool

    def to_dict(self, *, with_changes: bool = True) -> dict[str, Any]:
        """Return the version's metadata as a JSON-ready dict."""
        data: dict[str, Any] = {
            "tool_id": self.tool_id,
            "number": self.number,
            "parent": self.parent_number,
            "kind": self.kind,
            "created_at": self.created_at.isoformat(),
            "author": self.author,
            "note": self.note,
            "name": self.name,
            "agreed": self.agreed,
        }
        if with_changes:
            data["changes"] = self.changes
        return data


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _info(row: DraftVersion, tool: Tool) -> VersionInfo:
    return VersionInfo(
        tool_id=row.tool_id,
        number=row.number,
        parent_number=row.parent_number,
        kind=row.kind,
        created_at=_aware(row.created_at),
        author=row.author,
        note=row.note,
        name=row.name,
        digest=row.digest,
        changes=row.changes,
        agreed=tool.agreed_version == row.number,
    )


def get_tool(session: Session, tool_id: int, *, lock: bool = False) -> Tool:
    """Return the tool row, or raise NotFound; ``lock`` serialises writers on PostgreSQL."""
    query = select(Tool).where(Tool.id == tool_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    tool = session.execute(query).scalar_one_or_none()
    if tool is None:
        raise NotFound(f"there is no tool {tool_id}")
    return tool


def list_tools(session: Session, ids: Iterable[int] | None = None) -> list[Tool]:
    """Return tools by id (all when ``ids`` is None), oldest first."""
    query = select(Tool).order_by(Tool.id)
    if ids is not None:
        query = query.where(Tool.id.in_(list(ids)))
    return list(session.scalars(query))


def _version_row(session: Session, tool_id: int, number: int) -> DraftVersion:
    row = session.scalars(
        select(DraftVersion).where(DraftVersion.tool_id == tool_id, DraftVersion.number == number)
    ).one_or_none()
    if row is None:
        raise NotFound(f"tool {tool_id} has no version {number}")
    return row


def resolve(session: Session, tool_id: int, spec: int | str) -> int:
    """Turn a version spec (a number, ``latest`` or ``agreed``) into a version number."""
    tool = get_tool(session, tool_id)
    if spec == "latest":
        return tool.latest_version
    if spec == "agreed":
        if tool.agreed_version is None:
            raise NotFound(f"tool {tool_id} has no agreed version yet")
        return tool.agreed_version
    try:
        number = int(spec)
    except (TypeError, ValueError):
        raise Invalid(f"version must be a number, 'latest' or 'agreed', not {spec!r}") from None
    _version_row(session, tool_id, number)
    return number


def version(session: Session, tool_id: int, number: int) -> VersionInfo:
    """Return one version's metadata."""
    return _info(_version_row(session, tool_id, number), get_tool(session, tool_id))


def versions(session: Session, tool_id: int) -> list[VersionInfo]:
    """Return every version of a tool, oldest first."""
    tool = get_tool(session, tool_id)
    rows = session.scalars(select(DraftVersion).where(DraftVersion.tool_id == tool_id).order_by(DraftVersion.number))
    return [_info(row, tool) for row in rows]


def _cache_put(key: str, content: ToolContent) -> None:
    _content_cache[key] = content
    _content_cache.move_to_end(key)
    while len(_content_cache) > _CACHE_SIZE:
        _content_cache.popitem(last=False)


def _decode(session: Session, row: DraftVersion) -> ToolContent:
    cached = _content_cache.get(row.digest)
    if cached is not None:
        return cached
    manifest = json.loads(zlib.decompress(row.manifest))
    ids = [rid for d in manifest["domains"] for t in d["topics"] for rid in t["items"]]
    bodies = dict(session.execute(select(ItemRevision.id, ItemRevision.body).where(ItemRevision.id.in_(ids))).all())
    content = ToolContent(
        title=manifest["title"],
        description=manifest["description"],
        domains=tuple(
            Domain(
                d["id"],
                d["title"],
                d["description"],
                tuple(
                    Topic(
                        t["id"],
                        t["title"],
                        t["description"],
                        tuple(item_from_dict(json.loads(bodies[r])) for r in t["items"]),
                    )
                    for t in d["topics"]
                ),
            )
            for d in manifest["domains"]
        ),
    )
    _cache_put(row.digest, content)
    return content


def read(session: Session, tool_id: int, number: int) -> ToolContent:
    """Return the content of one version exactly as it was saved."""
    return _decode(session, _version_row(session, tool_id, number))


def _structure(content: ToolContent, item_refs: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": content.title,
        "description": content.description,
        "domains": [
            {
                "id": d.id,
                "title": d.title,
                "description": d.description,
                "topics": [
                    {
                        "id": t.id,
                        "title": t.title,
                        "description": t.description,
                        "items": [item_refs[i.id] for i in t.items],
                    }
                    for t in d.topics
                ],
            }
            for d in content.domains
        ],
    }


def content_digest(content: ToolContent) -> str:
    """Return the digest that two versions share exactly when their content is equal."""
    return digest(_structure(content, {i.id: digest(item_to_dict(i)) for _, _, i in content.items()}))


def _store_items(session: Session, tool_id: int, content: ToolContent) -> tuple[dict[str, int], str]:
    bodies = {i.id: canonical_json(item_to_dict(i)) for _, _, i in content.items()}
    digests = {item_id: hashlib.sha256(body.encode()).hexdigest() for item_id, body in bodies.items()}
    known: dict[str, int] = {}
    wanted = list(set(digests.values()))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        known.update(
            (d, rid)
            for rid, d in session.execute(
                select(ItemRevision.id, ItemRevision.digest).where(
                    ItemRevision.tool_id == tool_id, ItemRevision.digest.in_(chunk)
                )
            )
        )
    fresh: dict[str, ItemRevision] = {}
    for item_id, item_digest in digests.items():
        if item_digest not in known and item_digest not in fresh:
            fresh[item_digest] = ItemRevision(
                tool_id=tool_id, item_id=item_id, digest=item_digest, body=bodies[item_id]
            )
    if fresh:
        session.add_all(fresh.values())
        session.flush()
        known.update((d, rev.id) for d, rev in fresh.items())
    version_digest = digest(_structure(content, digests))
    return {item_id: known[d] for item_id, d in digests.items()}, version_digest


def _save(
    session: Session,
    tool: Tool,
    content: ToolContent,
    changes: list[Change],
    actor: Actor,
    note: str,
    kind: str,
) -> VersionInfo | None:
    if len(note) > NOTE_MAX:
        raise Invalid(f"the note is longer than {NOTE_MAX} characters")
    refs, version_digest = _store_items(session, tool.id, content)
    if tool.latest_version:
        latest = _version_row(session, tool.id, tool.latest_version)
        if latest.digest == version_digest:
            return None  # nothing changed: no version
    row = DraftVersion(
        tool_id=tool.id,
        number=tool.latest_version + 1,
        parent_number=tool.latest_version or None,
        kind=kind,
        author=actor.describe(),
        note=note,
        digest=version_digest,
        manifest=zlib.compress(canonical_json(_structure(content, refs)).encode(), 9),
        changes=changes,
    )
    session.add(row)
    tool.latest_version = row.number
    tool.title = content.title[:TITLE_MAX]
    session.flush()
    _cache_put(version_digest, content)
    return _info(row, tool)


def create_tool(
    session: Session,
    actor: Actor,
    content: ToolContent,
    *,
    kind: str = "create",
    note: str = "",
    origin: dict[str, Any] | None = None,
    owner_id: int | None = None,
) -> VersionInfo:
    """Create a tool whose version 1 is ``content`` (owned by a facilitator, or by nobody when made on the CLI)."""
    validate(content)
    tool = Tool(title=content.title[:TITLE_MAX], created_by=actor.describe(), owner_id=owner_id)
    session.add(tool)
    session.flush()
    info = _save(session, tool, content, [{"op": kind, **(origin or {})}], actor, note, kind)
    assert info is not None
    return info


def _check_base(tool: Tool, base_version: int | None) -> None:
    if base_version is not None and base_version != tool.latest_version:
        raise Conflict(
            f"tool {tool.id} was modified in the meantime: your change is based on version "
            f"{base_version}, the current version is {tool.latest_version}",
            current={"version": tool.latest_version},
        )


def commit(
    session: Session,
    tool_id: int,
    base_version: int,
    changes: Sequence[Any],
    actor: Actor,
    *,
    note: str = "",
) -> VersionInfo | None:
    """Apply changes made against ``base_version``; return the new version, or None if nothing changed.

    A stale ``base_version`` raises Conflict carrying the current version number.
    """
    if not changes:
        raise Invalid("no changes given")
    tool = get_tool(session, tool_id, lock=True)
    _check_base(tool, base_version)
    content, recorded = apply_changes(read(session, tool_id, tool.latest_version), changes)
    return _save(session, tool, content, recorded, actor, note, "edit")


def restore(
    session: Session, tool_id: int, number: int, actor: Actor, *, base_version: int | None = None, note: str = ""
) -> VersionInfo | None:
    """Make a new version equal to version ``number``; None if it already is the latest content."""
    tool = get_tool(session, tool_id, lock=True)
    _check_base(tool, base_version)
    content = read(session, tool_id, number)
    return _save(
        session,
        tool,
        content,
        [{"op": "restore", "from_version": number}],
        actor,
        note or f"Restored version {number}",
        "restore",
    )


def name_version(session: Session, tool_id: int, number: int, name: str) -> VersionInfo:
    """Give a version a human name (an empty name removes it)."""
    name = name.strip()
    if len(name) > NAME_MAX:
        raise Invalid(f"a version name is at most {NAME_MAX} characters")
    row = _version_row(session, tool_id, number)
    row.name = name or None
    session.flush()
    return _info(row, get_tool(session, tool_id))


def mark_agreed(session: Session, tool_id: int, number: int) -> VersionInfo:
    """Mark one version as the agreed one (replacing any earlier mark)."""
    tool = get_tool(session, tool_id, lock=True)
    row = _version_row(session, tool_id, number)
    tool.agreed_version = number
    session.flush()
    return _info(row, tool)
