"""The project's own format: a version exported as JSON imports back identically."""

from __future__ import annotations

import json

from workshop.core import toolformat
from workshop.core.content import ToolContent
from workshop.core.drafts import VersionInfo
from workshop.export.formats import export

from .conftest import missing


def test_round_trip_gives_identical_content(content: ToolContent, info: VersionInfo) -> None:
    data = export(content, info, "json")
    assert toolformat.loads(data.decode("utf-8")) == content


def test_the_file_carries_the_version_it_came_from(awkward: ToolContent, info: VersionInfo) -> None:
    doc = json.loads(export(awkward, info, "json"))
    assert doc["format"] == "workshop-tool"
    assert doc["version"]["number"] == 12 and doc["version"]["name"] == "agreed after workshop 2"
    assert doc["version"]["agreed"] is True and "changes" not in doc["version"]
    assert not missing(" ".join(_strings(doc)))


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [s for v in value for s in _strings(v)] if isinstance(value, list) else []
