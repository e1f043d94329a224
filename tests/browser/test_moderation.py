"""Moderation in the console: someone without a phone, proxy entries, edit, merge, hide, reject, remove."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Axe
from tests.browser.screens import join, open_console, open_workshop, phase
from tests.live.harness import Server


def _card(console: Any, proposal_id: int) -> Any:
    return console.locator(f'#proposals li[data-id="{proposal_id}"]')


def test_moderation_and_proxy_entry(browser: Any, server: Server, axe: Axe) -> None:
    console = open_console(browser, server)
    code = open_workshop(console)
    console.get_by_text("Add someone without a phone").click()
    console.get_by_label("Name", exact=True).fill("Eve")
    console.locator("#proxy-group").select_option(label="Returning doctor")
    console.get_by_role("button", name="Add participant").click()
    console.get_by_text("Everyone who joined").click()
    expect(console.locator("#people")).to_contain_text("Eve")
    expect(console.locator("#people")).to_contain_text("no phone")
    fay = join(browser, server, code, "Fay", "Supervisor", typed=False)
    expect(console.locator("#count")).to_have_text("2")

    phase(console, "Propose (silent)")
    console.get_by_text("Enter a proposal on someone's behalf").click()
    console.locator("#pp-who").select_option(label="Eve")
    console.locator("#pp-stem").fill("Is your rota shared with you early enough?")
    console.get_by_role("button", name="Enter proposal").click()
    expect(_card(console, 1)).to_contain_text("Proxy")
    expect(_card(console, 1)).to_contain_text("for Eve")
    fay.get_by_label("Wording of the question").fill("Do you get your rota early?")
    fay.get_by_role("button", name="Send proposal").click()
    expect(_card(console, 2)).to_contain_text("Do you get your rota early?")

    _card(console, 2).get_by_role("button", name=re.compile("^Edit")).click()
    _card(console, 2).get_by_label("Wording").fill("Do you receive your rota early enough?")
    _card(console, 2).get_by_role("button", name="Save proposal").click()
    expect(_card(console, 2)).to_contain_text("Edited")
    expect(_card(console, 2)).to_contain_text("Do you receive your rota early enough?")
    _card(console, 2).get_by_role("button", name=re.compile("^Merge")).click()
    expect(_card(console, 2)).to_contain_text("Merged into #1")

    console.get_by_role("button", name="Reveal all hidden proposals").click()
    # A hidden proposal's author learns what became of it once proposals are revealed.
    expect(fay.locator("#mine")).to_contain_text("Merged with another")
    phase(console, "Discuss")
    expect(fay.locator("#proposals")).to_contain_text("Is your rota shared with you early enough?")
    _card(console, 1).get_by_role("button", name=re.compile("^Hide")).click()
    expect(_card(console, 1)).to_contain_text("Hidden")
    expect(fay.locator("#proposals")).not_to_contain_text("Is your rota shared")
    _card(console, 1).get_by_role("button", name=re.compile("^Show again")).click()
    expect(fay.locator("#proposals")).to_contain_text("Is your rota shared")

    console.get_by_role("button", name="Open a vote on the revealed proposals").click()
    block = console.locator('#tally [data-subject="proposal:1"]')
    listed = console.locator("#people li", has_text="Fay").element_handle()
    block.get_by_label("Vote for").select_option(label="Eve")
    block.get_by_role("button", name=re.compile("^Agree")).click()
    expect(block.locator(".counts")).to_have_text("Agree 1 · Disagree 0 · Abstain 0")
    # Tallies do not rebuild the list of people (a Remove button replaced under the pointer loses its click).
    assert listed.evaluate("li => li.isConnected")
    axe.check(console, "live console after moderation")

    _card(console, 1).get_by_role("button", name=re.compile("^Reject")).click()
    expect(_card(console, 1)).to_contain_text("Not accepted")

    console.locator("#people li", has_text="Fay").get_by_role("button", name=re.compile("Remove")).click()
    expect(fay.locator("#join-error")).to_contain_text("removed")
    expect(console.locator("#count")).to_have_text("1")
    fay.reload()
    expect(fay.locator("#join-error")).to_contain_text("removed you")
    axe.check(fay, "phone, removed")
