"""End to end in headless Chromium, in Arabic: a returns coordinator reads the board, plans a
convoy, adds the ready returnee, confirms it and exports the signed manifest, which opens
with the passphrase and verifies against the register's public key; the board and the
movement page fit a 360 px phone."""

from __future__ import annotations

import io
from typing import Any

import pytest
import pyzipper
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from exports.signing import verify
from tests.factories import user_headers
from tests.reintegration.returns.conftest import fighter, plan, ready_case
from tests.web.helpers import browser_login, make_web_user, shot

pytestmark = pytest.mark.browser
PASSPHRASE = "convoy to Wour, January"


def _fits(page: Any) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"horizontal scrolling at 360 px ({width} px)"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_plan_a_movement_and_export_its_manifest_in_arabic(
    browser: object, live_server: str, client: TestClient, engine: Engine
) -> None:
    from playwright.sync_api import expect

    officer = user_headers(client, engine, "registration_officer", ["SEB"])
    coordinator = user_headers(client, engine, "case_manager", ["TRP"],
                               authorisations=["returns_coordinator"])
    registered = fighter(client, officer)
    ready_case(client, coordinator, registered["person_id"])
    make_web_user(engine, "coord.browser", role="case_manager", sites=["TRP"], language="ar",
                  authorisations=["returns_coordinator"])

    page: Any = browser_login(browser, live_server, "coord.browser")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.click("#nav-returns")
    expect(page.locator("h1")).to_have_text("العودة إلى بلدان المنشأ")
    row = page.locator("#returns-counts tr[data-country=TCD]")
    expect(row.locator("td[data-stage=ready]")).to_have_text("1")
    expect(page.locator("figure.chart[data-country=TCD]")).to_be_visible()
    shot(page, "returns-01-board-ar")
    _fits(page)

    page.click("#to-movements")
    page.fill("#m-country", "TCD")
    page.select_option("#m-kind", "convoy")
    page.fill("#m-route", "سبها - القطرون - وور")
    page.fill("#m-crossing", "Wour")
    page.fill("#m-escort", "مرافقة مشتركة")
    shot(page, "returns-02-plan-ar")
    page.click("#plan-movement button[type=submit]")
    expect(page.locator("#movement-status")).to_have_attribute("data-status", "planned")
    candidates = page.locator("#candidates tbody tr")
    expect(candidates).to_have_count(1)
    expect(candidates.first).to_contain_text(registered["registration_number"])
    expect(candidates.first).to_contain_text("جاهز")
    candidates.first.locator("input[type=checkbox]").check()
    page.click("#add-selected")
    expect(page.locator("#count-returnees")).to_have_text("1")
    expect(page.locator("#returnees tr[data-ready=yes]")).to_have_count(1)
    page.click("#move-confirmed")
    expect(page.locator("#movement-status")).to_have_attribute("data-status", "confirmed")
    _fits(page)

    page.fill("#x-pass", PASSPHRASE)
    page.fill("#x-again", PASSPHRASE)
    page.fill("#x-purpose", "تسليم إلى السلطة التشادية في وور")
    shot(page, "returns-03-movement-ar")
    with page.expect_download() as download:
        page.click("#export-manifest")
    content = download.value.path().read_bytes()
    assert download.value.suggested_filename.startswith("manifest-TCD-")
    page.context.close()

    key = client.get("/api/v1/returns/public-key", headers=coordinator).content
    assert len(verify(content, key)) == 8
    with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
        archive.setpassword(PASSPHRASE.encode())
        names = archive.namelist()
        assert sorted(n.rsplit(".", 1)[1] for n in names) == ["pdf", "xlsx"]
        assert all(archive.read(n) for n in names)


OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("main *")].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 1 || box.left < -1);
  }).map(e => e.tagName + (e.id ? "#" + e.id : "") + "." + e.className).slice(0, 5);
}"""
"""The elements of the page's main part that stick out of a narrow viewport."""


def _narrow(page: Any, name: str) -> None:
    """At 360 px: no horizontal scrolling, no element out of the viewport; a screenshot."""
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(OVERFLOWING) == []
    shot(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_board_movement_and_return_case_fit_a_phone_in_arabic(
    browser: object, live_server: str, client: TestClient, engine: Engine
) -> None:
    from playwright.sync_api import expect

    officer = user_headers(client, engine, "registration_officer", ["SEB"])
    coordinator = user_headers(client, engine, "case_manager", ["TRP"],
                               authorisations=["returns_coordinator"])
    first = fighter(client, officer)
    second = fighter(client, officer, given_name="Issa", family_name="Moussa",
                     name_other_script=None, date_of_birth="1985-05-05")
    case = ready_case(client, coordinator, first["person_id"])
    ready_case(client, coordinator, second["person_id"])  # the same document number
    movement = plan(client, coordinator)
    added = client.post(f"/api/v1/returns/movements/{movement['id']}/returnees",
                        json={"cases": [case["id"]], "version": movement["version"]},
                        headers=coordinator)
    assert added.status_code == 200, added.text
    make_web_user(engine, "coord.phone", role="case_manager", sites=["TRP"], language="ar",
                  authorisations=["returns_coordinator"])

    page: Any = browser_login(browser, live_server, "coord.phone")
    page.goto(f"{live_server}/returns")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # stacked on a phone, each figure says what it is, in the page's direction
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        '#returns-medians td, #returns-stuck td')].filter(td => !td.dataset.label
        && !td.querySelector('a')).length""")
    assert unlabelled == 0
    assert page.evaluate("""() => [...document.querySelectorAll('#returns-medians td')].every(
        td => getComputedStyle(td).direction === 'rtl')""")
    _narrow(page, "returns-04-board-360-ar")
    page.goto(f"{live_server}/returns/movements/{movement['id']}")
    expect(page.locator("#returnees tr[data-ready=yes]")).to_have_count(1)
    _narrow(page, "returns-05-movement-360-ar")
    page.goto(f"{live_server}/cases/{case['id']}")
    expect(page.locator("#same-document")).to_contain_text(second["registration_number"])
    expect(page.locator("#return-country")).to_have_text("تشاد (TCD)")
    # Latin registration numbers inside Arabic text are isolated, left to right
    number = page.locator("#same-document bdi").first
    expect(number).to_have_attribute("dir", "ltr")
    _narrow(page, "returns-06-case-360-ar")
    page.context.close()
