"""The XLSForm, converted to an XForm by pyxform (and checked by ODK Validate where Java is present)."""

from __future__ import annotations

import io
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
import pyxform
from pyxform.xls2xform import convert

from workshop.core.changes import apply_changes
from workshop.core.content import ToolContent
from workshop.core.drafts import VersionInfo
from workshop.core.errors import Invalid
from workshop.export.formats import export

from .conftest import missing

XF = "{http://www.w3.org/2002/xforms}"
JR = "{http://openrosa.org/javarosa}"
ODK_VALIDATE = Path(pyxform.__file__).parent / "validators" / "odk_validate" / "bin" / "ODK_Validate.jar"


def _convert(data: bytes, *, validate: bool = False) -> tuple[ET.Element, list[str]]:
    warnings: list[str] = []
    result = convert(xlsform=data, warnings=warnings, file_type=".xlsx", validate=validate)
    return ET.fromstring(result.xform), warnings


def _binds(xform: ET.Element) -> dict[str, dict[str, str]]:
    return {b.attrib["nodeset"].rsplit("/", 1)[1]: b.attrib for b in xform.iter(f"{XF}bind")}


def test_pyxform_converts_it_without_warnings(content: ToolContent, info: VersionInfo) -> None:
    xform, warnings = _convert(export(content, info, "xlsform"))
    assert warnings == []
    binds = _binds(xform)
    for _, _, item in content.items():
        assert item.code in binds
        assert (binds[item.code].get("required") == "true()") == item.required, item.code


def test_odk_validate_accepts_it(content: ToolContent, info: VersionInfo) -> None:
    if shutil.which("java") is None or not ODK_VALIDATE.exists():
        pytest.skip("ODK Validate needs Java and pyxform's bundled ODK_Validate.jar")
    _, warnings = _convert(export(content, info, "xlsform"), validate=True)
    assert warnings == []


def test_sheets_groups_and_types(template: ToolContent, info: VersionInfo) -> None:
    book = openpyxl.load_workbook(io.BytesIO(export(template, info, "xlsform")))
    assert book.sheetnames == ["survey", "choices", "settings"]
    survey = list(book["survey"].iter_rows(values_only=True))
    header, rows = survey[0], [dict(zip(survey[0], r, strict=True)) for r in survey[1:]]
    assert header[:3] == ("type", "name", "label")
    types: dict[str, str] = {}
    for row in rows:
        types.setdefault(row["name"], row["type"])  # an end_group row repeats its group's name
    assert types["domain-personal"] == "begin_group" and types["topic-work_life_balance"] == "begin_group"
    assert sum(r["type"] == "begin_group" for r in rows) == sum(r["type"] == "end_group" for r in rows)
    assert types["wlb_balance"].startswith("select_one ") and types["fjc_adjustments"].startswith("select_multiple ")
    assert types["eng_return_date"] == "date" and types["cpi_where_to_ask"] == "note"
    assert types["spi_confidence"] == "integer" and types["wd_concerns"] == "text"
    scale = next(r for r in rows if r["name"] == "spi_confidence")
    assert scale["constraint"] == ". >= 0 and . <= 10"
    assert next(r for r in rows if r["name"] == "wlb_balance")["hint"].startswith("Think about your planned hours")
    settings = dict(zip(*book["settings"].iter_rows(values_only=True), strict=True))
    assert settings["form_id"] == "returning_doctors_needs_assessment_starter_draft" and settings["version"] == "12"
    choices = list(book["choices"].iter_rows(values_only=True))[1:]
    lists = {r[0] for r in choices}
    assert len(lists) < sum(1 for _, _, i in template.items() if i.options), "equal option sets share one list"


def test_relevance_and_triage_flags(awkward: ToolContent, info: VersionInfo) -> None:
    xform, _ = _convert(export(awkward, info, "xlsform"))
    binds = _binds(xform)
    assert "selected(" in binds["q_multi"]["relevant"] and "'x_y'" in binds["q_multi"]["relevant"]
    assert "<= 3" in binds["q_long"]["relevant"]
    assert binds["q_never"]["relevant"] == "selected( /data/domain-dom_a/topic-top_a/q_quotes , 'B2')", (
        "scored 1 or less"
    )
    assert binds["q_scale_triage"]["calculate"].startswith("if(")
    assert ">= 7.5" in binds["q_scale_triage"]["calculate"]
    assert binds["q_scale"]["type"] == "int" and binds["q_date"]["type"] == "date"


def test_awkward_text_survives(awkward: ToolContent, info: VersionInfo) -> None:
    data = export(awkward, info, "xlsform")
    xform, _ = _convert(data)
    assert not missing(" ".join(xform.itertext()))
    book = openpyxl.load_workbook(io.BytesIO(data))
    formula = [c for row in book["survey"].iter_rows() for c in row if str(c.value).startswith("=SUM")]
    assert formula and all(c.data_type == "s" for c in formula), "text that looks like a formula stays text"


def test_a_code_xlsform_reserves_is_refused_when_the_tool_is_edited(template: ToolContent) -> None:
    item = template.items()[0][2]
    with pytest.raises(Invalid, match="'meta' is reserved by REDCap or XLSForm"):
        apply_changes(template, [{"op": "update_item", "item_id": item.id, "set": {"code": "meta"}}])
