"""The registration desk, parsed: rows of weapons and dependants, required fields per
category, the complete person page, the save-time duplicate decision, other sites'
candidates, printouts, roles and error pages."""

from __future__ import annotations

import json

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import AuditEvent
from app.dedup.models import CandidatePair, PairDecision
from app.registry.models import Registration
from tests.factories import LATIN_BODY, register, user_headers
from tests.web.helpers import make_web_user, soup, web_login
from tests.web.test_pages import SAME_ORIGIN, form_for


def htmx(token: str) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": token, **SAME_ORIGIN}


def registrations(engine: Engine) -> list[Registration]:
    with Session(engine) as session:
        return list(session.exec(select(Registration)).all())


def test_rows_are_added_and_removed_without_script_and_nothing_is_saved(
    client: TestClient, officer: str, engine: Engine
) -> None:
    form = form_for(client)
    form.update({"weapons-0-weapon_type": "rifle", "weapons-0-serial_number": "AK-1",
                 "row": "add-weapons"})
    page = soup(client.post("/registrations", data=form, headers=SAME_ORIGIN).text)
    assert [f["id"] for f in page.select("#weapons-rows > fieldset")] == [
        "weapons-0", "weapons-1"]
    assert page.find(id="f-weapons-0-serial_number")["value"] == "AK-1"
    assert page.find(id="error-summary") is None
    form.update({"weapons-1-weapon_type": "pistol", "weapons-1-serial_number": "P-2",
                 "row": "remove-weapons-0"})
    page = soup(client.post("/registrations", data=form, headers=SAME_ORIGIN).text)
    assert [f["id"] for f in page.select("#weapons-rows > fieldset")] == ["weapons-0"]
    assert page.find(id="f-weapons-0-serial_number")["value"] == "P-2"
    assert page.find(id="add-weapons")["hx-get"].endswith("index=1")
    assert registrations(engine) == []


def test_an_htmx_row_comes_with_the_next_add_button(client: TestClient, officer: str) -> None:
    fragment = soup(client.get("/registrations/row?kind=dependants&index=3",
                               headers=htmx(officer)).text)
    row = fragment.find("fieldset", id="dependants-3")
    assert row is not None
    assert {i["name"] for i in row.select("input, select")} == {
        "dependants-3-relationship", "dependants-3-name", "dependants-3-sex",
        "dependants-3-year_of_birth"}
    button = fragment.find(id="add-dependants")
    assert button["hx-swap-oob"] == "true"
    assert button["hx-get"].endswith("index=4")
    assert client.get("/registrations/row?kind=shoes&index=1",
                      headers=htmx(officer)).status_code == 400


def test_any_number_of_weapons_and_dependants_are_saved(
    client: TestClient, officer: str
) -> None:
    form = form_for(client)
    for i, serial in ((0, "A-1"), (1, "B-2"), (7, "C-3")):
        form.update({f"weapons-{i}-weapon_type": "rifle", f"weapons-{i}-serial_number": serial,
                     f"weapons-{i}-rounds": "30"})
    for i, name in enumerate(("عائشة", "مريم", "علي", "حسن")):
        form.update({f"dependants-{i}-relationship": "child", f"dependants-{i}-name": name,
                     f"dependants-{i}-year_of_birth": str(2010 + i)})
    page = soup(client.post("/registrations", data=form, headers=SAME_ORIGIN).text)
    serials = [td.get_text(strip=True) for td in page.select(
        "table.weapons td[data-label='Serial number']")]
    assert serials == ["A1", "B2", "C3"]
    assert len(page.select("table.dependants tbody tr")) == 4


