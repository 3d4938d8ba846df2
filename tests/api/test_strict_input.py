"""Strict input over HTTP: loose booleans, unparseable identifiers, hidden characters,
unbounded pages, incoherent dates and phone extensions are refused with the field named, and
nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.strict import MAX_PAGE
from app.registry.models import Registration
from tests.factories import registration_body, user_headers

API = "/api/v1"
HUGE = "9223372036854775807"


@pytest.fixture
def officer(client: TestClient, engine: Engine) -> dict[str, str]:
    return user_headers(client, engine, "registration_officer", ["TRP"])


def stored(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Registration)) or 0


STRICT_INPUTS: list[tuple[str, dict[str, Any], str]] = [
    ("consent yes", {"consent": "yes"}, "consent"),
    ("consent 1", {"consent": 1}, "consent"),
    ("consent string true", {"consent": "true"}, "consent"),
    ("national id of letters", {"national_id": "ABCDEFGHIJKL"}, "national_id"),
    ("national id with letters", {"national_id": "11988O123456"}, "national_id"),
    ("nul in a name", {"given_name": "محمد\x00"}, "given_name"),
    ("control character in notes", {"notes": "note\x1b[2J"}, "notes"),
    ("bidi override in a name", {"family_name": "\u202eilafraw"}, "family_name"),
    ("zero-width joiner in a Latin name", {"alias": "Ab\u200du"}, "alias"),
    ("bidi isolate in a weapon serial",
     {"weapons": [{"weapon_type": "rifle", "serial_number": "AK\u2066123"}]},
     "weapons.0.serial_number"),
    ("joined before birth", {"date_joined": "1980-01-01"}, "date_joined"),
    ("left before birth", {"date_left": "1987-12-31"}, "date_left"),
    ("joined the year before a year-only birth",
     {"date_of_birth": "1988", "dob_precision": "year", "date_joined": "1987-06-01"},
     "date_joined"),
    ("phone with an extension", {"phone": "0912345678 ext. 12", "national_id": None}, "phone"),
    ("phone with x extension", {"phone": "+218912345678x7", "national_id": None}, "phone"),
]


@pytest.mark.parametrize(("label", "change", "field"), STRICT_INPUTS,
                         ids=[s[0] for s in STRICT_INPUTS])
def test_strict_input_is_refused_and_nothing_stored(
    client: TestClient, engine: Engine, officer: dict[str, str], label: str,
    change: dict[str, Any], field: str,
) -> None:
    response = client.post(f"{API}/registrations", json=registration_body(**change),
                           headers=officer)
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}
    assert stored(engine) == 0


def test_allowed_text_is_stored(client: TestClient, engine: Engine,
                                officer: dict[str, str]) -> None:
    body = registration_body(notes="first line\nsecond line", alias="ع\u200dلي",
                             date_joined="2011-03-01", phone="091-234-5678")
    response = client.post(f"{API}/registrations", json=body, headers=officer)
    assert response.status_code == 201, response.text
    record = client.get(f"{API}/registrations/{response.json()['id']}", headers=officer).json()
    assert record["fields"]["alias"] == "ع\u200dلي"
    assert record["fields"]["notes"] == "first line\nsecond line"
    assert record["fields"]["phone"] == "+218912345678"


def test_search_refuses_a_national_id_of_letters(client: TestClient,
                                                 officer: dict[str, str]) -> None:
    response = client.post(f"{API}/registrations/search", json={"national_id": "ABC"},
                           headers=officer)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "national_id"


@pytest.mark.parametrize("page", [HUGE, str(MAX_PAGE + 1), "0", "-1"])
def test_every_page_is_bounded(client: TestClient, engine: Engine, page: str) -> None:
    admin = user_headers(client, engine, "admin")
    answers = {
        "search": client.post(f"{API}/registrations/search",
                              json={"name": "محمد", "page": int(page)}, headers=admin),
        "pairs": client.get(f"{API}/matching/pairs", params={"page": page}, headers=admin),
        "weapons": client.get(f"{API}/weapons", params={"page": page}, headers=admin),
        "audit": client.get(f"{API}/audit", params={"page": page}, headers=admin),
    }
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 422)
    for response in answers.values():
        assert response.json()["errors"][0]["field"] == "page"


def test_the_last_page_allowed_answers(client: TestClient, engine: Engine) -> None:
    admin = user_headers(client, engine, "admin")
    response = client.get(f"{API}/weapons", params={"page": MAX_PAGE}, headers=admin)
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_keys_and_days_out_of_range_are_refused(client: TestClient, engine: Engine) -> None:
    """Two 500s the fuzzing found: an integer key beyond the database's integers, and a day
    at the end of the calendar."""
    admin = user_headers(client, engine, "admin")
    answers = {
        "unlock": client.post(f"{API}/users/{HUGE}/unlock", headers=admin),
        "user": client.patch(f"{API}/users/{HUGE}", json={"language": "en"}, headers=admin),
        "group": client.patch(f"{API}/armed-groups/{HUGE}", json={"aliases": []},
                              headers=admin),
        "reconciliation": client.get(f"{API}/weapons/reconciliation",
                                     params={"as_of": "9999-12-31"}, headers=admin),
        # PostgreSQL's integers are 32-bit: an actor id beyond them was a 500 there
        "audit actor": client.get(f"{API}/audit", params={"actor_id": 2**31},
                                  headers=admin),
        "audit day": client.get(f"{API}/audit", params={"until": "9999-12-31"},
                                headers=admin),
    }
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 422)


@pytest.mark.parametrize("word", ["yes", "on", "1", "True"])
def test_form_booleans_take_only_true_or_false(client: TestClient, officer: dict[str, str],
                                               word: str) -> None:
    response = client.post(f"{API}/imports", files={"file": ("x.csv", b"given_name\nAli\n")},
                           data={"site": "TRP", "attest_consent": word}, headers=officer)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "attest_consent"
