"""The content of a tool: domains, topics and items, as immutable values.

A draft version stores exactly one ``ToolContent``. Values are frozen so that a
version read back can be shared between callers without copying.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal, cast

RESPONSE_TYPES = (
    "agreement",
    "yes_no_na",
    "single_choice",
    "multiple_choice",
    "short_text",
    "long_text",
    "scale_0_10",
    "date",
    "display",
)
#: Response types whose answers are one or more of the item's options.
CHOICE_TYPES = frozenset({"agreement", "yes_no_na", "single_choice", "multiple_choice"})
RESPONDENTS = ("returner", "supervisor", "oh_professional", "joint")
#: How a condition compares an answer: one of some option codes, or a score bound.
OPERATORS = ("any_of", "at_most", "at_least")

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
#: REDCap limits variable names to 26 characters; XLSForm accepts that too.
CODE_MAX = 26
OPTION_CODE_PATTERN = re.compile(r"^[A-Za-z0-9_]{1,32}$")
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

ResponseType = Literal[
    "agreement",
    "yes_no_na",
    "single_choice",
    "multiple_choice",
    "short_text",
    "long_text",
    "scale_0_10",
    "date",
    "display",
]


@dataclass(frozen=True)
class Option:
    """One answer an item offers."""

    code: str
    label: str
    score: float | None = None
    not_applicable: bool = False


@dataclass(frozen=True)
class Condition:
    """A test on the answer to an item: ``any_of`` option codes, or a score bound."""

    operator: str
    value: tuple[str, ...] | float


@dataclass(frozen=True)
class TriageRule:
    """An answer that should prompt an action (e.g. offer an OH referral)."""

    when: Condition
    action: str


@dataclass(frozen=True)
class ShowWhen:
    """Show an item only when another item's answer meets a condition."""

    item_id: str
    when: Condition


@dataclass(frozen=True)
class Item:
    """One question of the tool; ``id`` is stable across rewording and moves."""

    id: str
    code: str
    stem: str
    response_type: str = "agreement"
    help: str = ""
    options: tuple[Option, ...] = ()
    respondent: str = "returner"
    required: bool = False
    triage: TriageRule | None = None
    show_when: ShowWhen | None = None
    source_note: str = ""


@dataclass(frozen=True)
class Topic:
    """A needs area within a domain, holding items in order."""

    id: str
    title: str
    description: str = ""
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Domain:
    """A top-level group of topics (Personal, Social, Organisational)."""

    id: str
    title: str
    description: str = ""
    topics: tuple[Topic, ...] = ()


@dataclass(frozen=True)
class ToolContent:
    """Everything a draft version holds."""

    title: str
    description: str = ""
    domains: tuple[Domain, ...] = ()
    _index: dict[str, tuple[Domain, Topic, int, Item]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def items(self) -> list[tuple[Domain, Topic, Item]]:
        """Return every item with its domain and topic, in tool order."""
        return [(d, t, i) for d in self.domains for t in d.topics for i in t.items]

    def topics(self) -> list[tuple[Domain, Topic]]:
        """Return every topic with its domain, in tool order."""
        return [(d, t) for d in self.domains for t in d.topics]

    def locate(self, item_id: str) -> tuple[Domain, Topic, int, Item] | None:
        """Return (domain, topic, position, item) for an item id, or None."""
        if not self._index and self.domains:
            # Build the whole index before publishing it, so a concurrent reader never sees half of it.
            index = {i.id: (d, t, pos, i) for d in self.domains for t in d.topics for pos, i in enumerate(t.items)}
            object.__setattr__(self, "_index", index)
        return self._index.get(item_id)

    def item(self, item_id: str) -> Item | None:
        """Return the item with this id, or None."""
        found = self.locate(item_id)
        return found[3] if found else None


# --- conversion to and from plain JSON-ready dicts -------------------------------------


def condition_to_dict(c: Condition) -> dict[str, Any]:
    """Return a condition as a JSON-ready dict."""
    value = list(c.value) if isinstance(c.value, tuple) else c.value
    return {"operator": c.operator, "value": value}


def item_to_dict(item: Item) -> dict[str, Any]:
    """Return an item as a JSON-ready dict (the tool format's item object)."""
    return {
        "id": item.id,
        "code": item.code,
        "stem": item.stem,
        "help": item.help,
        "response_type": item.response_type,
        "options": [
            {"code": o.code, "label": o.label, "score": o.score, "not_applicable": o.not_applicable}
            for o in item.options
        ],
        "respondent": item.respondent,
        "required": item.required,
        "triage": (
            {"when": condition_to_dict(item.triage.when), "action": item.triage.action} if item.triage else None
        ),
        "show_when": (
            {"item_id": item.show_when.item_id, "when": condition_to_dict(item.show_when.when)}
            if item.show_when
            else None
        ),
        "source_note": item.source_note,
    }


def content_to_dict(content: ToolContent) -> dict[str, Any]:
    """Return the whole content as a JSON-ready dict."""
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
                        "items": [item_to_dict(i) for i in t.items],
                    }
                    for t in d.topics
                ],
            }
            for d in content.domains
        ],
    }


