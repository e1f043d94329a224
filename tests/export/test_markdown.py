"""The Markdown export, rendered by the markdown package."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown

from workshop.core.content import ToolContent
from workshop.core.drafts import VersionInfo
from workshop.export.formats import export
from workshop.export.markdown import escape

from .conftest import missing


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _rendered(content: ToolContent, info: VersionInfo) -> _Page:
    page = _Page()
    page.feed(markdown.markdown(export(content, info, "md").decode("utf-8")))
    return page


def test_structure_follows_domains_topics_and_items(template: ToolContent, info: VersionInfo) -> None:
    page = _rendered(template, info)
    assert page.tags.count("h1") == 1
    assert page.tags.count("h2") == len(template.domains)
    assert page.tags.count("h3") == len(template.topics())
    assert page.tags.count("h4") == len(template.items())
    text = "".join(page.text)
    assert 'Version 12 "agreed after workshop 2" (agreed)' in text
    assert "Q3 · emo_coping" in text and "☐ Strongly disagree (1)" in text


def test_awkward_text_survives_and_no_raw_html_gets_through(awkward: ToolContent, info: VersionInfo) -> None:
    page = _rendered(awkward, info)
    assert "img" not in page.tags and "b" not in page.tags
    assert not missing("".join(page.text))
    assert "strong" in page.tags, "Markdown emphasis in a stem stays emphasis"


def test_escape_keeps_plain_text_literal() -> None:
    text = "1. not a list *not emphasis* # not a heading <b>not bold</b>\n- not a bullet"
    rendered = markdown.markdown(escape(text))
    assert "<ol>" not in rendered and "<em>" not in rendered and "<ul>" not in rendered and "<b>" not in rendered
    page = _Page()
    page.feed(rendered)
    assert "".join(page.text).replace("\n", " ") == text.replace("\n", " ")
