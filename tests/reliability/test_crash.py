"""Durability: SIGKILL the server twice during a voting round while 20 phones vote, propose, comment and edit.

After each restart (same database, same port) every acknowledged action is in the database exactly once,
nothing unacknowledged is half-applied, and the phones catch up and resend by themselves.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.figures import report
from tests.live.harness import Client, Facilitator, join
from tests.reliability.conftest import Restartable
from tests.reliability.outbox import OutboxClient
from workshop.core import tallies
from workshop.core.live_models import Comment, OpRecord, Proposal, Vote, Workshop, WorkshopEvent
from workshop.core.models import DraftVersion
from workshop.db import Database

PHONES = 20
#: What each phone does, in turn, for each step.
PLAN = ("vote", "propose", "vote", "comment", "edit", "vote")
STEPS = 24
#: The server is killed once this share of all actions is acknowledged, and again at the second.
CRASH_AT = (0.3, 0.65)
DEADLINE_SECONDS = 150


@dataclass
class Stage:
    """The workshop the phones act in: ids they need, and what was there before they started."""

    workshop_id: int
    tool_id: int
    start_version: int
    subjects: list[str]
    proposal_ids: list[int]
    topics: list[str]
    items: list[str]
    round_id: int
    participant_ids: list[int] = field(default_factory=list)


def _stage(server: Restartable) -> tuple[Stage, list[str], Facilitator]:
    """Open a workshop with 20 phones, three revealed proposals and an open vote, in the refine phase."""
    facilitator = Facilitator(server.server, "crash@example.org", setup=True)
    workshop = facilitator.new_workshop()
    console = Client(server.server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    joined = [join(server.server, workshop["code"], name=f"Phone {i}") for i in range(PHONES)]
    console.call("phase.set", {"phase": "discuss"})
    draft = console.sync()["snapshot"]["draft"]
    items = [i["id"] for d in draft["domains"] for t in d["topics"] for i in t["items"]]
    topics = [t["id"] for d in draft["domains"] for t in d["topics"]]
    proposal_ids = [
        console.call("proposal.submit", {"kind": "reword", "change": {"item_id": item, "stem": f"Reworded {item}"}})[
            "proposal"
        ]["id"]
        for item in items[-3:]
    ]
    opened = console.call("round.open", {"proposal_ids": proposal_ids})
    assert opened["ok"], opened
    # Votes stay open in the refine phase, where phones may also propose, comment and edit wording.
    assert console.call("phase.set", {"phase": "refine"})["ok"]
    state = console.sync()["snapshot"]
    console.disconnect()
    facilitator.http.close()  # its pooled connection would die with the killed server
    stage = Stage(
        workshop_id=workshop["id"],
        tool_id=workshop["tool_id"],
        start_version=state["version"]["number"],
        subjects=opened["round"]["subjects"],
        proposal_ids=proposal_ids,
        topics=topics,
        items=items,
        round_id=opened["round"]["id"],
        participant_ids=[j["participant"]["id"] for j in joined],
    )
    return stage, [j["token"] for j in joined], facilitator


def _phone(client: OutboxClient, i: int, stage: Stage, deadline: float, errors: list[str]) -> None:
    """Run one phone's plan: votes, proposals, comments and edits of its own item, each until acknowledged."""
    base = stage.start_version
    try:
        for n in range(STEPS):
            step = PLAN[n % len(PLAN)]
            if step == "vote":
                subject = stage.subjects[(i + n) % len(stage.subjects)]
                value = tallies.CHOICES[(i * 7 + n) % 3]
                op_id = client.perform(
                    "vote.cast", {"round_id": stage.round_id, "subject": subject, "value": value}, deadline
                )
            elif step == "propose":
                change = {"topic_id": stage.topics[(i + n) % len(stage.topics)], "stem": f"c{i:02d} proposal {n}"}
                op_id = client.perform("proposal.submit", {"kind": "add_item", "change": change}, deadline)
            elif step == "comment":
                target = stage.proposal_ids[(i + n) % len(stage.proposal_ids)]
                op_id = client.perform(
                    "comment.add", {"proposal_id": target, "body": f"c{i:02d} comment {n}"}, deadline
                )
            else:
                edit = {"item_id": stage.items[i], "base_version": base, "set": {"stem": f"c{i:02d} edit {n}"}}
                op_id = client.perform("item.edit", edit, deadline)
            ack = client.acks[op_id]
            if not ack.get("ok"):
                errors.append(f"phone {i} step {n} ({step}) refused: {ack}")
                return
            if step == "edit":
                base = ack["version"]
            if n % 5 == 2:
                # As if this ack had been lost: the same op id again must return the first ack and change nothing.
                try:
                    again = client.repeat(op_id)
                    if again != ack:
                        errors.append(f"phone {i} step {n}: repeated op id answered {again}, first {ack}")
                except Exception:  # a crash can land here too; the ack we hold is what counts
                    pass
    except Exception as exc:  # reported by the test; a thread cannot fail it directly
        errors.append(f"phone {i}: {exc!r}")


