"""Payloads that once crashed a handler (no reply, a traceback, a 500) or stored junk, on a real server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import socketio

from tests.live.harness import Client, Facilitator, Server, join
from tests.reliability.outbox import close_transport
from tests.security.conftest import console, persist
from workshop.realtime import MAX_MESSAGE_BYTES


@pytest.fixture(scope="module")
def stage(server: Server, owner: Facilitator) -> Iterator[dict[str, Any]]:
    """Return a workshop in the refine phase with a rating round open, its console and a phone."""
    workshop = owner.new_workshop()
    owner_console = console(server, owner, workshop["id"])
    phone = Client(server, {"token": join(server, workshop["code"])["token"]}).connect()
    draft = owner_console.sync()["snapshot"]["draft"]
    items = [i["id"] for d in draft["domains"] for t in d["topics"] for i in t["items"]]
    round_id = owner_console.call("round.open", {"kind": "rating", "item_ids": items[:2]})["round"]["id"]
    owner_console.call("phase.set", {"phase": "refine"})
    persist(owner_console, phone)
    yield {"workshop": workshop, "console": owner_console, "phone": phone, "items": items, "round_id": round_id}
    owner_console.close()
    phone.close()


HUGE = [2**31, 2**63, 10**30]


@pytest.mark.parametrize("value", HUGE)
def test_ids_beyond_the_database_range_are_not_found(stage: dict[str, Any], value: int) -> None:
    phone = stage["phone"]
    for name, data in [
        ("vote.cast", {"round_id": value, "subject": "item:x", "value": 5}),
        ("vote.rank", {"round_id": value, "ranking": []}),
        ("round.close", {"round_id": value}),
    ]:
        client = stage["console"] if name.startswith("round.") else phone
        reply = client.call(name, data)
        assert reply["ok"] is False and reply["error"]["code"] in ("not_found", "invalid"), (name, reply)
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client(phone.server, {"workshop_id": value}, {"Cookie": stage["console"].headers["Cookie"]}).connect()


@pytest.mark.parametrize("value", HUGE)
def test_http_ids_beyond_the_database_range_are_404(server: Server, owner: Facilitator, value: int) -> None:
    for path in (
        f"/api/workshops/{value}/qr.svg",
        f"/console/workshops/{value}",
        f"/console/workshops/{value}/projector",
        f"/console/tools/{value}/versions",
    ):
        assert owner.http.get(server.url + path, timeout=10).status_code == 404, path
    reply = owner.post("/api/workshops", {"tool_id": value})
    assert reply.status_code == 404, reply.text


@pytest.mark.parametrize("text", ["\x00", "a\x00b", "\ud800", "ok \udfff", "bell\x07"])
def test_text_that_cannot_be_stored_is_refused(stage: dict[str, Any], text: str) -> None:
    item = stage["items"][0]
    for client, name, data, field in [
        (stage["phone"], "proposal.submit", {"kind": "reword", "change": {"item_id": item, "stem": text}}, "stem"),
        (stage["console"], "workshop.settings", {"title": text}, "title"),
        (stage["console"], "proxy.add", {"display_name": text}, "display_name"),
        (stage["phone"], "item.edit", {"item_id": item, "base_version": 1, "set": {"stem": text}}, "stem"),
    ]:
        reply = client.call(name, data)
        assert reply["ok"] is False and reply["error"]["code"] == "invalid", (name, reply)
        assert reply["error"]["details"]["field"] == field
    response = requests.post(
        stage["phone"].server.url + "/api/join",
        json={"code": stage["workshop"]["code"], "display_name": text, "acknowledged": True},
        timeout=10,
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid"


def test_tabs_and_line_breaks_are_kept(stage: dict[str, Any]) -> None:
    reply = stage["phone"].call("comment.add", {"proposal_id": 999_999, "body": "a\tb\nc"})
    assert reply["error"]["code"] == "not_found", "not refused for its characters"


def test_response_options_are_stored_in_the_tool_format_only(stage: dict[str, Any]) -> None:
    options = [
        {"code": "a", "label": "A", "junk": {"deep": [1, 2, {"x": "y" * 100}]}},
        {"code": "b", "label": "B", "score": 2, "onclick": "alert(1)"},
    ]
    change = {"item_id": stage["items"][0], "options": options}
    reply = stage["phone"].call("proposal.submit", {"kind": "change_options", "change": change})
    assert reply["ok"], reply
    stored = reply["proposal"]["payload"]["options"]
    assert stored == [
        {"code": "a", "label": "A", "score": None, "not_applicable": False},
        {"code": "b", "label": "B", "score": 2.0, "not_applicable": False},
    ]
    too_many = [{"code": f"o{i}", "label": "x"} for i in range(51)]
    change = {"item_id": stage["items"][0], "response_type": "single_choice", "options": too_many}
    refused = stage["phone"].call("proposal.submit", {"kind": "change_type", "change": change})
    assert refused["error"]["code"] == "invalid" and refused["error"]["details"]["field"] == "options"


@pytest.mark.parametrize("group", [[1], {"id": "returner"}, 7, True])
def test_a_group_that_is_not_text_is_refused(stage: dict[str, Any], group: Any) -> None:
    reply = stage["console"].call("proxy.add", {"display_name": "Someone", "group": group})
    assert reply["ok"] is False and reply["error"]["details"]["field"] == "group", reply
    response = requests.post(
        stage["phone"].server.url + "/api/join",
        json={"code": stage["workshop"]["code"], "group": group, "acknowledged": True},
        timeout=10,
    )
    assert response.status_code == 422, response.text


def test_oversized_message_drops_the_connection_and_changes_nothing(
    stage: dict[str, Any], server: Server, owner: Facilitator
) -> None:
    """Socket.IO's answer to a message over max_http_buffer_size is to close that connection: no ack is sent."""
    token = join(server, stage["workshop"]["code"])["token"]
    sender = Client(server, {"token": token}).connect()
    before = stage["console"].sync()["seq"]
    body = "x" * (MAX_MESSAGE_BYTES + 1)
    with pytest.raises(Exception):  # noqa: B017 (a timeout or a disconnect, depending on which comes first)
        sender.sio.call("comment.add", {"op_id": "oversized-1", "proposal_id": 1, "body": body}, timeout=5)
    sender.wait_for(lambda c: not c.sio.connected, timeout=10)
    close_transport(sender.sio)
    assert stage["console"].sync()["seq"] == before, "nothing changed"
    # The server is fine, and so is everyone else; the phone reconnects as itself.
    assert requests.get(server.url + "/healthz", timeout=5).ok
    again = Client(server, {"token": token}).connect()
    assert again.sync()["ok"] and stage["phone"].sync()["ok"]
    # Just under the limit, a too-long field is refused with a clear error instead.
    near = "y" * (MAX_MESSAGE_BYTES - 1000)
    reply = again.call("comment.add", {"proposal_id": 1, "body": near})
    assert reply["ok"] is False and reply["error"]["code"] in ("invalid", "not_found")
