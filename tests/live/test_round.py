"""A whole round against a real server: join, propose while hidden, reveal, vote, accept, new version."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from tests.live.harness import WORKSHOP, Client, Facilitator, Server, join


def _seqs(client: Client) -> list[int]:
    return [e["seq"] for e in client.events]


def _setup(server: Server, facilitator: Facilitator, n: int = 5) -> tuple[dict[str, Any], Client, list[Client]]:
    workshop = facilitator.new_workshop()
    console = Client(server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    phones = []
    for i in range(n):
        joined = join(server, workshop["code"].lower(), name=f"Doctor {i}", group="returner" if i % 2 else "supervisor")
        phones.append(Client(server, {"token": joined["token"]}).connect())
    return workshop, console, phones


def test_whole_round(server: Server, facilitator: Facilitator) -> None:
    workshop, console, phones = _setup(server, facilitator)
    start = phones[0].sync()["snapshot"]
    assert start["participants"]["total"] == 5
    assert start["version"]["number"] == 1
    first_topic = start["draft"]["domains"][0]["topics"][0]
    item = first_topic["items"][0]

    assert console.call("phase.set", {"phase": "propose", "timer_seconds": 300})["ok"]
    for phone in phones:
        phone.event("workshop", lambda d: d["phase"] == "propose")

    reword = phones[0].call(
        "proposal.submit",
        {
            "kind": "reword",
            "change": {"item_id": item["id"], "stem": "I feel able to balance work and home."},
            "rationale": "Plainer.",
        },
    )
    assert reword["ok"], reword
    added = phones[1].call(
        "proposal.submit",
        {
            "kind": "add_item",
            "change": {"topic_id": first_topic["id"], "stem": "I know who to ask about flexible work."},
        },
    )
    assert added["ok"], added
    reword_id, added_id = reword["proposal"]["id"], added["proposal"]["id"]

    # Silent generation: other phones learn only that something hidden arrived; the facilitator sees it all.
    hidden = phones[2].event("proposal", lambda d: d["id"] == reword_id)
    assert hidden["data"] == {"id": reword_id, "visible": False}
    full = console.event("proposal", lambda d: d["id"] == reword_id)
    assert full["data"]["payload"]["stem"] == "I feel able to balance work and home."
    assert full["data"]["author"]["display_name"] == "Doctor 0"
    assert [p["id"] for p in phones[2].sync()["snapshot"]["proposals"]] == []
    mine = phones[0].sync()["snapshot"]["proposals"]
    assert [(p["id"], p["mine"]) for p in mine] == [(reword_id, True)]
    assert "author" not in mine[0], "participants never see who proposed"

    revealed = console.call("proposals.reveal")
    assert revealed["revealed"] == [reword_id, added_id]
    shown = phones[3].event("proposal", lambda d: d["id"] == added_id and d.get("status") == "open")
    assert shown["data"]["payload"]["stem"] == "I know who to ask about flexible work."
    assert "author" not in shown["data"]

    assert phones[4].call("comment.add", {"proposal_id": reword_id, "body": "Yes, much clearer."})["ok"]
    opened = console.call("round.open", {"proposal_ids": [reword_id, added_id]})
    round_id = opened["round"]["id"]
    votes = ["agree", "agree", "agree", "disagree", "abstain"]
    for phone, value in zip(phones, votes, strict=True):
        reply = phone.call("vote.cast", {"round_id": round_id, "subject": f"proposal:{reword_id}", "value": value})
        assert reply["ok"], reply
    # Changing a vote replaces it: the count stays one per person.
    phones[3].call("vote.cast", {"round_id": round_id, "subject": f"proposal:{reword_id}", "value": "agree"})

    final = {"agree": 4, "disagree": 0, "abstain": 1}
    tally = console.wait_for(
        lambda c: next((t for t in reversed(c.tallies) if t["subjects"][f"proposal:{reword_id}"] == final), None)
    )
    assert tally["voters"] == 5
    # Before results are revealed, participants see only how many voted.
    public = phones[0].wait_for(lambda c: next((t for t in reversed(c.tallies) if t.get("voters") == 5), None))
    assert "subjects" not in public

    assert console.call("round.close", {"round_id": round_id})["ok"]
    late = phones[0].call("vote.cast", {"round_id": round_id, "subject": f"proposal:{reword_id}", "value": "disagree"})
    assert late["error"]["code"] == "not_allowed"
    console.call("round.reveal", {"round_id": round_id})
    results = phones[1].event("round", lambda d: "results" in d)
    assert results["data"]["results"]["subjects"][f"proposal:{reword_id}"] == final

    accepted = console.call("proposal.accept", {"proposal_id": reword_id})
    assert accepted["ok"] and accepted["version"] == 2
    for client in [console, *phones]:
        version = client.event("version", lambda d: d["number"] == 2)
        assert version["data"]["proposal_id"] == reword_id
        seqs = _seqs(client)
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), "events arrive in order, once"
    # Every client saw the same numbered events, with no gaps after the point it connected.
    last = console.events[-1]["seq"]
    for phone in phones:
        assert _seqs(phone) == list(range(_seqs(phone)[0], last + 1))
        assert phone.sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][0]["stem"].startswith(
            "I feel able"
        )

    shown = subprocess.run(
        [str(WORKSHOP), "show", str(workshop["tool_id"]), "--version", "2", "--format", "json"],
        env=server.env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(shown.stdout)["version"]["kind"] == "edit"
    versions = subprocess.run(
        [str(WORKSHOP), "diff", str(workshop["tool_id"]), "1", "2"],
        env=server.env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "reworded" in versions.stdout


def test_accepted_version_records_provenance(server: Server, facilitator: Facilitator) -> None:
    from workshop.core import drafts
    from workshop.db import Database

    workshop, console, phones = _setup(server, facilitator, n=3)
    item = phones[0].sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][0]
    console.call("phase.set", {"phase": "discuss"})
    proposal = phones[0].call(
        "proposal.submit", {"kind": "remove", "change": {"item_id": item["id"]}, "rationale": "Duplicate."}
    )
    round_id = console.call("round.open")["round"]["id"]
    for phone in phones:
        phone.call(
            "vote.cast", {"round_id": round_id, "subject": f"proposal:{proposal['proposal']['id']}", "value": "agree"}
        )
    assert console.call("proposal.accept", {"proposal_id": proposal["proposal"]["id"]})["version"] == 2

    database = Database(server.database_url)
    with database.read() as s:
        change = drafts.version(s, workshop["tool_id"], 2).changes[0]
    database.dispose()
    assert change["op"] == "remove_item"
    provenance = change["provenance"]
    assert provenance["proposal_id"] == proposal["proposal"]["id"]
    assert provenance["votes"] == {"agree": 3, "disagree": 0, "abstain": 0}
    assert provenance["round"] == 1 and provenance["workshop_id"] == workshop["id"]
    assert provenance["proposer"].startswith("P-"), "the proposer is recorded by pseudonym, not by name"