def _acked(clients: list[OutboxClient]) -> tuple[dict[tuple[int, str], dict[str, Any]], dict[tuple[int, str], str]]:
    """Return every acknowledgement held and every action still in an outbox, keyed by (phone, op id)."""
    acked: dict[tuple[int, str], dict[str, Any]] = {}
    waiting: dict[tuple[int, str], str] = {}
    for i, client in enumerate(clients):
        with client.lock:
            acked.update({(i, op): ack for op, ack in client.acks.items()})
            waiting.update({(i, op): name for op, (name, _payload) in client.outbox.items()})
    return acked, waiting


def _op_results(database: Database, stage: Stage) -> dict[tuple[str, str], dict[str, Any]]:
    """Return the stored acknowledgement of every op id, keyed by (actor, op id)."""
    with database.read() as s:
        rows = s.execute(
            select(OpRecord.actor, OpRecord.op_id, OpRecord.result).where(OpRecord.workshop_id == stage.workshop_id)
        ).all()
    return {(actor, op_id): result for actor, op_id, result in rows}


def _crash(
    server: Restartable, clients: list[OutboxClient], database: Database, stage: Stage, lost: dict[Any, Any]
) -> dict[str, Any]:
    """Kill the server, compare what the phones hold acknowledged with the database, and start it again.

    Actions committed whose acknowledgement never arrived go into ``lost``: their resend must get the first ack.
    """
    server.kill()
    time.sleep(0.5)  # acknowledgements already on the wire reach the phones; no new one can come
    acked, waiting = _acked(clients)
    stored = _op_results(database, stage)
    actor = {i: f"p:{pid}" for i, pid in enumerate(stage.participant_ids)}
    found = sum(1 for (i, op), ack in acked.items() if stored.get((actor[i], op)) == ack)
    committed = {(i, op): stored[(actor[i], op)] for (i, op) in waiting if (actor[i], op) in stored}
    lost.update(committed)
    server.restart()
    return {
        "acknowledged": len(acked),
        "found": found,
        "in_flight": len(waiting),
        "in_flight_committed": len(committed),
    }


def _check_exactly_once(database: Database, stage: Stage, clients: list[OutboxClient]) -> int:
    """Check every acknowledged action against the database; return how many were found exactly once."""
    stored = _op_results(database, stage)
    found = 0
    with database.read() as s:
        for i, client in enumerate(clients):
            actor = f"p:{stage.participant_ids[i]}"
            final_votes: dict[str, str] = {}
            for op_id, ack in client.acks.items():
                name, payload = client.made[op_id]
                assert stored.get((actor, op_id)) == ack, f"phone {i} {name} acknowledged but not stored as acked"
                if name == "proposal.submit":
                    stem = payload["change"]["stem"]
                    same = s.scalar(
                        select(func.count()).where(
                            Proposal.workshop_id == stage.workshop_id, Proposal.payload["stem"].as_string() == stem
                        )
                    )
                    assert s.get(Proposal, ack["proposal"]["id"]) is not None, stem
                    assert same == 1, f"proposal {stem!r} stored {same} times"
                elif name == "comment.add":
                    same = s.scalar(select(func.count()).where(Comment.body == payload["body"]))
                    assert s.get(Comment, ack["comment_id"]) is not None and same == 1, payload["body"]
                elif name == "item.edit":
                    row = s.scalar(
                        select(DraftVersion).where(
                            DraftVersion.tool_id == stage.tool_id, DraftVersion.number == ack["version"]
                        )
                    )
                    assert row is not None and [c["set"] for c in row.changes] == [payload["set"]], payload["set"]
                else:
                    final_votes[payload["subject"]] = ack["value"]
                found += 1
            votes = dict(
                s.execute(select(Vote.subject, Vote.value).where(Vote.participant_id == stage.participant_ids[i])).all()
            )
            assert votes == final_votes, f"phone {i}: stored votes {votes}, last acknowledged {final_votes}"
    return found


