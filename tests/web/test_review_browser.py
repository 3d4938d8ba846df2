"""End to end in headless Chromium: a reviewer clears pairs with the keyboard, merges one,
sees the merged person, undoes the merge and finds the pair open again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import LATIN_BODY, register, user_headers
from tests.web.helpers import KHALED, KHALED_LATIN, browser_login, make_web_user, shot

pytestmark = pytest.mark.browser


def test_reviewer_merges_with_the_keyboard_and_undoes(
    browser: object, live_server: str, client: TestClient, engine: Engine
) -> None:
    from playwright.sync_api import expect

    admin = user_headers(client, engine, "admin")
    first = register(client, admin)
    second = register(client, admin, **LATIN_BODY)
    register(client, admin, **KHALED)
    register(client, admin, **KHALED_LATIN)
    make_web_user(engine, "reviewer.e2e", sites=["TRP", "BEN"], language="en")

    page: Any = browser_login(browser, live_server, "reviewer.e2e")

    page.click("#nav-review")
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#site-chart tr[data-site=TRP] .num")).to_have_text("2")
    shot(page, "review-01-queue-en")

    strong = rows.filter(has_text=first["registration_number"])
    strong_id = strong.get_attribute("data-pair")
    weak_id = rows.filter(has_not_text=first["registration_number"]).get_attribute("data-pair")
    order = [row.get_attribute("data-pair") for row in rows.all()]
    strong.locator("a.pair-link").click()
    expect(page.locator("#pair-title")).to_contain_text(second["registration_number"])
    given = page.locator("tr[data-field=given_name]")
    expect(given.locator(".side-a, .side-b").filter(has_text="محمد")).to_have_count(1)
    expect(given.locator(".side-a, .side-b").filter(has_text="Mohamed")).to_have_count(1)
    expect(page.locator("#side-by-side")).to_contain_text("Same national number")
    shot(page, "review-02-side-by-side-en")

    # to the other pair without deciding, and back (j: next, k: previous in the queue)
    away, back = ("j", "k") if order[0] == strong_id else ("k", "j")
    # (keys wait while the page is busy — until the new pair has settled: a key pressed in
    # between is dropped, never applied to a pair the reviewer has not seen)
    main = page.locator("main#content")
    page.locator("body").press(away)
    expect(page.locator("section#pair")).to_have_attribute("data-pair", weak_id)
    expect(main).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#pair-title")).to_be_focused()
    page.locator("body").press(back)
    expect(page.locator("section#pair")).to_have_attribute("data-pair", strong_id)
    expect(main).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#pair-title")).to_be_focused()

    page.locator("body").press("s")  # same person: merge; the next pair comes by htmx
    expect(page.locator("section#pair")).to_have_attribute("data-pair", weak_id)
    expect(page.locator("#last-decision")).to_have_attribute("data-outcome", "merged")
    expect(page).to_have_url(re.compile(rf"/review/pairs/{weak_id}\?"))
    expect(page.locator("#pair-title")).to_be_focused()
    shot(page, "review-03-after-merge-en")

    page.click("#last-person")
    person_rows = page.locator("#registrations tbody tr")
    expect(person_rows).to_have_count(2)
    expect(person_rows.nth(0)).to_contain_text(first["registration_number"])
    expect(person_rows.nth(1)).to_contain_text(second["registration_number"])
    shot(page, "review-04-merged-person-en")

    page.go_back()
    expect(page.locator("#undo-last")).to_be_visible()
    page.locator("body").press("u")
    expect(page.locator("#undo-last")).to_be_focused()
    page.keyboard.type("wrong: two brothers")
    page.keyboard.press("Enter")
    expect(page.locator("section#pair")).to_have_attribute("data-pair", strong_id)
    expect(page.locator("section#pair")).to_have_attribute("data-status", "open")
    expect(page.locator("#last-decision")).to_have_attribute("data-outcome", "undone")
    expect(page.locator("#pair-history li")).to_have_count(2)
    expect(page.locator("#decide-form")).to_be_visible()
    expect(main).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#pair-title")).to_be_focused()
    shot(page, "review-05-undone-en")

    page.locator("body").press("n")  # not sure: the reason, then Enter
    expect(page.locator("#reason")).to_be_focused()
    page.keyboard.type("the birth dates need checking")
    page.keyboard.press("Enter")
    expect(page.locator("#last-decision")).to_have_attribute("data-outcome", "escalated")
    expect(page.locator("section#pair")).to_have_attribute("data-pair", weak_id)

    page.goto(f"{live_server}/review")
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    page.click("#filter-box summary")
    page.select_option("#q-status", "escalated")
    page.click("#queue-filters button[type=submit]")
    expect(page.locator(f"#queue tbody tr[data-pair='{strong_id}']")).to_have_count(1)

    page.click("button[name=lang][value=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/review/pairs/{weak_id}")
    expect(page.locator("#decide-same")).to_contain_text("الشخص نفسه")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"horizontal scrolling at 360 px ({width} px)"
    shot(page, "review-06-side-by-side-ar-360px")
    page.goto(f"{live_server}/review")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"horizontal scrolling at 360 px ({width} px)"
    shot(page, "review-07-queue-ar-360px")
    page.context.close()
