"""In headless Chromium on a 360 px phone, in Arabic: an auditor reading the trail is told
when an event was tampered with (the triggers dropped, a row edited in the database)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.core.test_audit_chain import some_events, triggers_dropped
from tests.factories import PASSWORD
from tests.web.helpers import make_web_user, shot

pytestmark = pytest.mark.browser


def test_the_audit_page_flags_a_tampered_event_in_arabic_on_a_phone(
        browser: Any, live_server: str, client: TestClient, engine: Engine) -> None:
    from playwright.sync_api import expect

    ids = some_events(client, engine)
    make_web_user(engine, "auditor.phone", role="auditor", sites=[], language="ar")
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/login")
    page.fill("#username", "auditor.phone")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(f"{live_server}/audit")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#chain-broken")).to_have_count(0)

    with triggers_dropped(engine), engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor_username = 'nobody' WHERE id = :id"),
                     {"id": ids[-1]})
    page.reload()
    expect(page.locator("#chain-broken")).to_be_visible()
    expect(page.locator("#chain-broken")).to_contain_text("سلسلة التدقيق")
    expect(page.locator("tr.broken .badge.band-match")).to_have_text("السلسلة مكسورة")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360 + 1, f"the page scrolls sideways on a phone ({width} px)"
    shot(page, "audit-chain-broken-ar-360")
    context.close()
