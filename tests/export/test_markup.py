"""Limited Markdown: safe HTML, plain text and runs."""

from __future__ import annotations

from workshop.export.markup import blocks, text_direction, to_html, to_inline_html, to_plain, xml_safe

from .conftest import ARABIC, HEBREW, XSS


def test_raw_html_is_text_not_markup() -> None:
    rendered = to_html(f"Hello {XSS} <script>alert(1)</script>")
    assert "<img" not in rendered and "<script" not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered


def test_emphasis_lists_and_line_breaks_render() -> None:
    rendered = to_html("I feel **very** *well*\nnext line\n\n- one\n- two")
    assert "<strong>very</strong>" in rendered and "<em>well</em>" in rendered
    assert "<br>" in rendered and "<ul>" in rendered and "<li>two</li>" in rendered


def test_dangerous_links_lose_their_target_and_safe_ones_get_rel() -> None:
    rendered = to_html("[a](javascript:alert(1)) [b](https://example.org) [c](data:text/html,x)")
    assert "javascript:" not in rendered and "data:" not in rendered
    assert '<a href="https://example.org" rel="noopener noreferrer">b</a>' in rendered


def test_tags_outside_the_allowlist_keep_their_text() -> None:
    assert to_html("# Heading\n\ntext") == "Heading\n<p>text</p>"


def test_inline_html_drops_a_lone_paragraph_wrapper() -> None:
    assert to_inline_html("plain *words*") == "plain <em>words</em>"
    assert to_inline_html("one\n\ntwo").startswith("<p>")


def test_plain_text_keeps_words_breaks_bullets_and_link_targets() -> None:
    assert to_plain("I feel **very** *well*") == "I feel very well"
    assert to_plain("a\nb") == "a\nb"
    assert to_plain("Intro\n\n- one\n- two\n\n1. first\n2. second") == "Intro\n• one\n• two\n1. first\n2. second"
    assert to_plain("See [policy](https://example.org/p)") == "See policy (https://example.org/p)"
    assert to_plain(XSS) == XSS


def test_blocks_carry_styles() -> None:
    (block,) = blocks("plain **bold** *it* `code`")
    styled = {r.text: (r.bold, r.italic, r.code) for r in block.runs}
    assert styled["bold"] == (True, False, False)
    assert styled["it"] == (False, True, False)
    assert styled["code"] == (False, False, True)


def test_direction_follows_the_first_strong_letter() -> None:
    assert text_direction(ARABIC) == "rtl"
    assert text_direction(f"  123 {HEBREW} and English") == "rtl"
    assert text_direction(f"English then {ARABIC}") == "ltr"
    assert text_direction("123 ...") == "ltr"


def test_xml_safe_removes_only_illegal_characters() -> None:
    assert xml_safe("a\x00b\x0bc\td\ne\u2028f") == "abc\td\ne\u2028f"
