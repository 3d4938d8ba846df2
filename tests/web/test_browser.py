"""End to end in headless Chromium: the officer's whole path, in Arabic, with a duplicate."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.web.helpers import browser_login, make_web_user, shot

pytestmark = pytest.mark.browser


def fill_person(page: object, names: dict[str, str]) -> None:
    """Type the common fields of the test person."""
    fill = page.fill  # type: ignore[attr-defined]
    page.select_option("#f-category", "libyan_combatant")  # type: ignore[attr-defined]
    page.select_option("#f-sex", "M")  # type: ignore[attr-defined]
    fill("#f-date_of_birth", "1988-03-02")
    for field, value in names.items():
        fill(f"#f-{field}", value)
    fill("#f-national_id", "119880123456")
    fill("#f-phone", "0912345678")
    fill("#f-armed_group", "TPF")
    page.check("#f-consent")  # type: ignore[attr-defined]


def test_officer_registers_in_arabic_and_links_a_latin_duplicate(
    browser: object, live_server: str, engine: Engine
) -> None:
    from playwright.sync_api import expect

    make_web_user(engine, "officer.e2e", sites=["TRP"], language="en")
    page: Any = browser_login(browser, live_server, "officer.e2e")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("h1")).to_have_text("Your sites")

    page.click("button[name=lang][value=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("مواقعك")
    shot(page, "01-home-ar")

    page.click("a[href='/registrations/new'] >> nth=0")
    expect(page.locator("legend").first).to_have_text("الموقع")
    fill_person(page, {"given_name": "محمد", "father_name": "عبد السلام",
                       "grandfather_name": "علي", "family_name": "الورفلي",
                       "mother_name": "فاطمة"})
    expect(page.locator("#dup-panel [data-candidates='0']")).to_be_visible()
    shot(page, "02-form-ar")
    page.click("#submit-registration")
    expect(page.locator("#saved-number")).to_have_text("TRP-2026-000001")
    first_person = page.url.split("/persons/")[1].split("?")[0]

    page.click("a[href='/registrations/new'] >> nth=0")
    page.fill("#f-date_of_birth", "2011-01-01")
    expect(page.locator("#child-flag")).to_contain_text("طفل")
    shot(page, "03-child-flag-ar")
    fill_person(page, {"given_name": "Mohamed", "father_name": "Abdulsalam",
                       "grandfather_name": "Ali", "family_name": "Al-Warfalli"})
    expect(page.locator("#child-flag")).to_have_count(0)
    candidate = page.locator("#dup-panel li.candidate")
    expect(candidate).to_have_count(1)
    expect(candidate).to_contain_text("TRP-2026-000001")
    expect(candidate.locator(".reasons")).to_contain_text("الرقم الوطني نفسه")
    candidate.get_by_text("اعرضه جنبًا إلى جنب").click()
    expect(page.locator("#compare h2")).to_contain_text("TRP-2026-000001")
    expect(page.locator("#compare")).to_contain_text("الورفلي")
    candidate.get_by_role("button", name="الشخص نفسه: اربط").click()
    expect(page.locator("#link-choice input[name=person_id]")).to_have_value(first_person)
    shot(page, "04-duplicate-panel-ar")

    page.click("#submit-registration")
    expect(page.locator("#saved-number")).to_have_text("TRP-2026-000002")
    assert page.url.split("/persons/")[1].split("?")[0] == first_person
    rows = page.locator("#registrations tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("محمد")
    expect(rows.nth(1)).to_contain_text("Mohamed")
    shot(page, "05-person-ar")

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/registrations/new")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"horizontal scrolling at 360 px ({width} px)"
    page.fill("#f-given_name", "محمد")
    page.fill("#f-national_id", "119880123456")
    expect(page.locator("#dup-panel li.candidate")).to_have_count(2)  # both registrations
    shot(page, "06-form-ar-360px", full_page=False)

    page.click("#logout")
    expect(page.locator("#username")).to_be_visible()
    page.goto(f"{live_server}/")
    expect(page.locator("#username")).to_be_visible()
    page.context.close()
