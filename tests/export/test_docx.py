"""The Word paper form, reopened with python-docx."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

from workshop.core.content import ToolContent
from workshop.core.drafts import VersionInfo
from workshop.export.docx import BOX, LINE
from workshop.export.formats import export

from .conftest import ARABIC, missing


def _open(content: ToolContent, info: VersionInfo):  # type: ignore[no-untyped-def]
    return docx.Document(io.BytesIO(export(content, info, "docx")))


def _all_text(document) -> str:  # type: ignore[no-untyped-def]
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_headings_follow_domains_and_topics(template: ToolContent, info: VersionInfo) -> None:
    document = _open(template, info)
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == ("Title", template.title)
    expected = []
    for domain in template.domains:
        expected.append(("Heading 1", domain.title))
        expected += [("Heading 2", t.title) for t in domain.topics]
    assert headings[1 : 1 + len(expected)] == expected
    assert document.core_properties.title == template.title


def test_each_item_is_laid_out_to_fill_on_paper(template: ToolContent, info: VersionInfo) -> None:
    document = _open(template, info)
    texts = [p.text for p in document.paragraphs]
    boxes = [t for t in texts if t.startswith(BOX)]
    assert len(boxes) == sum(len(i.options) for _, _, i in template.items())
    assert f"{BOX}  Strongly disagree" in boxes
    counts = {rt: sum(i.response_type == rt for _, _, i in template.items()) for rt in ("short_text", "long_text")}
    assert texts.count(LINE) == counts["short_text"] + 4 * counts["long_text"]
    assert sum(t.startswith("Date:") for t in texts) == sum(i.response_type == "date" for _, _, i in template.items())
    scales = [t for t in document.tables if len(t.columns) == 11]
    assert len(scales) == sum(i.response_type == "scale_0_10" for _, _, i in template.items())
    assert [c.text for c in scales[0].rows[0].cells] == [str(n) for n in range(11)]
    assert {c.text for c in scales[0].rows[1].cells} == {BOX}
    assert any(t.startswith("3.  I feel able to manage") for t in texts), "questions are numbered"
    stem = next(p for p in document.paragraphs if p.text.startswith("3.  "))
    assert stem.paragraph_format.keep_with_next, "a question is kept on one page with its answers"
    last_option = next(p for p in document.paragraphs if p.text == f"{BOX}  Strongly agree")
    assert not last_option.paragraph_format.keep_with_next


def test_appendix_gives_codes_and_triage(template: ToolContent, info: VersionInfo) -> None:
    document = _open(template, info)
    codes = document.tables[-1]
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in codes.rows[1:]}
    assert rows["emo_coping"][2].startswith("1 = Strongly disagree; 2 = Disagree")
    assert rows["emo_coping"][3].endswith("Offer a confidential occupational health referral")


def test_awkward_text_survives_and_right_to_left_is_marked(awkward: ToolContent, info: VersionInfo) -> None:
    document = _open(awkward, info)
    assert not missing(_all_text(document))
    rtl = [p for p in document.paragraphs if p._p.pPr is not None and p._p.pPr.find(qn("w:bidi")) is not None]
    assert any(ARABIC in p.text for p in rtl)
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert "strongly supported" in bold, "Markdown emphasis becomes Word bold"
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith("Answer only if your answer to question 2 was ") for t in texts)
