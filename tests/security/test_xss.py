"""The XSS corpus in every text field, shown on every screen in a real browser and written in every export.

Nothing may run: no dialog, no ``window.__xss`` marker, with the Content-Security-Policy and without it
(so escaping alone is proven, the CSP being the second line). CSP violation reports are collected too:
an injected inline handler that the CSP blocks still means the markup got through.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import markdown
import pytest

from tests.browser.conftest import ARGS, CHROMIUM, LAPTOP, PHONE, browser  # noqa: F401  (the browser fixture)
from tests.figures import report
from tests.live.harness import Client, Facilitator, Server, join
from tests.security.conftest import console, persist
from tests.security.xss_corpus import FORMULA_STARTS, PAYLOADS
from workshop.export.formats import FORMATS

#: Set before any page script runs: counts CSP violations and makes the marker readable.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
});
"""


@pytest.fixture(scope="module")
def planted(server: Server, owner: Facilitator) -> Iterator[dict[str, Any]]:
    """Put every payload in every text field of a workshop: titles, names, groups, proposals, comments, items."""
    tool = owner.post("/api/tools", {"template": "rtw-review", "title": PAYLOADS[1]}).json()
    groups = [{"label": p} for p in PAYLOADS[:6]]
    body = {"tool_id": tool["tool_id"], "title": PAYLOADS[0], "groups": groups, "consent_text": " ".join(PAYLOADS)}
    workshop = owner.post("/api/workshops", body).json()["workshop"]
    owner_console = console(server, owner, workshop["id"])
    assert owner_console.call("workshop.settings", {"show_names": True})["ok"]
    joined = [join(server, workshop["code"], name=p, group=None) for p in PAYLOADS]
    phones = [Client(server, {"token": j["token"]}).connect() for j in joined[:3]]
    owner_console.call("phase.set", {"phase": "discuss"})
    draft = owner_console.sync()["snapshot"]["draft"]
    topic = draft["domains"][0]["topics"][0]["id"]
    items = [i["id"] for d in draft["domains"] for t in d["topics"] for i in t["items"]]
    made = []
    for n, text in enumerate(PAYLOADS):
        phone = phones[n % len(phones)]
        change = {"topic_id": topic, "stem": text, "help": text}
        added = phone.call("proposal.submit", {"kind": "add_item", "change": change, "rationale": text})
        reworded = phone.call(
            "proposal.submit", {"kind": "reword", "change": {"item_id": items[n], "stem": text}, "rationale": text}
        )
        assert added["ok"] and reworded["ok"], (added, reworded)
        made += [added["proposal"]["id"], reworded["proposal"]["id"]]
        assert phone.call("comment.add", {"proposal_id": added["proposal"]["id"], "body": text})["ok"]
    options = [{"code": f"o{i}", "label": p} for i, p in enumerate(PAYLOADS)]
    change = {"item_id": items[-1], "response_type": "single_choice", "options": options}
    typed = phones[0].call("proposal.submit", {"kind": "change_type", "change": change})
    assert typed["ok"], typed
    # Accepted, they become the draft's items (stems, help, option labels): shown everywhere, exported.
    for proposal_id in [*made[:12], typed["proposal"]["id"]]:
        assert owner_console.call("proposal.accept", {"proposal_id": proposal_id})["ok"]
    opened = owner_console.call("round.open", {"proposal_ids": made[12:20]})
    for phone in phones:
        for subject in opened["round"]["subjects"][:3]:
            phone.call("vote.cast", {"round_id": opened["round"]["id"], "subject": subject, "value": "agree"})
    owner_console.call("round.reveal", {"round_id": opened["round"]["id"]})
    owner.http.post(
        f"{server.url}/console/tools/{tool['tool_id']}/versions/2/name",
        data={"name": PAYLOADS[2], "csrf_token": owner.csrf},
        timeout=10,
    )
    persist(owner_console, *phones)
    yield {"workshop": workshop, "tool_id": tool["tool_id"], "token": joined[0]["token"], "console": owner_console}
    for client in (owner_console, *phones):
        client.close()


class _Markup(HTMLParser):
    """Collects what in an HTML document could run: script elements, event handlers, javascript: URLs."""

    DANGEROUS = {"script", "iframe", "object", "embed", "base", "svg", "math"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.DANGEROUS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction") and re.match(
                r"\s*(javascript|data):", value or "", re.I
            ):
                self.found.append(f"{tag} {name}={value}")


def _executable_html(text: str) -> list[str]:
    parser = _Markup()
    parser.feed(text)
    return parser.found


def _formula_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row if cell.startswith(FORMULA_STARTS)]


