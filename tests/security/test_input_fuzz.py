"""Generated payloads for every live event against a real server: clear refusals, no garbage stored, state consistent.

Hypothesis sends wrong types, huge and strange strings, nested junk, extreme numbers, missing and extra
fields, and ids of other workshops, mostly as mutations of a valid payload so that they get past the first
check. Every reply must be ``{"ok": true, ...}`` or a refusal with a code from docs/protocol.md; the
connection stays up; the server logs no error; and what the database holds stays valid.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.figures import report
from tests.live.harness import Client, Facilitator, Server, join
from tests.security.conftest import console, persist
from workshop.core import drafts, proposals, validation
from workshop.core.consensus import UNABLE, ConsensusRule
from workshop.core.live_models import Comment, Participant, Proposal, Round, Vote, Workshop, WorkshopEvent
from workshop.core.tallies import CHOICES
from workshop.db import Database
from workshop.realtime import MAX_MESSAGE_BYTES

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
#: The error codes docs/protocol.md documents (its Errors table).
CODES = set(re.findall(r"^\| `([a-z_]+)` \|", PROTOCOL.read_text().split("## Errors", 1)[1], re.MULTILINE))
PARTICIPANT_EVENTS = [
    "proposal.submit",
    "proposal.withdraw",
    "comment.add",
    "vote.cast",
    "vote.rank",
    "vote.dots",
    "item.edit",
    "sync",
]
FACILITATOR_EVENTS = [
    "proposal.submit",
    "comment.add",
    "vote.cast",
    "item.edit",
    "timer.set",
    "workshop.settings",
    "proxy.add",
    "proposals.reveal",
    "proposal.hide",
    "proposal.edit",
    "proposal.merge",
    "proposal.accept",
    "proposal.reject",
    "round.open",
    "round.close",
    "round.reveal",
    "round.decide",
    "no.such.event",
]
tried = {"payloads": 0, "accepted": 0, "refused": 0, "errors": 0}
refusals: dict[str, int] = {}
#: The last payloads sent, named when one of them broke the connection.
recent: list[tuple[str, Any]] = []
first_failure: list[tuple[str, Any]] = []


class Stage:
    """The workshop under fire, another workshop whose ids are thrown at it, and the clients that send."""

    def __init__(self, server: Server, owner: Facilitator) -> None:
        self.w = owner.new_workshop()
        self.other = owner.new_workshop()
        self.owner = console(server, owner, self.w["id"])
        self.phones = [Client(server, {"token": join(server, self.w["code"])["token"]}).connect() for _ in range(2)]
        other_console = console(server, owner, self.other["id"])
        other_console.call("phase.set", {"phase": "discuss"})
        draft = self.owner.sync()["snapshot"]["draft"]
        self.items = [i["id"] for d in draft["domains"] for t in d["topics"] for i in t["items"]]
        self.topics = [t["id"] for d in draft["domains"] for t in d["topics"]]
        self.proxy = self.owner.call("proxy.add", {"display_name": "Proxy"})["participant"]["id"]
        self.owner.call("phase.set", {"phase": "discuss"})
        self.proposals = [
            self.owner.call("proposal.submit", {"kind": "reword", "change": {"item_id": i, "stem": f"New {i}"}})[
                "proposal"
            ]["id"]
            for i in self.items[:4]
        ]
        other_item = {"item_id": self.items[0], "stem": "Elsewhere"}
        self.foreign_proposal = other_console.call("proposal.submit", {"kind": "reword", "change": other_item})[
            "proposal"
        ]["id"]
        self.foreign_round = other_console.call("round.open", {})["round"]["id"]
        self.foreign_participant = join(server, self.other["code"])["participant"]["id"]
        other_console.disconnect()
        self.rating = self.owner.call("round.open", {"kind": "rating", "item_ids": self.items[:4]})["round"]["id"]
        self.owner.call("phase.set", {"phase": "refine"})

    def valid(self, name: str) -> dict[str, Any]:
        """Return a valid payload for an event (without op_id)."""
        item, proposal = self.items[1], self.proposals[0]
        return {
            "proposal.submit": {"kind": "add_item", "change": {"topic_id": self.topics[0], "stem": "A new item"}},
            "proposal.withdraw": {"proposal_id": proposal},
            "comment.add": {"proposal_id": proposal, "body": "A comment"},
            "vote.cast": {"round_id": self.rating, "subject": f"item:{self.items[0]}", "value": 7},
            "vote.rank": {"round_id": self.rating, "ranking": [f"item:{self.items[0]}"]},
            "vote.dots": {"round_id": self.rating, "allocation": {f"item:{self.items[0]}": 1}},
            "item.edit": {"item_id": item, "base_version": 1, "set": {"stem": "Edited"}},
            "sync": {"since": 1},
            "timer.set": {"seconds": 30},
            "workshop.settings": {"title": "Renamed"},
            "proxy.add": {"display_name": "Someone", "group": "returner"},
            "proposals.reveal": {"proposal_ids": [proposal]},
            "proposal.hide": {"proposal_id": proposal, "hidden": False},
            "proposal.edit": {"proposal_id": proposal, "change": {"item_id": self.items[0], "stem": "Clearer"}},
            "proposal.merge": {"proposal_id": self.proposals[1], "into_id": self.proposals[2]},
            "proposal.accept": {"proposal_id": self.proposals[3]},
            "proposal.reject": {"proposal_id": self.proposals[2]},
            "round.open": {"kind": "rating", "item_ids": self.items[:3], "scale": "1-5"},
            "round.close": {"round_id": self.rating},
            "round.reveal": {"round_id": self.rating},
            "round.decide": {"round_id": self.rating},
            "no.such.event": {},
        }[name]

    def ids(self) -> list[Any]:
        """Return ids worth trying: this workshop's, another workshop's, and impossible ones."""
        return [
            *self.proposals,
            self.rating,
            self.proxy,
            self.foreign_proposal,
            self.foreign_round,
            self.foreign_participant,
            0,
            -1,
            2**31,
            2**63,
            -(2**70),
            1.5,
            True,
            "1",
            f"item:{self.items[0]}",
            "item:nope",
            f"proposal:{self.foreign_proposal}",
        ]


@pytest.fixture(scope="module")
def stage(server: Server, owner: Facilitator) -> Iterator[Stage]:
    """Return the workshop under fire."""
    under_fire = Stage(server, owner)
    persist(under_fire.owner, *under_fire.phones)
    yield under_fire
    for client in (under_fire.owner, *under_fire.phones):
        client.close()


STRANGE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\ud800",
        "\u202eevil",
        "\ufeff",
        "\U0001d54f" * 600,
        "x" * 2001,
        "y" * 20_000,
        "<script>alert(1)</script>",
        "{{7*7}}",
        "NaN",
        "null",
    ]
)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 9, 10, 2**31 - 1, 2**31, 2**63, True, False]),
)
JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=50), STRANGE_TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.one_of(st.text(max_size=10), STRANGE_TEXT), inner, max_size=5)
    ),
    max_leaves=15,
)


@st.composite
def payloads(draw: st.DrawFn, stage: Stage, name: str) -> Any:
    """Draw a payload for an event: pure junk, or a valid payload with a few fields broken."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JUNK)
    data: dict[str, Any] = dict(stage.valid(name))
    for _ in range(draw(st.integers(1, 3))):
        target = data
        nested = [k for k, v in data.items() if isinstance(v, dict)]
        if nested and draw(st.booleans()):
            key = draw(st.sampled_from(nested))
            target = data[key] = dict(data[key])
        keys = sorted(target) or ["extra"]
        key = draw(st.one_of(st.sampled_from(keys), st.text(max_size=12)))
        how = draw(st.sampled_from(["junk", "drop", "id", "text", "number", "list"]))
        if how == "drop":
            target.pop(key, None)
        elif how == "id":
            target[key] = draw(st.sampled_from(stage.ids()))
        elif how == "text":
            target[key] = draw(st.one_of(STRANGE_TEXT, st.text(max_size=200)))
        elif how == "number":
            target[key] = draw(NUMBERS)
        elif how == "list":
            target[key] = draw(st.lists(st.one_of(st.sampled_from(stage.ids()), JUNK), max_size=6))
        else:
            target[key] = draw(JUNK)
    op = draw(st.sampled_from(["fresh", "fresh", "fresh", "fresh", "missing", "junk"]))
    if op == "fresh":
        data["op_id"] = uuid.uuid4().hex
    elif op == "junk":
        data["op_id"] = draw(JUNK)
    return data


