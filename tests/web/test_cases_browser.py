"""End to end in headless Chromium, in Arabic: a case manager takes a case from the board and
carries it from eligibility screening to enrolment in the chosen reintegration option, with a
referral the provider accepts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import register, user_headers
from tests.web.helpers import browser_login, make_web_user, shot

pytestmark = pytest.mark.browser


def finish(page: Any, step: str, fields: dict[str, str], selects: dict[str, str]) -> None:
    """Open a step's form, fill it, save it, and wait for the step to show as done."""
    from playwright.sync_api import expect

    if not page.locator(f"#form-{step}").evaluate("details => details.open"):
        page.click(f"#form-{step} summary")
    page.select_option(f"#s-{step}-status", "done")
    for name, value in selects.items():
        page.select_option(f"#s-{step}-{name}", value)
    for name, value in fields.items():
        page.fill(f"#s-{step}-{name}", value)
    page.click(f"#save-{step}")
    expect(page.locator(f"#step-{step}")).to_have_attribute("data-status", "done")
    expect(page.locator("#case-notice")).to_have_text("تم الحفظ.")


def test_case_manager_takes_a_case_to_an_enrolled_option_in_arabic(
    browser: object, live_server: str, client: TestClient, engine: Engine
) -> None:
    from playwright.sync_api import expect

    admin = user_headers(client, engine, "admin")
    registered = register(client, admin, weapons=[{"weapon_type": "rifle",
                                                   "serial_number": "AK-E2E-7"}])
    centre = client.post("/api/v1/service-providers", headers=admin, json={
        "name": "مركز طرابلس للتدريب المهني", "services": ["vocational_training"],
        "site": "TRP"}).json()
    make_web_user(engine, "cm.e2e", role="case_manager", sites=["TRP"], language="ar")

    page: Any = browser_login(browser, live_server, "cm.e2e")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("حالاتي")  # the board is the home page
    row = page.locator("#unassigned-list tr[data-case]").filter(
        has_text=registered["registration_number"])
    expect(row).to_contain_text("فحص الأهلية")
    shot(page, "cases-01-board-ar")
    row.locator("button.take").click()
    mine = page.locator("#my-cases tr[data-case]")
    expect(mine).to_have_count(1)
    mine.locator("a.case-link").click()

    expect(page.locator("#case-title")).to_contain_text("الورفلي")
    expect(page.locator("#case-assignee")).to_have_text("cm.e2e")
    expect(page.locator("#step-eligibility")).to_contain_text("قيد الانتظار")
    shot(page, "cases-02-case-ar")

    # finishing eligibility without what it needs is refused beside the form
    page.click("#form-eligibility summary")
    page.select_option("#s-eligibility-status", "done")
    page.click("#save-eligibility")
    expect(page.locator("#form-eligibility #problem")).to_contain_text("تحقق منه")
    expect(page.locator("#step-eligibility")).to_have_attribute("data-status", "pending")
    shot(page, "cases-03-refused-ar")

    finish(page, "eligibility", {"verified_by": "لجنة التحقق بطرابلس"},
           {"outcome": "eligible", "membership_verification": "commander_list"})
    finish(page, "disarmament", {}, {})  # the rifle handed in at registration
    finish(page, "demobilization", {"ddr_id_card": "DDR-000777"},
           {"medical_screening": "fit", "transport_home": "provided"})
    finish(page, "profiling", {"skills": "ميكانيكا السيارات", "wishes": "ورشة خاصة به"},
           {"education": "secondary"})
    finish(page, "option", {"reasons": "مهارته في الميكانيكا"},
           {"option": "vocational_training"})
    expect(page.locator("#step-option")).to_contain_text("تدريب مهني")

    page.click("#new-referral summary")
    page.select_option("#ref-offer", f"{centre['id']}|vocational_training")
    page.select_option("#ref-step", "enrolled")
    page.fill("#ref-note", "يفضّل الدورات المسائية")
    page.click("#send-referral")
    referral = page.locator("#referral-list tr[data-referral]")
    expect(referral).to_have_attribute("data-status", "sent")
    expect(page.locator("#case-notice")).to_have_text("أُرسلت الإحالة.")

    referral.locator("details.referral-update summary").click()
    referral.locator("select[name=status]").select_option("accepted")
    referral.locator("textarea[name=feedback]").fill("مقعد في دورة مارس")
    referral.locator("button[type=submit]").click()
    expect(page.locator("#referral-list tr[data-referral]")).to_have_attribute(
        "data-status", "accepted")

    finish(page, "enrolled", {"start_date": date.today().isoformat(),
                              "programme": "دورة ميكانيكا ستة أشهر"}, {})
    expect(page.locator("#step-followup_3m .due")).to_be_visible()
    timeline = page.locator("#timeline li")
    expect(timeline.first).to_contain_text("التسجيل لدى مقدّم خدمة")
    expect(page.locator("#timeline")).to_contain_text("مقعد في دورة مارس")
    shot(page, "cases-04-enrolled-ar")
    case = client.get(f"/api/v1/persons/{registered['person_id']}", headers=admin).json()
    detail = client.get(f"/api/v1/cases/{case['cases'][0]['id']}", headers=admin).json()
    statuses = {s["key"]: s["status"] for s in detail["steps"]}
    assert [statuses[k] for k in ("eligibility", "disarmament", "demobilization", "profiling",
                                  "option", "enrolled")] == ["done"] * 6
    assert detail["referrals"][0]["status"] == "accepted"


LTR_BLOCKS = """() => [...document.querySelectorAll('main *')].filter(e => {
  const style = getComputedStyle(e);
  return style.direction === 'ltr' && !style.display.startsWith('inline')
    && !['INPUT', 'TEXTAREA', 'SELECT', 'OPTION'].includes(e.tagName);
}).map(e => e.tagName + (e.id ? '#' + e.id : '') + ': ' + e.textContent.trim().slice(0, 30))"""
"""Boxes of the case page laid out left to right (their lines start at the left edge)."""


def test_the_case_page_lines_start_on_the_right_in_arabic(
    browser: object, live_server: str, client: TestClient, engine: Engine
) -> None:
    from playwright.sync_api import expect

    admin = user_headers(client, engine, "admin")
    registered = register(client, admin)
    person = client.get(f"/api/v1/persons/{registered['person_id']}", headers=admin).json()
    case = client.get(f"/api/v1/cases/{person['cases'][0]['id']}", headers=admin).json()
    planned = client.put(f"/api/v1/cases/{case['id']}/instalments", headers=admin, json={
        "version": case["version"], "instalments": [
            {"number": 1, "amount": "1500.00", "due_on": date.today().isoformat()}]})
    assert planned.status_code == 200, planned.text
    make_web_user(engine, "cm.rtl", role="case_manager", sites=["TRP"], language="ar")

    page: Any = browser_login(browser, live_server, "cm.rtl")
    page.goto(f"{live_server}/cases/{case['id']}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#instalments tr[data-instalment]")).to_have_count(1)
    assert page.evaluate(LTR_BLOCKS) == []
    # the site's code (Latin letters) ends at the right edge of its line, like its label
    site = page.locator("#case-site")
    expect(site).to_have_text("TRP")
    line, text = site.evaluate("""dd => { const range = document.createRange();
        range.selectNodeContents(dd); return [dd.getBoundingClientRect().right,
        range.getBoundingClientRect().right]; }""")
    assert abs(line - text) < 1, f"the site is {line - text:.0f} px from the right edge"
    shot(page, "cases-05-case-rtl-ar")
    page.context.close()
