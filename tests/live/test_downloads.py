"""Downloads from the console after a real workshop: every tool format, the record and the anonymised votes."""

from __future__ import annotations

import csv
import io
import json
import subprocess

import pytest
from pypdf import PdfReader

from tests.live.harness import WORKSHOP, Client, Facilitator, Server, another_facilitator, join
from workshop.export.formats import FORMATS


@pytest.fixture
def finished(server: Server, facilitator: Facilitator) -> dict:  # type: ignore[type-arg]
    """Run a small workshop: a reworded item accepted after a vote, and a rating round."""
    workshop = facilitator.new_workshop()
    console = Client(server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    phones = [
        Client(server, {"token": join(server, workshop["code"], name=f"Dr Name{i}", group=g)["token"]}).connect()
        for i, g in enumerate(["returner", "returner", "supervisor"])
    ]
    console.call("phase.set", {"phase": "discuss"})
    item = phones[0].sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][0]
    proposal = phones[0].call(
        "proposal.submit", {"kind": "reword", "change": {"item_id": item["id"], "stem": "Reworded in the room"}}
    )
    round_id = console.call("round.open")["round"]["id"]
    for phone in phones:
        phone.call(
            "vote.cast", {"round_id": round_id, "subject": f"proposal:{proposal['proposal']['id']}", "value": "agree"}
        )
    console.call("proposal.accept", {"proposal_id": proposal["proposal"]["id"]})
    rating = console.call("round.open", {"kind": "rating", "item_ids": [item["id"]]})["round"]["id"]
    for phone, value in zip(phones, [9, 8, 7], strict=True):
        phone.call("vote.cast", {"round_id": rating, "subject": f"item:{item['id']}", "value": value})
    console.call("round.close", {"round_id": rating})
    return workshop


def test_every_tool_format_downloads_from_the_console(server: Server, facilitator: Facilitator, finished: dict) -> None:  # type: ignore[type-arg]
    tool = finished["tool_id"]
    for fmt, spec in FORMATS.items():
        response = facilitator.http.get(f"{server.url}/console/tools/{tool}/versions/latest/export/{fmt}", timeout=120)
        assert response.status_code == 200, (fmt, response.text[:200])
        assert response.headers["Content-Type"].split(";")[0] == spec.mimetype.split(";")[0]
        assert "attachment" in response.headers["Content-Disposition"]
        if spec.is_text:
            assert "Reworded in the room" in response.content.decode("utf-8"), fmt
    pdf = facilitator.http.get(f"{server.url}/console/tools/{tool}/versions/2/export/pdf", timeout=120).content
    assert "Reworded in the room" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    doc = json.loads(
        facilitator.http.get(f"{server.url}/console/tools/{tool}/versions/1/export/json", timeout=30).content
    )
    assert doc["version"]["number"] == 1


def test_record_and_votes_download_without_names(server: Server, facilitator: Facilitator, finished: dict) -> None:  # type: ignore[type-arg]
    base = f"{server.url}/console/workshops/{finished['id']}/record"
    html = facilitator.http.get(f"{base}/html", timeout=60).text
    assert "Consensus rule, set before the round opened: On a 1-9 scale" in html
    assert "<script" not in html.lower() and "Dr Name" not in html
    md = facilitator.http.get(f"{base}/md", timeout=60).text
    assert "## Participation" in md and "| Returning doctor | 2 |" in md and "| Supervisor | 1 |" in md
    assert "1 reworded" in md and "Dr Name" not in md
    pdf = facilitator.http.get(f"{base}/pdf", timeout=120).content
    assert "Participation" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    votes = list(csv.DictReader(io.StringIO(facilitator.http.get(f"{base}/votes-csv", timeout=60).text)))
    assert len(votes) == 6 and {v["participant"] for v in votes} == {"R001", "R002", "R003"}
    assert sorted(v["value"] for v in votes if v["round"] == "2") == ["7", "8", "9"]
    assert all("Dr Name" not in "".join(v.values()) for v in votes)

    cli = subprocess.run(
        [str(WORKSHOP), "record", str(finished["id"]), "--format", "md", "-o", "-"],
        env=server.env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "## Round 2" in cli.stdout


def test_downloads_need_the_right_facilitator(server: Server, facilitator: Facilitator) -> None:
    workshop = facilitator.new_workshop()
    other = another_facilitator(server, "other@example.org")
    tool_url = f"{server.url}/console/tools/{workshop['tool_id']}/versions/latest/export/md"
    record_url = f"{server.url}/console/workshops/{workshop['id']}/record/md"
    assert other.http.get(tool_url, timeout=10).status_code == 404
    assert other.http.get(record_url, timeout=10).status_code == 404
    import requests

    anonymous = requests.get(record_url, timeout=10, allow_redirects=False)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_console_pages_offer_the_downloads_and_deletion(server: Server, facilitator: Facilitator) -> None:
    workshop = facilitator.new_workshop()
    page = facilitator.http.get(f"{server.url}/console/workshops/{workshop['id']}", timeout=10).text
    for fmt in ("html", "pdf", "md", "votes-csv"):
        assert f"/console/workshops/{workshop['id']}/record/{fmt}" in page
    for fmt in FORMATS:
        assert f"/console/tools/{workshop['tool_id']}/versions/latest/export/{fmt}" in page
    history = facilitator.http.get(f"{server.url}/console/tools/{workshop['tool_id']}/versions", timeout=10).text
    assert f"/console/tools/{workshop['tool_id']}/versions/1/export/redcap" in history

    delete = f"{server.url}/console/workshops/{workshop['id']}/delete"
    unconfirmed = facilitator.http.post(delete, data={"csrf_token": facilitator.csrf}, timeout=10)
    assert unconfirmed.status_code == 422 and "exported the record" in unconfirmed.text
    done = facilitator.http.post(
        delete, data={"csrf_token": facilitator.csrf, "confirm": "yes"}, timeout=10, allow_redirects=False
    )
    assert done.status_code == 302
    assert facilitator.http.get(f"{server.url}/console/workshops/{workshop['id']}", timeout=10).status_code == 404
