"""The workshop record (how the tool was agreed) as Markdown, printable HTML or PDF, and the anonymised votes.

Everything here reads the dict from ``core.record``: counts, rules as set, statistics, versions and
their provenance. No names: participants appear only as pseudonyms or, in the votes file, as fresh labels.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from html import escape
from typing import Any

from .markdown import one_line
from .pdf import html_to_pdf

FORMATS = ("html", "pdf", "md", "votes-csv")
VOTE_COLUMNS = ("workshop", "round", "round_kind", "subject", "participant", "group", "value", "proxy")
KIND_LABELS = {
    "proposal_vote": "Agree / disagree / abstain on proposals",
    "rating": "Rating (e-Delphi)",
    "ranking": "Nominal group ranking",
    "dots": "Dot voting",
}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _round_rows(entry: dict[str, Any], labels: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    """Return a round's result table: a header and one row per subject, aggregates only."""
    table = _round_table(entry)
    return table[0], [[labels.get(row[0], row[0]), *row[1:]] for row in table[1]]


def _round_table(entry: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    results, kind = entry["results"], entry["kind"]
    if kind == "proposal_vote":
        rows = [[s, str(c["agree"]), str(c["disagree"]), str(c["abstain"])] for s, c in results["subjects"].items()]
        return ["Subject", "Agree", "Disagree", "Abstain"], rows
    if kind == "rating":
        rows = []
        for subject, stats in results["subjects"].items():
            o = stats["overall"]
            bands = o["bands"]
            rows.append(
                [
                    subject,
                    str(o["n"]),
                    str(o["unable"]),
                    _pct(bands["low"]["pct"]),
                    _pct(bands["mid"]["pct"]),
                    _pct(bands["high"]["pct"]),
                    _num(o["median"]),
                    f"{_num(o['q1'])} to {_num(o['q3'])}",
                    results["decisions"][subject].replace("_", " "),
                ]
            )
        return ["Subject", "n", "Unable", "Low", "Mid", "High", "Median", "IQR", "Decision"], rows
    if kind == "ranking":
        rows = [
            [r["subject"], str(r["score"]), str(r["rank"]) + (" (tie)" if r["tied"] else "")]
            for r in results["results"]
        ]
        return ["Subject", "Score", "Rank"], rows
    rows = [
        [r["subject"], str(r["dots"]), str(r["rank"]) + (" (tie)" if r["tied"] else "")] for r in results["results"]
    ]
    return ["Subject", "Dots", "Rank"], rows


def _group_lines(entry: dict[str, Any]) -> list[str]:
    """Return one line per subject and stakeholder group of a rating round (suppressed groups say so)."""
    if entry["kind"] != "rating":
        return []
    lines = []
    for subject, stats in entry["results"]["subjects"].items():
        for group, figures in stats["groups"].items():
            if figures.get("suppressed"):
                lines.append(f"{subject}, {group}: withheld ({figures['reason']})")
            else:
                lines.append(
                    f"{subject}, {group}: n={figures['n']}, high {_pct(figures['bands']['high']['pct'])}, "
                    f"median {_num(figures['median'])}, decision {figures['decision'].replace('_', ' ')}"
                )
    return lines


def _change_line(change: dict[str, Any]) -> str:
    prov = change.get("provenance") or {}
    what = change.get("op", "?").replace("_", " ")
    target = change.get("item_id") or (change.get("item") or {}).get("code") or ""
    why = []
    if prov.get("proposal_id"):
        why.append(f"proposal #{prov['proposal_id']} by {prov.get('proposer', 'facilitator')}")
    if prov.get("votes"):
        v = prov["votes"]
        why.append(
            f"votes {v['agree']} agree / {v['disagree']} disagree / {v['abstain']} abstain (round {prov.get('round')})"
        )
    if prov.get("decision"):
        why.append(
            f"{prov.get('method', 'rule')}: {prov['decision'].replace('_', ' ')} "
            f"under the rule of round {prov['round']['round']}"
        )
    if prov.get("phase") == "refine":
        why.append("live edit in the refine phase")
    return f"{what} {target}".strip() + (f" ({'; '.join(why)})" if why else "")


def _sections(data: dict[str, Any]) -> Iterable[tuple[str, list[str], list[tuple[list[str], list[list[str]]]]]]:
    """Yield (heading, paragraphs, tables) for every part of the record, in reading order."""
    w, tool, part = data["workshop"], data["tool"], data["participation"]
    yield (
        "Workshop",
        [
            f"{w['title']} — opened {w['opened_at']}"
            + (f", closed {w['closed_at']}" if w["closed_at"] else ", still open"),
            f"Tool: {tool['title']} (tool {tool['id']}), from version {tool['start_version']} to version "
            f"{tool['end_version']}{' (agreed)' if tool['end_is_agreed'] else ' (latest; none marked agreed yet)'}.",
            f"Participants were told: {w['consent_text']}",
        ],
        [],
    )
    yield (
        "Participation",
        [
            f"{part['joined']} joined ({part['proxies']} entered by the facilitator for people without a phone; "
            f"{part['removed']} removed)."
        ],
        [(["Stakeholder group", "Participants"], [[g["label"], str(g["count"])] for g in part["by_group"]])],
    )
    yield ("Phases", [f"{p['at']}: {p['phase']}" for p in data["phases"]] or ["No phase changes recorded."], [])
    for entry in data["rounds"]:
        config = entry["config"]
        paragraphs = [
            f"{KIND_LABELS.get(entry['kind'], entry['kind'])}; opened {entry['opened_at']}, "
            f"closed {entry['closed_at'] or 'still open'}.",
            f"Response: {entry['voters']} of {entry['eligible']} participants voted.",
        ]
        if config.get("rule_text"):
            paragraphs.append(f"Consensus rule, set before the round opened: {config['rule_text']}")
        if config.get("previous_round"):
            paragraphs.append(
                f"Carried over from round id {config['previous_round']}, with each person's previous rating "
                "and the group's distribution shown."
            )
        labels = data.get("subject_labels", {})
        yield (f"Round {entry['number']}", paragraphs + _group_lines(entry), [_round_rows(entry, labels)])
    rows = [
        [
            f"#{p['id']}",
            p["kind"].replace("_", " "),
            p["status"],
            p["proposer"] + (" (proxy)" if p["proxy"] else ""),
            str(p["comments"]),
            str(p["decided_version"] or ""),
        ]
        for p in data["proposals"]
    ]
    yield (
        "Proposals",
        [] if rows else ["No proposals."],
        [(["Proposal", "Kind", "Outcome", "Proposer", "Comments", "Version"], rows)] if rows else [],
    )
    for version in data["versions"]:
        lines = [f"{version['created_at']} by {version['author']}: {version['note']}"] + [
            _change_line(c) for c in version["changes"]
        ]
        yield (f"Version {version['number']}" + (f" “{version['name']}”" if version["name"] else ""), lines, [])
    summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in data["comparison_summary"].items()) or "no differences"
    yield (f"From version {tool['start_version']} to version {tool['end_version']}", [summary], [])


