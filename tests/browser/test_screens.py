"""The console's version history, the phone page by keyboard, at 320 px and after a reload, and its weight."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, Axe, Shots
from tests.browser.screens import connected, open_console, open_item, open_workshop
from tests.live.harness import Server

#: The participant page's budget: everything its first load transfers, compressed.
PAGE_BUDGET_BYTES = 60 * 1024


def _overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def test_version_history_compare_name_agree_restore(browser: Any, server: Server, axe: Axe, shots: Shots) -> None:
    console = open_console(browser, server)
    open_workshop(console)
    item = open_item(console, "Work-life balance", "itm_wlb_1")
    item.get_by_role("button", name=re.compile("Edit wording")).click()
    console.get_by_label("Question", exact=True).fill("I expect to balance my work with my home life when I go back.")
    console.get_by_role("button", name="Save as a new version").click()
    expect(console.locator("#version-label")).to_have_text("Draft version 2")

    history = console.context.new_page()
    history.goto(console.url)
    history.get_by_role("link", name="Version history").click()
    history.get_by_role("button", name="Compare").click()
    expect(history.get_by_role("heading", name="Compare version 1 with version 2")).to_be_visible()
    expect(history.locator("table.compare del", has_text="to be able")).to_have_count(1)
    expect(history.locator("table.compare del", has_text="outside work")).to_have_count(1)
    expect(history.locator("table.compare ins", has_text="home")).to_have_count(1)
    expect(history.locator("table.compare ins", has_text="go back")).to_have_count(1)
    axe.check(history, "version comparison")
    shots.take(history, "console-compare", readme=True)

    history.get_by_role("link", name="Back to the version history").click()
    history.get_by_label("Name").first.fill("after workshop 1")
    history.get_by_role("button", name="Save name of version 2").click()
    expect(history.locator("#v2")).to_contain_text("“after workshop 1”")
    history.get_by_role("button", name="Mark agreed version 2").click()
    expect(history.locator("#v2")).to_contain_text("Agreed")
    history.get_by_role("button", name="Restore version 1 as a new version").click()
    expect(history.get_by_role("status")).to_contain_text("Version 3 is a copy of version 1.")
    axe.check(history, "version history after restore")
    # The live console follows: a restore is announced to open workshops on the tool.
    expect(console.locator("#version-label")).to_have_text("Draft version 3")
    expect(console.locator("#draft")).to_contain_text("my life outside work when I return.")


def test_phone_by_keyboard_reload_and_reflow(browser: Any, server: Server, axe: Axe) -> None:
    console = browser.new_context(**LAPTOP).new_page()
    console.goto(server.url + "/login")
    console.get_by_label("Email").fill("facilitator@example.org")
    console.get_by_label("Password").fill("a long enough password")
    console.get_by_role("button", name="Log in").click()
    code = open_workshop(console)

    phone = browser.new_context(**PHONE).new_page()
    phone.goto(server.url + "/")
    axe.check(phone, "phone, join page")
    keys = phone.keyboard
    keys.press("Tab")  # the skip link
    keys.press("Tab")
    keys.type("nope123")
    keys.press("Enter")
    expect(phone.locator("#join-error")).to_contain_text("no workshop with that code")
    axe.check(phone, "phone, wrong code")
    phone.get_by_label("Code shown on the screen").fill("")
    phone.get_by_label("Code shown on the screen").focus()
    keys.type(code)
    keys.press("Enter")
    expect(phone.locator("#details-h")).to_be_focused()
    keys.press("Tab")
    keys.type("Dee")
    keys.press("Tab")
    keys.press("Space")  # the first stakeholder group
    for _ in range(5):
        keys.press("Tab")
        if phone.evaluate("document.activeElement.id") == "ack":
            break
    keys.press("Enter")  # submitting without the acknowledgement is refused with a reason
    expect(phone.locator("#details-error")).to_contain_text("tick the box")
    axe.check(phone, "phone, details with error")
    phone.locator("#ack").focus()
    keys.press("Space")
    keys.press("Tab")
    keys.press("Enter")
    connected(phone)
    expect(console.locator("#count")).to_have_text("1")

    # After a reload (or a screen lock) the phone is the same participant, on the current state.
    console.locator("#phase-buttons").get_by_role("button", name="Discuss").click()
    phone.reload()
    connected(phone)
    expect(phone.locator("#phase-title")).to_have_text("Discuss")
    expect(console.locator("#count")).to_have_text("1")
    expect(console.locator("#people")).to_contain_text("Dee")

    # Usable at 320 CSS pixels (a phone at 200% zoom): nothing needs sideways scrolling.
    phone.set_viewport_size({"width": 320, "height": 640})
    assert _overflow(phone) <= 0
    console.set_viewport_size({"width": 640, "height": 800})
    assert _overflow(console) <= 0


def test_participant_page_first_load_is_within_budget(browser: Any, server: Server) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(server.url + "/join/ABCDEFG")
    page.wait_for_selector("main[data-ready]", state="attached")
    page.wait_for_load_state("networkidle")
    total = 0
    for response in responses:
        sizes = response.request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    encodings = {r.url.replace(server.url, ""): r.all_headers().get("content-encoding") for r in responses}
    page_and_script = ("/join/ABCDEFG", "/static/js/participant.js", "/static/css/phone.css")
    assert {encodings[path] for path in page_and_script} == {"br"}, encodings
    assert total <= PAGE_BUDGET_BYTES, f"the join page transferred {total} bytes"
