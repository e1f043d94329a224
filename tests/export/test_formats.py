"""The registry of export formats, and what every format shares."""

from __future__ import annotations

import pytest

from workshop.core.content import ToolContent
from workshop.core.drafts import VersionInfo
from workshop.core.errors import Invalid
from workshop.export import formats

EXPECTED = {"json", "md", "html", "pdf", "docx", "redcap", "fhir-r4", "fhir-r5", "xlsform", "csv"}


def test_every_format_is_registered_under_its_name() -> None:
    assert set(formats.FORMATS) == EXPECTED
    for name, fmt in formats.FORMATS.items():
        assert fmt.name == name
        assert fmt.label and fmt.extension and "/" in fmt.mimetype


def test_unknown_format_is_invalid_and_names_the_choices(template: ToolContent, info: VersionInfo) -> None:
    with pytest.raises(Invalid) as caught:
        formats.export(template, info, "sav")
    assert "sav" in caught.value.message and "fhir-r4" in caught.value.message


@pytest.mark.parametrize("name", sorted(EXPECTED - {"pdf"}))
def test_every_format_renders_the_same_bytes_twice(content: ToolContent, info: VersionInfo, name: str) -> None:
    first = formats.export(content, info, name)
    assert first
    if name not in ("docx", "xlsform"):  # zip containers stamp the time they were written
        assert formats.export(content, info, name) == first


@pytest.mark.parametrize("name", sorted(n for n, f in formats.FORMATS.items() if f.is_text))
def test_text_formats_are_utf8(content: ToolContent, info: VersionInfo, name: str) -> None:
    formats.export(content, info, name).decode("utf-8")


def test_file_names_are_ascii_and_tell_formats_apart(
    template: ToolContent, awkward: ToolContent, info: VersionInfo
) -> None:
    names = {n: formats.filename(template, info, n) for n in formats.FORMATS}
    assert names["html"] == "returning-doctors-needs-assessment-starter-draft-v12.html"
    assert names["fhir-r4"].endswith(".fhir-r4.json") and names["redcap"].endswith(".redcap.csv")
    assert len(set(names.values())) == len(names)
    assert formats.filename(awkward, info, "pdf").isascii()
