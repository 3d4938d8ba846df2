"""The travel document number: encrypted with the step, blind-indexed; a return case is found
by it, and the same number on two persons shows on their case pages; key rotation rebuilds
the index."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.security import SYSTEM
from app.safeguards import rotation
from reintegration.returns.models import TravelDocumentIndex
from tests.conftest import TEST_MASTER_KEY
from tests.factories import user_headers
from tests.reintegration.conftest import API, done
from tests.reintegration.returns.conftest import (
    DOCUMENT,
    VERIFIED,
    fighter,
    return_case,
)
from tests.safeguards.test_rotation import NEW_KEY, ring_settings, served
from tests.web.helpers import make_web_user, soup, web_login


def _documented(client: TestClient, headers: dict[str, str], person_id: str,
                number: str) -> dict[str, object]:
    case = return_case(client, headers, person_id)
    today = date.today().isoformat()
    case = done(client, headers, case, "nationality_claimed")
    case = done(client, headers, case, "nationality_verified", **VERIFIED)
    case = done(client, headers, case, "consent", decision="consents", informed_on=today)
    return done(client, headers, case, "travel_document", **{
        **DOCUMENT, "number": number,
        "expires_on": (date.today() + timedelta(days=365)).isoformat()})


def _find(client: TestClient, headers: dict[str, str], number: str) -> list[dict[str, str]]:
    response = client.post(f"{API}/returns/cases/by-document", json={"number": number},
                           headers=headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, str]] = response.json()
    return found


def test_a_return_case_is_found_by_its_document_number(
    client: TestClient, people: dict[str, dict[str, str]], engine: Engine
) -> None:
    headers = people["coordinator"]
    person = fighter(client, people["officer"])
    case = _documented(client, headers, person["person_id"], "LP-TCD-0042")
    with Session(engine) as session:
        (row,) = session.exec(select(TravelDocumentIndex)).all()
        assert "0042" not in row.digest  # a keyed digest, not the number
    for typed in ("LP-TCD-0042", "lp tcd 0042", "LPTCD0042"):
        assert [c["case_id"] for c in _find(client, headers, typed)] == [case["id"]], typed
    assert _find(client, headers, "LP-TCD-0043") == []
    # a case manager of another site finds nothing; the committee may not search
    assert _find(client, people["cm_trp"], "LP-TCD-0042") == []
    assert [c["case_id"] for c in _find(client, people["cm"], "LP-TCD-0042")] == [case["id"]]
    assert client.post(f"{API}/returns/cases/by-document", json={"number": "LP-TCD-0042"},
                       headers=people["committee"]).status_code == 403
    bad = client.post(f"{API}/returns/cases/by-document", json={"number": ""},
                      headers=headers)
    assert bad.status_code == 422
    # a corrected number replaces the index
    corrected = client.post(f"{API}/cases/{case['id']}/steps/travel_document", json={
        "status": "in_progress", "version": case["version"], "data": {"number": "LP-TCD-0099"}},
        headers=people["supervisor"])
    assert corrected.status_code == 200, corrected.text
    assert _find(client, headers, "LP-TCD-0042") == []
    assert [c["case_id"] for c in _find(client, headers, "LP-TCD-0099")] == [case["id"]]


def test_the_same_document_on_two_persons_shows_on_their_case_pages(
    client: TestClient, people: dict[str, dict[str, str]], engine: Engine
) -> None:
    headers = people["coordinator"]
    first = fighter(client, people["officer"])
    second = fighter(client, people["officer"], given_name="Issa", family_name="Moussa",
                     name_other_script=None, date_of_birth="1985-05-05")
    alone = fighter(client, people["officer"], given_name="Adam", name_other_script=None,
                    date_of_birth="1979-03-03")
    one = _documented(client, headers, first["person_id"], "P 7788")
    _documented(client, headers, second["person_id"], "p-7788")
    third = _documented(client, headers, alone["person_id"], "P 7789")
    found = _find(client, headers, "P7788")
    assert {c["person_id"] for c in found} == {first["person_id"], second["person_id"]}
    make_web_user(engine, "coord.docs", role="case_manager", sites=["TRP"],
                  authorisations=["returns_coordinator"])
    web_login(client, "coord.docs")
    page = soup(client.get(f"/cases/{one['id']}").text)
    shown = page.select_one("#same-document")
    assert shown is not None
    assert shown.get_text(" ", strip=True).endswith(second["registration_number"])
    # the country by its name in the reader's language, its code isolated beside it
    country = page.select_one("#return-country")
    assert country.get_text(" ", strip=True) == "Chad (TCD)"
    assert country.select_one("bdi[dir=ltr]").get_text(strip=True) == "(TCD)"
    assert soup(client.get(f"/cases/{third['id']}").text).select_one("#same-document") is None
    make_web_user(engine, "coord.docs.ar", role="case_manager", sites=["TRP"], language="ar",
                  authorisations=["returns_coordinator"])
    web_login(client, "coord.docs.ar")
    arabic = soup(client.get(f"/cases/{one['id']}").text)
    assert arabic.select_one("#return-country").get_text(" ", strip=True) == "تشاد (TCD)"


def test_key_rotation_rebuilds_the_document_index(database_url: str, tmp_path: Path) -> None:
    with served(ring_settings(database_url, tmp_path, TEST_MASTER_KEY)) as client:
        engine = client.app.state.engine  # type: ignore[attr-defined]
        officer = user_headers(client, engine, "registration_officer", ["SEB"])
        coordinator = user_headers(client, engine, "case_manager", ["TRP"],
                                   authorisations=["returns_coordinator"])
        person = fighter(client, officer)
        case = _documented(client, coordinator, person["person_id"], "LP-TCD-0042")
        with Session(engine) as session:
            before = session.exec(select(TravelDocumentIndex.digest)).one()
    new = ring_settings(database_url, tmp_path, NEW_KEY, TEST_MASTER_KEY)
    with served(new) as client:  # a new primary key, the old one previous: still found
        engine = client.app.state.engine  # type: ignore[attr-defined]
        coordinator = user_headers(client, engine, "case_manager", ["TRP"],
                                   authorisations=["returns_coordinator"])
        assert [c["case_id"] for c in _find(client, coordinator, "LP-TCD-0042")] == [case["id"]]
        report = rotation.rotate(engine=engine, crypto=client.app.state.crypto,  # type: ignore[attr-defined]
                                 actor=SYSTEM)
        assert report.complete
        with Session(engine) as session:
            after = session.exec(select(TravelDocumentIndex.digest)).one()
        assert after != before
    with served(ring_settings(database_url, tmp_path, NEW_KEY)) as client:  # old key retired
        engine = client.app.state.engine  # type: ignore[attr-defined]
        coordinator = user_headers(client, engine, "case_manager", ["TRP"],
                                   authorisations=["returns_coordinator"])
        assert [c["case_id"] for c in _find(client, coordinator, "LP-TCD-0042")] == [case["id"]]
