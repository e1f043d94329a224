"""Changes to a tool's content, as plain dicts with an ``op``, and how to apply them.

A change is what a draft version records: applying the recorded changes of a
version to its parent's content gives the version's content. New ids are chosen
when a change is first applied and written back into the recorded change, so a
recorded change always replays to the same result.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from .content import (
    CHOICE_TYPES,
    Domain,
    Item,
    ToolContent,
    Topic,
    content_from_dict,
    item_from_dict,
    item_to_dict,
)
from .errors import Invalid, NotFound
from .validation import default_options, validate

Change = dict[str, Any]

ITEM_FIELDS = frozenset(item_to_dict(Item(id="x", code="x", stem="x")).keys()) - {"id"}
OPS = (
    "set_tool",
    "add_domain",
    "update_domain",
    "move_domain",
    "remove_domain",
    "add_topic",
    "update_topic",
    "move_topic",
    "remove_topic",
    "add_item",
    "update_item",
    "move_item",
    "remove_item",
    "replace",
)


def new_id(prefix: str) -> str:
    """Return a fresh, hard-to-collide id such as ``itm_3f9a1c02de``."""
    return f"{prefix}_{secrets.token_hex(5)}"


def _need(change: Change, key: str, kind: type | tuple[type, ...] = str) -> Any:
    value = change.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise Invalid(f"{change.get('op')}: {key} is missing or of the wrong type")
    return value


def _position(change: Change, length: int) -> int:
    pos = change.get("position", length)
    if pos is None:
        pos = length
    if not isinstance(pos, int) or isinstance(pos, bool) or not 0 <= pos <= length:
        raise Invalid(f"{change.get('op')}: position must be a whole number from 0 to {length}")
    return pos


def _insert(seq: tuple[Any, ...], pos: int, value: Any) -> tuple[Any, ...]:
    return (*seq[:pos], value, *seq[pos:])


def _with_domains(content: ToolContent, domains: Iterable[Domain]) -> ToolContent:
    return replace(content, domains=tuple(domains))


def _map_topics(content: ToolContent, fn: Callable[[Topic], Topic]) -> ToolContent:
    return _with_domains(content, (replace(d, topics=tuple(fn(t) for t in d.topics)) for d in content.domains))


def _find_domain(content: ToolContent, domain_id: str) -> Domain:
    for d in content.domains:
        if d.id == domain_id:
            return d
    raise NotFound(f"there is no domain {domain_id!r}")


def _find_topic(content: ToolContent, topic_id: str) -> Topic:
    for _, t in content.topics():
        if t.id == topic_id:
            return t
    raise NotFound(f"there is no topic {topic_id!r}")


def _find_item(content: ToolContent, item_id: str) -> Item:
    item = content.item(item_id)
    if item is None:
        raise NotFound(f"there is no item {item_id!r}")
    return item


def _fields(change: Change, allowed: Iterable[str]) -> dict[str, Any]:
    values = change.get("set")
    if not isinstance(values, dict) or not values:
        raise Invalid(f"{change.get('op')}: set must be an object of the fields to change")
    unknown = set(values) - set(allowed)
    if unknown:
        raise Invalid(f"{change.get('op')}: unknown fields {', '.join(sorted(unknown))}")
    return values


def _text_fields(values: dict[str, Any]) -> dict[str, Any]:
    for key, value in values.items():
        if not isinstance(value, str):
            raise Invalid(f"{key} must be text")
    return values


def _remove_item(content: ToolContent, item_id: str) -> ToolContent:
    return _map_topics(content, lambda t: replace(t, items=tuple(i for i in t.items if i.id != item_id)))


def _build_item(data: Any, *, keep_id: str | None = None) -> Item:
    try:
        item = item_from_dict(data)
    except (TypeError, KeyError) as exc:
        raise Invalid(f"item: {exc}") from exc
    if keep_id:
        item = replace(item, id=keep_id)
    return item


def _apply_item_op(content: ToolContent, op: str, change: Change) -> tuple[ToolContent, Change]:
    if op == "add_item":
        topic = _find_topic(content, _need(change, "topic_id"))
        data = dict(_need(change, "item", dict))
        data.setdefault("id", new_id("itm"))
        if "options" not in data:
            probe = _build_item({**data, "options": []})
            data["options"] = item_to_dict(replace(probe, options=default_options(probe.response_type)))["options"]
        item = _build_item(data)
        if content.item(item.id):
            raise Invalid(f"add_item: item id {item.id!r} is already used")
        pos = _position(change, len(topic.items))
        recorded = {**change, "item": item_to_dict(item), "position": pos}
        return (
            _map_topics(content, lambda t: replace(t, items=_insert(t.items, pos, item)) if t is topic else t),
            recorded,
        )
    item = _find_item(content, _need(change, "item_id"))
    if op == "update_item":
        values = _fields(change, ITEM_FIELDS)
        if "response_type" in values and "options" not in values and values["response_type"] != item.response_type:
            # A new response type without options starts from that type's default options.
            # (single and multiple choice keep the old options: they have no defaults.)
            probe = _build_item({**item_to_dict(item), **values, "options": []}, keep_id=item.id)
            options = default_options(probe.response_type)
            if not options and probe.response_type in CHOICE_TYPES:
                options = item.options
            values = {**values, "options": item_to_dict(replace(probe, options=options))["options"]}
        updated = _build_item({**item_to_dict(item), **values}, keep_id=item.id)
        return _map_topics(
            content, lambda t: replace(t, items=tuple(updated if i.id == item.id else i for i in t.items))
        ), change
    if op == "move_item":
        target_id = _need(change, "topic_id")
        _find_topic(content, target_id)
        without = _remove_item(content, item.id)
        target = _find_topic(without, target_id)
        pos = _position(change, len(target.items))
        moved = _map_topics(
            without, lambda t: replace(t, items=_insert(t.items, pos, item)) if t.id == target_id else t
        )
        return moved, {**change, "position": pos}
    # remove_item: conditions that showed other items only after this one's answer can no longer be
    # met, so they are cleared (those items are then always shown) and the recorded change names them.
    dependants = [i.id for _, _, i in content.items() if i.show_when and i.show_when.item_id == item.id]
    removed = _remove_item(content, item.id)
    if dependants:
        removed = _map_topics(
            removed,
            lambda t: replace(t, items=tuple(replace(i, show_when=None) if i.id in dependants else i for i in t.items)),
        )
        change = {**change, "cleared_show_when": dependants}
    return removed, change


def _apply_structure_op(content: ToolContent, op: str, change: Change) -> tuple[ToolContent, Change]:
    if op == "set_tool":
        values = _text_fields(_fields(change, ("title", "description")))
        return replace(content, **values), change
    if op in ("add_domain", "add_topic"):
        data = _need(change, op[4:], dict)
        values = _text_fields({k: data.get(k, "") for k in ("title", "description")})
        new: dict[str, Any] = {"id": data.get("id") or new_id(op[4:7]), **values}
        if not isinstance(new["id"], str):
            raise Invalid(f"{op}: id must be text")
        recorded = {**change, op[4:]: new}
        if op == "add_domain":
            pos = _position(change, len(content.domains))
            return _with_domains(content, _insert(content.domains, pos, Domain(**new))), {
                **recorded,
                "position": pos,
            }
        domain = _find_domain(content, _need(change, "domain_id"))
        pos = _position(change, len(domain.topics))
        return _with_domains(
            content,
            (replace(d, topics=_insert(d.topics, pos, Topic(**new))) if d is domain else d for d in content.domains),
        ), {**recorded, "position": pos}
    if op.endswith("_domain"):
        domain = _find_domain(content, _need(change, "domain_id"))
        rest = tuple(d for d in content.domains if d is not domain)
        if op == "update_domain":
            values = _text_fields(_fields(change, ("title", "description")))
            return _with_domains(content, (replace(d, **values) if d is domain else d for d in content.domains)), change
        if op == "move_domain":
            pos = _position(change, len(rest))
            return _with_domains(content, _insert(rest, pos, domain)), {**change, "position": pos}
        if domain.topics:
            raise Invalid(f"remove_domain: domain {domain.title!r} still has topics; move or remove them first")
        return _with_domains(content, rest), change
    topic = _find_topic(content, _need(change, "topic_id"))
    if op == "update_topic":
        values = _text_fields(_fields(change, ("title", "description")))
        return _map_topics(content, lambda t: replace(t, **values) if t is topic else t), change
    stripped = _with_domains(
        content, (replace(d, topics=tuple(t for t in d.topics if t is not topic)) for d in content.domains)
    )
    if op == "move_topic":
        domain = _find_domain(stripped, _need(change, "domain_id"))
        pos = _position(change, len(domain.topics))
        return _with_domains(
            stripped,
            (replace(d, topics=_insert(d.topics, pos, topic)) if d.id == domain.id else d for d in stripped.domains),
        ), {**change, "position": pos}
    if topic.items:
        raise Invalid(f"remove_topic: topic {topic.title!r} still has items; move or remove them first")
    return stripped, change


def apply_change(content: ToolContent, change: Any) -> tuple[ToolContent, Change]:
    """Apply one change; return the new content and the change as it is recorded."""
    if not isinstance(change, dict):
        raise Invalid("a change must be an object with an op")
    op = change.get("op")
    if op not in OPS:
        raise Invalid(f"unknown change op {op!r}; expected one of {', '.join(OPS)}")
    if op == "replace":
        try:
            return content_from_dict(_need(change, "content", dict)), change
        except (TypeError, KeyError) as exc:
            raise Invalid(f"replace: {exc}") from exc
    if op.endswith("_item"):
        return _apply_item_op(content, op, change)
    return _apply_structure_op(content, op, change)


def apply_changes(content: ToolContent, changes: Iterable[Any]) -> tuple[ToolContent, list[Change]]:
    """Apply changes in order and validate the result; return it and the recorded changes."""
    recorded = []
    for change in changes:
        content, rec = apply_change(content, change)
        recorded.append(rec)
    return validate(content), recorded
