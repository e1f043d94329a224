"""Tables of live workshops: facilitators, workshops, participants, proposals, rounds, votes, the event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, utcnow


class Facilitator(Base):
    """A person who prepares tools and runs workshops; logs in with email and password."""

    __tablename__ = "facilitator"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, stored lower-case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: argon2id hash of the password (never the password).
    password_hash: Mapped[str] = mapped_column(String(200))
    #: When the account was made.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Bumped at logout: every session cookie issued before stops working, even a copied one.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")


class ToolShare(Base):
    """A tool explicitly shared with a facilitator other than its owner."""

    __tablename__ = "tool_share"

    #: The shared tool.
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"), primary_key=True)
    #: The facilitator it is shared with.
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id", ondelete="CASCADE"), primary_key=True)


class Workshop(Base):
    """A live meeting on a tool, with a join code, phases and rounds."""

    __tablename__ = "workshop"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The tool being worked on.
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"))
    #: The facilitator who opened it (and who may run it).
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id"))
    #: Shown on the projector and in the record.
    title: Mapped[str] = mapped_column(String(200))
    #: What participants type to join; unique, no ambiguous characters.
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    #: open or closed.
    status: Mapped[str] = mapped_column(String(10), default="open")
    #: review, propose, discuss, vote, results, refine or closed.
    phase: Mapped[str] = mapped_column(String(10), default="review")
    #: When the running timer ends (None: no timer).
    timer_ends_at: Mapped[datetime | None] = mapped_column(default=None)
    #: The tool version the workshop opened on.
    start_version: Mapped[int]
    #: Number of the last event broadcast; every event takes the next one.
    seq: Mapped[int] = mapped_column(default=0)
    #: The stakeholder groups offered at join: [{"id": ..., "label": ...}].
    groups: Mapped[list[Any]] = mapped_column(JSON)
    #: Text participants acknowledge before taking part.
    consent_text: Mapped[str] = mapped_column(Text)
    #: Whether participants' display names may be shown to other participants.
    show_names: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When it was opened and (last) closed.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class Participant(Base):
    """Someone taking part, from a phone (or entered by the facilitator as a proxy)."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("workshop_id", "pseudonym"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The workshop joined.
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    #: SHA-256 of the rejoin token (the phone keeps the token; we keep only this).
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: Random label used in records instead of a name, e.g. "P-7K3Q".
    pseudonym: Mapped[str] = mapped_column(String(16))
    #: Optional display name (shown to the facilitator; to others only if the workshop allows).
    display_name: Mapped[str] = mapped_column(String(60), default="")
    #: Stakeholder group id from the workshop's list, or None.
    group: Mapped[str | None] = mapped_column(String(40), default=None)
    #: Entered by the facilitator for someone without a phone.
    is_proxy: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When they joined (and acknowledged how their input is used).
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the facilitator removes them; their token stops working.
    removed_at: Mapped[datetime | None] = mapped_column(default=None)


class Proposal(Base):
    """A suggested change to the tool, with its rationale and its fate."""

    __tablename__ = "proposal"
    __table_args__ = (Index("ix_proposal_workshop", "workshop_id"),)

    #: Primary key (shown as #12).
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The workshop it was made in.
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    #: Who proposed it (None: the facilitator).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), default=None)
    #: Entered by the facilitator on someone's behalf.
    proxy: Mapped[bool] = mapped_column(Boolean, default=False)
    #: add_item, reword, change_type, change_options, change_help, move, remove or merge.
    kind: Mapped[str] = mapped_column(String(20))
    #: What the proposal asks for (item text, topic, response type, ...); see proposals.py.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The payload as first submitted, kept when the facilitator edits it for clarity.
    original: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: Why the proposer wants it.
    rationale: Mapped[str] = mapped_column(Text, default="")
    #: open, accepted, rejected, merged or withdrawn.
    status: Mapped[str] = mapped_column(String(10), default="open")
    #: Shown to participants (false during silent generation until revealed).
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Hidden by the facilitator as off-topic.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The proposal this duplicate was merged into.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="SET NULL"), default=None)
    #: The tool version its acceptance made.
    decided_version: Mapped[int | None] = mapped_column(default=None)
    #: When it was made and last changed.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(Base):
    """A comment on a proposal."""

    __tablename__ = "comment"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The proposal commented on.
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    #: Who wrote it (None: the facilitator).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), default=None)
    #: The comment (limited Markdown).
    body: Mapped[str] = mapped_column(Text)
    #: When it was written.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Round(Base):
    """A voting or rating round, with its rules frozen when it opens."""

    __tablename__ = "round"
    __table_args__ = (UniqueConstraint("workshop_id", "number"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The workshop it belongs to.
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    #: 1, 2, 3, ... within the workshop.
    number: Mapped[int]
    #: proposal_vote (agree/disagree/abstain), rating, ranking or dots.
    kind: Mapped[str] = mapped_column(String(20))
    #: open or closed; votes are accepted only while open.
    status: Mapped[str] = mapped_column(String(10), default="open")
    #: What is voted on: ["proposal:12", "item:itm_x", ...].
    subjects: Mapped[list[Any]] = mapped_column(JSON)
    #: Settings frozen at opening (scale, consensus rule, budget, ...).
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Results shown to participants.
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When it opened and closed.
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class Vote(Base):
    """One participant's secret vote on one subject in one round; replaced when changed."""

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("round_id", "participant_id", "subject"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The round.
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    #: Who voted (never leaves the server).
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    #: What was voted on, e.g. "proposal:12".
    subject: Mapped[str] = mapped_column(String(80))
    #: The vote as text: "agree"/"disagree"/"abstain", a rating ("7") or "unable", a rank, a number of dots.
    value: Mapped[str] = mapped_column(String(20))
    #: Entered by the facilitator on someone's behalf.
    proxy: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When it was last changed.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OpRecord(Base):
    """The result of a client action, so a repeated op id returns it and changes nothing."""

    __tablename__ = "op_record"
    __table_args__ = (UniqueConstraint("workshop_id", "actor", "op_id"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The workshop acted in.
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    #: Who acted: "p:<participant id>" or "f:<facilitator id>".
    actor: Mapped[str] = mapped_column(String(20))
    #: The client-generated op id.
    op_id: Mapped[str] = mapped_column(String(64))
    #: The acknowledgement sent the first time.
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: When it was first acknowledged.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkshopEvent(Base):
    """A broadcast, numbered in its workshop, kept so reconnecting clients can catch up."""

    __tablename__ = "workshop_event"
    __table_args__ = (UniqueConstraint("workshop_id", "seq"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The workshop.
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    #: The workshop's sequence number of this event.
    seq: Mapped[int]
    #: Event name, e.g. "phase", "proposal", "version".
    name: Mapped[str] = mapped_column(String(40))
    #: What participants and the projector receive.
    public: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: What facilitators receive instead (None: the same as public).
    private: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: When it happened.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
