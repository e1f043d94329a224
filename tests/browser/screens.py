"""What a person does on each screen, as Playwright steps (shared by the browser tests)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE
from tests.live.harness import Server

PASSWORD = "a long enough password"


def open_console(browser: Any, server: Server, email: str = "facilitator@example.org") -> Any:
    """Set up the first facilitator in a laptop-sized window and return the console page."""
    page = browser.new_context(**LAPTOP).new_page()
    page.goto(server.url + "/setup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password (at least 10 characters)").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your tools and workshops")).to_be_visible()
    return page


def open_workshop(console: Any) -> str:
    """Create a tool, open a workshop on it from the console, and return the join code."""
    console.get_by_role("button", name="Create a tool").click()
    console.get_by_role("link", name="Workshop console").click()
    console.get_by_role("button", name=re.compile("Open a workshop")).first.click()
    connected(console)
    return str(console.locator("main").get_attribute("data-code"))


def join(browser: Any, server: Server, code: str, name: str, group: str, *, typed: bool) -> Any:
    """Join on a phone: by typing the code on the home page, or from the QR code's URL."""
    page = browser.new_context(**PHONE).new_page()
    if typed:
        page.goto(server.url + "/")
        page.get_by_label("Code shown on the screen").fill(code.lower())
        page.get_by_role("button", name="Continue").click()
    else:
        page.goto(f"{server.url}/join/{code}")
    expect(page.get_by_role("heading", name="About you")).to_be_visible()
    page.get_by_label("Your name").fill(name)
    page.get_by_label(group).check()
    page.get_by_label("I have read how my input is used").check()
    page.get_by_role("button", name="Join").click()
    connected(page)
    return page


def connected(page: Any) -> None:
    """Wait until the page's connection state says Connected."""
    expect(page.locator("#conn")).to_have_text("Connected", timeout=15000)


def phase(console: Any, label: str) -> None:
    """Move the workshop to a phase from the console."""
    console.locator("#phase-buttons").get_by_role("button", name=label).click()
    expect(console.locator("#phase-buttons").get_by_role("button", name=label)).to_have_attribute(
        "aria-pressed", "true"
    )


def vote(phone: Any, proposal_id: int, choice: str) -> None:
    """Vote on a proposal on a phone."""
    card = phone.locator(f'[data-subject="proposal:{proposal_id}"]')
    card.get_by_role("button", name=choice, exact=True).click()


def open_item(phone: Any, topic: str, item_id: str) -> Any:
    """Open a topic of the draft and return the item's list entry."""
    phone.locator("#draft summary", has_text=topic).click()
    return phone.locator(f'#draft li[data-item="{item_id}"]')