def test_required_marks_follow_the_category_and_dates_share_one_format(
    client: TestClient, officer: str
) -> None:
    page = soup(client.get("/registrations/new").text)

    def marked(name: str) -> bool:
        mark = page.find(id=f"f-{name}").find_parent(class_="field").select_one(".req")
        return mark is not None and not mark.has_attr("hidden")

    assert marked("given_name")
    assert not marked("father_name")  # not for a foreign fighter: unknown until chosen
    assert page.find(id="f-father_name").find_parent(class_="field")[
        "data-required-for"] == "libyan_combatant associated_civilian child"
    page = soup(client.post("/registrations", headers=SAME_ORIGIN, data=form_for(
        client, category="libyan_combatant", father_name="", family_name="")).text)
    assert marked("father_name")
    assert marked("family_name")
    assert not marked("grandfather_name")
    assert page.select("input[type=date]") == []
    for name in ("date_of_birth", "date_joined", "date_left"):
        assert page.find(id=f"f-{name}")["dir"] == "ltr"
        assert "YYYY-MM-DD" in page.find(id=f"h-{name}").get_text()


def test_the_person_page_shows_every_field_and_the_group_by_name(
    client: TestClient, engine: Engine
) -> None:
    admin = user_headers(client, engine, "admin")
    created = register(client, admin, **{
        "dob_precision": "exact", "date_joined": "2014-05-01", "date_left": "2021-02-01",
        "membership_verification": "commander_list", "verification_notes": "قائمة القائد",
        "education": "secondary", "occupation": "نجار", "skills": "نجارة وكهرباء",
        "languages": ["العربية", "الإنجليزية"], "disability": "لا شيء",
        "intended_return": "بني وليد", "notes": "ملاحظة", "unit": "الكتيبة 7",
        "rank": "عريف", "name_other_script": "Mohamed Abdelsalam Ali Elwarfalli",
        "weapons": [{"weapon_type": "rifle", "make_model": "AK-47", "calibre": "7.62",
                     "serial_number": "AK-77", "rounds": 60}],
        "dependants": [{"relationship": "spouse", "name": "فاطمة", "sex": "F",
                        "year_of_birth": 1990}]})
    for language, group in (("en", "Tripoli Protection Force"), ("ar", "قوة حماية طرابلس")):
        make_web_user(engine, f"reader.{language}", sites=["TRP"], language=language)
        web_login(client, f"reader.{language}")
        page = soup(client.get(f"/persons/{created['person_id']}").text)
        text = page.get_text(" ")
        for value in ("2014-05-01", "2021-02-01", "قائمة القائد", "نجار", "نجارة وكهرباء",
                      "العربية, الإنجليزية", "لا شيء", "بني وليد", "ملاحظة", "الكتيبة 7",
                      "عريف", "Mohamed Abdelsalam Ali Elwarfalli", "AK-47", "7.62", "AK77",
                      "فاطمة", "1990"):
            assert value in text, (language, value)
        assert page.select_one(".group-name").get_text(strip=True) == group
        assert "TPF" not in page.select_one(".group-name").find_parent("dd").get_text()
        row = page.select_one("#registrations tbody tr")
        assert "محمد عبد السلام علي الورفلي" in row.get_text()
        assert all(td.has_attr("data-label") for td in page.select("table.list td"))
        client.cookies.clear()


def test_a_likely_duplicate_asks_the_officer_before_it_is_saved(
    client: TestClient, officer: str, engine: Engine
) -> None:
    client.post("/registrations", data=form_for(client), headers=SAME_ORIGIN)
    again = form_for(client, given_name="Mohamed", father_name="Abdulsalam",
                     grandfather_name="Ali", family_name="Al-Warfalli")
    stopped = client.post("/registrations", data=again, headers=SAME_ORIGIN)
    assert stopped.status_code == 409
    page = soup(stopped.text)
    (candidate,) = page.select("#likely fieldset.likely-candidate")
    rid = candidate["id"].removeprefix("likely-")
    assert page.find(id="f-given_name")["value"] == "Mohamed"
    assert len(registrations(engine)) == 1
    no_reason = client.post("/registrations", headers=SAME_ORIGIN,
                            data={**again, f"decide-{rid}": "different"})
    assert no_reason.status_code == 422
    assert soup(no_reason.text).find(id=f"e-reason-{rid}").get_text(strip=True) == (
        "Say why this is a different person.")
    saved = client.post("/registrations", headers=SAME_ORIGIN, data={
        **again, f"decide-{rid}": "different", f"reason-{rid}": "his cousin, older"})
    assert soup(saved.text).find(id="saved-number").get_text() == "TRP-2026-000002"
    with Session(engine) as session:
        pair = session.exec(select(CandidatePair)).one()
        assert pair.status == "different_persons"
        assert session.exec(select(PairDecision)).one().decision == "different_persons"


