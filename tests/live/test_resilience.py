"""Dropped connections, repeated actions, stale edits, roles and workshop boundaries, on a real server."""

from __future__ import annotations

import uuid

import pytest
import socketio

from tests.live.harness import Client, Facilitator, Server, another_facilitator, join
from workshop.core.actions import ACTIONS, ONLY_FACILITATOR


def _workshop(server: Server, facilitator: Facilitator, phones: int = 2):  # type: ignore[no-untyped-def]
    workshop = facilitator.new_workshop()
    console = Client(server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    tokens = [join(server, workshop["code"])["token"] for _ in range(phones)]
    return workshop, console, tokens


def test_dropped_connection_resumes_with_nothing_lost_or_doubled(server: Server, facilitator: Facilitator) -> None:
    _info, console, tokens = _workshop(server, facilitator)
    phone = Client(server, {"token": tokens[0]}).connect()
    other = Client(server, {"token": tokens[1]}).connect()
    snapshot = phone.sync()["snapshot"]
    me = snapshot["me"]
    console.call("phase.set", {"phase": "discuss"})
    proposal = other.call(
        "proposal.submit",
        {
            "kind": "reword",
            "change": {
                "item_id": snapshot["draft"]["domains"][0]["topics"][0]["items"][0]["id"],
                "stem": "Clearer words",
            },
        },
    )["proposal"]
    round_id = console.call("round.open")["round"]["id"]
    phone.event("round", lambda d: d["id"] == round_id)
    last_seen = phone.events[-1]["seq"]

    phone.disconnect()
    # While the phone is away the workshop moves on.
    other.call("comment.add", {"proposal_id": proposal["id"], "body": "I agree"})
    console.call("timer.set", {"seconds": 120})

    back = Client(server, {"token": tokens[0]}).connect()
    missed = back.sync(since=last_seen)
    assert [e["seq"] for e in missed["events"]] == list(range(last_seen + 1, missed["seq"] + 1))
    assert {e["name"] for e in missed["events"]} >= {"proposal", "workshop"}
    assert back.sync()["snapshot"]["me"] == me, "the same participant after reconnecting"

    vote = {"round_id": round_id, "subject": f"proposal:{proposal['id']}", "value": "agree"}
    op_id = uuid.uuid4().hex
    first = back.call("vote.cast", vote, op_id=op_id)
    # The phone never saw the ack (say) and sends the same action again, even after changing its mind locally.
    again = back.call("vote.cast", {**vote, "value": "disagree"}, op_id=op_id)
    assert again == first, "a repeated op id returns the first acknowledgement"
    tally = console.wait_for(lambda c: next((t for t in reversed(c.tallies) if t["voters"] == 1), None))
    assert tally["subjects"][f"proposal:{proposal['id']}"] == {"agree": 1, "disagree": 0, "abstain": 0}

    comment_op = uuid.uuid4().hex
    seq_before = console.sync()["seq"]
    assert back.call("comment.add", {"proposal_id": proposal["id"], "body": "once"}, op_id=comment_op)["ok"]
    assert back.call("comment.add", {"proposal_id": proposal["id"], "body": "once"}, op_id=comment_op)["ok"]
    state = console.sync()["snapshot"]
    comments = next(p for p in state["proposals"] if p["id"] == proposal["id"])["comments"]
    assert [c["body"] for c in comments].count("once") == 1
    assert state["seq"] == seq_before + 1, "the repeated action made no second event"


def test_stale_edit_is_refused_with_the_current_text(server: Server, facilitator: Facilitator) -> None:
    _workshop_info, console, tokens = _workshop(server, facilitator)
    a = Client(server, {"token": tokens[0]}).connect()
    b = Client(server, {"token": tokens[1]}).connect()
    snapshot = a.sync()["snapshot"]
    items = snapshot["draft"]["domains"][0]["topics"][0]["items"]
    base = snapshot["version"]["number"]
    refused = a.call("item.edit", {"item_id": items[0]["id"], "base_version": base, "set": {"stem": "Too early"}})
    assert refused["error"]["code"] == "wrong_phase"
    console.call("phase.set", {"phase": "refine"})

    first = a.call("item.edit", {"item_id": items[0]["id"], "base_version": base, "set": {"stem": "Edited by A"}})
    assert first["ok"] and first["version"] == base + 1
    stale = b.call("item.edit", {"item_id": items[0]["id"], "base_version": base, "set": {"stem": "Edited by B"}})
    assert stale["ok"] is False and stale["error"]["code"] == "conflict"
    assert stale["error"]["details"]["current"]["item"]["stem"] == "Edited by A"
    assert stale["error"]["details"]["current"]["version"] == base + 1
    # An edit of another item based on the older version is not stale: nobody changed that item.
    other = b.call("item.edit", {"item_id": items[1]["id"], "base_version": base, "set": {"stem": "B's own item"}})
    assert other["ok"] and other["version"] == base + 2
    # B reapplies on the current text.
    retry = b.call(
        "item.edit", {"item_id": items[0]["id"], "base_version": base + 2, "set": {"stem": "Edited by A and B"}}
    )
    assert retry["ok"]
    stems = [i["stem"] for i in a.sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][:2]]
    assert stems == ["Edited by A and B", "B's own item"]


