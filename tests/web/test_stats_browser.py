"""End to end in headless Chromium: the committee signs in and sees its dashboard, in Arabic
and in English, on a desktop and on a 360 px phone (screenshots), and filters by a site."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from tests.api.test_stats import DATA
from tests.factories import insert_plain_registrations, seed_reference
from tests.web.helpers import browser_login, make_web_user, shot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("language", "title"), [("ar", "إحصاءات البرنامج"),
                                                  ("en", "Programme statistics")])
def test_the_dashboard_in_both_languages(browser: object, live_server: str, app: FastAPI,
                                         engine: Engine, language: str, title: str) -> None:
    from playwright.sync_api import expect

    seed_reference(engine)
    with session_scope(engine) as session:
        insert_plain_registrations(session, DATA)
    app.state.stats_cache.compute_now()
    make_web_user(engine, f"committee.{language}", role="committee", sites=[],
                  language=language)
    page: Any = browser_login(browser, live_server, f"committee.{language}")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    expect(page.locator("#headline-registrations .big")).to_have_text(f"{len(DATA):,}")
    expect(page.locator("#chart-sites .plot-row")).to_have_count(8)
    expect(page.locator("#chart-pyramid table.figures tbody tr")).to_have_count(7)
    shot(page, f"stats-01-dashboard-{language}")
    page.select_option("#filter", "site:TRP")
    page.click("#stats-filter button[type=submit]")
    expect(page.locator("#filter")).to_have_value("site:TRP")
    shot(page, f"stats-02-tripoli-{language}")
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    expect(page.locator("h1")).to_have_text(title)
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 360, f"the page is {overflow} px wide on a 360 px phone"
    shot(page, f"stats-03-phone-{language}")
    page.context.close()
