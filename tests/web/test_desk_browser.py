"""End to end in headless Chromium, in Arabic and English, on a desktop and a 360 px phone:
search by a spelling in the other script, the save-time duplicate decision, a link to another
site's person, an admin creating a user, an auditor finding who viewed a person."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.dedup.models import CandidatePair
from tests.factories import LATIN_BODY, PASSWORD, register, user_headers
from tests.web.helpers import make_web_user, shot

pytestmark = pytest.mark.browser

VARIANTS = [("ar", 1280), ("en", 1280), ("ar", 360), ("en", 360)]
IDS = ["ar-desktop", "en-desktop", "ar-360px", "en-360px"]
TEXT = {
    "ar": {"saved": "تم حفظ التسجيل", "different": "شخص مختلف", "viewed": "اطّلع عليه",
           "auditor": "دور المدقق", "other_site": "موقع آخر", "created": "تم إنشاء المستخدم"},
    "en": {"saved": "Registration saved", "different": "A different person",
           "viewed": "Viewed by", "auditor": "The auditor's role", "other_site": "Another site",
           "created": "The user was created"},
}
LATIN = {"given_name": "Mohamed", "father_name": "Abdulsalam", "grandfather_name": "Ali",
         "family_name": "Al-Warfalli"}


@pytest.fixture(params=VARIANTS, ids=IDS)
def variant(request: pytest.FixtureRequest) -> tuple[str, int]:
    value: tuple[str, int] = request.param
    return value


def open_page(browser: Any, live_server: str, username: str, width: int) -> Any:
    """A page of `browser` at `width` pixels, signed in as `username`."""
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 400
                                            else 740})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#logout")
    return page


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"horizontal scrolling ({width} px in {viewport} px)"


def not_covered(page: Any, selector: str) -> None:
    """The element is where the user sees it: nothing (the duplicate panel) lies over it."""
    covered = page.evaluate("""(selector) => {
        const el = document.querySelector(selector);
        el.scrollIntoView({block: "nearest"});
        const box = el.getBoundingClientRect();
        const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        return !(top === el || el.contains(top));
    }""", selector)
    assert not covered, f"{selector} is covered"


def fill_identity(page: Any, names: dict[str, str], **extra: str) -> None:
    page.select_option("#f-category", "libyan_combatant")
    page.select_option("#f-sex", "M")
    page.fill("#f-date_of_birth", "1988-03-02")
    for field, value in names.items():
        page.fill(f"#f-{field}", value)
    for field, value in extra.items():
        page.fill(f"#f-{field}", value)
    page.check("#f-consent")


def open_panel(page: Any, width: int) -> None:
    """On a phone the duplicate panel is a collapsed bar: open it."""
    if width < 400:
        page.click("#dup-box > summary")


def test_search_finds_a_person_by_a_spelling_in_the_other_script(
    browser: Any, live_server: str, client: TestClient, engine: Engine,
    variant: tuple[str, int]
) -> None:
    from playwright.sync_api import expect

    language, width = variant
    admin = user_headers(client, engine, "admin")
    arabic = register(client, admin)
    latin = register(client, admin, site="TRP", given_name="Khaled", father_name="Hassan",
                      grandfather_name="Omar", family_name="Al-Misrati", national_id=None,
                      phone=None, date_of_birth="1975-05-20", alias=None)
    make_web_user(engine, "searcher", sites=["TRP"], language=language)
    page = open_page(browser, live_server, "searcher", width)
    expect(page.locator("html")).to_have_attribute("lang", language)
    for typed, found in (("Mohamed Abdelsalam Elwarfalli", arabic),
                         ("خالد حسن المصراتي", latin)):
        page.fill("#q", typed)
        page.click("form[role=search] button[type=submit]")
        row = page.locator("#results tbody tr").first
        expect(row.locator("a")).to_have_text(found["registration_number"])
    expect(page.locator("#results tbody tr").first).to_contain_text("Al-Misrati")
    no_sideways_scroll(page)
    shot(page, f"desk-search-{language}-{width}")
    page.context.close()


def test_a_likely_duplicate_is_decided_before_it_is_saved(
    browser: Any, live_server: str, client: TestClient, engine: Engine,
    variant: tuple[str, int]
) -> None:
    from playwright.sync_api import expect

    language, width = variant
    first = register(client, user_headers(client, engine, "admin"))
    make_web_user(engine, "desk", sites=["TRP"], language=language)
    page = open_page(browser, live_server, "desk", width)
    page.goto(f"{live_server}/registrations/new")
    fill_identity(page, LATIN, national_id="119880123456", phone="0912345678",
                  armed_group="TPF")
    expect(page.locator("#dup-count")).to_contain_text("1")
    if width < 400:
        expect(page.locator("#dup-panel")).to_be_hidden()  # collapsed: it covers nothing
        not_covered(page, "#f-phone")
        not_covered(page, "#f-national_id")
    open_panel(page, width)
    expect(page.locator("#dup-panel li.candidate")).to_contain_text(
        first["registration_number"])
    no_sideways_scroll(page)
    page.click("#submit-registration")
    likely = page.locator("#likely fieldset.likely-candidate")
    expect(likely).to_have_count(1)
    expect(likely).to_contain_text(first["registration_number"])
    shot(page, f"desk-likely-{language}-{width}")
    likely.get_by_label(TEXT[language]["different"], exact=True).check()
    likely.locator("textarea").fill("ابن عمه، أصغر منه بسنة" if language == "ar"
                                    else "his cousin, a year younger")
    page.click("#submit-registration")
    expect(page.locator(".notice.saved")).to_contain_text(TEXT[language]["saved"])
    expect(page.locator("#saved-number")).to_have_text("TRP-2026-000002")
    with Session(engine) as session:
        assert session.exec(select(CandidatePair.status)).all() == ["different_persons"]
    no_sideways_scroll(page)
    page.context.close()


def test_an_officer_links_to_a_person_registered_at_another_site(
    browser: Any, live_server: str, client: TestClient, engine: Engine,
    variant: tuple[str, int]
) -> None:
    from playwright.sync_api import expect

    language, width = variant
    trp = register(client, user_headers(client, engine, "admin"))
    make_web_user(engine, "desk.ben", sites=["BEN"], language=language)
    page = open_page(browser, live_server, "desk.ben", width)
    page.goto(f"{live_server}/registrations/new")
    fill_identity(page, LATIN)
    expect(page.locator("#dup-count")).to_contain_text("1")
    open_panel(page, width)
    candidate = page.locator("#dup-panel li.candidate")
    expect(candidate).to_contain_text(TEXT[language]["other_site"])
    expect(candidate.locator(".score")).to_have_count(0)
    candidate.locator("button.compare").click()
    expect(page.locator("#compare")).to_contain_text("الورفلي")
    expect(page.locator("#compare")).not_to_contain_text("119880123456")
    candidate.locator("button.primary").click()
    expect(page.locator("#link-choice input[name=person_id]")).to_have_value(trp["person_id"])
    shot(page, f"desk-cross-site-{language}-{width}")
    page.click("#submit-registration")
    expect(page.locator("#saved-number")).to_have_text("BEN-2026-000001")
    rows = page.locator("#registrations tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_have_class("restricted")
    assert trp["person_id"] in page.url
    no_sideways_scroll(page)
    page.context.close()


def test_an_admin_creates_a_user_who_then_logs_in(
    browser: Any, live_server: str, engine: Engine, variant: tuple[str, int]
) -> None:
    from playwright.sync_api import expect

    language, width = variant
    make_web_user(engine, "chief", role="admin", sites=[], language=language)
    page = open_page(browser, live_server, "chief", width)
    page.click("#nav-admin")
    expect(page.locator("#users")).to_be_visible()
    no_sideways_scroll(page)
    page.fill("#f-username", "officer.new")
    page.fill("#f-full_name", "سالم المصراتي")
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_again", PASSWORD)
    page.select_option("#f-role", "registration_officer")
    page.check("#f-sites input[value=MIS]")
    page.select_option("#f-language", language)
    page.click("#create-user")
    expect(page.locator("#created")).to_contain_text(TEXT[language]["created"])
    expect(page.locator("#user-sites")).to_have_text("MIS")
    shot(page, f"admin-user-{language}-{width}")
    page.click("#logout")
    page.fill("#username", "officer.new")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator("#nav-register")).to_be_visible()
    expect(page.locator("#nav-admin")).to_have_count(0)
    page.context.close()


def test_an_auditor_finds_who_viewed_a_person(
    browser: Any, live_server: str, client: TestClient, engine: Engine,
    variant: tuple[str, int]
) -> None:
    from playwright.sync_api import expect

    language, width = variant
    admin = user_headers(client, engine, "admin")
    person = register(client, admin)
    ben = register(client, admin, **LATIN_BODY, person_id=person["person_id"])
    make_user_headers = user_headers(client, engine, "registration_officer", ["BEN"])
    client.get(f"/api/v1/registrations/{ben['id']}", headers=make_user_headers)
    make_web_user(engine, "watcher", role="auditor", sites=[], language=language)
    page = open_page(browser, live_server, "watcher", width)
    expect(page.locator("h1")).to_have_text(TEXT[language]["auditor"])
    page.click("a[href='/audit/person']")
    page.fill("#f-ref", person["registration_number"])
    page.click("#who-search")
    viewers = page.locator("#viewers .viewer")
    expect(viewers).to_have_count(1)
    expect(viewers).to_contain_text("registration_officer-BEN")
    expect(page.locator("#viewers")).to_contain_text(TEXT[language]["viewed"])
    expect(page.locator("#found")).not_to_contain_text("محمد")
    no_sideways_scroll(page)
    shot(page, f"auditor-who-viewed-{language}-{width}")
    page.context.close()
