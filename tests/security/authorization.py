"""Who may do what: every HTTP route and every live event, against every role. The table is the documentation.

tests/security/test_authorization.py checks each cell against a real server, and fails when a route or
an event has no row. docs/authorization.md is generated from this table:

    python -m tests.security.authorization > docs/authorization.md
"""

from __future__ import annotations

from dataclasses import dataclass

#: The roles, as columns: who is asking, relative to one workshop W (and its tool).
ROLES = {
    "anonymous": "not logged in",
    "participant": "participant of W",
    "other_participant": "participant of another workshop",
    "removed": "participant removed from W",
    "owner": "facilitator who runs W",
    "other_facilitator": "another facilitator",
    "projector": "W's projector (owner's screen)",
}

#: What a cell says: allowed, or refused and how.
YES = "yes"
LOGIN = "login"  # HTTP: 401 login_required (API) or a redirect to /login (pages)
HIDDEN = "not_found"  # HTTP: 404 (or the console's error page); events: W's ids are unknown there
CLOSED = "closed"  # HTTP: first-run setup, closed once an account exists: redirect to /login
REFUSED = "refused"  # Socket.IO: the connection itself is refused (connect_error)
NOT_ALLOWED = "not_allowed"  # Socket.IO: acknowledged {"ok": false, "error": {"code": "not_allowed"}}
OWN_ONLY = "own workshop only"  # Socket.IO: connects to its own workshop; nothing reaches W

LEGEND = {
    YES: "allowed",
    LOGIN: "refused: `401 login_required` (JSON API) or redirect to `/login` (pages)",
    HIDDEN: "refused as if it did not exist: `404` (or the console's error page, `422`)",
    CLOSED: "refused for everyone once the first account exists: redirect to `/login`",
    REFUSED: "the Socket.IO connection is refused (`connect_error` with `not_found`/`not_allowed`)",
    NOT_ALLOWED: 'acknowledged `{"ok": false, "error": {"code": "not_allowed"}}`; nothing changes',
    OWN_ONLY: "the client is bound to its own workshop; W's ids are `not_found` there and W never changes",
}

# The HTTP columns: participants hold no cookie (their token works only on the live connection),
# so to HTTP they are anonymous browsers. The projector is a page the owner opens, so it has no HTTP column.
HTTP_ROLES = [r for r in ROLES if r != "projector"]
PUBLIC = {r: YES for r in HTTP_ROLES}
ANY_FACILITATOR = {**{r: LOGIN for r in HTTP_ROLES}, "owner": YES, "other_facilitator": YES}
OWNER = {**ANY_FACILITATOR, "other_facilitator": HIDDEN}
SETUP_DONE = {r: CLOSED for r in HTTP_ROLES}


@dataclass(frozen=True)
class Route:
    """One HTTP endpoint and method, who may use it, and what it is for."""

    endpoint: str
    method: str
    access: dict[str, str]
    purpose: str


HTTP: list[Route] = [
    Route("participant.join_page", "GET", PUBLIC, "the phone's join page"),
    Route("participant.join_with_code", "GET", PUBLIC, "the join page from the QR code"),
    Route("api.join_info", "GET", PUBLIC, "a workshop's title, groups and consent text, by join code"),
    Route("api.join", "POST", PUBLIC, "join by code (rate-limited per address; no cookie, so no CSRF token)"),
    Route("health.healthz", "GET", PUBLIC, "health check"),
    Route("static", "GET", PUBLIC, "scripts, styles"),
    Route("auth.login", "GET", PUBLIC, "login form"),
    Route("auth.login", "POST", PUBLIC, "log in (rate-limited per address; a new session on success)"),
    Route("auth.logout", "POST", PUBLIC, "log out"),
    Route("auth.setup", "GET", SETUP_DONE, "first-run setup"),
    Route("auth.setup", "POST", SETUP_DONE, "first-run setup"),
    Route("api.list_tools", "GET", ANY_FACILITATOR, "the facilitator's own tools"),
    Route("api.create_tool", "POST", ANY_FACILITATOR, "create a tool (owned by its creator)"),
    Route("api.list_workshops", "GET", ANY_FACILITATOR, "the facilitator's own workshops"),
    Route("console.home", "GET", ANY_FACILITATOR, "the facilitator's tools and workshops"),
    Route("console.create_tool", "POST", ANY_FACILITATOR, "create a tool (form)"),
    Route("api.open_workshop", "POST", OWNER, "open a workshop on one's tool"),
    Route("console.open_workshop", "POST", OWNER, "open a workshop on one's tool (form)"),
    Route("api.qr_code", "GET", OWNER, "the join QR code"),
    Route("api.delete_workshop", "DELETE", OWNER, "delete a workshop and all that was said in it"),
    Route("console.delete_workshop", "POST", OWNER, "delete a workshop's data (form, after confirming the export)"),
    Route("console.workshop", "GET", OWNER, "the workshop's control page"),
    Route("projector.projector", "GET", OWNER, "the projector page"),
    Route("history.versions", "GET", OWNER, "the tool's version history"),
    Route("history.compare_versions", "GET", OWNER, "compare two versions"),
    Route("history.restore", "POST", OWNER, "restore an old version as a new one"),
    Route("history.name", "POST", OWNER, "name a version"),
    Route("history.agree", "POST", OWNER, "mark a version agreed"),
    Route("downloads.export_version", "GET", OWNER, "download a tool version in an export format"),
    Route("downloads.workshop_record", "GET", OWNER, "download the workshop's record"),
]

