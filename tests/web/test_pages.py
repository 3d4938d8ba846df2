"""Server-rendered pages, parsed: login, home, registration form, person page, languages."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.core.db import session_scope
from app.core.models import AuditEvent
from tests.factories import registration_body
from tests.web.helpers import csrf_from, make_web_user, soup, web_login

SAME_ORIGIN = {"Origin": "http://testserver"}


def form_for(client: TestClient, **overrides: Any) -> dict[str, Any]:
    """A filled registration form as a browser would post it."""
    page = soup(client.get("/registrations/new").text)
    hidden = {i["name"]: i.get("value", "") for i in page.select("#reg-form input[type=hidden]")}
    body = registration_body(id=hidden["id"], consent="yes", armed_group="TPF")
    body.pop("passport_no")
    return {**hidden, **body, **overrides}


def test_anonymous_home_redirects_to_login(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_login_page_is_arabic_rtl_by_default(client: TestClient) -> None:
    page = soup(client.get("/login").text)
    assert page.html["lang"] == "ar"
    assert page.html["dir"] == "rtl"
    assert page.h1.get_text(strip=True) == "تسجيل الدخول"
    assert page.find("label", attrs={"for": "username"}).get_text(strip=True) == "اسم المستخدم"


def test_login_sets_safe_cookies(client: TestClient, engine: Engine) -> None:
    make_web_user(engine, "off1")
    csrf = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": "off1", "password": "correct horse battery",
                                           "csrf_token": csrf}, headers=SAME_ORIGIN,
                           follow_redirects=False)
    assert response.status_code == 303
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("ddr_session="))
    assert "HttpOnly" in session
    assert "SameSite=strict" in session or "SameSite=Strict" in session


def test_wrong_password_is_refused_in_the_users_language(client: TestClient,
                                                          engine: Engine) -> None:
    make_web_user(engine, "off2")
    csrf = csrf_from(client.get("/login", headers={"Accept-Language": "en"}).text)
    response = client.post("/login", data={"username": "off2", "password": "wrong password!",
                                           "csrf_token": csrf}, headers=SAME_ORIGIN)
    assert response.status_code == 401
    error = soup(response.text).find(id="login-error")
    assert error is not None
    assert error.get_text(strip=True) == "اسم المستخدم أو كلمة المرور غير صحيحة."


def test_officer_home_shows_site_search_and_todays_registrations(
    client: TestClient, officer: str
) -> None:
    client.post("/registrations", data=form_for(client), headers=SAME_ORIGIN)
    page = soup(client.get("/").text)
    assert page.html["lang"] == "en"
    assert page.html["dir"] == "ltr"
    assert "Tripoli" in page.select_one(".sites").get_text()
    rows = page.select("table.list tbody tr")
    assert len(rows) == 1
    assert rows[0].find("a").get_text() == "TRP-2026-000001"
    assert page.find("form", attrs={"role": "search"})["method"] == "post"


def test_search_is_a_post_and_answers_htmx_with_a_fragment(
    client: TestClient, officer: str
) -> None:
    client.post("/registrations", data=form_for(client), headers=SAME_ORIGIN)
    response = client.post("/search", data={"q": "119880123456"},
                           headers={"HX-Request": "true", "X-CSRF-Token": officer, **SAME_ORIGIN})
    assert response.status_code == 200
    fragment = soup(response.text)
    assert fragment.find("html") is None or fragment.find("header") is None
    assert fragment.select_one("tbody tr a").get_text() == "TRP-2026-000001"
    by_name = client.post("/search", data={"q": "الورفلي محمد"},
                          headers={"HX-Request": "true", "X-CSRF-Token": officer})
    assert "TRP-2026-000001" in soup(by_name.text).get_text()


def test_language_switch_is_remembered_on_the_account(
    client: TestClient, engine: Engine, officer: str
) -> None:
    response = client.post("/language", data={"lang": "ar", "next": "/registrations/new",
                                               "csrf_token": officer}, headers=SAME_ORIGIN)
    page = soup(response.text)
    assert page.html["dir"] == "rtl"
    assert page.find("legend", string="الهوية") is not None
    client.cookies.delete("ddr_lang")
    again = soup(client.get("/").text)
    assert again.html["lang"] == "ar"  # from the account, not the cookie


def test_every_problem_is_reported_at_once_beside_its_field_and_nothing_is_lost(
    client: TestClient, officer: str
) -> None:
    form = form_for(client, national_id="12345", given_name="", father_name="سالم",
                    date_joined="2019-13-40")
    form["weapons-0-weapon_type"] = "rifle"
    form["weapons-0-serial_number"] = "AK-1234"
    form["weapons-0-rounds"] = "many"
    response = client.post("/registrations", data=form, headers=SAME_ORIGIN)
    assert response.status_code == 422
    page = soup(response.text)
    rounds = page.find(id="f-weapons-0-rounds")
    assert rounds["aria-invalid"] == "true"
    sentences = {
        "weapons-0-rounds": "The rounds of ammunition of weapon 1 must be a whole number.",
        "national_id": "The national number must have 12 digits.",
        "given_name": "Given name is required for this category.",
        "date_joined": "Write the date joined as YYYY-MM-DD, for example 2019-06-30.",
    }
    for name, sentence in sentences.items():
        assert page.find(id=f"e-{name}").get_text(strip=True) == sentence, name
    summary = [a.get_text(strip=True) for a in page.select("#error-summary li a")]
    assert sorted(summary) == sorted(sentences.values())
    assert {a["href"] for a in page.select("#error-summary li a")} == {
        f"#f-{name}" for name in sentences}
    assert page.find(id="f-father_name")["value"] == "سالم"
    assert page.find(id="f-weapons-0-serial_number")["value"] == "AK-1234"
    assert page.find(id="f-consent").has_attr("checked")


def test_errors_are_translated_for_arabic_users(client: TestClient, engine: Engine) -> None:
    make_web_user(engine, "off.ar", language="ar")
    web_login(client, "off.ar")
    response = client.post("/registrations", data=form_for(client, national_id="12345"),
                           headers=SAME_ORIGIN)
    page = soup(response.text)
    assert page.html["dir"] == "rtl"
    assert page.find(id="e-national_id").get_text(strip=True) == (
        "يجب أن يتكون الرقم الوطني من 12 رقمًا.")


def test_double_submit_creates_one_registration(client: TestClient, officer: str,
                                                engine: Engine) -> None:
    form = form_for(client)
    first = client.post("/registrations", data=form, headers=SAME_ORIGIN)
    second = client.post("/registrations", data=form, headers=SAME_ORIGIN)
    assert first.url == second.url
    assert soup(second.text).find(id="saved-number").get_text() == "TRP-2026-000001"
    with session_scope(engine) as session:
        creates = session.exec(select(AuditEvent).where(
            AuditEvent.action == "registration.create")).all()
    assert len(creates) == 1


def test_person_page_shows_identity_weapons_dependants_and_corrects(
    client: TestClient, officer: str
) -> None:
    form = form_for(client)
    form.update({"weapons-0-weapon_type": "rifle", "weapons-0-serial_number": "AK-99",
                 "weapons-0-rounds": "60", "dependants-0-relationship": "spouse",
                 "dependants-0-name": "عائشة"})
    person_page = client.post("/registrations", data=form, headers=SAME_ORIGIN)
    page = soup(person_page.text)
    assert page.h1.get_text(strip=True) == "محمد عبد السلام علي الورفلي"
    assert "AK99" in page.select_one(".registration table.list").get_text()
    assert "عائشة" in page.get_text()
    correction = page.select_one("details.correct form")
    data = {"csrf_token": officer, "person_id": correction.find("input", attrs={
        "name": "person_id"})["value"], "field": "phone", "value": "0923456789",
        "reason": "typing error"}
    corrected = client.post(correction["action"], data=data, headers=SAME_ORIGIN)
    history = soup(corrected.text).select_one("ol.history")
    assert history is not None
    assert "+218923456789" in history.get_text()
    bad = client.post(correction["action"], data={**data, "value": "12"}, headers=SAME_ORIGIN)
    assert bad.status_code == 422
    assert "not a" in soup(bad.text).select_one("details.correct .field-error").get_text()


def test_child_hint_fragment(client: TestClient, officer: str) -> None:
    headers = {"HX-Request": "true", "X-CSRF-Token": officer}
    child = client.post("/registrations/child-hint", data={"date_of_birth": "2012-05-01"},
                        headers=headers)
    flag = soup(child.text).find(id="child-flag")
    assert flag is not None
    assert "under 18" in flag.get_text()
    adult = client.post("/registrations/child-hint", data={"date_of_birth": "1990"},
                        headers=headers)
    assert soup(adult.text).find(id="child-flag") is None


def test_duplicate_panel_lists_candidates_and_link_choice_is_audited(
    client: TestClient, officer: str, engine: Engine
) -> None:
    client.post("/registrations", data=form_for(client), headers=SAME_ORIGIN)
    headers = {"HX-Request": "true", "X-CSRF-Token": officer}
    draft = form_for(client, given_name="Mohamed", father_name="Abdulsalam",
                     family_name="Al-Warfalli")
    panel = soup(client.post("/registrations/check", data=draft, headers=headers).text)
    candidates = panel.select("li.candidate")
    assert len(candidates) == 1
    assert "Same national number" in candidates[0].select_one(".reasons").get_text()
    assert panel.find(id="dup-count")["hx-swap-oob"] == "true"
    link = candidates[0].find("button", string="Same person: link")
    assert link is not None
    compare_form = candidates[0].select_one("form[action$='/compare']")
    candidate_id = compare_form["action"].split("/")[2]
    assert compare_form.find("input", attrs={"name": "id"})["value"] == draft["id"]
    chosen = soup(client.post("/registrations/link", data={
        "id": draft["id"], "choice": "link", "candidate": candidate_id}, headers=headers).text)
    person_id = chosen.find("input", attrs={"name": "person_id"})["value"]
    compare = soup(client.post(f"/registrations/{candidate_id}/compare",
                               data={"id": draft["id"]}, headers=headers).text)
    assert "محمد" in compare.get_text()
    draft["person_id"] = person_id
    saved = soup(client.post("/registrations", data=draft, headers=SAME_ORIGIN).text)
    assert len(saved.select("#registrations tbody tr")) == 2
    with session_scope(engine) as session:
        link_events = session.exec(select(AuditEvent).where(
            AuditEvent.action == "duplicate.link")).all()
    assert len(link_events) == 1
    assert link_events[0].object_id == draft["id"]


@pytest.mark.parametrize(("role", "title"), [
    ("committee", "Programme statistics"), ("auditor", "The auditor's role")])
def test_committee_and_auditor_see_no_identifying_data(
    client: TestClient, engine: Engine, role: str, title: str
) -> None:
    make_web_user(engine, f"u.{role}", role=role, sites=[])
    web_login(client, f"u.{role}")
    page = soup(client.get("/").text)
    assert page.find("form", attrs={"role": "search"}) is None
    assert page.h1.get_text(strip=True) == title
    assert client.get("/registrations/new").status_code == 403


def test_logout_ends_the_session(client: TestClient, officer: str) -> None:
    response = client.post("/logout", data={"csrf_token": officer}, headers=SAME_ORIGIN)
    assert soup(response.text).find(id="username") is not None
    assert client.get("/", follow_redirects=False).status_code == 303


def test_idle_session_times_out(client: TestClient, engine: Engine, app: Any) -> None:
    app.state.settings.session_idle_minutes = 0
    make_web_user(engine, "idle")
    web_login(client, "idle")  # the first use sets the idle clock; 0 minutes ends it at once
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_web_pages_carry_the_browser_security_headers_and_api_answers_their_own(
        client: TestClient) -> None:
    page = client.get("/login")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Server-Timing"].startswith("app;dur=")
    error = client.get("/no-such-page")
    assert error.status_code == 404
    assert "Content-Security-Policy" in error.headers
    api = client.get("/health")
    assert api.headers["Referrer-Policy"] == "no-referrer"
    assert "Server-Timing" not in api.headers
    assert api.headers["Content-Security-Policy"].startswith("default-src 'none'")