def _send(client: Client, name: str, payload: Any) -> None:
    """Send one payload and check the reply is an acknowledgement or a documented refusal."""
    # Messages over the size limit are dropped with the connection: test_oversized_message covers them.
    assume(len(json.dumps([name, payload])) < MAX_MESSAGE_BYTES - 100)
    tried["payloads"] += 1
    recent.append((name, payload))
    try:
        reply = client.sio.call(name, payload, timeout=5)
    except Exception as exc:  # a timeout means the handler failed without answering
        tried["errors"] += 1
        if not first_failure:
            first_failure.extend(recent[-6:])
        raise AssertionError(f"{name} {payload!r:.300}: no reply ({exc!r}); first: {first_failure!r:.1500}") from None
    assert client.sio.connected, f"{name} {payload!r:.300} dropped the connection"
    assert isinstance(reply, dict) and isinstance(reply.get("ok"), bool), reply
    if reply["ok"]:
        tried["accepted"] += 1
        return
    tried["refused"] += 1
    error = reply.get("error")
    assert isinstance(error, dict) and error.get("code") in CODES, f"{name}: undocumented refusal {reply}"
    assert isinstance(error.get("message"), str) and error["message"], reply
    refusals[error["code"]] = refusals.get(error["code"], 0) + 1


FUZZ = settings(
    max_examples=900,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_participant_payloads(stage: Stage, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(PARTICIPANT_EVENTS))
    phone = stage.phones[data.draw(st.integers(0, 1))]
    _send(phone, name, data.draw(payloads(stage, name)))


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_facilitator_payloads(stage: Stage, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(FACILITATOR_EVENTS))
    _send(stage.owner, name, data.draw(payloads(stage, name)))


def _valid_vote(row: Round, value: str) -> bool:
    if row.kind == "proposal_vote":
        return value in CHOICES
    if row.kind == "rating":
        scale = ConsensusRule.from_dict(row.config["rule"]).scale
        return value == UNABLE or (value.isdigit() and scale.min <= int(value) <= scale.max)
    if row.kind == "ranking":
        return value.isdigit() and 1 <= int(value) <= row.config["n"]
    return value.isdigit() and 1 <= int(value) <= row.config["cap"]


def _check_proposal(session: Any, proposal: Proposal, versions: list[Any]) -> None:
    """A stored proposal's payload is exactly what clean_payload makes of it against some version of the draft."""
    for info in reversed(versions):
        content = drafts.read(session, info.tool_id, info.number)
        try:
            if proposals.clean_payload(proposal.kind, dict(proposal.payload), content) == proposal.payload:
                return
        except Exception:  # the draft moved on since; try the version it was made against
            continue
    raise AssertionError(f"proposal {proposal.id} holds a payload no draft accepts: {proposal.payload!r:.300}")


def test_state_stayed_consistent(stage: Stage, server: Server, database: Database) -> None:
    """Run after the fuzzing: every stored thing is valid, the event log is whole, the log has no error."""
    with database.read() as s:
        for workshop in s.scalars(select(Workshop)):
            seqs = s.scalars(select(WorkshopEvent.seq).where(WorkshopEvent.workshop_id == workshop.id)).all()
            assert sorted(seqs) == list(range(1, workshop.seq + 1)), "seq == number of events, no gaps"
            assert 0 < len(workshop.title) <= 200
            versions = drafts.versions(s, workshop.tool_id)
            validation.validate(drafts.read(s, workshop.tool_id, versions[-1].number))
            for proposal in s.scalars(select(Proposal).where(Proposal.workshop_id == workshop.id)):
                assert len(proposal.rationale) <= proposals.RATIONALE_MAX
                _check_proposal(s, proposal, versions)
        for body in s.scalars(select(Comment.body)):
            assert 0 < len(body) <= proposals.COMMENT_MAX and body == body.strip()
        for name in s.scalars(select(Participant.display_name)):
            assert len(name) <= 60
        for row in s.scalars(select(Round)):
            votes = s.execute(select(Vote.participant_id, Vote.subject, Vote.value).where(Vote.round_id == row.id))
            per_person: dict[int, int] = {}
            for participant, subject, value in votes:
                assert subject in row.subjects and _valid_vote(row, value), (row.kind, subject, value)
                per_person[participant] = per_person.get(participant, 0) + (int(value) if row.kind == "dots" else 0)
            if row.kind == "dots":
                assert all(total <= row.config["budget"] for total in per_person.values())
        total_votes = s.scalar(select(func.count()).select_from(Vote))
    log = server.log_path.read_text(errors="replace")
    for marker in ("Traceback", "Error", " 500 "):
        assert marker not in log, f"the server logged {marker!r}: {log[-2000:]}"
    assert tried["payloads"] >= 1500 and tried["errors"] == 0
    report("input", {"fuzz": {**tried, "refusals_by_code": refusals, "votes_stored": total_votes}})
