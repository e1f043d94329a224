"""Compare two tool contents: what was added, removed, reworded, moved or reordered.

Domains, topics and items keep their ids across versions, so they are matched by id.
``compare`` returns a JSON-ready dict; ``summary`` counts its changes and ``render_text``
prints them one per line. A reorder is reported only for what really left its place:
among the elements under the same parent in both versions, one longest run that kept
its old relative order stayed put, and only the rest count as reordered. So inserting
or removing one item reports just that item, and swapping two reports one.

The shape: ``{"equal", "tool": {field: {"old", "new"}}, "domains", "topics", "items"}``.
A domain or topic entry is ``{"change", "id", "title", ...}`` with ``fields`` (changed),
``from_domain``/``to_domain`` (a topic moved) or ``old``/``new`` positions (reordered).
An item entry is ``{"id", "code", "changes": [{"kind", "old", "new", ...}]}``; positions
count from 0 within the parent; word diffs are lists of [tag, text] pairs.
"""

from __future__ import annotations

import difflib
import json
import re
from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

from .content import Domain, ToolContent, Topic, item_to_dict

Segment = tuple[str, str]
#: Words, runs of whitespace and runs of punctuation: every character falls in one.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]+")
#: The change kind of each item field, in the order summaries list them; any other
#: differing field (one added to ``Item`` later) is reported as "changed" with its name.
_FIELD_KINDS = {
    "stem": "reworded",
    "help": "help_changed",
    "response_type": "response_type_changed",
    "options": "options_changed",
    "triage": "triage_changed",
    "show_when": "show_when_changed",
    "code": "code_changed",
    "respondent": "respondent_changed",
    "required": "required_changed",
    "source_note": "source_note_changed",
}
#: Text fields whose change also carries a word diff, under this key.
_WORD_DIFFED = {"stem": "stem_diff", "help": "help_diff"}
#: Item fields rendered as a word diff in text; others as "old -> new".
_TEXT_FIELDS = {"stem", "help", "source_note"}
ITEM_KINDS = ("added", "removed", *_FIELD_KINDS.values(), "changed", "moved", "reordered")
NODE_KINDS = ("added", "removed", "changed", "moved", "reordered")
_SYMBOLS = {"added": "+", "removed": "-", "moved": ">", "reordered": "^"}


