"""The item bank CSV, read back with the csv module."""

from __future__ import annotations

import csv
import io

from workshop.core.content import ToolContent
from workshop.core.drafts import VersionInfo
from workshop.export.csv import COLUMNS
from workshop.export.formats import export

from .conftest import missing


def _read(content: ToolContent, info: VersionInfo) -> list[dict[str, str]]:
    data = export(content, info, "csv")
    assert data.startswith(b"\xef\xbb\xbf"), "a byte order mark tells spreadsheets the file is UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_one_row_per_item_in_tool_order(content: ToolContent, info: VersionInfo) -> None:
    rows = _read(content, info)
    assert tuple(rows[0].keys()) == COLUMNS
    assert [r["item_id"] for r in rows] == [i.id for _, _, i in content.items()]
    for row, (_, _, item) in zip(rows, content.items(), strict=True):
        assert row["code"] == item.code and row["response_type"] == item.response_type
        assert row["required"] == ("yes" if item.required else "no")
        assert row["options"].count("=") >= len(item.options)


def test_template_row_reads_as_an_item_bank(template: ToolContent, info: VersionInfo) -> None:
    row = {r["code"]: r for r in _read(template, info)}["emo_coping"]
    assert row["domain"] == "Personal" and row["topic"] == "Emotional regulation"
    assert row["options"].startswith("1=Strongly disagree | 2=Disagree")
    assert row["triage"] == (
        "If the answer is Strongly disagree or Disagree: Offer a confidential occupational health referral"
    )


def test_awkward_text_survives_and_formulas_are_defused(awkward: ToolContent, info: VersionInfo) -> None:
    rows = {r["code"]: r for r in _read(awkward, info)}
    assert not missing(" ".join(v for r in rows.values() for v in r.values()))
    assert rows["q_formula"]["stem"] == "'=SUM(A1) looks like a formula"
    assert rows["q_multi"]["show_when"].startswith("Shown only when q_quotes is ")