def render_markdown(data: dict[str, Any]) -> str:
    """Return the record as a Markdown document."""
    out = [
        f"# How the tool was agreed: {one_line(data['workshop']['title'])}",
        "",
        f"Generated {data['generated_at']}.",
        "",
    ]
    for heading, paragraphs, tables in _sections(data):
        out += [f"## {one_line(heading)}", ""]
        out += [f"{one_line(p)}  " for p in paragraphs]
        for header, rows in tables:
            out += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            out += ["| " + " | ".join(one_line(c).replace("|", "\\|") for c in row) + " |" for row in rows]
        out.append("")
    return "\n".join(out)


STYLE = """body { font-family: system-ui, "DejaVu Sans", sans-serif; max-width: 52rem; margin: 2rem auto;
  padding: 0 1rem;
  line-height: 1.45; color: #1a1a1a; }
h2 { border-bottom: 2px solid #444; margin-top: 2rem; } table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #999; padding: .2rem .5rem; text-align: left; font-size: .9em; }
@page { size: A4; margin: 18mm 16mm; }
@media print { body { max-width: none; margin: 0; } h2 { break-after: avoid; } }"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def render_html(data: dict[str, Any]) -> str:
    """Return the record as one standalone printable HTML page."""
    body = [
        f"<h1>How the tool was agreed: {escape(data['workshop']['title'])}</h1>",
        f"<p>Generated {escape(data['generated_at'])}.</p>",
    ]
    for heading, paragraphs, tables in _sections(data):
        body.append(f"<h2>{escape(heading)}</h2>")
        body += [f"<p>{escape(p)}</p>" for p in paragraphs]
        for header, rows in tables:
            head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in header)
            cells = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>Workshop record: {escape(data['workshop']['title'])}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def render_votes_csv(votes: list[dict[str, Any]]) -> str:
    """Return the anonymised votes as CSV, one vote per row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=VOTE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(votes)
    return buffer.getvalue()


def render(data: dict[str, Any], votes: list[dict[str, Any]], fmt: str) -> bytes:
    """Return the record (or the votes) in one of FORMATS."""
    if fmt == "md":
        return render_markdown(data).encode("utf-8")
    if fmt == "html":
        return render_html(data).encode("utf-8")
    if fmt == "pdf":
        return html_to_pdf(render_html(data))
    if fmt == "votes-csv":
        return render_votes_csv(votes).encode("utf-8")
    raise ValueError(f"unknown record format {fmt!r}")