FACILITATOR_ONLY = sorted(name for name, action in ACTIONS.items() if action.roles == ONLY_FACILITATOR)


def test_every_facilitator_only_event_is_refused_for_a_participant(server: Server, facilitator: Facilitator) -> None:
    _workshop_info, console, tokens = _workshop(server, facilitator, phones=1)
    phone = Client(server, {"token": tokens[0]}).connect()
    console.call("phase.set", {"phase": "discuss"})
    before = console.sync()["snapshot"]
    plausible = {
        "phase": "closed",
        "seconds": 5,
        "status": "closed",
        "participant_id": 1,
        "proposal_id": 1,
        "round_id": 1,
    }
    assert len(FACILITATOR_ONLY) >= 14
    for name in FACILITATOR_ONLY:
        reply = phone.call(name, plausible)
        assert reply["ok"] is False and reply["error"]["code"] == "not_allowed", name
    after = console.sync()["snapshot"]
    assert after["seq"] == before["seq"] and after["workshop"] == before["workshop"]


def test_a_participant_of_one_workshop_cannot_reach_another(server: Server, facilitator: Facilitator) -> None:
    mine, console_a, tokens_a = _workshop(server, facilitator, phones=1)
    other_facilitator_workshop = facilitator.new_workshop()
    console_b = Client(
        server, {"workshop_id": other_facilitator_workshop["id"]}, {"Cookie": facilitator.cookie_header()}
    ).connect()
    console_b.call("phase.set", {"phase": "discuss"})
    token_b = join(server, other_facilitator_workshop["code"])["token"]
    phone_b = Client(server, {"token": token_b}).connect()
    item = phone_b.sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][0]
    secret = phone_b.call("proposal.submit", {"kind": "reword", "change": {"item_id": item["id"], "stem": "B only"}})[
        "proposal"
    ]
    round_b = console_b.call("round.open")["round"]["id"]

    phone_a = Client(server, {"token": tokens_a[0]}).connect()
    console_a.call("phase.set", {"phase": "discuss"})
    state = phone_a.sync()["snapshot"]
    assert state["workshop"]["id"] == mine["id"] and state["proposals"] == []
    for name, data in [
        ("comment.add", {"proposal_id": secret["id"], "body": "sneaky"}),
        ("proposal.withdraw", {"proposal_id": secret["id"]}),
        ("vote.cast", {"round_id": round_b, "subject": f"proposal:{secret['id']}", "value": "agree"}),
    ]:
        reply = phone_a.call(name, data)
        assert reply["ok"] is False and reply["error"]["code"] == "not_found", name
    # Events of workshop B never reach A's phone.
    assert all(e["data"].get("id") != secret["id"] for e in phone_a.events if e["name"] == "proposal")
    # Without a login, or as another facilitator, a workshop's console connection is refused.
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client(server, {"workshop_id": mine["id"]}).connect()
    other = another_facilitator(server, "other@example.org")
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client(server, {"workshop_id": mine["id"]}, {"Cookie": other.cookie_header()}).connect()
    assert other.http.get(server.url + "/api/workshops", timeout=5).json()["workshops"] == []
    assert other.http.get(server.url + f"/api/workshops/{mine['id']}/qr.svg", timeout=5).status_code == 404


def test_removed_participant_is_refused(server: Server, facilitator: Facilitator) -> None:
    _workshop_info, console, tokens = _workshop(server, facilitator, phones=1)
    phone = Client(server, {"token": tokens[0]}).connect()
    me = phone.sync()["snapshot"]["me"]
    assert console.call("participant.remove", {"participant_id": me["id"]})["ok"]
    phone.event("removed", lambda d: d["participant_id"] == me["id"])
    reply = phone.call("comment.add", {"proposal_id": 1, "body": "x"})
    assert reply["error"]["code"] == "not_allowed"
    refused: dict[str, object] = {}
    sio = socketio.Client(reconnection=False)
    sio.on("connect_error", lambda data: refused.update(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(server.url, auth={"token": tokens[0]}, transports=["websocket"], wait_timeout=5)
    assert refused["data"] == {"code": "not_allowed", "message": "the facilitator has removed you from this workshop"}


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("not an object", "invalid"),
        ({"kind": "reword"}, "invalid"),  # no op_id
        ({"op_id": "short", "kind": "reword"}, "invalid"),
        ({"op_id": "x" * 65, "kind": "reword"}, "invalid"),
    ],
)
def test_malformed_payloads_are_refused(server: Server, facilitator: Facilitator, payload: object, code: str) -> None:
    _workshop_info, _console, tokens = _workshop(server, facilitator, phones=1)
    phone = Client(server, {"token": tokens[0]}).connect()
    reply = phone.sio.call("proposal.submit", payload, timeout=10)
    assert reply["ok"] is False and reply["error"]["code"] == code
    assert phone.call("no.such.event")["error"]["code"] == "not_found"
