"""Tools to export: the rtw-review template and an awkward tool, plus the text that must survive export."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from workshop.core import toolformat
from workshop.core.changes import apply_changes
from workshop.core.content import ToolContent
from workshop.core.drafts import VersionInfo

XSS = "<img src=x onerror=alert(1)>"
QUOTES = "He said \"yes, please\", then 'no'; commas, semicolons | pipes"
ARABIC = "هل تشعر بالدعم في عملك"
HEBREW = "האם אתה מרגיש תמיכה"
EMOJI = "Feeling 😀 today 🎉"
EMPHASIS = "I feel **strongly supported** by *my team*"
EMPHASIS_WORDS = "I feel strongly supported by my team"
OPTION_LABEL = 'Yes, "often" | sometimes'
TEMPLATE_LIKE = "Cost in ${currency} [not_a_field] @HIDDEN"
LONG = " ".join(f"word{n:04d}" for n in range(250))[:2000].rstrip()
#: Text that every format must carry (after whitespace and Markdown emphasis are set aside).
AWKWARD_TEXTS = (XSS, QUOTES, ARABIC, HEBREW, EMOJI, EMPHASIS_WORDS, OPTION_LABEL, LONG, "Second line, with a comma")


def _item(code: str, stem: str, response_type: str, **fields: object) -> dict[str, object]:
    return {"id": f"itm_{code}", "code": code, "stem": stem, "response_type": response_type, **fields}


def _add(topic: str, item: dict[str, object]) -> dict[str, object]:
    return {"op": "add_item", "topic_id": topic, "item": item}


def build_awkward(*, emoji: bool = True) -> ToolContent:
    """Return a tool whose text and structure are as awkward as the rules allow (``emoji=False``: without emoji)."""
    feeling = EMOJI if emoji else "Feeling fine today"
    options = [
        {"code": "a", "label": OPTION_LABEL, "score": 2},
        {"code": "B2", "label": "No, never", "score": 1},
        {"code": "x_y", "label": ARABIC},
        {"code": "07", "label": "Leading zero"},
    ]
    multi = [{"code": "1", "label": "One"}, {"code": "x", "label": f"Ex {XSS}"}, {"code": "other", "label": feeling}]
    changes = [
        {
            "op": "set_tool",
            "set": {"title": f'Awkward "tool", <b>bold</b> & {ARABIC}', "description": "Line 1\nLine 2"},
        },
        {"op": "add_domain", "domain": {"id": "dom_a", "title": f"Domain {XSS}", "description": "First\n\nsecond"}},
        {"op": "add_topic", "domain_id": "dom_a", "topic": {"id": "top_a", "title": f'Topic {HEBREW}, "quoted"'}},
        {"op": "add_topic", "domain_id": "dom_a", "topic": {"id": "top_empty", "title": "A topic with no items"}},
        {"op": "add_domain", "domain": {"id": "dom-b", "title": "Second domain"}},
        {"op": "add_topic", "domain_id": "dom-b", "topic": {"id": "9top", "title": "Topic id starting with a digit"}},
        _add(
            "top_a",
            _item(
                "q_xss",
                f"Do you agree? {XSS}",
                "agreement",
                help=f"Help with {XSS} and **bold**",
                required=True,
                triage={"when": {"operator": "any_of", "value": ["1", "2"]}, "action": f"Refer {XSS} @HIDDEN"},
            ),
        ),
        _add("top_a", _item("q_quotes", f"{QUOTES}\nSecond line, with a comma", "single_choice", options=options)),
        _add(
            "top_a",
            _item(
                "q_multi",
                f"{feeling}: choose all that apply",
                "multiple_choice",
                options=multi,
                required=True,
                show_when={"item_id": "itm_q_quotes", "when": {"operator": "any_of", "value": ["a", "x_y"]}},
            ),
        ),
        _add(
            "top_a",
            _item(
                "q_scale",
                f"{ARABIC}؟",
                "scale_0_10",
                help=HEBREW,
                show_when={"item_id": "itm_q_multi", "when": {"operator": "any_of", "value": ["x", "other"]}},
                triage={"when": {"operator": "at_least", "value": 7.5}, "action": "Call the team"},
            ),
        ),
        _add(
            "top_a",
            _item(
                "q_long",
                LONG,
                "long_text",
                show_when={"item_id": "itm_q_scale", "when": {"operator": "at_most", "value": 3}},
            ),
        ),
        _add(
            "top_a",
            _item(
                "q_emph",
                EMPHASIS,
                "short_text",
                help="See [the policy](https://example.org/policy) and [this](javascript:alert(1))",
                show_when={"item_id": "itm_q_quotes", "when": {"operator": "at_least", "value": 2}},
            ),
        ),
        _add("9top", _item("q_date", f"When? {HEBREW}", "date", respondent="supervisor", required=True)),
        _add("9top", _item("q_display", f"Thank you! {XSS}\n\n- point one\n- point two", "display", help="Aside")),
        _add("9top", _item("q_formula", "=SUM(A1) looks like a formula", "yes_no_na", respondent="oh_professional")),
        _add(
            "9top",
            _item(
                "q_never",
                TEMPLATE_LIKE,
                "yes_no_na",
                respondent="joint",
                show_when={"item_id": "itm_q_quotes", "when": {"operator": "at_most", "value": 1}},
            ),
        ),
    ]
    content, _ = apply_changes(toolformat.template("blank"), changes)
    return content


@pytest.fixture(scope="session")
def info() -> VersionInfo:
    """Return the metadata of a saved version (no database needed)."""
    return VersionInfo(
        tool_id=7,
        number=12,
        parent_number=11,
        kind="edit",
        created_at=datetime(2026, 3, 4, 15, 16, 17, tzinfo=UTC),
        author="facilitator: Dr Ada",
        note="After workshop 2",
        name="agreed after workshop 2",
        digest="0" * 64,
        changes=[],
        agreed=True,
    )


@pytest.fixture(scope="session")
def template() -> ToolContent:
    """Return the rtw-review template."""
    return toolformat.template("rtw-review")


@pytest.fixture(scope="session")
def awkward() -> ToolContent:
    """Return the awkward tool."""
    return build_awkward()


@pytest.fixture(params=["rtw-review", "awkward"])
def content(request: pytest.FixtureRequest) -> ToolContent:
    """Return each tool in turn."""
    return request.getfixturevalue("template" if request.param == "rtw-review" else "awkward")


def squash(text: str) -> str:
    """Return text without whitespace, zero-width spaces or Markdown emphasis marks, for finding words."""
    return re.sub(r"[\s\u200b*_]+", "", text)


def missing(haystack: str, texts: tuple[str, ...] = AWKWARD_TEXTS) -> list[str]:
    """Return the texts not found in ``haystack`` (both compared squashed)."""
    flat = squash(haystack)
    return [t for t in texts if squash(t) not in flat]