def word_diff(old: str, new: str) -> list[Segment]:
    """Return a word-level diff of two texts as (tag, text) segments."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    segments: list[Segment] = []
    deleted = inserted = ""
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        old_text, new_text = "".join(a[i1:i2]), "".join(b[j1:j2])
        # Opcodes alternate equal and not, so a middle "equal" sits between two changes; if it is
        # only a space, "[-a b-]{+x y+}" reads better than "[-a-]{+x+} [-b-]{+y+}".
        if tag == "equal" and not (old_text.isspace() and 0 < k < len(ops) - 1):
            segments += [(t, x) for t, x in (("delete", deleted), ("insert", inserted)) if x]
            segments.append(("equal", old_text))
            deleted = inserted = ""
        else:
            deleted, inserted = deleted + old_text, inserted + new_text
    segments += [(t, x) for t, x in (("delete", deleted), ("insert", inserted)) if x]
    return segments


def _longest_increasing(seq: list[int]) -> set[int]:
    """Return the indexes into ``seq`` of one longest strictly increasing subsequence."""
    tails: list[int] = []  # tails[k]: smallest last value of an increasing run of length k + 1
    ends: list[int] = []  # ends[k]: the index of that last value
    before = [-1] * len(seq)
    for i, value in enumerate(seq):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            ends.append(i)
        else:
            tails[k] = value
            ends[k] = i
        before[i] = ends[k - 1] if k else -1
    kept: set[int] = set()
    i = ends[-1] if ends else -1
    while i >= 0:
        kept.add(i)
        i = before[i]
    return kept


def _out_of_order(kept: Iterable[tuple[str, str, int]]) -> set[str]:
    """Return the ids that left their place, from (parent id, id, old position) in new order."""
    groups: dict[str, list[tuple[str, int]]] = {}
    for parent, node_id, old_pos in kept:
        groups.setdefault(parent, []).append((node_id, old_pos))
    moved: set[str] = set()
    for members in groups.values():
        stayed = _longest_increasing([pos for _, pos in members])
        moved.update(node_id for k, (node_id, _) in enumerate(members) if k not in stayed)
    return moved


_Node = Domain | Topic
_Placed = tuple[Domain | None, _Node, int]


def _placed(content: ToolContent, level: str) -> list[_Placed]:
    if level == "domain":
        return [(None, d, k) for k, d in enumerate(content.domains)]
    return [(d, t, k) for d in content.domains for k, t in enumerate(d.topics)]


def _parent_id(parent: Domain | None) -> str:
    return parent.id if parent else ""


def _where(parent: Domain | None) -> dict[str, Any]:
    return {"domain": parent.id, "domain_title": parent.title} if parent else {}


def _from_to(level: str, was: Domain | Topic, now: Domain | Topic) -> dict[str, Any]:
    return {
        **{f"from_{level}": was.id, f"from_{level}_title": was.title},
        **{f"to_{level}": now.id, f"to_{level}_title": now.title, "old": was.id, "new": now.id},
    }


def _fields(was: object, now: object) -> dict[str, dict[str, Any]]:
    """Return {field: {"old", "new"}} for the title and description where they differ."""
    pairs = ((f, getattr(was, f), getattr(now, f)) for f in ("title", "description"))
    return {f: {"old": old, "new": new} for f, old, new in pairs if old != new}


def _compare_nodes(a: ToolContent, b: ToolContent, level: str) -> list[dict[str, Any]]:
    """Return the entries for domains or topics (``level``) from ``a`` to ``b``."""
    old = {node.id: (parent, node, pos) for parent, node, pos in _placed(a, level)}
    new = _placed(b, level)
    shuffled = _out_of_order(
        (_parent_id(p), n.id, old[n.id][2])
        for p, n, _ in new
        if n.id in old and _parent_id(old[n.id][0]) == _parent_id(p)
    )
    entries: list[dict[str, Any]] = []
    for parent, node, pos in new:
        head = {"id": node.id, "title": node.title}
        if node.id not in old:
            entries.append({"change": "added", **head, **_where(parent), "position": pos})
            continue
        was_parent, was, was_pos = old[node.id]
        fields = _fields(was, node)
        if fields:
            entries.append({"change": "changed", **head, "fields": fields})
        if was_parent and parent and was_parent.id != parent.id:
            entries.append({"change": "moved", **head, **_from_to("domain", was_parent, parent)})
        elif node.id in shuffled:
            entries.append({"change": "reordered", **head, **_where(parent), "old": was_pos, "new": pos})
    now = {node.id for _, node, _ in new}
    for parent, node, pos in _placed(a, level):
        if node.id not in now:
            head = {"id": node.id, "title": node.title}
            entries.append({"change": "removed", **head, **_where(parent), "position": pos})
    return entries


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one change per differing field of two item dicts."""
    changes: list[dict[str, Any]] = []
    for key in dict.fromkeys([*new, *old]):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        kind = _FIELD_KINDS.get(key)
        change: dict[str, Any] = {"kind": kind} if kind else {"kind": "changed", "field": key}
        change.update(old=before, new=after)
        if key in _WORD_DIFFED and isinstance(before, str) and isinstance(after, str):
            change[_WORD_DIFFED[key]] = [list(s) for s in word_diff(before, after)]
        changes.append(change)
    return changes


def _compare_items(a: ToolContent, b: ToolContent) -> list[dict[str, Any]]:
    """Return the item entries from ``a`` to ``b``: b's order, then removed items in a's order."""
    old = {item.id: (topic, pos, item) for _, topic in a.topics() for pos, item in enumerate(topic.items)}
    new = [(topic, pos, item) for _, topic in b.topics() for pos, item in enumerate(topic.items)]
    same_topic = ((t.id, i.id, old[i.id][1]) for t, _, i in new if i.id in old and old[i.id][0].id == t.id)
    shuffled = _out_of_order(same_topic)
    entries: list[dict[str, Any]] = []
    for topic, pos, item in new:
        where = {"topic": topic.id, "topic_title": topic.title}
        if item.id not in old:
            change = {"kind": "added", "new": item_to_dict(item), **where, "position": pos}
            entries.append({"id": item.id, "code": item.code, "changes": [change]})
            continue
        was_topic, was_pos, was = old[item.id]
        # Equal dataclasses give equal dicts, so most unchanged items skip the conversion.
        changes = [] if was == item else _field_changes(item_to_dict(was), item_to_dict(item))
        if was_topic.id != topic.id:
            changes.append({"kind": "moved", **_from_to("topic", was_topic, topic)})
        elif item.id in shuffled:
            changes.append({"kind": "reordered", **where, "old": was_pos, "new": pos})
        if changes:
            entries.append({"id": item.id, "code": item.code, "changes": changes})
    now = {item.id for _, _, item in new}
    for _, topic in a.topics():
        for pos, item in enumerate(topic.items):
            if item.id not in now:
                where = {"topic": topic.id, "topic_title": topic.title}
                change = {"kind": "removed", "old": item_to_dict(item), **where, "position": pos}
                entries.append({"id": item.id, "code": item.code, "changes": [change]})
    return entries