def test_linking_at_the_save_time_decision(client: TestClient, officer: str,
                                           engine: Engine) -> None:
    first = soup(client.post("/registrations", data=form_for(client), headers=SAME_ORIGIN).text)
    again = form_for(client, given_name="Mohamed", father_name="Abdulsalam",
                     family_name="Al-Warfalli")
    page = soup(client.post("/registrations", data=again, headers=SAME_ORIGIN).text)
    (candidate,) = page.select("#likely fieldset.likely-candidate")
    rid = candidate["id"].removeprefix("likely-")
    hidden = {i["name"]: i["value"] for i in candidate.select("input[type=hidden]")}
    saved = soup(client.post("/registrations", headers=SAME_ORIGIN, data={
        **again, **hidden, f"decide-{rid}": "link"}).text)
    assert len(saved.select("#registrations tbody tr")) == 2
    assert first.find(id="saved-number").get_text() in saved.get_text()


def test_a_candidate_of_another_site_is_shown_without_identifiers_and_can_be_linked(
    client: TestClient, engine: Engine
) -> None:
    admin = user_headers(client, engine, "admin")
    trp = register(client, admin)
    make_web_user(engine, "officer.ben", sites=["BEN"])
    token = web_login(client, "officer.ben")
    draft = form_for(client, **LATIN_BODY, national_id="119880123456")
    panel = soup(client.post("/registrations/check", data=draft, headers=htmx(token)).text)
    (candidate,) = panel.select("li.candidate")
    assert "restricted" in candidate["class"]
    assert candidate.select_one(".score") is None
    assert "national" not in candidate.get_text().lower()
    compare_form = candidate.select_one("form[action$='/compare']")
    fields = {i["name"]: i["value"] for i in compare_form.select("input[type=hidden]")}
    side = soup(client.post(compare_form["action"], data=fields, headers=htmx(token)).text)
    assert "الورفلي" in side.get_text()
    assert "119880123456" not in side.get_text()
    assert client.post(compare_form["action"], data={**fields, "token": ""},
                       headers=htmx(token)).status_code == 404
    link = candidate.find("button", string="Same person: link")
    vals = json.loads(link["hx-vals"])
    chosen = soup(client.post("/registrations/link", data={**vals, "id": draft["id"]},
                              headers=htmx(token)).text)
    hidden = {i["name"]: i["value"] for i in chosen.select("input[type=hidden]")}
    assert hidden["person_id"] == trp["person_id"]
    saved = soup(client.post("/registrations", data={**draft, **hidden},
                             headers=SAME_ORIGIN).text)
    rows = saved.select("#registrations tbody tr")
    assert [("restricted" in (r.get("class") or [])) for r in rows] == [False, True]


def test_search_finds_a_person_by_a_spelling_in_the_other_script(
    client: TestClient, officer: str
) -> None:
    client.post("/registrations", data=form_for(client), headers=SAME_ORIGIN)
    found = soup(client.post("/search", data={"q": "Mohamed Abdelsalam Elwarfalli"},
                             headers=htmx(officer)).text)
    assert found.select_one("tbody tr a").get_text() == "TRP-2026-000001"
    assert "محمد عبد السلام علي الورفلي" in found.get_text()


def test_the_card_and_the_receipt_print_as_bilingual_pdfs(
    client: TestClient, officer: str, engine: Engine
) -> None:
    form = form_for(client, name_other_script="Mohamed Abdelsalam Ali Elwarfalli")
    form.update({"weapons-0-weapon_type": "rifle", "weapons-0-serial_number": "AK-99"})
    page = soup(client.post("/registrations", data=form, headers=SAME_ORIGIN).text)
    card = client.get(page.find(id="print-card")["href"])
    assert card.headers["content-type"] == "application/pdf"
    lines = pdfium.PdfDocument(card.content)[0].get_textpage().get_text_range().splitlines()
    lines = [line.strip() for line in lines]
    for expected in ("TRP-2026-000001", "محمد عبد السلام علي الورفلي",
                     "Mohamed Abdelsalam Ali Elwarfalli"):
        assert expected in lines
    assert "119880123456" not in " ".join(lines)
    receipt = client.get(page.select_one("table.weapons a")["href"])
    text = pdfium.PdfDocument(receipt.content)[0].get_textpage().get_text_range()
    assert "TRP-2026-000001-W01" in text
    assert "AK99" in text
    with Session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert "registration.card" in actions
    assert "weapon.receipt" in actions
    make_web_user(engine, "officer.ben", sites=["BEN"])
    web_login(client, "officer.ben")
    assert client.get(page.find(id="print-card")["href"]).status_code == 404


