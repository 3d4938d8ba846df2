"""A weapon handover keeps its markings (International Tracing Instrument): manufacturer,
country and year of manufacture in clear, the import marking encrypted; the older form of
the request (no markings) is still accepted."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.core.test_plaintext_at_rest import assert_absent, stored_bytes
from tests.factories import register, registration_body, user_headers

MARKED = {"weapon_type": "rifle", "make_model": "AKM", "calibre": "7.62x39mm",
          "serial_number": "IZ-774411", "manufacturer": "Izhmash",
          "country_of_manufacture": "rus", "year_of_manufacture": 1978,
          "import_marking": "LY-IMP-1981-0042"}


def test_markings_are_kept_and_the_import_marking_encrypted(
        client: TestClient, engine: Engine, database_url: str) -> None:
    officer = user_headers(client, engine, "registration_officer", ["TRP"])
    created = register(client, officer, weapons=[MARKED, {"weapon_type": "pistol"}])
    weapons = client.get(f"/api/v1/registrations/{created['id']}",
                         headers=officer).json()["weapons"]
    marked = next(w for w in weapons if w["weapon_type"] == "rifle")
    assert (marked["manufacturer"], marked["country_of_manufacture"],
            marked["year_of_manufacture"], marked["import_marking"]) == (
        "Izhmash", "RUS", 1978, "LY-IMP-1981-0042")
    plain = next(w for w in weapons if w["weapon_type"] == "pistol")
    assert plain["manufacturer"] is None
    assert plain["handed_over_on"] == marked["handed_over_on"]
    blob = stored_bytes(database_url)
    assert b"Izhmash" in blob  # clear, for statistics
    assert_absent(blob, ["LY-IMP-1981-0042", "IZ-774411", "IZ774411"])


def test_a_bad_country_names_the_field_and_registers_nothing(client: TestClient,
                                                             engine: Engine) -> None:
    officer = user_headers(client, engine, "registration_officer", ["TRP"])
    response = client.post("/api/v1/registrations", headers=officer, json={
        **registration_body(),
        "weapons": [{**MARKED, "country_of_manufacture": "Soviet Union"}]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "weapons.0.country_of_manufacture"
    later = client.post("/api/v1/registrations/search", headers=officer,
                        json={"national_id": "119880123456"}).json()
    assert later["total"] == 0
