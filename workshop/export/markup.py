"""Limited Markdown (item stems and help text) as safe HTML, plain text or styled runs.

Limited Markdown is Markdown without raw HTML: ``<img src=x>`` in a stem is text a
participant typed, so it is shown as those characters, never run as a tag. The
rendered HTML is also cleaned against a small allowlist, so a ``javascript:`` link
or any tag Markdown itself might produce beyond it cannot reach a page.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

import markdown as markdown_lib
import nh3

#: The tags limited Markdown may produce; any other tag is dropped and its text kept.
ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "code", "ul", "ol", "li", "a", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_local = threading.local()
_BLOCK_TAGS = frozenset({"p", "li", "blockquote", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre"})
_SPACES = re.compile(r"[ \t\r\n\f]+")
#: Characters XML 1.0 cannot hold (C0 controls other than tab and line ends, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _converter() -> markdown_lib.Markdown:
    # A Markdown instance keeps state while converting, so each thread gets its own.
    md: markdown_lib.Markdown | None = getattr(_local, "md", None)
    if md is None:
        md = markdown_lib.Markdown(extensions=["nl2br", "sane_lists"], output_format="html")
        # Without these two, raw HTML in the text would pass through as HTML.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        _local.md = md
    md.reset()
    return md


def to_html(text: str) -> str:
    """Return limited Markdown as sanitised HTML, safe to put into a page."""
    if not text.strip():
        return ""
    raw = _converter().convert(text)
    return nh3.clean(
        raw,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    )


def to_inline_html(text: str) -> str:
    """Return limited Markdown as sanitised HTML without a lone paragraph's ``<p>`` wrapper."""
    rendered = to_html(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered


@dataclass(frozen=True)
class Run:
    """A stretch of text with one style."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


@dataclass
class Block:
    """A paragraph or list item: its runs and the bullet or number it starts with."""

    runs: list[Run] = field(default_factory=list)
    bullet: str = ""
    quote: bool = False

    @property
    def text(self) -> str:
        """Return the block's text without styles."""
        return "".join(r.text for r in self.runs)


class _BlockParser(HTMLParser):
    """Turns the sanitised HTML of ``to_html`` into blocks of styled runs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.styles: list[str] = []
        self.lists: list[list[int | None]] = []  # per open list: [next number] or [None] for bullets
        self.quote = 0
        self.href: str | None = None
        self.link_text = ""

    def _block(self) -> Block:
        if self.current is None:
            self.current = Block(quote=self.quote > 0)
            self.blocks.append(self.current)
        return self.current

    def _add(self, text: str) -> None:
        block = self._block()
        if not block.runs or block.runs[-1].text.endswith("\n"):
            text = text.lstrip(" ")
        if text:
            block.runs.append(Run(text, "strong" in self.styles, "em" in self.styles, "code" in self.styles))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self.lists.append([1 if tag == "ol" else None])
        elif tag == "li":
            self.current = None
            numbering = self.lists[-1] if self.lists else [None]
            bullet = "•" if numbering[0] is None else f"{numbering[0]}."
            if numbering[0] is not None:
                numbering[0] += 1
            self._block().bullet = bullet
        elif tag == "blockquote":
            self.quote += 1
        elif tag in _BLOCK_TAGS:
            self.current = None
        elif tag == "br":
            self._add("\n")
        elif tag == "a":
            self.href, self.link_text = dict(attrs).get("href"), ""
        else:
            self.styles.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag == "blockquote":
            self.quote = max(0, self.quote - 1)
        if tag in _BLOCK_TAGS:
            self.current = None
        elif tag == "a":
            if self.href and self.href not in (self.link_text, f"mailto:{self.link_text}"):
                self._add(f" ({self.href})")
            self.href = None
        elif tag in self.styles:
            self.styles.reverse()
            self.styles.remove(tag)
            self.styles.reverse()

    def handle_data(self, data: str) -> None:
        text = _SPACES.sub(" ", data)
        if text.strip() or (self.current is not None and self.current.runs):
            if self.href is not None:
                self.link_text += text
            self._add(text)


def blocks(text: str) -> list[Block]:
    """Return limited Markdown as paragraphs and list items of styled runs."""
    parser = _BlockParser()
    parser.feed(to_html(text))
    parser.close()
    result = []
    for block in parser.blocks:
        runs = [r for r in block.runs if r.text]
        if runs:
            # Trailing spaces on a line come from the source's line ends, not from the author.
            last = runs[-1]
            runs[-1] = Run(last.text.rstrip(" "), last.bold, last.italic, last.code)
            result.append(Block([r for r in runs if r.text], block.bullet, block.quote))
    return [b for b in result if b.runs]


def to_plain(text: str) -> str:
    """Return limited Markdown as plain text: styles dropped, list bullets and line breaks kept."""
    lines = []
    for block in blocks(text):
        body = "\n".join(line.strip(" ") for line in block.text.split("\n"))
        lines.append(f"{block.bullet} {body}" if block.bullet else body)
    return "\n".join(lines)


def text_direction(text: str) -> str:
    """Return ``rtl`` when the first strongly directional letter is right-to-left, else ``ltr``."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def xml_safe(text: str) -> str:
    """Return text without the control characters XML-based files (docx, xlsx, XForms) cannot hold."""
    return _NOT_XML.sub("", text)
