"""Checks on client payloads: each raises Invalid with a message naming the field."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .errors import Invalid

OP_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
#: Characters no text field may hold: C0 controls other than tab and line breaks, DEL, and lone surrogates.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: The largest row id: ids are 32-bit integers on PostgreSQL, and SQLite cannot even bind past 64 bits.
MAX_ID = 2**31 - 1


def is_row_id(value: Any) -> bool:
    """Return whether a value could be a row id (a whole number from 1 to MAX_ID, not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def obj(payload: Any) -> dict[str, Any]:
    """Return the payload if it is a JSON object."""
    if not isinstance(payload, dict):
        raise Invalid("the payload must be a JSON object")
    return payload


def op_id(payload: dict[str, Any]) -> str:
    """Return the client's op id (8-64 letters, digits, _ . : -)."""
    value = payload.get("op_id")
    if not isinstance(value, str) or not OP_ID.match(value):
        raise Invalid("op_id must be a string of 8 to 64 letters, digits or _.:-", details={"field": "op_id"})
    return value


def text(payload: dict[str, Any], key: str, limit: int, *, required: bool = False, default: str = "") -> str:
    """Return a text field, stripped of surrounding whitespace and checked against a length limit."""
    value = payload.get(key, default)
    if value is None:
        value = default
    if not isinstance(value, str):
        raise Invalid(f"{key} must be text", details={"field": key})
    if UNSTORABLE.search(value):
        # Lone surrogates cannot be encoded as UTF-8, and PostgreSQL refuses NUL: refuse them, clearly, up front.
        raise Invalid(f"{key} holds control or invalid characters", details={"field": key})
    value = value.strip()
    if required and not value:
        raise Invalid(f"{key} must not be empty", details={"field": key})
    if len(value) > limit:
        raise Invalid(f"{key} is longer than {limit} characters", details={"field": key})
    return value


def integer(
    payload: dict[str, Any], key: str, *, low: int = 0, high: int = MAX_ID, required: bool = True
) -> int | None:
    """Return a whole-number field within [low, high]."""
    value = payload.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise Invalid(f"{key} must be a whole number from {low} to {high}", details={"field": key})
    return value


def choice(payload: dict[str, Any], key: str, options: Iterable[str], *, required: bool = True) -> str | None:
    """Return a field that must be one of the given strings."""
    options = tuple(options)
    value = payload.get(key)
    if value is None and not required:
        return None
    if value not in options:
        raise Invalid(f"{key} must be one of {', '.join(options)}", details={"field": key})
    return str(value)


def id_list(payload: dict[str, Any], key: str, *, limit: int = 500) -> list[int] | None:
    """Return an optional list of whole-number ids."""
    value = payload.get(key)
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) > limit
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        raise Invalid(f"{key} must be a list of at most {limit} ids", details={"field": key})
    return list(dict.fromkeys(value))
