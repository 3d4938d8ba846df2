"""Name search: any script, any spelling, ranked by compare_names, through blind indexes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.security import SYSTEM
from app.registry.enums import IndexKind
from app.registry.indexes import name_pair_keys, name_search_keys, pair_key
from app.registry.models import RegistrationIndex
from app.registry.reindex import missing, reindex
from app.registry.schemas import SearchIn
from app.registry.search import search
from tests.factories import make_registration, seed_reference, user_headers

PEOPLE: dict[str, dict[str, Any]] = {
    "warfalli": {"given_name": "محمد", "father_name": "عبد السلام", "grandfather_name": "علي",
                 "family_name": "الورفلي", "date_of_birth": "1988-03-02"},
    "zawi": {"given_name": "عبد الرحمن", "father_name": "خليفة", "grandfather_name": "عمر",
             "family_name": "الزاوي", "date_of_birth": "1979-11-20"},
    "misrati": {"given_name": "Mohamed", "father_name": "Salem", "grandfather_name": "Ahmed",
                "family_name": "Elmisrati", "date_of_birth": "1990-01-15", "site": "BEN"},
    "gaddafi": {"given_name": "عثمان", "father_name": "سالم", "grandfather_name": "مفتاح",
                "family_name": "القذافي", "date_of_birth": "1983-07-07", "site": "SRT"},
    # namesakes that share parts of the names above
    "cousin": {"given_name": "علي", "father_name": "محمد", "grandfather_name": "سالم",
               "family_name": "الورفلي", "date_of_birth": "1992-05-05"},
    "other": {"given_name": "Ahmed", "father_name": "Khalifa", "grandfather_name": "Omar",
              "family_name": "Benghazi", "date_of_birth": "1975-02-02", "site": "BEN"},
}
SPELLINGS = [
    ("warfalli", "Mohammed Abdelsalam Warfalli"),
    ("warfalli", "Muhammad Abd al-Salam al-Warfali"),
    ("warfalli", "Mohamed Abdessalam Elwarfalli"),
    ("warfalli", "Mhamed Abdulsalam Ali Warfalli"),
    ("warfalli", "محمد عبدالسلام الورفلي"),
    ("warfalli", "مُحَمَّد عبد السلام علي الورفلى"),
    ("zawi", "Abdul Rahman Khalifa Zawi"),
    ("zawi", "Abdel Rahman Khalifa al-Zawi"),
    ("zawi", "Abd al-Rahman Khalifa Omar Elzawi"),
    ("zawi", "Abderrahmane Khalifa Zaoui"),
    ("zawi", "عبدالرحمن خليفة الزاوي"),
    ("misrati", "محمد سالم أحمد المصراتي"),
    ("misrati", "Muhammad Salim al-Misrati"),
    ("misrati", "Mohammed Saleem Ahmad Misrati"),
    ("gaddafi", "Othman Salem Gaddafi"),
    ("gaddafi", "Osman Salim Kadhafi"),
    ("gaddafi", "Uthman Salem Meftah al-Qaddafi"),
    ("gaddafi", "عثمان سالم مفتاح القذافي"),
]


@pytest.fixture
def crypto(app: FastAPI, engine: Engine) -> FieldCrypto:
    seed_reference(engine)
    result: FieldCrypto = app.state.crypto
    return result


@pytest.fixture
def register_people(engine: Engine, crypto: FieldCrypto) -> dict[str, str]:
    """The people above, registered (Arabic ones at TRP unless said); their person ids."""
    persons = {}
    with session_scope(engine) as session:
        for key, names in PEOPLE.items():
            enrolment = make_registration(session, crypto, **{
                "site": "TRP", "alias": None, "mother_name": None, "place_of_birth": None,
                "phone": None, "national_id": None, **names})
            persons[key] = str(enrolment.person.id)
    return persons


def names_found(engine: Engine, crypto: FieldCrypto, name: str) -> list[tuple[str, float]]:
    with session_scope(engine) as session:
        result = search(session=session, crypto=crypto, actor=SYSTEM,
                        query=SearchIn(name=name, page_size=50))
    return [(str(hit.person_id), hit.score or 0.0) for hit in result.items]


@pytest.mark.parametrize(("person", "typed"), SPELLINGS,
                         ids=[f"{p}:{t}" for p, t in SPELLINGS])
def test_a_person_is_found_first_by_any_spelling_in_any_script(
    engine: Engine, crypto: FieldCrypto, register_people: dict[str, str], person: str,
    typed: str
) -> None:
    found = names_found(engine, crypto, typed)
    assert found, f"nothing found for {typed!r}"
    assert found[0][0] == register_people[person]
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)


def test_one_family_name_in_either_script_finds_the_same_people(
    engine: Engine, crypto: FieldCrypto, register_people: dict[str, str]
) -> None:
    latin = {p for p, _ in names_found(engine, crypto, "Warfali")}
    arabic = {p for p, _ in names_found(engine, crypto, "الورفلي")}
    assert latin == arabic == {register_people["warfalli"], register_people["cousin"]}


def test_a_given_name_alone_finds_everyone_so_named(
    engine: Engine, crypto: FieldCrypto, register_people: dict[str, str]
) -> None:
    # Mohamed is the given name of two and the father's name of one
    expected = {register_people[k] for k in ("warfalli", "misrati", "cousin")}
    for typed in ("Mohammed", "Mohamed", "Muhammad", "محمد"):
        assert {p for p, _ in names_found(engine, crypto, typed)} == expected, typed


def test_one_word_typed_wrong_among_three_still_finds_the_person(
    engine: Engine, crypto: FieldCrypto, register_people: dict[str, str]
) -> None:
    found = names_found(engine, crypto, "Abdul Rahman Xylophone Zawi")
    assert found[0][0] == register_people["zawi"]
    assert names_found(engine, crypto, "Abdul Rahman Xylophone") == []


def test_pair_keys_meet_across_scripts_and_word_orders() -> None:
    arabic = name_pair_keys(["محمد", "عبد السلام", "علي", "الورفلي"])
    latin = name_pair_keys(["Mohamed", "Abdelsalam", "Ali", "Elwarfalli"])
    reordered = name_pair_keys(["Warfalli Mohamed"])
    assert pair_key("MHMD", "WRFL") in arabic & latin & reordered
    assert len(arabic & latin) >= 6  # every two of the four words
    assert name_pair_keys(["Ali"]) == set()


def test_search_keys_meet_across_scripts() -> None:
    for a, b in (("Osman", "عثمان"), ("Mahamat", "محمد"), ("Abdel Rahman", "عبد الرحمن"),
                 ("Nazim", "ناظم"), ("Gaddafi", "القذافي")):
        keys_a, keys_b = name_search_keys(a), name_search_keys(b)
        assert len(keys_a) == len(keys_b)
        assert all(x & y for x, y in zip(keys_a, keys_b, strict=True)), (a, b)
    assert name_search_keys("Ali") != name_search_keys("Omar")


def test_the_api_searches_by_name_within_the_callers_sites(
    client: TestClient, engine: Engine, register_people: dict[str, str]
) -> None:
    trp = user_headers(client, engine, "registration_officer", ["TRP"])
    body = client.post("/api/v1/registrations/search", json={"name": "Othman Gaddafi"},
                       headers=trp).json()
    assert body["total"] == 0  # registered at SRT
    admin = user_headers(client, engine, "admin")
    body = client.post("/api/v1/registrations/search", json={"name": "Othman Gaddafi"},
                       headers=admin).json()
    assert [hit["person_id"] for hit in body["items"]] == [register_people["gaddafi"]]
    assert body["items"][0]["full_name"] == "عثمان سالم مفتاح القذافي"
    assert 0 < body["items"][0]["score"] <= 1
    vowels = client.post("/api/v1/registrations/search", json={"name": "Aya"}, headers=admin)
    assert vowels.status_code == 422
    assert vowels.json()["errors"][0]["field"] == "name"


def test_reindex_rebuilds_name_keys_after_a_scheme_change(
    engine: Engine, crypto: FieldCrypto, register_people: dict[str, str]
) -> None:
    with session_scope(engine) as session:
        session.execute(delete(RegistrationIndex).where(
            RegistrationIndex.kind == IndexKind.name.value))
    assert names_found(engine, crypto, "Othman Gaddafi") == []
    with Session(engine) as session:
        assert missing(session=session, kind=IndexKind.name) == len(PEOPLE)
        blocks = session.scalar(select(func.count()).select_from(RegistrationIndex).where(
            RegistrationIndex.kind == IndexKind.block.value))
    done = reindex(engine=engine, crypto=crypto, actor=SYSTEM, kinds=[IndexKind.name],
                   missing_only=True, batch_size=4)
    assert done == len(PEOPLE)
    assert names_found(engine, crypto, "Othman Gaddafi")[0][0] == register_people["gaddafi"]
    with Session(engine) as session:
        assert missing(session=session, kind=IndexKind.name) == 0
        assert session.scalar(select(func.count()).select_from(RegistrationIndex).where(
            RegistrationIndex.kind == IndexKind.block.value)) == blocks
