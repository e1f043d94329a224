"""A tool version as a Word document laid out as a paper form: boxes to tick and lines to write on."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt, RGBColor

from ..core.content import Item, ToolContent
from ..core.drafts import VersionInfo
from .markup import Block, blocks, text_direction, xml_safe
from .wording import (
    INSTRUCTIONS,
    RESPONDENT_LABELS,
    condition_phrase,
    question_numbers,
    triage_phrase,
    version_line,
)

BOX = "☐"
LINE = "_" * 70
GREY = RGBColor(0x55, 0x55, 0x55)
RED = RGBColor(0x8A, 0x1C, 0x1C)


def _set_rtl(paragraph: Any) -> None:
    """Mark a paragraph and its runs right-to-left, so Word lays out Arabic or Hebrew properly."""
    paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))
    for run in paragraph.runs:
        run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))


def _paragraph(
    doc: Any, text: str = "", *, italic: bool = False, size: float | None = None, indent: bool = False
) -> Any:
    paragraph = doc.add_paragraph()
    if text:
        run = paragraph.add_run(xml_safe(text))
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)
        if italic:
            run.font.color.rgb = GREY
    if indent:
        paragraph.paragraph_format.left_indent = Cm(0.8)
    paragraph.paragraph_format.space_after = Pt(2)
    if text_direction(text) == "rtl":
        _set_rtl(paragraph)
    return paragraph


def _markdown(doc: Any, text: str, *, prefix: str = "", bold: bool = False, small: bool = False) -> list[Any]:
    """Add limited Markdown as paragraphs and return them."""
    added = []
    parsed: list[Block] = blocks(text)
    for index, block in enumerate(parsed):
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        if index == 0 and prefix:
            paragraph.add_run(prefix).bold = True
        else:
            paragraph.paragraph_format.left_indent = Cm(0.8)
        if block.bullet:
            paragraph.add_run(f"{block.bullet} ")
        for piece in block.runs:
            run = paragraph.add_run(xml_safe(piece.text))
            run.bold = (bold or piece.bold) or None
            run.italic = (small or piece.italic) or None
            if piece.code:
                run.font.name = "Courier New"
            if small:
                run.font.size = Pt(9.5)
                run.font.color.rgb = GREY
        if text_direction(block.text) == "rtl":
            _set_rtl(paragraph)
        added.append(paragraph)
    return added


def _scale(doc: Any) -> None:
    table = doc.add_table(rows=2, cols=11)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for n, (top, bottom) in enumerate(zip(table.rows[0].cells, table.rows[1].cells, strict=True)):
        top.text, bottom.text = str(n), BOX
        for cell in (top, bottom):
            cell.width = Cm(1.1)
            cell.paragraphs[0].alignment = 1  # centred


def _response(doc: Any, item: Item) -> list[Any]:
    """Add where the answer goes; return the paragraphs added (none for the 0-10 table)."""
    if item.options:
        return [_paragraph(doc, f"{BOX}  {option.label}", indent=True) for option in item.options]
    if item.response_type == "scale_0_10":
        _scale(doc)
        return []
    if item.response_type == "short_text":
        return [_paragraph(doc, LINE, indent=True)]
    if item.response_type == "long_text":
        return [_paragraph(doc, LINE, indent=True) for _ in range(4)]
    if item.response_type == "date":
        return [_paragraph(doc, "Date:  ____ / ____ / ________   (day / month / year)", indent=True)]
    return []


def _item(doc: Any, item: Item, content: ToolContent, numbers: dict[str, int]) -> None:
    added = []
    if item.show_when is not None:
        target = content.item(item.show_when.item_id)
        if target is not None:
            asked = f"question {numbers[target.id]}" if target.id in numbers else target.code
            phrase = condition_phrase(item.show_when.when, target).replace("is ", "was ", 1)
            added.append(_paragraph(doc, f"Answer only if your answer to {asked} {phrase}.", italic=True, size=9.5))
    prefix = f"{numbers[item.id]}.  " if item.id in numbers else ""
    stem = _markdown(doc, item.stem, prefix=prefix, bold=item.response_type != "display")
    if item.required and stem:
        stem[0].add_run(" *").font.color.rgb = RED
    added += stem
    if item.help.strip():
        added += _markdown(doc, item.help, small=True)
    instruction = INSTRUCTIONS.get(item.response_type, "")
    if item.respondent != "returner":
        instruction = f"{instruction} (To be answered by: {RESPONDENT_LABELS.get(item.respondent, item.respondent)}.)"
    if instruction.strip():
        added.append(_paragraph(doc, instruction.strip(), italic=True, size=9.5))
    response = _response(doc, item)
    # Keep a question on one page with its answers: each paragraph stays with the next (the 0-10 table included).
    for paragraph in (added + response)[: None if item.response_type == "scale_0_10" else -1]:
        paragraph.paragraph_format.keep_with_next = True
    doc.add_paragraph().paragraph_format.space_after = Pt(4)


def _appendix(doc: Any, content: ToolContent, numbers: dict[str, int]) -> None:
    """Add the codes a team needs to enter paper answers, and the triage rules."""
    rows = [(i, it) for _, _, it in content.items() if (i := numbers.get(it.id))]
    if not rows:
        return
    doc.add_page_break()
    doc.add_heading("For the research team: data entry codes and triage", level=1)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, ("Question", "Variable", "Answer codes", "Triage"), strict=True):
        cell.text = title
    for number, item in rows:
        codes = "; ".join(f"{o.code} = {o.label}" for o in item.options)
        cells = table.add_row().cells
        for cell, text in zip(cells, (str(number), item.code, codes, triage_phrase(item)), strict=True):
            cell.text = xml_safe(text)


def render(content: ToolContent, info: VersionInfo) -> bytes:
    """Return the version as a .docx paper form."""
    doc = Document()
    doc.core_properties.title = xml_safe(content.title)[:255]
    doc.core_properties.subject = xml_safe(version_line(info))[:255]
    doc.core_properties.author = "workshop"
    numbers = question_numbers(content)
    title = doc.add_heading(xml_safe(content.title), level=0)
    if text_direction(content.title) == "rtl":
        _set_rtl(title)
    _paragraph(doc, version_line(info), italic=True, size=9.5)
    if content.description.strip():
        _paragraph(doc, content.description.strip())
    if any(i.required for _, _, i in content.items()):
        _paragraph(doc, "Questions marked * need an answer.", italic=True, size=9.5)
    for domain in content.domains:
        heading = doc.add_heading(xml_safe(domain.title), level=1)
        if text_direction(domain.title) == "rtl":
            _set_rtl(heading)
        if domain.description.strip():
            _paragraph(doc, domain.description.strip(), italic=True)
        for topic in domain.topics:
            heading = doc.add_heading(xml_safe(topic.title), level=2)
            if text_direction(topic.title) == "rtl":
                _set_rtl(heading)
            if topic.description.strip():
                _paragraph(doc, topic.description.strip(), italic=True)
            for item in topic.items:
                _item(doc, item, content, numbers)
    _appendix(doc, content, numbers)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