@pytest.mark.parametrize(("role", "sites", "allowed", "refused"), [
    ("case_manager", ["TRP"], [], ["/registrations/new", "/admin/users", "/audit"]),
    ("supervisor", ["TRP"], ["/registrations/new"], ["/admin/users", "/audit"]),
    ("registration_officer", ["TRP"], ["/registrations/new"],
     ["/admin/users", "/admin/sites", "/admin/armed-groups", "/audit", "/audit/person"]),
    ("auditor", [], ["/audit", "/audit/person"], ["/registrations/new", "/admin/users"]),
    ("admin", [], ["/registrations/new", "/admin/users", "/admin/sites",
                   "/admin/armed-groups", "/audit"], []),
])
def test_pages_a_role_may_not_use_are_not_offered_and_answer_403_before_any_form(
    client: TestClient, engine: Engine, role: str, sites: list[str], allowed: list[str],
    refused: list[str]
) -> None:
    make_web_user(engine, f"u.{role}", role=role, sites=sites)
    web_login(client, f"u.{role}")
    nav = {a["href"] for a in soup(client.get("/").text).select("header nav a")}
    for path in allowed:
        assert client.get(path).status_code == 200, path
    for path in refused:
        response = client.get(path)
        assert response.status_code == 403, path
        page = soup(response.text)
        assert page.find("form", id="reg-form") is None
        assert page.find(id="logout") is not None  # the error page keeps the log-out link
        assert page.select("header nav a"), path  # and the navigation
    offered = {"/registrations/new": "/registrations/new", "/admin/users": "/admin/users",
               "/audit": "/audit"}
    for path, link in offered.items():
        assert (link in nav) == (path in allowed or (path not in refused and role == "admin")
                                 ), (role, path)


def test_an_unknown_page_keeps_the_navigation(client: TestClient, officer: str) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = soup(response.text)
    assert page.find(id="logout") is not None
    assert page.find(id="nav-register") is not None



def test_a_cross_site_pair_links_only_to_the_person_page_the_reviewer_may_open(
    client: TestClient, engine: Engine
) -> None:
    admin = user_headers(client, engine, "admin")
    trp = register(client, admin)
    ben = register(client, admin, **LATIN_BODY)
    pair = client.get("/api/v1/matching/pairs", headers=admin).json()["items"][0]
    make_web_user(engine, "reviewer.ben", sites=["BEN"])
    web_login(client, "reviewer.ben")
    page = soup(client.get(f"/review/pairs/{pair['id']}").text)
    links = {a["href"] for a in page.select("a[href^='/persons/']")}
    assert links == {f"/persons/{ben['person_id']}"}
    assert client.get(f"/persons/{trp['person_id']}").status_code == 404
    assert client.get(f"/persons/{ben['person_id']}").status_code == 200


def test_languages_are_corrected_as_a_list(client: TestClient, officer: str) -> None:
    page = soup(client.post("/registrations", data=form_for(client, languages="العربية"),
                            headers=SAME_ORIGIN).text)
    correction = page.select_one("details.correct form")
    corrected = client.post(correction["action"], headers=SAME_ORIGIN, data={
        "csrf_token": officer, "field": "languages", "value": "العربية، الفرنسية",
        "person_id": correction.find("input", attrs={"name": "person_id"})["value"],
        "reason": "asked again"})
    assert corrected.status_code == 200
    assert "العربية, الفرنسية" in soup(corrected.text).get_text()
