"""The case's country follows the nationality verified: a fighter who claimed to be Chadian
and is verified Sudanese moves to Sudan's board and movements. Countries are named in the
reader's language."""

from __future__ import annotations

import json
import re
from datetime import date

import pycountry
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import AuditEvent
from app.web.i18n import translations
from reintegration.pathways.returns import COUNTRIES
from reintegration.returns.countries import country_name
from tests.reintegration.conftest import API, done, move
from tests.reintegration.returns.conftest import VERIFIED, fighter, plan, return_case


def _board(client: TestClient, headers: dict[str, str]) -> dict[str, dict[str, int]]:
    answer = client.get(f"{API}/returns/board", headers=headers).json()
    return {c["country"]: c for c in answer["countries"]}


def test_a_nationality_verified_as_another_country_moves_the_case(
    client: TestClient, people: dict[str, dict[str, str]], engine: Engine
) -> None:
    headers = people["coordinator"]
    person = fighter(client, people["officer"])  # claimed: TCD
    case = return_case(client, headers, person["person_id"])
    assert set(_board(client, headers)) == {"TCD"}
    case = done(client, headers, case, "nationality_claimed")
    bad = move(client, headers, case, "nationality_verified", "done",
               data={**VERIFIED, "country": "XXX"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "data.country"
    case = done(client, headers, case, "nationality_verified", **VERIFIED, country="SDN")
    board = _board(client, headers)
    assert set(board) == {"SDN"}
    assert (board["SDN"]["registered"], board["SDN"]["verified"]) == (1, 1)
    with Session(engine) as session:
        (event,) = session.exec(select(AuditEvent).where(
            AuditEvent.action == "case.country")).all()
        assert json.loads(event.details)["before"] == "TCD"
        assert json.loads(event.details)["after"] == "SDN"
        assert event.object_id == case["id"]
    case = done(client, headers, case, "consent", decision="consents",
                informed_on=date.today().isoformat())
    # Sudan's movements take the case, Chad's do not
    to_chad, to_sudan = plan(client, headers), plan(client, headers, country="SDN")
    for movement, expected in ((to_chad, []), (to_sudan, [case["id"]])):
        candidates = client.get(f"{API}/returns/movements/{movement['id']}/candidates",
                                headers=headers).json()
        assert [c["case_id"] for c in candidates] == expected
    added = client.post(f"{API}/returns/movements/{to_sudan['id']}/returnees",
                        json={"cases": [case["id"]], "version": to_sudan["version"]},
                        headers=headers)
    assert added.status_code == 200, added.text
    # re-verified as Chadian while on Sudan's movement: refused until taken off it
    reopened = move(client, people["supervisor"], case, "nationality_verified",
                    "in_progress")
    assert reopened.status_code == 200, reopened.text
    refused = move(client, headers, reopened.json(), "nationality_verified", "done",
                   data={"country": "TCD"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "data.country"
    assert set(_board(client, headers)) == {"SDN"}


def test_a_nationality_not_confirmed_keeps_the_country(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    headers = people["coordinator"]
    person = fighter(client, people["officer"])
    case = done(client, headers, return_case(client, headers, person["person_id"]),
                "nationality_claimed")
    done(client, headers, case, "nationality_verified", **{**VERIFIED, "outcome":
                                                            "not_confirmed"}, country="NER")
    assert set(_board(client, headers)) == {"TCD"}  # not confirmed: nothing moves


@pytest.mark.parametrize(("code", "english", "arabic"), [
    ("TCD", "Chad", "تشاد"), ("SDN", "Sudan", "السودان"), ("NER", "Niger", "النيجر"),
    ("SYR", "Syria", "سوريا"), ("RUS", "Russia", "روسيا"), ("TUR", "Türkiye", "تركيا"),
    ("SRB", "Serbia", "صربيا"), ("BFA", "Burkina Faso", "بوركينا فاسو"),
], ids=["chad", "sudan", "niger", "syria", "russia", "turkiye", "serbia", "burkina-faso"])
def test_country_names_in_english_and_arabic(code: str, english: str, arabic: str) -> None:
    assert (country_name(code), country_name(code, "ar")) == (english, arabic)


def test_every_country_has_an_arabic_name_and_unknown_codes_stay() -> None:
    latin = [c.alpha_3 for c in pycountry.countries
             if re.search("[A-Za-z]", country_name(c.alpha_3, "ar"))]
    assert latin == []
    assert country_name("XXX", "ar") == "XXX"


def test_the_country_choices_of_a_step_read_as_the_board_names_them() -> None:
    arabic = translations("ar")
    differ = [code for code, label in COUNTRIES
              if arabic.gettext(label) != f"{country_name(code, 'ar')} ({code})"]
    assert differ == []
