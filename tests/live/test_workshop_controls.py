"""Facilitator controls and HTTP entry points: settings, close and reopen, joining, tallies coalesced."""

from __future__ import annotations

import time

import requests

from tests.live.harness import Client, Facilitator, Server, join
from workshop.broadcast import TALLY_INTERVAL


def test_settings_groups_and_names(server: Server, facilitator: Facilitator) -> None:
    workshop = facilitator.new_workshop()
    console = Client(server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    groups = [{"label": "Returning doctor"}, {"id": "nurse", "label": "Nurse"}]
    reply = console.call("workshop.settings", {"groups": groups, "show_names": True, "title": "Workshop 2"})
    assert reply["groups"] == [
        {"id": "returning_doctor", "label": "Returning doctor"},
        {"id": "nurse", "label": "Nurse"},
    ]
    info = requests.get(f"{server.url}/api/join/{workshop['code']}", timeout=5).json()["workshop"]
    assert info["title"] == "Workshop 2" and [g["id"] for g in info["groups"]] == ["returning_doctor", "nurse"]
    bad = requests.post(
        server.url + "/api/join",
        json={"code": workshop["code"], "group": "supervisor", "acknowledged": True},
        timeout=5,
    )
    assert bad.status_code == 422 and bad.json()["error"]["details"]["field"] == "group"
    phone = Client(server, {"token": join(server, workshop["code"], name="Dr Ada", group="nurse")["token"]}).connect()
    console.call("phase.set", {"phase": "discuss"})
    item = phone.sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][0]
    proposal = phone.call("proposal.submit", {"kind": "remove", "change": {"item_id": item["id"]}})["proposal"]
    assert proposal["author_name"] == "Dr Ada", "names are shown when the facilitator turned that on"
    console.call("workshop.settings", {"show_names": False})
    other = Client(server, {"token": join(server, workshop["code"], group=None)["token"]}).connect()
    assert "author_name" not in other.sync()["snapshot"]["proposals"][0]
    assert console.call("workshop.settings", {"groups": []})["error"]["code"] == "invalid"


def test_close_and_reopen(server: Server, facilitator: Facilitator) -> None:
    workshop = facilitator.new_workshop()
    console = Client(server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    phone = Client(server, {"token": join(server, workshop["code"])["token"]}).connect()
    assert console.call("workshop.status", {"status": "closed"})["phase"] == "closed"
    phone.event("workshop", lambda d: d["status"] == "closed")
    refused = requests.post(server.url + "/api/join", json={"code": workshop["code"], "acknowledged": True}, timeout=5)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "workshop_closed"
    item = phone.sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][0]
    late = phone.call("proposal.submit", {"kind": "remove", "change": {"item_id": item["id"]}})
    assert late["error"]["code"] == "workshop_closed"
    assert console.call("workshop.status", {"status": "open"})["phase"] == "review"
    assert join(server, workshop["code"])["token"]


def test_join_needs_acknowledgement_and_a_real_code(server: Server, facilitator: Facilitator) -> None:
    workshop = facilitator.new_workshop()
    missing = requests.post(server.url + "/api/join", json={"code": workshop["code"]}, timeout=5)
    assert missing.status_code == 422 and "confirm" in missing.json()["error"]["message"]
    wrong = requests.post(server.url + "/api/join", json={"code": "AAAAAAA", "acknowledged": True}, timeout=5)
    assert wrong.status_code == 404
    assert requests.post(server.url + "/api/join", data="not json", timeout=5).status_code == 422
    # Spaces, dashes and lower case are forgiven when typing the code.
    code = workshop["code"]
    assert join(server, f" {code[:3].lower()}-{code[3:]} ")["participant"]["pseudonym"].startswith("P-")


def test_tallies_are_coalesced(server: Server, facilitator: Facilitator) -> None:
    workshop = facilitator.new_workshop()
    console = Client(server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    phones = [Client(server, {"token": join(server, workshop["code"])["token"]}).connect() for _ in range(3)]
    console.call("phase.set", {"phase": "discuss"})
    item = phones[0].sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][0]
    proposal = phones[0].call("proposal.submit", {"kind": "remove", "change": {"item_id": item["id"]}})["proposal"]
    round_id = console.call("round.open")["round"]["id"]
    subject = f"proposal:{proposal['id']}"
    started = time.monotonic()
    values = ["agree", "disagree", "abstain"]
    for n in range(60):
        assert phones[n % 3].call("vote.cast", {"round_id": round_id, "subject": subject, "value": values[n % 3]})["ok"]
    elapsed = time.monotonic() - started
    last = {"agree": 1, "disagree": 1, "abstain": 1}
    console.wait_for(lambda c: c.tallies and c.tallies[-1]["subjects"][subject] == last)
    # At most one tally per interval (plus the one in flight), however fast the votes come.
    assert len(console.tallies) <= (elapsed + 1) / TALLY_INTERVAL + 2
    assert len(console.tallies) < 60


