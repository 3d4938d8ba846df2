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
from tests.reintegration.returns.conftest import fighter, ready_case
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
