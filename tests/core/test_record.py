"""The workshop record and the anonymised votes, built through the core's own actions (no server)."""

from __future__ import annotations

import uuid
from typing import Any

from workshop.core import accounts, actions, drafts, record, toolformat, workshops
from workshop.core.actors import CLI
from workshop.core.live import Viewer
from workshop.db import Database


def _act(db: Database, viewer: Viewer, name: str, data: dict[str, Any]) -> dict[str, Any]:
    with db.write() as s:
        return actions.perform(s, viewer, name, {"op_id": uuid.uuid4().hex, **data}).reply


def _workshop(db: Database) -> tuple[Viewer, list[Viewer], int]:
    with db.write() as s:
        facilitator = accounts.create(s, "f@example.org", "long enough password")
        tool = drafts.create_tool(s, CLI, toolformat.template("rtw-review")).tool_id
        drafts.get_tool(s, tool).owner_id = facilitator.id
        workshop = workshops.open_workshop(s, facilitator.id, tool, "Workshop one")
        phones = []
        for group, name in [("returner", "Dr A"), ("returner", "Dr B"), ("supervisor", "Dr C")]:
            participant, _token, _ = workshops.join(
                s, workshop, {"acknowledged": True, "group": group, "display_name": name}
            )
            phones.append(
                Viewer("participant", workshop.id, participant_id=participant.id, label=participant.pseudonym)
            )
        return Viewer("facilitator", workshop.id, facilitator_id=facilitator.id), phones, workshop.id


def test_record_holds_counts_rules_statistics_versions_and_no_names(db: Database) -> None:
    console, phones, workshop_id = _workshop(db)
    with db.read() as s:
        item = drafts.read(s, 1, 1).items()[0][2]
    _act(db, console, "phase.set", {"phase": "discuss"})
    proposal = _act(db, phones[0], "proposal.submit", {"kind": "reword", "change": {"item_id": item.id, "stem": "New"}})
    pid = proposal["proposal"]["id"]
    round_id = _act(db, console, "round.open", {})["round"]["id"]
    for phone, value in zip(phones, ["agree", "agree", "disagree"], strict=True):
        _act(db, phone, "vote.cast", {"round_id": round_id, "subject": f"proposal:{pid}", "value": value})
    _act(db, console, "proposal.accept", {"proposal_id": pid})
    rating = _act(db, console, "round.open", {"kind": "rating", "item_ids": [item.id]})["round"]["id"]
    for phone, value in zip(phones, [8, 9, "unable"], strict=True):
        _act(db, phone, "vote.cast", {"round_id": rating, "subject": f"item:{item.id}", "value": value})

    with db.read() as s:
        workshop = s.get(workshops.Workshop, workshop_id)
        data = record.workshop_record(s, workshop)  # type: ignore[arg-type]
        votes = record.anonymised_votes(s, workshop, seed=1)  # type: ignore[arg-type]
    assert data["participation"]["joined"] == 3
    assert {g["group"]: g["count"] for g in data["participation"]["by_group"]} == {"returner": 2, "supervisor": 1}
    assert [p["phase"] for p in data["phases"]] == ["discuss", "vote"]
    first, second = data["rounds"]
    assert first["results"]["subjects"][f"proposal:{pid}"] == {"agree": 2, "disagree": 1, "abstain": 0}
    assert second["config"]["rule_text"].startswith("On a 1-9 scale")
    assert second["results"]["subjects"][f"item:{item.id}"]["overall"]["unable"] == 1
    assert [v["number"] for v in data["versions"]] == [2]
    assert data["versions"][0]["changes"][0]["provenance"]["votes"] == {"agree": 2, "disagree": 1, "abstain": 0}
    assert data["comparison_summary"] == {"reworded": 1}
    assert data["proposals"][0]["proposer"].startswith("P-")
    text = repr(data)
    assert "Dr A" not in text and "Dr B" not in text, "no names in the record"

    assert len(votes) == 6
    labels = {v["participant"] for v in votes}
    assert labels == {"R001", "R002", "R003"}
    assert all(v["participant"] not in text for v in votes), "vote labels link to nothing in the record"
    # Groups of two and of one would identify people: their group is withheld in the votes file.
    assert {(v["group"], v["value"]) for v in votes if v["round"] == 2} == {
        ("withheld", "8"),
        ("withheld", "9"),
        ("withheld", "unable"),
    }
