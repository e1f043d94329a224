"""The standalone HTML page, parsed with html.parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from workshop.core.content import ToolContent
from workshop.core.drafts import VersionInfo
from workshop.export.formats import export

from .conftest import ARABIC, XSS, missing

#: Attributes through which a page loads something, and CSS that does.
LOADING_ATTRIBUTES = {"src", "srcset", "poster", "data", "action", "formaction", "background", "xlink:href"}
CSS_URL = re.compile(r"url\(|@import", re.IGNORECASE)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._in_style else self.text).append(data)


def _parse(content: ToolContent, info: VersionInfo) -> tuple[str, _Page]:
    page_source = export(content, info, "html").decode("utf-8")
    page = _Page()
    page.feed(page_source)
    page.close()
    return page_source, page


def test_page_is_standalone_with_no_script_and_nothing_loaded(content: ToolContent, info: VersionInfo) -> None:
    source, page = _parse(content, info)
    assert source.startswith("<!DOCTYPE html>")
    tags = [tag for tag, _ in page.elements]
    assert "script" not in tags and "iframe" not in tags and "object" not in tags and "img" not in tags
    assert tags.count("link") == 0, "no external stylesheet"
    for tag, attrs in page.elements:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not LOADING_ATTRIBUTES & set(attrs), (tag, attrs)
        assert "style" not in attrs or not CSS_URL.search(attrs["style"] or "")
        if tag == "a":
            # A link is followed only when clicked (a javascript: one loses its target); it loads nothing.
            href = attrs.get("href")
            assert href is None or href.startswith(("#", "https://", "http://", "mailto:")), href
    assert not CSS_URL.search("".join(page.styles))
    assert "@media print" in "".join(page.styles) and "@page" in "".join(page.styles)
    metas = {a.get("http-equiv"): a.get("content") for t, a in page.elements if t == "meta"}
    assert "default-src 'none'" in (metas.get("Content-Security-Policy") or "")


def test_every_item_and_heading_is_on_the_page(template: ToolContent, info: VersionInfo) -> None:
    _, page = _parse(template, info)
    tags = [tag for tag, _ in page.elements]
    assert tags.count("h2") == len(template.domains) and tags.count("h3") == len(template.topics())
    sections = [a for t, a in page.elements if t == "section"]
    assert [a["id"] for a in sections] == [f"item-{i.code}" for _, _, i in template.items()]
    text = "".join(page.text)
    assert text.count("☐") >= sum(len(i.options) for _, _, i in template.items())


def test_awkward_text_is_escaped_but_readable(awkward: ToolContent, info: VersionInfo) -> None:
    source, page = _parse(awkward, info)
    assert XSS not in source, "the XSS string must never appear unescaped"
    assert "<b>bold</b>" not in source and "javascript:" not in source
    assert not missing("".join(page.text))
    strong = [t for t, _ in page.elements if t in ("strong", "em")]
    assert len(strong) >= 2, "limited Markdown emphasis is rendered"
    rtl = [a for _, a in page.elements if a.get("dir") == "rtl"]
    assert rtl, f"right-to-left text such as {ARABIC} is marked dir=rtl"
