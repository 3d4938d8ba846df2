"""No identifying value reaches the database file (or a pg_dump) in any encoding."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import registration_body, user_headers

SECRETS = {
    "given_name": "Zubeir",
    "father_name": "عبدالكريم",
    "grandfather_name": "Qadhafiyy",
    "family_name": "الزويتيني",
    "mother_name": "Khadijetu",
    "alias": "أبو صقر",
    "place_of_birth": "Ubari-Wadi",
}
PHONE, NID, PASSPORT = "0915557788", "119850455667", "XK7788221"


def encodings(value: str) -> list[bytes]:
    return [value.encode("utf-8"), value.encode("utf-16-le"), value.encode("utf-16-be"),
            value.casefold().encode("utf-8"), value.upper().encode("utf-8")]


def register_known_people(client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
                          ) -> list[str]:
    caplog.set_level("DEBUG")
    headers = user_headers(client, engine, "registration_officer", ["TRP"])
    body = registration_body(**SECRETS, date_of_birth="1985-07-19", phone=PHONE,
                             national_id=NID, notes="lives near the old souq",
                             dependants=[{"relationship": "spouse", "name": "Mabrouka"}],
                             weapons=[{"weapon_type": "pistol", "serial_number": "SN99887766"}])
    created = client.post("/api/v1/registrations", json=body, headers=headers)
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    client.post(f"/api/v1/registrations/{rid}/corrections", headers=headers,
                json={"changes": {"given_name": "Zubayr"}, "reason": "spelling of Zubeir"})
    client.post("/api/v1/registrations/search", json={"name": "الزويتيني"}, headers=headers)
    return [*SECRETS.values(), "Zubayr", "Mabrouka", "lives near the old souq", "SN99887766",
            "1985-07-19", "915557788", NID, *work_the_case(client, engine,
                                                          created.json()["person_id"]),
            *work_the_return(client, engine)]


CASE_SECRETS = {"note": "sleeps at his cousin Fathi's", "verified_by": "Colonel Abdelbaset",
                "ddr_id_card": "DDRCARD9911", "reference": "RCPT-77Q1", "contact": "Hajj Mansour",
                "feedback": "starts in the welding workshop"}


def work_the_case(client: TestClient, engine: Engine, person_id: str) -> list[str]:
    """Free text and document numbers recorded on the person's case."""
    admin = user_headers(client, engine, "admin")
    case = client.get(f"/api/v1/persons/{person_id}", headers=admin).json()["cases"][0]
    path = f"/api/v1/cases/{case['id']}"

    def post(url: str, body: dict[str, object]) -> dict[str, object]:
        version = client.get(path, headers=admin).json()["version"]
        answer = client.post(url, json={**body, "version": version}, headers=admin)
        assert answer.status_code in (200, 201), answer.text
        return dict(answer.json())

    post(f"{path}/notes", {"text": CASE_SECRETS["note"]})
    post(f"{path}/steps/eligibility", {"status": "done", "data": {
        "outcome": "eligible", "membership_verification": "witness",
        "verified_by": CASE_SECRETS["verified_by"]}})
    post(f"{path}/steps/disarmament", {"status": "done"})
    post(f"{path}/steps/demobilization", {"status": "done", "data": {
        "ddr_id_card": CASE_SECRETS["ddr_id_card"], "medical_screening": "fit"}})
    post(f"{path}/steps/reinsertion", {"status": "in_progress"})
    post(f"{path}/payments", {"instalment": 1, "amount": "500", "paid_on": "2026-01-05",
                              "method": "cash", "reference": CASE_SECRETS["reference"]})
    provider = client.post("/api/v1/service-providers", headers=admin, json={
        "name": "Welding workshop", "services": ["vocational_training"],
        "contact": CASE_SECRETS["contact"]}).json()
    referred = post(f"{path}/referrals", {"provider_id": provider["id"],
                                          "service": "vocational_training"})
    referral = referred["referrals"][0]["id"]  # type: ignore[index]
    post(f"{path}/referrals/{referral}", {"status": "accepted",
                                          "feedback": CASE_SECRETS["feedback"]})
    return list(CASE_SECRETS.values())


RETURN_SECRETS = {"number": "LPX-40417", "contact": "Mahamat Saleh",
                  "phone": "+23566001122"}


def work_the_return(client: TestClient, engine: Engine) -> list[str]:
    """A foreign fighter's travel document and a country's focal point."""
    admin = user_headers(client, engine, "admin")
    registered = client.post("/api/v1/registrations", headers=admin, json=registration_body(
        category="foreign_fighter", nationality="TCD", national_id=None, given_name="Abakar",
        phone="0915550001")).json()
    case = client.get(f"/api/v1/persons/{registered['person_id']}", headers=admin).json()
    path = f"/api/v1/cases/{case['cases'][0]['id']}"
    for step, data in (("nationality_claimed", {}),
                       ("nationality_verified", {"outcome": "confirmed", "method": "passport",
                                                 "verified_by": "Consul"}),
                       ("consent", {"decision": "consents", "informed_on": "2026-01-05"}),
                       ("travel_document", {"document_type": "laissez_passer",
                                            "number": RETURN_SECRETS["number"],
                                            "issuer": "Embassy", "expires_on": "2030-01-01"})):
        version = client.get(path, headers=admin).json()["version"]
        answer = client.post(f"{path}/steps/{step}", headers=admin,
                             json={"status": "done", "version": version, "data": data})
        assert answer.status_code == 200, answer.text
    saved = client.put("/api/v1/returns/countries/TCD", headers=admin, json={
        "contacts": [{"kind": "focal_point", "name": RETURN_SECRETS["contact"],
                      "phone": RETURN_SECRETS["phone"]}]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["contacts"][0]["name"] == RETURN_SECRETS["contact"]
    return [RETURN_SECRETS["number"], RETURN_SECRETS["contact"], RETURN_SECRETS["phone"]]


def assert_absent(blob: bytes, values: list[str]) -> None:
    for value in values:
        for encoded in encodings(value):
            assert encoded not in blob, f"plaintext {value!r} found at rest"


def stored_bytes(database_url: str) -> bytes:
    """Everything the database holds: the SQLite file with its WAL, or a pg_dump."""
    if not database_url.startswith("postgresql"):
        path = Path(database_url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed for this check"
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    return subprocess.run([pg_dump, "--data-only", url], capture_output=True, check=True).stdout


def test_database_contains_no_plaintext(
    client: TestClient, engine: Engine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    values = register_known_people(client, engine, caplog)
    blob = stored_bytes(database_url)
    assert len(blob) > 5_000
    assert b"TRP-" in blob  # the check does see clear text where there is some
    assert_absent(blob, values)
    assert_absent(caplog.text.encode(), values)
