"""Return pages, parsed: the board (counts, chart, who is stuck), planning a movement,
adding returnees, departure refused beside the list, the manifest download; in Arabic,
right to left; refused to roles that do not coordinate returns."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

import pyzipper
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import user_headers
from tests.reintegration.conftest import done, move
from tests.reintegration.returns.conftest import (
    VERIFIED,
    fighter,
    hand_over,
    ready_case,
    return_case,
)
from tests.web.helpers import csrf_from, make_web_user, soup, web_login

SAME_ORIGIN = {"Origin": "http://testserver"}


def consenting(client: TestClient, headers: dict[str, str], person_id: str) -> None:
    """Verify a person's nationality and record their consent to return."""
    case = return_case(client, headers, person_id)
    case = done(client, headers, case, "nationality_claimed")
    case = done(client, headers, case, "nationality_verified", **VERIFIED)
    done(client, headers, case, "consent", decision="consents",
         informed_on=date.today().isoformat())


def test_board_and_a_movement_in_arabic(client: TestClient, engine: Engine) -> None:
    officer = user_headers(client, engine, "registration_officer", ["SEB"])
    coordinator = user_headers(client, engine, "case_manager", ["TRP"],
                               authorisations=["returns_coordinator"])
    ready = fighter(client, officer)
    waiting = fighter(client, officer, given_name="Issa", name_other_script=None)
    ready_case(client, coordinator, ready["person_id"])
    consenting(client, coordinator, waiting["person_id"])
    make_web_user(engine, "coord.ar", role="case_manager", sites=["TRP"], language="ar",
                  authorisations=["returns_coordinator"])
    web_login(client, "coord.ar")

    board = soup(client.get("/returns").text)
    assert board.html["dir"] == "rtl"
    row = board.select_one("#returns-counts tr[data-country=TCD]")
    assert row is not None
    assert row.select_one("td[data-stage=registered]").get_text(strip=True) == "2"
    assert row.select_one("td[data-stage=ready]").get_text(strip=True) == "1"
    assert board.select("figure.chart[data-country=TCD] rect")
    stuck = {r["data-stage"] for r in board.select("#returns-stuck tr[data-stage]")}
    assert "consular_contact" in stuck  # Issa consented, and waits for the consulate

    planned = client.post("/returns/movements", headers=SAME_ORIGIN, data={
        "csrf_token": csrf_from(client.get("/returns/movements").text),
        "id": "0c1d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5", "country": "tcd", "kind": "convoy",
        "route": "سبها - القطرون - وور", "border_crossing": "Wour",
        "planned_on": (date.today() + timedelta(days=10)).isoformat(), "capacity": "10"})
    assert planned.status_code == 200
    assert planned.url.path == "/returns/movements/0c1d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5"
    page = soup(planned.text)
    picks = [i["value"] for i in page.select("#candidates input[name=case]")]
    assert len(picks) == 2
    added = client.post(page.select_one("#add-returnees")["action"], headers=SAME_ORIGIN,
                        data={"csrf_token": csrf_from(planned.text), "case": picks,
                              "version": "1"})
    page = soup(added.text)
    assert page.select_one("#count-returnees").get_text(strip=True) == "2"
    assert {r["data-ready"] for r in page.select("#returnees tr[data-case]")} == {"yes", "no"}
    for status in ("confirmed", "departed"):
        form = page.select_one(f"#move-{status}").find_parent("form")
        answer = client.post(form["action"], headers=SAME_ORIGIN, data={
            i["name"]: i["value"] for i in form.select("input")})
        page = soup(answer.text)
    assert answer.status_code == 422  # departure refused: Issa is not ready
    problem = page.select_one("#problem li[data-field]")
    assert problem["data-field"] == f"returnee.{waiting['registration_number']}"
    assert "لا توجد وثيقة سفر بعد" in problem.get_text()
    assert page.select_one("#movement-status")["data-status"] == "confirmed"

    manifest = page.select_one("#manifest-form")
    refused = client.post(manifest["action"], headers=SAME_ORIGIN, data={
        "csrf_token": csrf_from(answer.text), "passphrase": "short", "passphrase_again": "x",
        "purpose": "handover"})
    assert refused.status_code == 422
    assert {li["data-field"] for li in soup(refused.text).select("#problem li")} == {
        "passphrase", "passphrase_again"}
    download = client.post(manifest["action"], headers=SAME_ORIGIN, data={
        "csrf_token": csrf_from(answer.text), "passphrase": "long enough phrase",
        "passphrase_again": "long enough phrase", "purpose": "handover at Wour"})
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    with pyzipper.AESZipFile(io.BytesIO(download.content)) as archive:
        archive.setpassword(b"long enough phrase")
        assert len(archive.namelist()) == 2


