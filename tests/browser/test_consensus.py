"""Consensus methods on the screens: a rating round opened from the console, rated one question at a time on
a phone with progress, a second round showing the phone its own previous rating, then ranking and dots."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Axe, Shots
from tests.browser.screens import join, open_console, open_workshop
from tests.live.harness import Server


def _open_round(console: Any, method: str, carry: bool = False) -> None:
    if console.locator("#methods").get_attribute("open") is None:
        console.locator("#methods summary").click()
    console.get_by_label(method).check()
    if carry:
        console.get_by_label(re.compile("Second round")).check()
    console.get_by_role("button", name="Open this round on the current questions").click()


def test_rating_ranking_and_dots_on_the_screens(browser: Any, server: Server, axe: Axe, shots: Shots) -> None:
    console = open_console(browser, server)
    code = open_workshop(console)
    phone = join(browser, server, code, "Dr Rater", "Returning doctor", typed=False)

    _open_round(console, "Rate every question (e-Delphi)")
    progress = phone.locator("#vote .progress")
    expect(progress).to_contain_text(re.compile(r"^0 of \d+ rated · question 1 of \d+"))
    total = int(re.search(r"of (\d+) rated", progress.inner_text()).group(1))  # type: ignore[union-attr]
    axe.check(phone, "phone rating")
    shots.take(phone, "phone-rating")
    phone.locator("#vote .scale").get_by_role("button", name="8", exact=True).click()
    expect(progress).to_contain_text(f"1 of {total} rated · question 2 of {total}")
    phone.get_by_role("button", name="Unable to rate").click()
    expect(progress).to_contain_text(f"2 of {total} rated · question 3")
    phone.get_by_role("button", name="← Previous").click()
    expect(phone.locator("#vote .voted")).to_contain_text("Your rating: unable to rate")
    expect(console.locator("#tally")).to_contain_text("n 1 (unable 0) · top band 100%")
    axe.check(console, "console rating tally")

    # Round 2 carries over the questions without consensus (the one rated 8 by everyone who rated it is
    # included and stays out), and shows the phone the group's ratings and its own earlier answer.
    console.locator("#close-round").click()
    _open_round(console, "Rate every question (e-Delphi)", carry=True)
    feedback = phone.locator("#vote .feedback").first
    expect(feedback).to_contain_text("Last round nobody gave it a rating. Your rating last round: unable to rate.")
    expect(phone.locator("#vote .progress")).to_contain_text(f"0 of {total - 1} rated")

    _open_round(console, "Rank the top questions (nominal group)")
    expect(phone.locator("#vote .progress")).to_contain_text("Tap up to 5 in order of importance: 0 of 5 chosen.")
    buttons = phone.locator("#vote .ranklist button")
    buttons.nth(2).click()
    buttons.nth(0).click()
    expect(buttons.nth(2)).to_contain_text("1. ")
    phone.get_by_role("button", name="Send my ranking").click()
    expect(console.locator("#tally")).to_contain_text("5 points · rank 1")
    axe.check(phone, "phone ranking")

    _open_round(console, "Dot voting")
    more = phone.get_by_role("button", name=re.compile("^One more dot on"))
    for _ in range(3):
        more.first.click()
    expect(more.first).to_be_disabled()  # at most 3 on one question
    more.nth(1).click()
    expect(phone.locator("#vote .progress")).to_contain_text("4 of 5 dots placed")
    phone.get_by_role("button", name="Send my dots").click()
    expect(console.locator("#tally")).to_contain_text("3 dots · rank 1")
    axe.check(phone, "phone dots")
    shots.take(phone, "phone-dots")
