"""The record of how a tool was agreed in a workshop, for the paper (ACCORD-style reporting).

Only aggregates and pseudonyms: counts by stakeholder group, rules as set, statistics per round,
versions with their provenance. Individual votes appear only in ``anonymised_votes``, under fresh
random labels that link to nothing else.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import drafts, tallies
from .consensus import MIN_GROUP_SIZE
from .diff import compare, summary
from .live_models import Comment, Participant, Proposal, Round, Vote, Workshop, WorkshopEvent


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _participation(session: Session, workshop: Workshop) -> dict[str, Any]:
    rows = session.execute(
        select(Participant.group, Participant.is_proxy, Participant.removed_at.is_not(None), func.count())
        .where(Participant.workshop_id == workshop.id)
        .group_by(Participant.group, Participant.is_proxy, Participant.removed_at.is_not(None))
    ).all()
    by_group: dict[str, int] = {}
    proxies = removed = 0
    for group, proxy, was_removed, n in rows:
        by_group[group or "none"] = by_group.get(group or "none", 0) + n
        proxies += n if proxy else 0
        removed += n if was_removed else 0
    labels = {g["id"]: g["label"] for g in workshop.groups}
    return {
        "joined": sum(by_group.values()),
        "by_group": [
            {"group": g, "label": labels.get(g, "No group given"), "count": n} for g, n in sorted(by_group.items())
        ],
        "proxies": proxies,
        "removed": removed,
    }


def _phases(session: Session, workshop: Workshop) -> list[dict[str, Any]]:
    phases, last = [], None
    rows = session.execute(
        select(WorkshopEvent.public, WorkshopEvent.created_at)
        .where(WorkshopEvent.workshop_id == workshop.id, WorkshopEvent.name == "workshop")
        .order_by(WorkshopEvent.seq)
    )
    for public, at in rows:
        if public.get("phase") != last:
            last = public.get("phase")
            phases.append({"phase": last, "at": _iso(at)})
    return phases


def _rounds(session: Session, workshop: Workshop, eligible: int) -> list[dict[str, Any]]:
    out = []
    for row in session.scalars(select(Round).where(Round.workshop_id == workshop.id).order_by(Round.number)):
        result = tallies.tally(session, row)
        out.append(
            {
                "number": row.number,
                "kind": row.kind,
                "opened_at": _iso(row.opened_at),
                "closed_at": _iso(row.closed_at),
                "config": row.config,
                "subjects": row.subjects,
                "voters": result["voters"],
                "eligible": eligible,
                "results": result,
            }
        )
    return out


def _proposals(session: Session, workshop: Workshop) -> list[dict[str, Any]]:
    pseudonyms = dict(
        session.execute(
            select(Participant.id, Participant.pseudonym).where(Participant.workshop_id == workshop.id)
        ).all()
    )
    comments = dict(
        session.execute(
            select(Comment.proposal_id, func.count())
            .join(Proposal, Proposal.id == Comment.proposal_id)
            .where(Proposal.workshop_id == workshop.id)
            .group_by(Comment.proposal_id)
        ).all()
    )
    return [
        {
            "id": p.id,
            "kind": p.kind,
            "status": p.status,
            "payload": p.payload,
            "original": p.original,
            "rationale": p.rationale,
            "proposer": pseudonyms.get(p.author_id, "facilitator") if p.author_id else "facilitator",
            "proxy": p.proxy,
            "comments": comments.get(p.id, 0),
            "merged_into": p.merged_into_id,
            "decided_version": p.decided_version,
        }
        for p in session.scalars(select(Proposal).where(Proposal.workshop_id == workshop.id).order_by(Proposal.id))
    ]


def workshop_record(session: Session, workshop: Workshop) -> dict[str, Any]:
    """Return everything the paper needs about one workshop, as a JSON-ready dict."""
    tool = drafts.get_tool(session, workshop.tool_id)
    participation = _participation(session, workshop)
    versions = [
        v.to_dict()
        for v in drafts.versions(session, tool.id)
        if v.number > workshop.start_version
        and any((c.get("provenance") or {}).get("workshop_id") == workshop.id for c in v.changes)
    ]
    end = tool.agreed_version or tool.latest_version
    start_content, end_content = (
        drafts.read(session, tool.id, workshop.start_version),
        drafts.read(session, tool.id, end),
    )
    comparison = compare(start_content, end_content)
    proposals = _proposals(session, workshop)
    labels = {f"proposal:{p['id']}": f"Proposal #{p['id']} ({p['kind'].replace('_', ' ')})" for p in proposals}
    for content in (start_content, end_content):
        for _, _, item in content.items():
            labels.setdefault(f"item:{item.id}", f"{item.code}: {item.stem[:80]}")
    return {
        "generated_at": datetime.now(UTC).isoformat(),
        "workshop": {
            "id": workshop.id,
            "title": workshop.title,
            "opened_at": _iso(workshop.created_at),
            "closed_at": _iso(workshop.closed_at),
            "status": workshop.status,
            "groups": workshop.groups,
            "consent_text": workshop.consent_text,
        },
        "tool": {
            "id": tool.id,
            "title": tool.title,
            "start_version": workshop.start_version,
            "end_version": end,
            "end_is_agreed": tool.agreed_version is not None,
        },
        "participation": participation,
        "phases": _phases(session, workshop),
        "rounds": _rounds(session, workshop, participation["joined"] - participation["removed"]),
        "proposals": proposals,
        "subject_labels": labels,
        "versions": versions,
        "comparison": comparison,
        "comparison_summary": summary(comparison),
    }


def anonymised_votes(session: Session, workshop: Workshop, *, seed: int | None = None) -> list[dict[str, Any]]:
    """Return every vote of the workshop under fresh random participant labels (never names, ids or pseudonyms).

    This is the one export with a row per vote, for re-analysis (e.g. how ratings moved between Delphi
    rounds); it holds no times, and the stakeholder group of anyone in a group smaller than three is withheld.
    """
    people = session.execute(
        select(Participant.id, Participant.group).where(Participant.workshop_id == workshop.id)
    ).all()
    order = [pid for pid, _ in people]
    random.Random(seed).shuffle(order)
    labels = {pid: f"R{n:03d}" for n, pid in enumerate(order, start=1)}
    # A stakeholder group of one or two would name its members: their group is withheld in this file.
    sizes: dict[str | None, int] = {}
    for _, group in people:
        sizes[group] = sizes.get(group, 0) + 1
    groups = {
        pid: (group if group and sizes[group] >= MIN_GROUP_SIZE else ("withheld" if group else ""))
        for pid, group in people
    }
    rows = session.execute(
        select(Round.number, Round.kind, Vote.subject, Vote.participant_id, Vote.value, Vote.proxy)
        .join(Round, Round.id == Vote.round_id)
        .where(Round.workshop_id == workshop.id)
        .order_by(Round.number, Vote.subject)
    ).all()
    out = [
        {
            "workshop": workshop.id,
            "round": number,
            "round_kind": kind,
            "subject": subject,
            "participant": labels[pid],
            "group": groups.get(pid, ""),
            "value": value,
            "proxy": proxy,
        }
        for number, kind, subject, pid, value, proxy in rows
    ]
    # Sorted by round, subject and label, so the file's order says nothing about who voted when.
    return sorted(out, key=lambda r: (r["round"], r["subject"], r["participant"]))
