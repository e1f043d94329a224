"""The REDCap data dictionary, checked against the rules REDCap applies when one is uploaded."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import pytest

from workshop.core.content import ToolContent
from workshop.core.drafts import VersionInfo
from workshop.export.formats import export

from .conftest import XSS, missing

#: The 18 columns of a REDCap data dictionary, spelled and ordered as REDCap's own template has them.
REDCAP_HEADERS = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
]  # fmt: skip
FIELD_TYPES = {"text", "notes", "dropdown", "radio", "checkbox", "yesno", "truefalse", "calc", "file", "slider"}
FIELD_TYPES |= {"descriptive", "sql"}
VALIDATION_TYPES = {
    "date_ymd", "date_mdy", "date_dmy", "datetime_ymd", "datetime_mdy", "datetime_dmy", "datetime_seconds_ymd",
    "datetime_seconds_mdy", "datetime_seconds_dmy", "time", "time_mm_ss", "integer", "number", "number_1dp",
    "number_2dp", "email", "phone", "zipcode", "alpha_only",
}  # fmt: skip
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
CHOICE = re.compile(r"^\s*(-?[A-Za-z0-9_.]+)\s*,\s*(.+?)\s*$")
COMPARISON = re.compile(r"\[([a-z][a-z0-9_]*)(?:\(([A-Za-z0-9_]+)\))?\]\s*(=|<>|<=|>=|<|>)\s*'([^']*)'")
TAG = re.compile(r"<[^>]*>")


def parse(data: bytes) -> list[dict[str, str]]:
    """Read the CSV as REDCap does: UTF-8, header row first."""
    text = data.decode("utf-8")
    assert not text.startswith("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    assert header == REDCAP_HEADERS
    rows = [dict(zip(header, row, strict=True)) for row in reader]
    assert rows, "a data dictionary needs fields"
    return rows


def _choices(row: dict[str, str]) -> list[tuple[str, str]]:
    pairs = []
    for part in row["Choices, Calculations, OR Slider Labels"].split("|"):
        match = CHOICE.match(part)
        assert match, f"{row['Variable / Field Name']}: bad choice {part!r}"
        pairs.append((match[1], match[2]))
    return pairs


def _check_logic(logic: str, name: str, fields: dict[str, dict[str, Any]]) -> None:
    for var, code, _operator, value in COMPARISON.findall(logic):
        assert var in fields, f"{name}: branching refers to {var}, which is not an earlier field"
        target = fields[var]
        if code:
            assert target["type"] == "checkbox" and code in target["codes"], f"{name}: no checkbox {var}({code})"
            assert value in ("0", "1")
        elif target["type"] in ("radio", "dropdown") and value:
            numeric = target["codes"] == [str(n) for n in range(11)]
            assert value in target["codes"] or numeric, f"{name}: {var} has no choice {value!r}"
    rest = COMPARISON.sub(" ", logic).replace("(", " ").replace(")", " ").split()
    assert set(rest) <= {"and", "or"}, f"{name}: unexpected logic {rest}"
    assert logic.count("(") == logic.count(")")


def check_dictionary(rows: list[dict[str, str]]) -> None:
    """Fail on anything REDCap would refuse at upload."""
    assert rows[0]["Variable / Field Name"] == "record_id" and rows[0]["Field Type"] == "text"
    fields: dict[str, dict[str, Any]] = {}
    forms: list[str] = []
    for row in rows:
        name = row["Variable / Field Name"]
        assert NAME.match(name) and len(name) <= 26, f"bad variable name {name!r}"
        assert name not in fields, f"{name} is used twice"
        form = row["Form Name"]
        assert NAME.match(form), f"bad form name {form!r}"
        if not forms or forms[-1] != form:
            assert form not in forms, "a form's fields must be contiguous"
            forms.append(form)
        kind = row["Field Type"]
        assert kind in FIELD_TYPES, f"{name}: unknown field type {kind}"
        assert row["Field Label"].strip() or kind == "descriptive", f"{name}: no label"
        validation = row["Text Validation Type OR Show Slider Number"]
        assert not validation or (kind == "text" and validation in VALIDATION_TYPES), f"{name}: {validation}"
        codes: list[str] = []
        if kind in ("radio", "checkbox", "dropdown"):
            codes = [code for code, _ in _choices(row)]
            assert len(set(codes)) == len(codes), f"{name}: a choice code is used twice"
            if kind == "checkbox":
                assert all(re.fullmatch(r"[A-Za-z0-9_]+", c) for c in codes), f"{name}: checkbox codes {codes}"
        else:
            assert not row["Choices, Calculations, OR Slider Labels"] or kind in ("calc", "slider", "sql")
        assert row["Required Field?"] in ("", "y") and row["Identifier?"] in ("", "y")
        assert not (kind == "descriptive" and row["Required Field?"]), f"{name}: descriptive fields cannot be required"
        assert row["Custom Alignment"] in ("", "LV", "LH", "RV", "RH")
        assert row["Matrix Ranking?"] in ("", "y")
        if row["Branching Logic (Show field only if...)"]:
            _check_logic(row["Branching Logic (Show field only if...)"], name, fields)
        fields[name] = {"type": kind, "codes": codes}


def test_dictionary_passes_the_upload_rules(content: ToolContent, info: VersionInfo) -> None:
    check_dictionary(parse(export(content, info, "redcap")))


def test_the_checker_catches_what_redcap_refuses() -> None:
    good = {h: "" for h in REDCAP_HEADERS} | {"Form Name": "f", "Field Type": "text", "Field Label": "x"}
    record = good | {"Variable / Field Name": "record_id"}
    broken = [
        good | {"Variable / Field Name": "Bad-Name"},
        good | {"Variable / Field Name": "a", "Field Type": "radio", "Choices, Calculations, OR Slider Labels": "1"},
        good | {"Variable / Field Name": "b", "Branching Logic (Show field only if...)": "[later] = '1'"},
        good | {"Variable / Field Name": "c", "Text Validation Type OR Show Slider Number": "date"},
        good | {"Variable / Field Name": "d", "Field Type": "multiple"},
    ]
    for row in broken:
        with pytest.raises(AssertionError):
            check_dictionary([record, row])


def test_fields_follow_the_tool(template: ToolContent, info: VersionInfo) -> None:
    rows = parse(export(template, info, "redcap"))
    by_name = {r["Variable / Field Name"]: r for r in rows}
    assert [r["Variable / Field Name"] for r in rows[1:]] == [i.code for _, _, i in template.items()]
    assert {r["Form Name"] for r in rows} == {"returning_doctors_needs_assessment_starter_draft"}
    assert by_name["wlb_balance"]["Section Header"] == "Personal: Work-life balance"
    assert by_name["wlb_caring"]["Section Header"] == ""
    assert by_name["wlb_balance"]["Choices, Calculations, OR Slider Labels"].startswith("1, Strongly disagree | 2, ")
    assert by_name["wlb_caring"]["Choices, Calculations, OR Slider Labels"] == "1, Yes | 0, No | 2, Not applicable"
    assert by_name["fjc_adjustments"]["Field Type"] == "checkbox"
    assert by_name["wd_concerns"]["Field Type"] == "notes"
    assert by_name["eng_return_date"]["Text Validation Type OR Show Slider Number"] == "date_ymd"
    assert by_name["cpi_where_to_ask"]["Field Type"] == "descriptive"
    scale = by_name["spi_confidence"]
    assert scale["Choices, Calculations, OR Slider Labels"].split(" | ")[-1] == "10, 10"
    assert "TRIAGE" in scale["Field Annotation"] and "[spi_confidence] <= '3'" in scale["Field Annotation"]
    assert by_name["cc_fits_hours"]["Branching Logic (Show field only if...)"] == "[wlb_caring] = '1'"


def test_non_numeric_codes_map_consistently_with_branching(awkward: ToolContent, info: VersionInfo) -> None:
    by_name = {r["Variable / Field Name"]: r for r in parse(export(awkward, info, "redcap"))}
    quotes = dict(_choices(by_name["q_quotes"]))
    assert quotes["1"].startswith("Yes") and quotes["3"] == html.escape("هل تشعر بالدعم في عملك")
    assert "1 = a; 2 = B2; 3 = x_y; 4 = 07" in by_name["q_quotes"]["Field Annotation"]
    assert by_name["q_multi"]["Branching Logic (Show field only if...)"] == "([q_quotes] = '1' or [q_quotes] = '3')"
    assert by_name["q_scale"]["Branching Logic (Show field only if...)"] == "([q_multi(2)] = '1' or [q_multi(3)] = '1')"
    assert by_name["q_long"]["Branching Logic (Show field only if...)"] == "[q_scale] <> '' and [q_scale] <= '3'"


def test_awkward_text_survives_as_escaped_label_html(awkward: ToolContent, info: VersionInfo) -> None:
    rows = parse(export(awkward, info, "redcap"))
    labels = [r[h] for r in rows for h in ("Section Header", "Field Label", "Choices, Calculations, OR Slider Labels")]
    assert not any(XSS in label or "<img" in label for label in labels), "labels are HTML in REDCap"
    shown = html.unescape(TAG.sub(" ", " ".join(labels + [r["Field Note"] for r in rows])))
    assert not missing(shown)
    by_name = {r["Variable / Field Name"]: r for r in rows}
    assert "<strong>strongly supported</strong>" in by_name["q_emph"]["Field Label"]
    assert "&#91;not_a_field]" in by_name["q_never"]["Field Label"], "square brackets would be read as piping"
    assert "@HIDDEN" not in by_name["q_xss"]["Field Annotation"], "an action tag must not come from text"


def test_linkml_redcap_schema_accepts_every_row(content: ToolContent, info: VersionInfo) -> None:
    linkml_redcap = pytest.importorskip("linkml_redcap", reason="linkml-redcap is an optional cross-check")
    yaml = pytest.importorskip("yaml")
    schema = yaml.safe_load(linkml_redcap.schema_path().read_text("utf-8"))
    enums = {name: set(e["permissible_values"]) for name, e in schema["enums"].items()}
    attributes = schema["classes"]["Field"]["attributes"]
    choice_pattern = schema["classes"]["Choice"]["attributes"]["raw_value"]["pattern"]
    for row in parse(export(content, info, "redcap")):
        assert re.fullmatch(attributes["variable_field_name"]["pattern"], row["Variable / Field Name"])
        assert re.fullmatch(attributes["form_name"]["pattern"], row["Form Name"])
        assert row["Field Type"] in enums["FieldType"]
        assert row["Text Validation Type OR Show Slider Number"] in enums["TextValidationType"] | {""}
        assert row["Custom Alignment"] in enums["CustomAlignment"] | {""}
        if row["Field Type"] in ("radio", "checkbox"):
            assert all(re.fullmatch(choice_pattern, code) for code, _ in _choices(row))
