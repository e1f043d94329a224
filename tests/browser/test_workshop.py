"""A whole workshop in real browsers: a facilitator on a laptop, a projector, and three phones."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Axe, Shots
from tests.browser.screens import connected, join, open_console, open_item, phase, vote
from tests.live.harness import Server

FIRST_ITEM = "itm_wlb_1"
REWORD = "I expect to balance my work and my home life when I return."
EDITED = "I expect to balance work and home life when I return to clinical work."


def _proposal_ids(console: Any) -> list[int]:
    return [
        int(x) for x in console.locator("#proposals > li[data-id]").evaluate_all("els => els.map(e => e.dataset.id)")
    ]


def test_whole_workshop(browser: Any, server: Server, axe: Axe, shots: Shots) -> None:
    console = open_console(browser, server)
    axe.check(console, "console home (no tools)")
    console.get_by_role("button", name="Create a tool").click()
    expect(console.get_by_role("heading", name=re.compile("Version history"))).to_be_visible()
    axe.check(console, "version history")
    console.get_by_role("link", name="Workshop console").click()
    console.get_by_role("button", name=re.compile("Open a workshop")).click()
    connected(console)
    code = console.locator("main").get_attribute("data-code")
    axe.check(console, "live console, empty")

    projector = console.context.new_page()
    projector.goto(console.url + "/projector")
    connected(projector)
    expect(projector.locator("#code")).to_have_text(code)
    axe.check(projector, "projector, review")

    ann = join(browser, server, code, "Ann", "Returning doctor", typed=True)
    ben = join(browser, server, code, "Ben", "Supervisor", typed=False)
    cat = join(browser, server, code, "", "OH professional", typed=False)
    phones = [ann, ben, cat]
    expect(console.locator("#count")).to_have_text("3")
    expect(console.locator("#by-group")).to_contain_text("Supervisor: 1")
    expect(projector.locator("#joined")).to_have_text("3")
    axe.check(ann, "phone, review")
    shots.take(projector, "projector-join", readme=True)
    axe.check(projector, "projector, people joined")

    # Silent generation: proposals stay with their authors and the facilitator.
    phase(console, "Propose (silent)")
    console.get_by_role("button", name="Start timer").click()
    for phone in phones:
        expect(phone.locator("#phase-title")).to_have_text("Propose changes")
    expect(ann.locator("#timer")).to_contain_text(re.compile(r"Time left: [45]:\d\d"))
    expect(projector.locator("#timer")).to_have_text(re.compile(r"^[45]:\d\d$"))
    shots.take(projector, "projector-propose")
    ann.get_by_label("New wording for a question").check()
    ann.locator("#p-item").select_option(FIRST_ITEM)
    ann.get_by_label("Wording of the question").fill(REWORD)
    ann.get_by_label("Why?").fill("Plainer words.")
    axe.check(ann, "phone, propose form")
    ann.get_by_role("button", name="Send proposal").click()
    expect(ann.locator("#mine")).to_contain_text("the group sees it when the facilitator reveals")
    ben.get_by_label("Wording of the question").fill("I know who to ask about flexible working.")
    ben.get_by_role("button", name="Send proposal").click()
    expect(ben.locator("#mine")).to_contain_text("flexible working")
    expect(console.locator("#hidden-count")).to_have_text("2 proposals not revealed yet.")
    expect(cat.locator("#proposals")).not_to_contain_text("flexible working")
    shots.take(ann, "phone-propose", readme=True)
    axe.check(console, "live console, hidden proposals")

    console.get_by_role("button", name="Reveal all hidden proposals").click()
    phase(console, "Discuss")
    reword_id, added_id = _proposal_ids(console)
    expect(cat.locator("#proposals")).to_contain_text(REWORD)
    expect(cat.locator("#proposals")).to_contain_text("flexible working")
    card = cat.locator(f'#proposals li[data-id="{reword_id}"]')
    card.get_by_text("Add a comment").click()
    card.get_by_label("Your comment").fill("Much clearer, yes.")
    axe.check(cat, "phone, discuss with comment form")
    card.get_by_role("button", name="Send comment").click()
    expect(console.locator(f'#proposals li[data-id="{reword_id}"]')).to_contain_text("Much clearer, yes.")
    expect(ann.locator(f'#proposals li[data-id="{reword_id}"]')).to_contain_text("Much clearer, yes.")

    # Vote; one phone loses the network in the middle and votes while offline.
    console.get_by_role("button", name="Open a vote on the revealed proposals").click()
    for phone in phones:
        expect(phone.locator("#vote-section")).to_be_visible()
    vote(ann, reword_id, "Agree")
    vote(ben, reword_id, "Agree")
    vote(ben, added_id, "Disagree")
    expect(ann.locator(f'[data-subject="proposal:{reword_id}"] .voted')).to_contain_text("Your vote: Agree.")
    axe.check(ann, "phone, vote")
    cat.context.set_offline(True)
    expect(cat.locator("#conn")).to_have_text("Offline")
    vote(cat, reword_id, "Agree")
    expect(cat.locator(f'[data-subject="proposal:{reword_id}"] .voted')).to_contain_text("waiting to send")
    expect(cat.locator("#outbox")).to_be_visible()
    shots.take(cat, "phone-vote-offline")
    axe.check(cat, "phone, vote queued offline")
    cat.context.set_offline(False)
    connected(cat)
    expect(cat.locator(f'[data-subject="proposal:{reword_id}"] .voted')).to_contain_text("Your vote: Agree.")
    expect(cat.locator("#outbox")).to_be_hidden()
    tally = console.locator(f'#tally [data-subject="proposal:{reword_id}"] .counts')
    expect(tally).to_have_text("Agree 3 · Disagree 0 · Abstain 0")
    expect(console.locator("#round-status")).to_contain_text("3 voted")
    shots.take(ann, "phone-vote", readme=True)
    shots.take(console, "console-vote", readme=True)
    axe.check(console, "live console, vote open")

    console.get_by_role("button", name="Close voting").click()
    console.get_by_role("button", name="Show results to everyone").click()
    phase(console, "Results")
    for phone in phones:
        expect(phone.locator("#results")).to_contain_text("3 people voted")
    expect(ann.locator("#results svg").first).to_have_attribute("aria-label", re.compile("Agree 3"))
    expect(projector.locator("#results")).to_contain_text("Results of vote 1")
    axe.check(ann, "phone, results")
    axe.check(projector, "projector, results")
    shots.take(projector, "projector-results", readme=True)
    # The vote sent while offline counts once, even though it was sent again on reconnecting.
    expect(tally).to_have_text("Agree 3 · Disagree 0 · Abstain 0")

    console.locator(f'#proposals li[data-id="{reword_id}"]').get_by_role("button", name=re.compile("^Accept")).click()
    for page in [console, *phones]:
        expect(page.locator("#version-label")).to_contain_text("Draft version 2")
    expect(projector.locator("#announce")).to_contain_text("New draft: version 2")
    expect(ann.locator("#mine")).to_contain_text("Accepted: in draft version 2")

    # Refine: two phones edit the same question; the second is refused and shown the current text.
    phase(console, "Refine")
    items = [open_item(phone, "Work-life balance", FIRST_ITEM) for phone in (ann, ben)]
    for item in items:
        expect(item).to_contain_text(REWORD)
        item.get_by_role("button", name=re.compile("Edit wording")).click()
    ann.get_by_label("Question", exact=True).fill(
        "I expect to balance work and home life when I return to clinical work."
    )
    ben.get_by_label("Question", exact=True).fill("I expect a good balance between work and home.")
    ann.get_by_role("button", name="Save wording").click()
    expect(ann.locator("#edit-section")).to_be_hidden()
    ben.get_by_role("button", name="Save wording").click()
    conflict = ben.locator("#edit-conflict")
    expect(conflict).to_contain_text("Someone else changed this question")
    expect(conflict).to_contain_text(EDITED)
    expect(ben.get_by_label("Question", exact=True)).to_have_value("I expect a good balance between work and home.")
    axe.check(ben, "phone, edit conflict")
    shots.take(ben, "phone-conflict")
    for page in [console, *phones]:
        expect(page.locator("#version-label")).to_contain_text("Draft version 3")
    expect(projector.locator("#announce")).to_contain_text("New draft: version 3")
    expect(console.locator("#draft")).to_contain_text("when I return to clinical work.")
    axe.check(console, "live console, refine")
    axe.check(projector, "projector, new version")
    shots.take(console, "console-refine", full_page=True)
    shots.take(projector, "projector-version")