def test_who_waits_and_countries_in_the_reader_language(client: TestClient,
                                                        engine: Engine) -> None:
    officer = user_headers(client, engine, "registration_officer", ["SEB"])
    coordinator = user_headers(client, engine, "case_manager", ["TRP"],
                               authorisations=["returns_coordinator"])
    waiting = fighter(client, officer, nationality="SDN")
    consenting(client, coordinator, waiting["person_id"])
    case = return_case(client, coordinator, waiting["person_id"])
    attempt = move(client, coordinator, case, "consular_contact", "in_progress", data={
        "channel": "embassy", "contacted_on": date.today().isoformat(), "result": "no_answer"})
    assert attempt.status_code == 200, attempt.text
    for name, language, outcome, sudan in (("coord.en", "en", "No answer", "Sudan"),
                                           ("coord.ar2", "ar", "لا رد", "السودان")):
        make_web_user(engine, name, role="case_manager", sites=["TRP"], language=language,
                      authorisations=["returns_coordinator"])
        client.cookies.clear()
        web_login(client, name)
        board = soup(client.get("/returns").text)
        row = board.select_one("#returns-stuck tr[data-stage=consular_contact]")
        assert row is not None
        shown = row.select_one("span.outcome[data-outcome=no_answer]")
        assert shown is not None
        assert shown.get_text(strip=True) == outcome
        assert sudan in row.get_text()
        counted = board.select_one("#returns-counts tr[data-country=SDN] th")
        assert counted is not None
        assert sudan in counted.get_text()
        median = board.select_one("#returns-medians tr[data-country=SDN]")
        assert median is not None
        assert median.select_one("bdi").get_text(strip=True) == sudan


def test_movements_are_refused_to_others(client: TestClient, engine: Engine) -> None:
    make_web_user(engine, "cm.plain", role="case_manager", sites=["TRP"])
    csrf = web_login(client, "cm.plain")
    assert client.get("/returns").status_code == 200
    assert client.get("/returns/movements").status_code == 403
    # a movement form, even an invalid one, is refused for the role before it is read
    movement = f"/returns/movements/{uuid.uuid4()}"
    for url in ("/returns/movements", f"{movement}/returnees",
                f"{movement}/returnees/{uuid.uuid4()}/remove", f"{movement}/status",
                f"{movement}/manifest"):
        response = client.post(url, data={"csrf_token": csrf, "country": "XX", "version": "x",
                                          "status": "gone", "passphrase": "short"},
                               headers=SAME_ORIGIN)
        assert response.status_code == 403, url
    make_web_user(engine, "officer.plain", role="registration_officer", sites=["TRP"])
    client.cookies.clear()
    web_login(client, "officer.plain")
    assert client.get("/returns").status_code == 403


def test_the_desk_panel_shows_do_not_reenter(client: TestClient, engine: Engine) -> None:
    officer = user_headers(client, engine, "registration_officer", ["SEB"])
    coordinator = user_headers(client, engine, "case_manager", ["TRP"],
                               authorisations=["returns_coordinator"])
    first = fighter(client, officer)
    hand_over(client, coordinator, first["person_id"])
    make_web_user(engine, "desk.ar", role="registration_officer", sites=["TRP"], language="ar")
    token = web_login(client, "desk.ar")
    panel = client.post("/registrations/check", headers={**SAME_ORIGIN, "HX-Request": "true"},
                        data={"csrf_token": token, "sex": "M", "date_of_birth": "1990-01-01",
                              "given_name": "Mohamed", "father_name": "Abakar",
                              "grandfather_name": "Adam", "family_name": "Hassaballah",
                              "nationality": "TCD"})
    assert panel.status_code == 200
    flagged = soup(panel.text).select("li.candidate .do-not-reenter")
    assert len(flagged) == 1
    assert "ممنوع من إعادة التسجيل" in flagged[0].get_text()


def test_the_return_case_page(client: TestClient, engine: Engine) -> None:
    officer = user_headers(client, engine, "registration_officer", ["SEB"])
    coordinator = user_headers(client, engine, "case_manager", ["TRP"],
                               authorisations=["returns_coordinator"])
    first = fighter(client, officer)
    case = hand_over(client, coordinator, first["person_id"])
    waiting = fighter(client, officer, given_name="Issa", name_other_script=None)
    other = return_case(client, coordinator, waiting["person_id"])
    make_web_user(engine, "coord.case", role="case_manager", sites=["TRP"],
                  authorisations=["returns_coordinator"])
    web_login(client, "coord.case")
    page = soup(client.get(f"/cases/{case['id']}").text)
    assert page.select_one("#do-not-reenter") is not None
    assert page.select_one("#return-movement a")["href"].startswith("/returns/movements/")
    page = soup(client.get(f"/cases/{other['id']}").text)
    assert page.select_one("#do-not-reenter") is None
    assert "Nationality not verified yet" in page.select_one("#return-ready").get_text()
