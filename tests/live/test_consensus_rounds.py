"""Consensus methods live: a two-round e-Delphi with stakeholder groups, one-step decision, ranking, dots."""

from __future__ import annotations

from tests.live.harness import Client, Facilitator, Server, join
from workshop.core import drafts
from workshop.db import Database


def _room(server: Server, facilitator: Facilitator):  # type: ignore[no-untyped-def]
    workshop = facilitator.new_workshop()
    console = Client(server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    phones = [
        Client(server, {"token": join(server, workshop["code"], group=group)["token"]}).connect()
        for group in ["returner"] * 3 + ["supervisor"] * 3
    ]
    items = [i for t in phones[0].sync()["snapshot"]["draft"]["domains"][0]["topics"] for i in t["items"]]
    return workshop, console, phones, items


def test_two_round_delphi_with_groups_and_one_step_decision(server: Server, facilitator: Facilitator) -> None:
    workshop, console, phones, items = _room(server, facilitator)
    keep, drop, unsure = (i["id"] for i in items[:3])
    opened = console.call(
        "round.open",
        {"kind": "rating", "item_ids": [keep, drop, unsure], "rule": {"include_top_min_pct": 70}, "min_group_size": 3},
    )
    assert opened["ok"], opened
    round1 = opened["round"]
    assert round1["config"]["rule_text"].startswith("On a 1-9 scale, an item is included when at least 70%")
    ratings = {keep: [9, 8, 7, 9, 8, 9], drop: [1, 2, 1, 3, 2, "unable"], unsure: [1, 9, 5, 2, 8, 5]}
    for item_id, values in ratings.items():
        for phone, value in zip(phones, values, strict=True):
            reply = phone.call("vote.cast", {"round_id": round1["id"], "subject": f"item:{item_id}", "value": value})
            assert reply["ok"], reply
    bad = phones[0].call("vote.cast", {"round_id": round1["id"], "subject": f"item:{keep}", "value": 10})
    assert bad["error"]["code"] == "invalid" and "1 to 9" in bad["error"]["message"]

    # Wait for the tally that counts every rating (six voters are reached after the first item already).
    tally = console.wait_for(
        lambda c: next(
            (
                t
                for t in reversed(c.tallies)
                if t.get("decisions", {}).get(f"item:{unsure}") == "no_consensus"
                and t["subjects"][f"item:{drop}"]["overall"]["unable"] == 1
            ),
            None,
        )
    )
    assert tally["decisions"] == {
        f"item:{keep}": "include",
        f"item:{drop}": "exclude",
        f"item:{unsure}": "no_consensus",
    }
    dropped = tally["subjects"][f"item:{drop}"]
    assert dropped["overall"]["n"] == 5 and dropped["overall"]["unable"] == 1
    # Two supervisor ratings are too few to show; the returners' three are withheld too, or subtracting
    # them from the overall figures would reveal the supervisors'.
    assert dropped["groups"]["supervisor"]["suppressed"] is True
    assert dropped["groups"]["returner"]["suppressed"] is True
    kept = tally["subjects"][f"item:{keep}"]
    assert kept["overall"]["median"] == 8.5 and kept["overall"]["bands"]["high"]["count"] == 6
    assert kept["groups"]["returner"]["n"] == 3 and kept["groups"]["supervisor"]["median"] == 9
    # Participants see nothing but the count until the results are revealed.
    assert "subjects" not in phones[0].sync()["snapshot"]["rounds"][0]["tally"]

    # Round 2 carries over the item without consensus, and shows each person the group and their own rating.
    round2 = console.call("round.open", {"kind": "rating", "carry_over_from": round1["id"]})["round"]
    assert round2["subjects"] == [f"item:{unsure}"]
    for phone, own in zip(phones, ratings[unsure], strict=True):
        state = phone.sync()["snapshot"]
        shown = state["rounds"][1]["feedback"][f"item:{unsure}"]
        assert shown["your_previous_rating"] == own
        assert shown["group"]["distribution"] == {
            "1": 1,
            "2": 1,
            "3": 0,
            "4": 0,
            "5": 2,
            "6": 0,
            "7": 0,
            "8": 1,
            "9": 1,
        }
        assert state["rounds"][0]["my_votes"][f"item:{unsure}"] == str(own)

    decided = console.call("round.decide", {"round_id": round1["id"]})
    assert decided["ok"] and decided["changed"] and decided["version"] == 2, decided
    assert decided["removed"] == [f"item:{drop}"] and decided["kept"] == [f"item:{keep}"]
    for client in [console, *phones]:
        client.event("version", lambda d: d["number"] == 2)
    database = Database(server.database_url)
    with database.read() as s:
        content = drafts.read(s, workshop["tool_id"], 2)
        change = drafts.version(s, workshop["tool_id"], 2).changes[0]
    database.dispose()
    assert content.item(drop) is None and content.item(keep) is not None
    assert change["op"] == "remove_item" and change["provenance"]["decision"] == "exclude"
    assert change["provenance"]["round"]["round"] == 1
    assert change["provenance"]["rule"]["include_top_min_pct"] == 70
    assert change["provenance"]["stats"]["overall"]["n"] == 5


def test_nominal_group_ranking_and_dot_voting(server: Server, facilitator: Facilitator) -> None:
    _workshop, console, phones, items = _room(server, facilitator)
    a, b, c = (f"item:{i['id']}" for i in items[:3])
    ranking = console.call("round.open", {"kind": "ranking", "item_ids": [i[5:] for i in (a, b, c)], "n": 2})["round"]
    assert ranking["config"] == {"n": 2}
    ballots = [[a, b], [b, a], [a, c], [c, a], [b, c], [c, b]]
    for phone, ballot in zip(phones, ballots, strict=True):
        assert phone.call("vote.rank", {"round_id": ranking["id"], "ranking": ballot})["ok"]
    too_long = phones[0].call("vote.rank", {"round_id": ranking["id"], "ranking": [a, b, c]})
    assert too_long["error"]["code"] == "invalid"
    assert (
        phones[0].call("vote.cast", {"round_id": ranking["id"], "subject": a, "value": "agree"})["error"]["code"]
        == "invalid"
    )
    tally = console.wait_for(
        lambda c: next((t for t in reversed(c.tallies) if t.get("voters") == 6 and t["kind"] == "ranking"), None)
    )
    # Each item: two first places (2 points) and two second places (1 point) = 6: a three-way tie.
    assert [(r["score"], r["rank"], r["tied"]) for r in tally["results"]] == [(6, 1, True)] * 3

    dots = console.call("round.open", {"kind": "dots", "item_ids": [i[5:] for i in (a, b, c)], "budget": 3, "cap": 2})
    round_id = dots["round"]["id"]
    assert phones[0].call("vote.dots", {"round_id": round_id, "allocation": {a: 3}})["error"]["code"] == "invalid"
    assert phones[0].call("vote.dots", {"round_id": round_id, "allocation": {a: 2, b: 2}})["error"]["code"] == "invalid"
    assert phones[0].call("vote.dots", {"round_id": round_id, "allocation": {a: 2, b: 1}})["ok"]
    assert phones[0].call("vote.dots", {"round_id": round_id, "allocation": {c: 2, b: 1}})["ok"], "changeable"
    assert phones[1].call("vote.dots", {"round_id": round_id, "allocation": {c: 1}})["ok"]
    tally = console.wait_for(
        lambda c: next((t for t in reversed(c.tallies) if t.get("voters") == 2 and t["kind"] == "dots"), None)
    )
    assert [(r["subject"], r["dots"]) for r in tally["results"]] == [(c, 3), (b, 1), (a, 0)]
    console.call("round.close", {"round_id": round_id})
    assert phones[2].call("vote.dots", {"round_id": round_id, "allocation": {a: 1}})["error"]["code"] == "not_allowed"