# The live columns.
BOTH_EVENT = {
    "anonymous": REFUSED,
    "participant": YES,
    "other_participant": OWN_ONLY,
    "removed": REFUSED,
    "owner": YES,
    "other_facilitator": REFUSED,
    "projector": NOT_ALLOWED,
}
FACILITATOR_EVENT = {**BOTH_EVENT, "participant": NOT_ALLOWED}
CONNECT = {**BOTH_EVENT, "projector": YES}
SYNC = {**BOTH_EVENT, "projector": YES}

#: Socket.IO: connecting, ``sync``, and every action of workshop/core/actions.py.
EVENTS: dict[str, dict[str, str]] = {
    "connect": CONNECT,
    "sync": SYNC,
    "proposal.submit": BOTH_EVENT,
    "proposal.withdraw": BOTH_EVENT,
    "comment.add": BOTH_EVENT,
    "vote.cast": BOTH_EVENT,
    "vote.rank": BOTH_EVENT,
    "vote.dots": BOTH_EVENT,
    "item.edit": BOTH_EVENT,
    "phase.set": FACILITATOR_EVENT,
    "timer.set": FACILITATOR_EVENT,
    "workshop.status": FACILITATOR_EVENT,
    "workshop.settings": FACILITATOR_EVENT,
    "participant.remove": FACILITATOR_EVENT,
    "proxy.add": FACILITATOR_EVENT,
    "proposals.reveal": FACILITATOR_EVENT,
    "proposal.hide": FACILITATOR_EVENT,
    "proposal.edit": FACILITATOR_EVENT,
    "proposal.merge": FACILITATOR_EVENT,
    "proposal.accept": FACILITATOR_EVENT,
    "proposal.reject": FACILITATOR_EVENT,
    "round.open": FACILITATOR_EVENT,
    "round.close": FACILITATOR_EVENT,
    "round.reveal": FACILITATOR_EVENT,
    "round.decide": FACILITATOR_EVENT,
}

#: Limits beyond the role, in words, for the documentation.
EVENT_NOTES = {
    "connect": "participants by rejoin token; facilitators by session cookie and `workshop_id`",
    "sync": "participants get public events, their own hidden proposals and their own votes only",
    "proposal.submit": "participants in the propose, discuss and refine phases",
    "proposal.withdraw": "participants: their own proposals only",
    "comment.add": "participants: on proposals they can see, propose to refine phases",
    "vote.cast": "while the round is open; the facilitator only for proxy participants",
    "vote.rank": "while the round is open; the facilitator only for proxy participants",
    "vote.dots": "while the round is open; the facilitator only for proxy participants",
    "item.edit": "participants in the refine phase; a stale base version is refused with `conflict`",
}


def _cell(value: str) -> str:
    return "✓" if value == YES else f"✗ {value}"


def _head(roles: list[str]) -> tuple[str, str]:
    return "| " + " | ".join(ROLES[r] for r in roles) + " |", "|" + "---|" * len(roles)


def render() -> str:
    """Return docs/authorization.md."""
    head, rule = _head(HTTP_ROLES)
    lines = [
        "# Authorization",
        "",
        "Who may do what, for one workshop W and its tool. Generated from `tests/security/authorization.py`",
        "(`python -m tests.security.authorization > docs/authorization.md`), whose every cell",
        "`tests/security/test_authorization.py` checks against a real server; a route or live event without a row",
        "fails that test. Participants hold no cookie: their rejoin token works only on the live connection, so to",
        "HTTP they are anonymous browsers.",
        "",
        "| cell | meaning |",
        "|---|---|",
        *(f"| {_cell(k)} | {v} |" for k, v in LEGEND.items()),
        "",
        "## HTTP",
        "",
        "| route | method | purpose " + head,
        "|---|---|---" + rule,
    ]
    for route in HTTP:
        cells = " | ".join(_cell(route.access[r]) for r in HTTP_ROLES)
        lines.append(f"| `{route.endpoint}` | {route.method} | {route.purpose} | {cells} |")
    roles = list(ROLES)
    head, rule = _head(roles)
    lines += [
        "",
        "Every POST and DELETE also needs the session's CSRF token (form field `csrf_token` or header",
        "`X-CSRF-Token`), except `POST /api/join`, which no cookie gives authority to.",
        "",
        "## Live events (Socket.IO)",
        "",
        "| event | limits " + head,
        "|---|---" + rule,
    ]
    for name, access in EVENTS.items():
        cells = " | ".join(_cell(access[r]) for r in roles)
        lines.append(f"| `{name}` | {EVENT_NOTES.get(name, 'facilitator only')} | {cells} |")
    lines += [
        "",
        "A participant removed while connected is refused on the open connection too (`not_allowed`), and every",
        "event is checked against the database, never against what the connection was allowed when it opened.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