def compare(a: ToolContent, b: ToolContent) -> dict[str, Any]:
    """Return what changed from content ``a`` to content ``b``, as a JSON-ready dict."""
    tool = _fields(a, b)
    domains = _compare_nodes(a, b, "domain")
    topics = _compare_nodes(a, b, "topic")
    items = _compare_items(a, b)
    return {
        "equal": not (tool or domains or topics or items),
        "tool": tool,
        "domains": domains,
        "topics": topics,
        "items": items,
    }


def summary(d: dict[str, Any]) -> dict[str, int]:
    """Count the changes of a comparison per kind (domain and topic kinds are prefixed)."""
    counts: dict[str, int] = {}
    if d["tool"]:
        counts["tool_changed"] = len(d["tool"])
    for level in ("domain", "topic"):
        for entry in d[f"{level}s"]:
            key = f"{level}_{entry['change']}"
            counts[key] = counts.get(key, 0) + 1
    for entry in d["items"]:
        for change in entry["changes"]:
            counts[change["kind"]] = counts.get(change["kind"], 0) + 1
    order = ["tool_changed", *(f"{lv}_{k}" for lv in ("domain", "topic") for k in NODE_KINDS), *ITEM_KINDS]
    rank = {key: n for n, key in enumerate(order)}
    return dict(sorted(counts.items(), key=lambda kv: (rank.get(kv[0], len(order)), kv[0])))


def _flat(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _inline(old: str, new: str) -> str:
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    return "".join(marks[tag].format(_flat(text)) for tag, text in word_diff(old, new))


def _value(key: str, value: Any) -> str:
    if key == "options" and isinstance(value, list):
        return "[" + ", ".join(f"{o.get('code')}={_flat(str(o.get('label')))}" for o in value) + "]"
    if isinstance(value, str):
        return _flat(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _node_line(level: str, e: dict[str, Any]) -> str:
    change = e["change"]
    head = f"{_SYMBOLS.get(change, '~')} {level} {change}  {e['id']}"
    if change == "changed":
        return f"{head}  " + "; ".join(f"{f}: {_inline(v['old'], v['new'])}" for f, v in e["fields"].items())
    title = f'"{_flat(e["title"])}"'
    if change == "moved":
        return f'{head}  {title}  from "{_flat(e["from_domain_title"])}" to "{_flat(e["to_domain_title"])}"'
    if change == "reordered":
        return f"{head}  {title}: position {e['old'] + 1} -> {e['new'] + 1}"
    return f"{head}  {title}"


def _item_line(code: str, c: dict[str, Any]) -> str:
    kind = c["kind"]
    head = f"{_SYMBOLS.get(kind, '~')} {kind}  {code}"
    if kind in ("added", "removed"):
        item = c["new"] if kind == "added" else c["old"]
        return f'{head}  "{_flat(item["stem"])}"  in "{_flat(c["topic_title"])}"'
    if kind == "moved":
        return f'{head}  from "{_flat(c["from_topic_title"])}" to "{_flat(c["to_topic_title"])}"'
    if kind == "reordered":
        return f'{head}  in "{_flat(c["topic_title"])}": position {c["old"] + 1} -> {c["new"] + 1}'
    key = c.get("field") or next((f for f, k in _FIELD_KINDS.items() if k == kind), "")
    label = f"{head}  {key}" if kind == "changed" else head
    old, new = c["old"], c["new"]
    if key in _TEXT_FIELDS and isinstance(old, str) and isinstance(new, str):
        return f"{label}: {_inline(old, new)}"
    return f"{label}: {_value(key, old)} -> {_value(key, new)}"


def render_text(d: dict[str, Any]) -> str:
    """Return a comparison as plain text, one line per change, ending in a newline."""
    if d["equal"]:
        return "No differences.\n"
    lines = [f"~ tool {f}: {_inline(v['old'], v['new'])}" for f, v in d["tool"].items()]
    for level in ("domain", "topic"):
        lines.extend(_node_line(level, e) for e in d[f"{level}s"])
    lines.extend(_item_line(e["code"], c) for e in d["items"] for c in e["changes"])
    return "\n".join(lines) + "\n"