def canonical_json(data: Any) -> str:
    """Return the one JSON spelling used for hashing and storage."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(data: Any) -> str:
    """Return the SHA-256 hex digest of the canonical JSON of ``data``."""
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def _str(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise TypeError(f"{key} must be text")
    return value


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number")
    try:
        number = float(value)
    except OverflowError:
        raise TypeError(f"{what} is too large") from None
    if not math.isfinite(number):
        raise TypeError(f"{what} must be a finite number")
    return number


def _flag(data: dict[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise TypeError(f"{key} must be true or false")
    return value


def _optional_object(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = data.get(key)
    if value is not None and not isinstance(value, dict):
        raise TypeError(f"{key} must be an object or null")
    return value


def condition_from_dict(data: Any) -> Condition:
    """Build a condition from a dict, checking only its shape."""
    if not isinstance(data, dict):
        raise TypeError("a condition must be an object")
    operator = _str(data, "operator")
    value = data.get("value")
    if operator == "any_of":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError("an any_of condition needs a list of option codes")
        return Condition(operator, tuple(value))
    if operator in ("at_most", "at_least"):
        return Condition(operator, _number(value, f"an {operator} condition's value"))
    raise TypeError(f"condition operator must be one of {', '.join(OPERATORS)}")


def item_from_dict(data: Any) -> Item:
    """Build an item from a dict (missing optional fields take their defaults)."""
    if not isinstance(data, dict):
        raise TypeError("an item must be an object")
    options = []
    raw_options = data.get("options") or []
    if not isinstance(raw_options, list):
        raise TypeError("options must be a list")
    for o in raw_options:
        if not isinstance(o, dict):
            raise TypeError("an option must be an object")
        score = o.get("score")
        options.append(
            Option(
                code=_str(o, "code"),
                label=_str(o, "label"),
                score=None if score is None else _number(score, "an option's score"),
                not_applicable=_flag(o, "not_applicable"),
            )
        )
    triage = _optional_object(data, "triage")
    show_when = _optional_object(data, "show_when")
    required = _flag(data, "required")
    return Item(
        id=_str(data, "id"),
        code=_str(data, "code"),
        stem=_str(data, "stem"),
        help=_str(data, "help"),
        response_type=_str(data, "response_type", "agreement"),
        options=tuple(options),
        respondent=_str(data, "respondent", "returner"),
        required=required,
        triage=(
            TriageRule(when=condition_from_dict(triage.get("when")), action=_str(triage, "action"))
            if triage is not None
            else None
        ),
        show_when=(
            ShowWhen(item_id=_str(show_when, "item_id"), when=condition_from_dict(show_when.get("when")))
            if show_when is not None
            else None
        ),
        source_note=_str(data, "source_note"),
    )


def content_from_dict(data: Any) -> ToolContent:
    """Build content from a dict; raises TypeError/KeyError on a wrong shape."""
    if not isinstance(data, dict):
        raise TypeError("the tool must be an object")
    domains = []
    for d in cast(list[Any], data.get("domains") or []):
        if not isinstance(d, dict):
            raise TypeError("a domain must be an object")
        topics = []
        for t in d.get("topics") or []:
            if not isinstance(t, dict):
                raise TypeError("a topic must be an object")
            items = tuple(item_from_dict(i) for i in t.get("items") or [])
            topics.append(Topic(_str(t, "id"), _str(t, "title"), _str(t, "description"), items))
        domains.append(Domain(_str(d, "id"), _str(d, "title"), _str(d, "description"), tuple(topics)))
    return ToolContent(_str(data, "title"), _str(data, "description"), tuple(domains))
