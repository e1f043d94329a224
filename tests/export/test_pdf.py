"""The PDF, read back with pypdf."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from workshop.core.content import ToolContent
from workshop.core.drafts import VersionInfo
from workshop.export.formats import export

from .conftest import AWKWARD_TEXTS, EMOJI, build_awkward


def _letters(text: str) -> str:
    # Extraction wraps lines and may place a right-to-left line's punctuation at either end: compare letters.
    return "".join(ch for ch in text if ch.isalnum())


@pytest.fixture(scope="module")
def pdfs(template: ToolContent, awkward: ToolContent, info: VersionInfo) -> dict[str, PdfReader]:
    """Render each tool once: PDF typesetting is the slowest export."""
    return {
        "rtw-review": PdfReader(io.BytesIO(export(template, info, "pdf"))),
        "awkward": PdfReader(io.BytesIO(export(awkward, info, "pdf"))),
        "awkward without emoji": PdfReader(io.BytesIO(export(build_awkward(emoji=False), info, "pdf"))),
    }


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_template_pdf_has_every_item_and_its_metadata(pdfs: dict[str, PdfReader], template: ToolContent) -> None:
    reader = pdfs["rtw-review"]
    assert len(reader.pages) > 1
    assert reader.metadata is not None and reader.metadata.title
    text = _letters(_text(reader))
    for domain, topic, item in template.items():
        assert _letters(item.stem) in text, item.code
        assert _letters(topic.title) in text and _letters(domain.title) in text
    assert _letters("Version 12") in text and "Page" in _text(reader)


def test_awkward_text_survives_including_right_to_left(pdfs: dict[str, PdfReader]) -> None:
    text = _letters(_text(pdfs["awkward without emoji"]))
    expected = [t for t in AWKWARD_TEXTS if t != EMOJI]
    assert [t for t in expected if _letters(t) not in text] == []


def test_emoji_do_not_stop_the_pdf(pdfs: dict[str, PdfReader]) -> None:
    # A server need not have an emoji font: the glyph is then drawn as a box, and WeasyPrint writes a font
    # encoding that pypdf cannot map back to text (poppler's pdftotext can). The document must still be whole.
    reader = pdfs["awkward"]
    assert len(reader.pages) == len(pdfs["awkward without emoji"].pages)
    assert all(page.extract_text() for page in reader.pages)


def test_pdf_loads_nothing_from_outside(
    awkward: ToolContent, info: VersionInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    import urllib.request

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the PDF export tried to open a URL")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    assert export(awkward, info, "pdf").startswith(b"%PDF-")
