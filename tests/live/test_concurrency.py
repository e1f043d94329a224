"""Actions at the same instant: votes side by side with a round closing, two workshops making versions of one tool.

On PostgreSQL votes run side by side (the workshop row for share, each voter's own row for update), and
actions that may make a version take the tool's row first; these tests hold the guarantees that must survive
that: every acknowledged vote counted as last acknowledged, none accepted once the close is acknowledged, and
no two workshops waiting on each other's rows.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.live.harness import Client, Facilitator, Server, join

PHONES = 10


def _console(server: Server, facilitator: Facilitator, workshop: dict[str, Any]) -> Client:
    return Client(server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()


def test_votes_side_by_side_and_a_close_between_them(server: Server, facilitator: Facilitator) -> None:
    workshop = facilitator.new_workshop()
    console = _console(server, facilitator, workshop)
    phones = [Client(server, {"token": join(server, workshop["code"])["token"]}).connect() for _ in range(PHONES)]
    console.call("phase.set", {"phase": "discuss"})
    item = phones[0].sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"][0]
    proposal = phones[0].call("proposal.submit", {"kind": "remove", "change": {"item_id": item["id"]}})["proposal"]
    round_id = console.call("round.open")["round"]["id"]
    subject = f"proposal:{proposal['id']}"
    values = ("agree", "disagree", "abstain")
    closed = threading.Event()
    start = threading.Barrier(PHONES + 1)

    def vote(index: int) -> tuple[str | None, list[bool]]:
        """Vote again and again until the close is acknowledged, then once more.

        Return the last value acknowledged, and for each refused vote whether it was sent after the close was
        acknowledged (one sent just before may be refused too: it arrived while the round was closing).
        """
        last, refused = None, []
        start.wait()
        for n in range(500):
            after_close = closed.is_set()
            reply = phones[index].call("vote.cast", {"round_id": round_id, "subject": subject, "value": values[n % 3]})
            if reply["ok"]:
                assert not after_close, "a vote was accepted after the close was acknowledged"
                last = reply["value"]
            else:
                assert reply["error"]["code"] == "not_allowed", reply
                refused.append(after_close)
            if after_close:
                break
        return last, refused

    with ThreadPoolExecutor(PHONES) as pool:
        futures = [pool.submit(vote, i) for i in range(PHONES)]
        start.wait()
        threading.Event().wait(0.5)  # let the votes run side by side for a while
        assert console.call("round.close", {"round_id": round_id})["ok"]
        closed.set()
        results = [f.result(timeout=60) for f in futures]

    for _, refused in results:
        assert refused[-1:] == [True], "the vote sent after the close was acknowledged is refused"
        assert len(refused) <= 2, "only a vote in flight during the close may be refused besides"
    expected = {value: sum(1 for last, _ in results if last == value) for value in values}
    tally = next(r for r in console.sync()["snapshot"]["rounds"] if r["id"] == round_id)["tally"]
    assert tally["subjects"][subject] == expected, "each phone's last acknowledged vote, counted once"
    assert sum(expected.values()) == PHONES


def test_two_workshops_make_versions_of_one_tool_at_once(server: Server, facilitator: Facilitator) -> None:
    first = facilitator.new_workshop()
    second = facilitator.post("/api/workshops", {"tool_id": first["tool_id"], "title": "Parallel"}).json()["workshop"]
    consoles = [_console(server, facilitator, w) for w in (first, second)]
    phones = [Client(server, {"token": join(server, w["code"])["token"]}).connect() for w in (first, second)]
    for console in consoles:
        console.call("phase.set", {"phase": "discuss"})
    items = phones[0].sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"]
    rounds = 4
    proposals: list[list[int]] = [[], []]
    for n in range(rounds):
        for side in (0, 1):
            change = {"item_id": items[side]["id"], "stem": f"Workshop {side + 1}'s wording, take {n + 1}."}
            reply = phones[side].call("proposal.submit", {"kind": "reword", "change": change})
            proposals[side].append(reply["proposal"]["id"])

    made: list[int] = []
    for n in range(rounds):
        together = threading.Barrier(2)

        def accept(side: int, n: int = n, together: threading.Barrier = together) -> dict[str, Any]:
            together.wait()
            return consoles[side].call("proposal.accept", {"proposal_id": proposals[side][n]})

        with ThreadPoolExecutor(2) as pool:
            replies = list(pool.map(accept, (0, 1)))
        assert all(r["ok"] for r in replies), replies
        made += [r["version"] for r in replies]

    assert sorted(made) == list(range(2, 2 + 2 * rounds)), "every accept made the next version, none lost"
    for console in consoles:
        console.wait_for(lambda c: {e["data"]["number"] for e in c.events if e["name"] == "version"} >= set(made))
    draft = phones[1].sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["items"]
    assert [draft[0]["stem"], draft[1]["stem"]] == [f"Workshop {s + 1}'s wording, take {rounds}." for s in (0, 1)]