def test_a_new_version_reaches_every_workshop_open_on_the_tool(server: Server, facilitator: Facilitator) -> None:
    first = facilitator.new_workshop()
    second = facilitator.post("/api/workshops", {"tool_id": first["tool_id"], "title": "Parallel"}).json()["workshop"]
    console = Client(server, {"workshop_id": first["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    elsewhere = Client(server, {"token": join(server, second["code"])["token"]}).connect()
    people = console.sync()["snapshot"]["participants"]["people"]
    phone = Client(server, {"token": join(server, first["code"], name="Dr Listed")["token"]}).connect()
    listed = console.roster(lambda d: d["total"] == 1)
    assert people == [] and [p["display_name"] for p in listed["people"]] == ["Dr Listed"]
    caught_up = phone.sync(since=0)
    assert caught_up["participants"] == {"total": 1, "by_group": {"returner": 1}}, "names reach only facilitators"
    assert all(e["name"] != "participants" for e in caught_up["events"]), "counts are not numbered events"
    console.call("phase.set", {"phase": "discuss"})
    item = phone.sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][0]
    proposal = phone.call("proposal.submit", {"kind": "reword", "change": {"item_id": item["id"], "stem": "Shared"}})
    assert proposal["proposal"]["revealed"] is True
    assert console.call("proposal.accept", {"proposal_id": proposal["proposal"]["id"]})["version"] == 2
    announced = elsewhere.event("version", lambda d: d["number"] == 2)
    assert announced["seq"] == elsewhere.sync(since=0)["seq"], "numbered in the other workshop's own sequence"


def test_logout_ends_every_copy_of_the_session(server: Server, facilitator: Facilitator) -> None:
    import pytest
    import socketio

    workshop = facilitator.new_workshop()
    stolen = facilitator.cookie_header()
    console = Client(server, {"workshop_id": workshop["id"]}, {"Cookie": stolen}).connect()
    assert console.call("phase.set", {"phase": "discuss"})["ok"]
    copy = requests.Session()
    copy.headers["Cookie"] = stolen
    assert copy.get(server.url + "/api/workshops", timeout=5).status_code == 200
    logout = facilitator.http.post(server.url + "/logout", data={"csrf_token": facilitator.csrf}, timeout=5)
    assert logout.status_code == 200 and "log in" in logout.text.lower()
    assert copy.get(server.url + "/api/workshops", timeout=5).status_code == 401, "a copied cookie stops working"
    refused = console.call("phase.set", {"phase": "vote"})
    assert refused["error"]["code"] == "not_allowed", "an open console connection loses its rights too"
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client(server, {"workshop_id": workshop["id"]}, {"Cookie": stolen}).connect()
    again = Facilitator(server, "facilitator@example.org")
    assert again.http.get(server.url + "/api/workshops", timeout=5).json()["workshops"][0]["id"] == workshop["id"]
    copy.close()


def test_participant_counts_are_coalesced(server: Server, facilitator: Facilitator) -> None:
    """A room filling up costs each phone a few count messages a second, not one per join."""
    from concurrent.futures import ThreadPoolExecutor

    workshop = facilitator.new_workshop()
    console = Client(server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    first = join(server, workshop["code"])
    phone = Client(server, {"token": first["token"]}).connect()
    snapshot = phone.sync()["snapshot"]
    assert snapshot["participants"] == {"total": 1, "by_group": {"returner": 1}}
    seq = snapshot["seq"]
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        joined = list(pool.map(lambda i: join(server, workshop["code"], name=f"Dr {i}"), range(60)))
    elapsed = time.monotonic() - started
    final = phone.roster(lambda d: d["total"] == 61)
    assert final == {"total": 61, "by_group": {"returner": 61}} and "people" not in final
    listed = console.roster(lambda d: d["total"] == 61)
    assert sorted(p["display_name"] for p in listed["people"]) == sorted(["", *(f"Dr {i}" for i in range(60))])
    # At most one count per interval (plus the one in flight), however fast people join.
    assert len(phone.rosters) <= (elapsed + 1) / TALLY_INTERVAL + 2 and len(phone.rosters) < 60
    assert phone.sync(since=seq)["events"] == [], "joining records no numbered event"
    # A removal is numbered (the removed phone must learn of it) and brings the count down.
    gone = joined[0]["participant"]["id"]
    assert console.call("participant.remove", {"participant_id": gone})["ok"]
    assert phone.event("removed", lambda d: d["participant_id"] == gone)
    assert phone.roster(lambda d: d["total"] == 60)["by_group"] == {"returner": 60}
    removed = console.roster(lambda d: d["total"] == 60)["people"]
    assert [p["removed"] for p in removed if p["id"] == gone] == [True]
    assert phone.sync(since=seq)["participants"]["total"] == 60
