"""POST/GET registrations: validation, idempotency, children, search, corrections, weapons."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.registry.models import ArmedGroup, Person, Registration, RegistrationIndex
from tests.factories import registration_body, user_headers

API = "/api/v1"


@pytest.fixture
def officer(client: TestClient, engine: Engine) -> dict[str, str]:
    return user_headers(client, engine, "registration_officer", ["TRP"])


def counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return (session.scalar(select(func.count()).select_from(Registration)) or 0,
                session.scalar(select(func.count()).select_from(Person)) or 0,
                session.scalar(select(func.count()).select_from(RegistrationIndex)) or 0)


def fields_of(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def test_same_uuid_same_body_is_one_registration(
    client: TestClient, engine: Engine, officer: dict[str, str]
) -> None:
    body = registration_body()
    first = client.post(f"{API}/registrations", json=body, headers=officer)
    again = client.post(f"{API}/registrations", json=body, headers=officer)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert counts(engine)[:2] == (1, 1)


def test_same_uuid_other_body_is_conflict(
    client: TestClient, engine: Engine, officer: dict[str, str]
) -> None:
    body = registration_body()
    assert client.post(f"{API}/registrations", json=body, headers=officer).status_code == 201
    other = client.post(f"{API}/registrations", json={**body, "given_name": "علي"},
                        headers=officer)
    assert other.status_code == 409
    assert fields_of(other) == {"id"}
    assert counts(engine)[0] == 1


IDENTIFYING = {"national_id", "phone", "date_of_birth", "given_name", "family_name"}
BAD_INPUTS = [
    ({"national_id": "11988012345"}, "national_id"),
    ({"national_id": "219880123456"}, "national_id"),  # female digit, male sex
    ({"national_id": "119900123456"}, "national_id"),  # year 1990, born 1988
    ({"national_id": "319880123456"}, "national_id"),
    ({"phone": "12345"}, "phone"),
    ({"nationality": "XYZ"}, "nationality"),
    ({"nationality": "LY"}, "nationality"),
    ({"date_of_birth": "02/03/1988"}, "date_of_birth"),
    ({"date_of_birth": "1988-02-30"}, "date_of_birth"),
    ({"date_of_birth": "2030-01-01"}, "date_of_birth"),
    ({"date_of_birth": "1920-01-01", "national_id": None}, "date_of_birth"),
    ({"date_of_birth": "2020-01-01", "national_id": None}, "date_of_birth"),
    ({"consent": False}, "consent"),
    ({"site": "XXX"}, "site"),
    ({"armed_group": "Unknown Brigade"}, "armed_group"),
    ({"family_name": None}, "family_name"),
    ({"category": "foreign_fighter"}, "nationality"),
    ({"category": "astronaut"}, "category"),
    ({"sex": "X"}, "sex"),
    ({"favourite_colour": "blue"}, "favourite_colour"),
    ({"id": "not-a-uuid"}, "id"),
    ({"date_joined": "2026-01-01", "date_left": "2025-01-01"}, "date_left"),
    ({"category": "child"}, "category"),
]


@pytest.mark.parametrize(("change", "field"), BAD_INPUTS,
                         ids=[f"{f}:{'/'.join(c)}" for c, f in BAD_INPUTS])
def test_bad_input_names_the_field_and_stores_nothing(
    client: TestClient, engine: Engine, officer: dict[str, str], change: dict[str, Any],
    field: str,
) -> None:
    before = counts(engine)
    response = client.post(f"{API}/registrations", json=registration_body(**change),
                           headers=officer)
    assert response.status_code == 422, response.text
    assert field in fields_of(response)
    assert counts(engine) == before
    # The error never repeats identifying values that were typed.
    for key, value in change.items():
        if key in IDENTIFYING and isinstance(value, str):
            assert value not in response.text


def test_site_outside_scope_is_forbidden(
    client: TestClient, engine: Engine, officer: dict[str, str]
) -> None:
    response = client.post(f"{API}/registrations", json=registration_body(site="BEN"),
                           headers=officer)
    assert response.status_code == 403
    assert fields_of(response) == {"site"}
    assert counts(engine)[0] == 0


def test_child_is_flagged_and_routed(client: TestClient, officer: dict[str, str]) -> None:
    body = registration_body(date_of_birth="2011-05-01", national_id=None)
    response = client.post(f"{API}/registrations", json=body, headers=officer)
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["is_child"] is True
    assert data["category"] == "child"
    assert data["pathway"] == "child_protection"
    assert "child" in data["message"].lower()


def test_foreign_fighter_goes_to_return_pathway(
    client: TestClient, officer: dict[str, str]
) -> None:
    body = registration_body(category="foreign_fighter", nationality="SDN", national_id=None,
                             passport_no="P07205452", given_name="Juma", father_name="Swaleh",
                             family_name="Mohammad", armed_group=None)
    response = client.post(f"{API}/registrations", json=body, headers=officer)
    assert response.status_code == 201, response.text
    assert response.json()["pathway"] == "return_to_origin"


def test_phone_formats_are_stored_in_e164(client: TestClient, officer: dict[str, str]) -> None:
    for typed in ("+218 91 234 5678", "0912345678", "218912345678", "00218-91-2345678",
                  "٠٩١٢٣٤٥٦٧٨"):
        created = client.post(f"{API}/registrations",
                              json=registration_body(phone=typed, national_id=None),
                              headers=officer).json()
        read = client.get(f"{API}/registrations/{created['id']}", headers=officer).json()
        assert read["fields"]["phone"] == "+218912345678", typed


def test_registration_numbers_count_up_per_site(
    client: TestClient, engine: Engine, officer: dict[str, str]
) -> None:
    admin = user_headers(client, engine, "admin")
    numbers = [client.post(f"{API}/registrations", json=registration_body(site=site),
                           headers=admin).json()["registration_number"]
               for site in ("TRP", "TRP", "BEN")]
    year = numbers[0].split("-")[1]
    assert numbers == [f"TRP-{year}-000001", f"TRP-{year}-000002", f"BEN-{year}-000001"]


def test_search_by_documents_and_names_in_both_scripts(
    client: TestClient, officer: dict[str, str]
) -> None:
    arabic = client.post(f"{API}/registrations", json=registration_body(),
                         headers=officer).json()
    latin = client.post(f"{API}/registrations", json=registration_body(
        given_name="Mohamed", father_name="Abdelsalam", grandfather_name="Ali",
        family_name="El-Warfalli", phone="0923456789", national_id=None),
        headers=officer).json()

    def hits(**query: Any) -> list[str]:
        response = client.post(f"{API}/registrations/search", json=query, headers=officer)
        assert response.status_code == 200, response.text
        return [h["id"] for h in response.json()["items"]]

    assert hits(national_id="1 1988 0123456") == [arabic["id"]]
    assert hits(phone="+218 92 345 6789") == [latin["id"]]
    assert hits(registration_number=arabic["registration_number"].lower()) == [arabic["id"]]
    # a name finds the person in either script and spelling
    both = {arabic["id"], latin["id"]}
    assert set(hits(name="الورفلي")) == both
    assert set(hits(name="محمد الورفلى")) == both  # alef maqsura folded
    assert set(hits(name="warfalli mohamed")) == both
    assert hits(name="Nobody Atall") == []
    empty = client.post(f"{API}/registrations/search", json={}, headers=officer)
    assert empty.status_code == 422


def test_search_paginates(client: TestClient, officer: dict[str, str]) -> None:
    for _ in range(5):
        client.post(f"{API}/registrations", json=registration_body(), headers=officer)
    page = client.post(f"{API}/registrations/search",
                       json={"name": "محمد", "page": 2, "page_size": 2}, headers=officer).json()
    assert page["total"] == 5
    assert len(page["items"]) == 2


def test_correction_keeps_previous_values(client: TestClient, officer: dict[str, str]) -> None:
    created = client.post(f"{API}/registrations", json=registration_body(),
                          headers=officer).json()
    url = f"{API}/registrations/{created['id']}/corrections"
    response = client.post(url, json={"changes": {"phone": "0945556677", "alias": None},
                                      "reason": "phone changed"}, headers=officer)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["fields"]["phone"] == "+218945556677"
    assert data["fields"]["alias"] is None
    assert data["version"] == 2
    (history,) = data["corrections"]
    assert history["fields"] == ["alias", "phone"]
    assert history["previous"] == {"alias": "أبو علي", "phone": "+218912345678"}
    assert history["reason"] == "phone changed"
    # The old phone no longer finds it; the new one does.
    old = client.post(f"{API}/registrations/search", json={"phone": "0912345678"},
                      headers=officer).json()
    new = client.post(f"{API}/registrations/search", json={"phone": "0945556677"},
                      headers=officer).json()
    assert (old["total"], new["total"]) == (0, 1)


def test_bad_correction_changes_nothing(client: TestClient, officer: dict[str, str]) -> None:
    created = client.post(f"{API}/registrations", json=registration_body(),
                          headers=officer).json()
    url = f"{API}/registrations/{created['id']}/corrections"
    bad = client.post(url, json={"changes": {"national_id": "12"}, "reason": "typo"},
                      headers=officer)
    assert bad.status_code == 422
    assert fields_of(bad) == {"national_id"}
    unknown = client.post(url, json={"changes": {"site": "BEN"}, "reason": "move"},
                          headers=officer)
    assert unknown.status_code == 422
    read = client.get(f"{API}/registrations/{created['id']}", headers=officer).json()
    assert read["version"] == 1
    assert read["fields"]["national_id"] == "119880123456"


def test_same_weapon_serial_at_two_sites_is_detected(
    client: TestClient, engine: Engine
) -> None:
    admin = user_headers(client, engine, "admin")
    weapon = {"weapon_type": "rifle", "make_model": "AKM", "calibre": "7.62x39",
              "serial_number": "ab-1234 56", "rounds": 120}
    first = client.post(f"{API}/registrations",
                        json=registration_body(weapons=[weapon]), headers=admin).json()
    second = client.post(f"{API}/registrations", json=registration_body(site="BEN"),
                         headers=admin).json()
    response = client.post(f"{API}/registrations/{second['id']}/weapons",
                           json={**weapon, "serial_number": "AB1234-56"}, headers=admin)
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["serial_number"] == "AB123456"
    assert out["same_serial_elsewhere"] == [f"{first['registration_number']}-W01"]


def test_linking_to_an_existing_person(client: TestClient, officer: dict[str, str]) -> None:
    first = client.post(f"{API}/registrations", json=registration_body(),
                        headers=officer).json()
    second = client.post(f"{API}/registrations",
                         json=registration_body(person_id=first["person_id"]),
                         headers=officer).json()
    assert second["person_id"] == first["person_id"]
    person = client.get(f"{API}/persons/{first['person_id']}", headers=officer).json()
    assert {r["id"] for r in person["registrations"]} == {first["id"], second["id"]}
    missing = client.post(f"{API}/registrations", json=registration_body(
        person_id="00000000-0000-0000-0000-000000000000"), headers=officer)
    assert missing.status_code == 422
    assert fields_of(missing) == {"person_id"}


def test_person_shows_other_sites_without_identifying_data(
    client: TestClient, engine: Engine, officer: dict[str, str]
) -> None:
    admin = user_headers(client, engine, "admin")
    trp = client.post(f"{API}/registrations", json=registration_body(), headers=officer).json()
    ben = client.post(f"{API}/registrations", json=registration_body(
        site="BEN", person_id=trp["person_id"]), headers=admin).json()
    person = client.get(f"{API}/persons/{trp['person_id']}", headers=officer).json()
    assert [r["id"] for r in person["registrations"]] == [trp["id"]]
    assert person["other_registrations"] == [
        {"id": ben["id"], "registration_number": ben["registration_number"], "site": "BEN",
         "registered_on": person["other_registrations"][0]["registered_on"], "restricted": True}]
    assert "fields" not in person["other_registrations"][0]


def test_dependants_are_stored_encrypted_and_returned(
    client: TestClient, officer: dict[str, str]
) -> None:
    body = registration_body(dependants=[{"relationship": "child", "sex": "F",
                                          "year_of_birth": 2015, "name": "مريم"}])
    created = client.post(f"{API}/registrations", json=body, headers=officer).json()
    read = client.get(f"{API}/registrations/{created['id']}", headers=officer).json()
    assert [(d["relationship"], d["name"]) for d in read["dependants"]] == [("child", "مريم")]


def test_oversized_body_is_refused(client: TestClient, officer: dict[str, str]) -> None:
    response = client.post(f"{API}/registrations", content=b"x" * (21 * 1024 * 1024),
                           headers={**officer, "Content-Type": "application/json"})
    assert response.status_code == 413


def test_malformed_json_is_a_422(client: TestClient, officer: dict[str, str]) -> None:
    response = client.post(f"{API}/registrations", content=b"{not json",
                           headers={**officer, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "body", "message": "not valid JSON"}]


def test_armed_group_must_be_listed_and_active(
    client: TestClient, engine: Engine, officer: dict[str, str]
) -> None:
    """Named by code, name or phrasing; unknown or deactivated → 422 on armed_group. A change
    counts at once, also one made by another process (here: straight in the database)."""
    admin = user_headers(client, engine, "admin")
    unknown = client.post(f"{API}/registrations", headers=officer,
                          json=registration_body(armed_group="Brigade of Nobody"))
    assert unknown.status_code == 422
    assert fields_of(unknown) == {"armed_group"}
    created = client.post(f"{API}/armed-groups", headers=admin, json={
        "code": "NEWB", "name_en": "New Brigade", "name_ar": "الكتيبة الجديدة",
        "aliases": ["Katiba Jadida"]})
    assert created.status_code == 201
    for phrasing in ("NEWB", "new brigade", "الكتيبة الجديدة", "katiba jadida"):
        response = client.post(f"{API}/registrations", headers=officer,
                               json=registration_body(armed_group=phrasing))
        assert response.status_code == 201, (phrasing, response.json())
    patched = client.patch(f"{API}/armed-groups/{created.json()['id']}", headers=admin,
                           json={"active": False})
    assert patched.status_code == 200
    refused = client.post(f"{API}/registrations", headers=officer,
                          json=registration_body(armed_group="NEWB"))
    assert refused.status_code == 422
    assert fields_of(refused) == {"armed_group"}
    with engine.begin() as connection:  # another process reactivates it
        connection.execute(update(ArmedGroup).where(ArmedGroup.code == "NEWB")
                           .values(active=True))
    again = client.post(f"{API}/registrations", headers=officer,
                        json=registration_body(armed_group="NEWB"))
    assert again.status_code == 201, again.json()