def test_exports_carry_no_executable_markup(server: Server, owner: Facilitator, planted: dict[str, Any]) -> None:
    tool_id, workshop_id = planted["tool_id"], planted["workshop"]["id"]
    downloads = {f"version.{name}": f"/console/tools/{tool_id}/versions/latest/export/{name}" for name in FORMATS}
    for fmt in ("html", "md", "votes-csv"):
        downloads[f"record.{fmt}"] = f"/console/workshops/{workshop_id}/record/{fmt}"
    problems: dict[str, list[str]] = {}
    for label, path in downloads.items():
        if label.endswith((".pdf", ".docx", ".xlsform")):
            continue  # binary documents: no markup to run (the XLSX formula check is below)
        response = owner.http.get(server.url + path, timeout=60)
        assert response.status_code == 200, (label, response.status_code)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"].startswith("attachment"), label
        text = response.text
        if label.endswith(".html"):
            found = _executable_html(text)
        elif label.endswith(".md"):
            # Rendered by a Markdown renderer that passes raw HTML through, as many do.
            found = _executable_html(markdown.markdown(text))
        elif "csv" in label or label.endswith(".redcap"):
            found = _formula_cells(text)
        else:
            found = []  # JSON: data, served as JSON with nosniff; its strings are not markup anywhere
        if found:
            problems[label] = found[:5]
    xlsx = owner.http.get(server.url + f"/console/tools/{tool_id}/versions/latest/export/xlsform", timeout=60)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    formulas = [c.coordinate for s in book.worksheets for row in s.iter_rows() for c in row if c.data_type == "f"]
    if formulas:
        problems["version.xlsform"] = formulas[:5]
    report("xss", {"exports": {"checked": len(downloads), "with_problems": sorted(problems)}})
    assert not problems, problems


def _visit(page: Any, url: str, dialogs: list[str]) -> dict[str, Any]:
    """Open a page, wait for its main content and live state, and return what ran."""
    page.goto(url)
    page.wait_for_selector("main", timeout=15000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(700)  # live content arrives over Socket.IO after load
    return {
        "xss": page.evaluate("window.__xss || 0"),
        "csp": page.evaluate("window.__csp || []"),
        "dialogs": list(dialogs),
        "text": page.inner_text("main"),
    }


@pytest.mark.slow
@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "without-csp"])
def test_screens_never_run_a_payload(
    browser: Any,  # noqa: F811
    server: Server,
    owner: Facilitator,
    planted: dict[str, Any],
    bypass_csp: bool,
) -> None:
    workshop, tool_id = planted["workshop"], planted["tool_id"]
    cookies = [{"name": c.name, "value": c.value, "url": server.url} for c in owner.http.cookies]
    screens = {
        "console home": "/console/",
        "console workshop": f"/console/workshops/{workshop['id']}",
        "projector": f"/console/workshops/{workshop['id']}/projector",
        "versions": f"/console/tools/{tool_id}/versions",
        "compare": f"/console/tools/{tool_id}/compare?a=1&b=3",
        "export html": f"/console/tools/{tool_id}/versions/latest/export/html",
        "record html": f"/console/workshops/{workshop['id']}/record/html",
        "join page": f"/join/{workshop['code']}",
        "phone": "/",
    }
    seen: dict[str, Any] = {}
    for name, path in screens.items():
        context = browser.new_context(**(PHONE if name in ("join page", "phone") else LAPTOP), bypass_csp=bypass_csp)
        context.add_init_script(WATCH)
        if name == "phone":
            # The phone keeps its rejoin token; join once through the page so it is stored the page's own way.
            page = context.new_page()
            page.goto(f"{server.url}/join/{workshop['code']}")
            page.get_by_label("I have read how my input is used").check()
            page.get_by_role("button", name="Join").click()
            page.wait_for_selector("#live:not([hidden])", timeout=15000)
        else:
            context.add_cookies(cookies)
            page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d, dialogs=dialogs: (dialogs.append(d.message), d.dismiss()))
        if path.endswith("/html"):
            # Downloads are attachments: open the file as a browser would after saving it (no CSP then).
            body = owner.http.get(server.url + path, timeout=60).text
            page.set_content(body)
            page.wait_for_timeout(500)
            seen[name] = {"xss": page.evaluate("window.__xss || 0"), "csp": [], "dialogs": list(dialogs), "text": ""}
        else:
            seen[name] = _visit(page, server.url + path, dialogs)
        context.close()
    ran = {n: s for n, s in seen.items() if s["xss"] or s["dialogs"]}
    blocked = {n: s["csp"] for n, s in seen.items() if s["csp"]}
    shown = sum(1 for s in seen.values() for p in PAYLOADS if p in s["text"])
    report(
        "xss",
        {
            f"screens_{'without' if bypass_csp else 'with'}_csp": {
                "screens": len(seen),
                "payloads": len(PAYLOADS),
                "payloads_shown_as_text": shown,
                "executed": len(ran),
                "csp_violations": sum(len(v) for v in blocked.values()),
            }
        },
    )
    assert not ran, ran
    assert not blocked, f"markup got through and was only stopped by the CSP: {blocked}"
    assert shown >= len(PAYLOADS), "the payloads are on the screens, shown as text"