def _check_nothing_half_applied(database: Database, stage: Stage) -> None:
    """Every effect has its op record and its event, and every op record has its effect, in step with seq."""
    stored = _op_results(database, stage)
    with database.read() as s:
        workshop = s.get(Workshop, stage.workshop_id)
        assert workshop is not None
        seqs = s.scalars(
            select(WorkshopEvent.seq).where(WorkshopEvent.workshop_id == workshop.id).order_by(WorkshopEvent.seq)
        ).all()
        assert list(seqs) == list(range(1, workshop.seq + 1)), "events are numbered 1..seq without gaps"
        events = s.execute(
            select(WorkshopEvent.name, WorkshopEvent.private, WorkshopEvent.public).where(
                WorkshopEvent.workshop_id == workshop.id
            )
        ).all()
        phone_results = [r for (actor, _op), r in stored.items() if actor.startswith("p:")]
        assert all(r["seq"] <= workshop.seq for r in stored.values())
        proposals = s.scalars(
            select(Proposal).where(Proposal.workshop_id == workshop.id, Proposal.author_id.is_not(None))
        ).all()
        submitted = {r["proposal"]["id"] for r in phone_results if "proposal" in r}
        assert {p.id for p in proposals} == submitted, "a proposal without its op record, or the reverse"
        announced = {(e.private or e.public)["id"] for e in events if e.name == "proposal"}
        assert submitted <= announced, "a proposal without its event"
        comments = s.scalars(
            select(Comment.id).join(Proposal).where(Proposal.workshop_id == workshop.id, Comment.author_id.is_not(None))
        ).all()
        assert set(comments) == {r["comment_id"] for r in phone_results if "comment_id" in r}
        versions = s.scalars(
            select(DraftVersion.number).where(
                DraftVersion.tool_id == stage.tool_id, DraftVersion.number > stage.start_version
            )
        ).all()
        edited = sorted(r["version"] for r in phone_results if r.get("changed"))
        assert sorted(versions) == edited, "a version without its op record, or the reverse"
        version_events = sorted(e.public["number"] for e in events if e.name == "version")
        assert version_events == edited, "every new version has exactly one event"
        voted = {(r["subject"], r["value"]) for r in phone_results if "subject" in r}
        for subject, value in s.execute(select(Vote.subject, Vote.value)).all():
            assert (subject, value) in voted and value in tallies.CHOICES


def _check_resynchronised(clients: list[OutboxClient], database: Database, stage: Stage) -> None:
    """Each phone applied every event exactly once, in order, and ends at the server's seq with an empty outbox."""
    with database.read() as s:
        seq = s.scalar(select(Workshop.seq).where(Workshop.id == stage.workshop_id))
    for i, client in enumerate(clients):
        if client.sio is None or not client.sio.connected:
            client.connect()  # a phone that finished before the last crash comes back, as a real one does
        client.sync()
        assert not client.outbox, f"phone {i} still has unacknowledged actions"
        assert client.log.snapshots == 1, f"phone {i} caught up from events, not from a new snapshot"
        assert client.log.contiguous(), f"phone {i} skipped or doubled an event"
        assert client.seq == seq, f"phone {i} is at seq {client.seq}, the server at {seq}"


@pytest.mark.slow
def test_acknowledged_actions_survive_sigkill(restartable: Restartable) -> None:
    stage, tokens, _facilitator = _stage(restartable)
    database = Database(restartable.database_url)
    clients = [OutboxClient(restartable.url, {"token": t}, name=f"phone {i}") for i, t in enumerate(tokens)]
    try:
        for client in clients:
            client.connect()
        deadline = time.monotonic() + DEADLINE_SECONDS
        errors: list[str] = []
        threads = [
            threading.Thread(target=_phone, args=(c, i, stage, deadline, errors), daemon=True)
            for i, c in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        total = PHONES * STEPS
        crashes = []
        lost: dict[tuple[int, str], dict[str, Any]] = {}
        for share in CRASH_AT:
            while sum(len(c.acks) for c in clients) < share * total:
                assert time.monotonic() < deadline and not errors, errors
                time.sleep(0.01)
            crashes.append(_crash(restartable, clients, database, stage, lost))
        for thread in threads:
            thread.join(max(1.0, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in threads), "phones still working at the deadline"
        assert not errors, errors

        found = _check_exactly_once(database, stage, clients)
        _check_nothing_half_applied(database, stage)
        _check_resynchronised(clients, database, stage)
        for crash in crashes:
            assert crash["found"] == crash["acknowledged"], crash
        for (i, op_id), first in lost.items():
            assert clients[i].acks[op_id] == first, "a resent action that had been committed got its first ack again"
        absorbed = sum(1 for c in clients for op in c.resent if op in c.acks)
        backend = "sqlite" if database.is_sqlite else "postgresql"
        report(
            "durability",
            {
                backend: {
                    "phones": PHONES,
                    "actions": total,
                    "crashes": crashes,
                    "acknowledged_at_end": sum(len(c.acks) for c in clients),
                    "found_exactly_once_at_end": found,
                    "resent_after_reconnect": absorbed,
                    "reconnects": sum(c.reconnects for c in clients),
                }
            },
        )
    finally:  # also when the test fails: no connection left for a later test to trip over
        for client in clients:
            client.drop()
        database.dispose()
