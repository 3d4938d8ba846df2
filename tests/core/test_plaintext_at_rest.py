"""No identifying value reaches the database file (or a pg_dump) in any encoding."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import registration_body, user_headers

PG_URL = os.environ.get("DDR_TEST_DATABASE_URL")

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
            "1985-07-19", "915557788", NID]


def assert_absent(blob: bytes, values: list[str]) -> None:
    for value in values:
        for encoded in encodings(value):
            assert encoded not in blob, f"plaintext {value!r} found at rest"


def stored_bytes(database_url: str) -> bytes:
    """Everything the database holds: the SQLite file with its WAL, or a pg_dump."""
    if PG_URL is None:
        path = Path(database_url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed for this check"
    url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
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
