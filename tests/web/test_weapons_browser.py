"""End to end in headless Chromium, in Arabic: a site's weapons officer sends a batch to the
central depot, the depot's officer confirms its receipt and destroys it, and downloads the
certificate."""

from __future__ import annotations

from datetime import date
from typing import Any

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import user_headers
from tests.weapons.helpers import DEPOT, add_depot, register_with_weapons, send, settle, weapon_ids
from tests.web.helpers import browser_login, make_web_user, shot

pytestmark = pytest.mark.browser


def test_a_batch_goes_to_the_depot_and_is_destroyed_in_arabic(
    browser: object, live_server: str, client: TestClient, engine: Engine
) -> None:
    from playwright.sync_api import expect

    add_depot(engine)
    registrar = user_headers(client, engine, "registration_officer", ["TRP"])
    keeper = user_headers(client, engine, "weapons_officer", ["TRP"])
    registration = register_with_weapons(client, registrar, ["AK-3001", "AK-3002", "PM-77"])
    batch = weapon_ids(client, registrar, registration["id"])
    settle(client, keeper, send(client, registrar, batch, "in_storage", "TRP")["id"])
    make_web_user(engine, "wo.tripoli", role="weapons_officer", sites=["TRP"], language="ar")
    make_web_user(engine, "wo.depot", role="weapons_officer", sites=[DEPOT], language="ar")

    site: Any = browser_login(browser, live_server, "wo.tripoli")
    expect(site.locator("html")).to_have_attribute("dir", "rtl")
    expect(site.locator("h1")).to_have_text("الأسلحة في الحيازة")
    rows = site.locator("#weapons tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("في التخزين المؤقت")
    for weapon in batch:
        site.check(f"#pick-{weapon}")
    shot(site, "weapons-01-custody-ar")
    site.click("#batch-transfer")
    expect(site.locator("#batch-items tbody tr")).to_have_count(3)
    site.select_option("#t-to_status", "in_depot")
    site.select_option("#t-to_site", DEPOT)
    site.fill("#t-seals", "S-101 S-102")
    shot(site, "weapons-02-transfer-form-ar")
    site.click("#send-transfer")
    expect(site.locator("#sent-notice")).to_contain_text("حتى يؤكد المستلم")
    expect(site.locator("#transfer-status")).to_have_text("بانتظار المستلم")
    expect(site.locator("#confirm-transfer")).to_have_count(0)  # the sender cannot confirm
    transfer_url = site.url.split("?")[0]
    site.goto(f"{live_server}/weapons")
    expect(rows.first).to_contain_text("في التخزين المؤقت")  # nothing moved yet
    expect(site.locator("#weapons .badge.warn").first).to_have_text("نقل بالانتظار")
    site.context.close()

    depot: Any = browser_login(browser, live_server, "wo.depot")
    depot.click("a[href='/weapons/transfers']")
    inbox = depot.locator("#transfers tbody tr")
    expect(inbox).to_have_count(1)
    inbox.locator("a").click()
    assert depot.url.split("?")[0] == transfer_url
    expect(depot.locator("#seals")).to_have_text("S-101, S-102")
    depot.check("#seals-yes")
    shot(depot, "weapons-03-confirm-ar")
    depot.click("#confirm-transfer")
    expect(depot.locator("#transfer-status")).to_have_text("مؤكَّد")
    expect(depot.locator("#transfer-items tbody tr").first).to_contain_text(
        "في المستودع المركزي")

    depot.goto(f"{live_server}/weapons?site={DEPOT}")
    expect(depot.locator("#weapons tbody tr")).to_have_count(3)
    for weapon in batch:
        depot.check(f"#pick-{weapon}")
    depot.click("#batch-destroy")
    depot.select_option("#d-method", "cutting")
    depot.fill("#d-place", "ورشة المستودع المركزي")
    depot.fill("#d-auth", "العقيد سالم الفيتوري")
    depot.fill("#d-w0-name", "علي محمد")
    depot.fill("#d-w0-role", "لجنة نزع السلاح")
    depot.fill("#d-w1-name", "Observer One")
    depot.fill("#d-w1-role", "UNSMIL")
    shot(depot, "weapons-04-destruction-form-ar")
    depot.click("#record-destruction")
    expect(depot.locator("#recorded-notice")).to_have_text("سُجّلت عملية الإتلاف.")
    expect(depot.locator("#certificate-number")).to_have_text(f"DES-{DEPOT}-{date.today().year}-0001")
    expect(depot.locator("#destroyed-items tbody tr")).to_have_count(3)
    shot(depot, "weapons-05-destruction-ar")
    with depot.expect_download() as download:
        depot.click("#certificate")
    pdf = download.value.path().read_bytes()
    document = pdfium.PdfDocument(pdf)
    text = document[0].get_textpage().get_text_range()
    assert f"DES-{DEPOT}-{date.today().year}-0001" in text
    assert "العقيد سالم الفيتوري" in text
    document.close()

    depot.goto(f"{live_server}/weapons/{batch[0]}")
    expect(depot.locator("#custody-status")).to_have_text("أُتلف")
    events = depot.locator("#history li")
    expect(events).to_have_count(4)  # handed in, into storage, into the depot, destroyed
    expect(events.last).to_contain_text(f"DES-{DEPOT}-{date.today().year}-0001")
    depot.set_viewport_size({"width": 360, "height": 740})
    depot.goto(f"{live_server}/weapons?site={DEPOT}")
    width = depot.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"horizontal scrolling at 360 px ({width} px)"
    shot(depot, "weapons-06-custody-ar-360px", full_page=False)
    depot.context.close()
