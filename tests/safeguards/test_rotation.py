"""Key rotation: nothing goes missing before, during or after it (the register found 0 for
every existing record once a new master key was configured)."""

from __future__ import annotations

import base64
import importlib.util
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlmodel import Session

from app.core import audit_chain
from app.core.migrate import MIGRATIONS
from app.core.models import KeyCheck
from app.core.security import SYSTEM
from app.core.settings import Settings
from app.main import create_app
from app.registry.models import RegistrationIndex, WeaponHandover
from app.safeguards import rotation
from app.safeguards.tables import encrypted_models
from tests.conftest import TEST_MASTER_KEY
from tests.factories import registration_body, user_headers

NEW_KEY = base64.b64encode(b"n" * 32).decode()
API = "/api/v1"


def ring_settings(database_url: str, tmp_path: Path, primary: str,
                  previous: str | None = None) -> Settings:
    return Settings(env="test", database_url=database_url, master_key=SecretStr(primary),
                    previous_master_keys=SecretStr(previous) if previous else None,
                    master_key_file=tmp_path / "unused.key",
                    secret_key=SecretStr("test-secret-" + "x" * 20))


@contextmanager
def served(settings: Settings) -> Iterator[TestClient]:
    application = create_app(settings)
    try:
        with TestClient(application) as client:
            yield client
    finally:
        application.state.engine.dispose()


PEOPLE = [
    {"given_name": "محمد", "father_name": "عبد السلام", "family_name": "الورفلي",
     "national_id": "119880123456", "phone": "0912345678"},
    {"given_name": "Ibrahim", "father_name": "Mustafa", "grandfather_name": "Saleh",
     "family_name": "Zuwayy", "alias": None, "mother_name": "Aisha",
     "national_id": "119900654321", "phone": "0925550001", "date_of_birth": "1990-07-09"},
]


def index_count(session: Session, created: list[dict[str, Any]]) -> int:
    ids = [uuid.UUID(c["id"]) for c in created]
    return int(session.scalar(select(func.count()).select_from(RegistrationIndex).where(
        RegistrationIndex.registration_id.in_(ids))) or 0)  # type: ignore[attr-defined]


def found(client: TestClient, headers: dict[str, str], query: dict[str, Any]) -> set[str]:
    response = client.post(f"{API}/registrations/search", json=query, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def check_everything_found(client: TestClient, headers: dict[str, str],
                           created: list[dict[str, Any]]) -> None:
    """Search by national ID, phone and name, and the duplicate check, find every person."""
    for person, registration in zip(PEOPLE, created, strict=True):
        rid = registration["id"]
        assert rid in found(client, headers, {"national_id": person["national_id"]})
        assert rid in found(client, headers, {"phone": person["phone"]})
        name = f"{person['given_name']} {person['father_name']} {person['family_name']}"
        assert rid in found(client, headers, {"name": name})
        read = client.get(f"{API}/registrations/{rid}", headers=headers)
        assert read.status_code == 200
        assert read.json()["fields"]["national_id"] == person["national_id"]
        # the duplicate check: registering the same person again names the earlier record
        again = client.post(f"{API}/registrations", json=registration_body(**person),
                            headers=headers)
        assert again.status_code == 201, again.text
        assert rid in {c["registration_id"] for c in again.json()["possible_duplicates"]}


def test_rotation_keeps_every_record_findable(database_url: str, tmp_path: Path) -> None:
    old = ring_settings(database_url, tmp_path, TEST_MASTER_KEY)
    with served(old) as client:
        admin = user_headers(client, client.app.state.engine, "admin")  # type: ignore[attr-defined]
        created = []
        for number, person in enumerate(PEOPLE):
            weapon = {"weapon_type": "rifle", "serial_number": f"AK-7701{number}"}
            response = client.post(f"{API}/registrations", headers=admin,
                                   json=registration_body(weapons=[weapon], **person))
            assert response.status_code == 201, response.text
            created.append(response.json())
        with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
            indexes_before = index_count(session, created)

    # a new primary key, the old one previous: found before anything is moved
    new = ring_settings(database_url, tmp_path, NEW_KEY, TEST_MASTER_KEY)
    with served(new) as client:
        admin = user_headers(client, client.app.state.engine, "admin")  # type: ignore[attr-defined]
        check_everything_found(client, admin, created)
        engine = client.app.state.engine  # type: ignore[attr-defined]
        crypto = client.app.state.crypto  # type: ignore[attr-defined]
        with Session(engine) as session:
            old_id = rotation.status(session=session, crypto=crypto)[1].key_id
        assert rotation.remaining(engine=engine, crypto=crypto) > 0

        report = rotation.rotate(engine=engine, crypto=crypto, actor=SYSTEM, batch_size=1)
        assert report.complete
        assert report.moved["registration"] == 2
        assert report.moved["weapon_handover"] == 2
        with Session(engine) as session:
            versions = {v.key_id: v for v in rotation.status(session=session, crypto=crypto)}
            assert versions[old_id].in_use == 0
            assert versions[crypto.key_id_hex].in_use > 0
            assert index_count(session, created) == indexes_before
            check = session.get(KeyCheck, 1)
            assert check is not None
            assert check.key_id == crypto.key_id_hex
            serials = set(session.scalars(select(WeaponHandover.serial_index)).all())
            assert serials == {crypto.blind_index("serial", f"AK7701{n}") for n in range(2)}
        check_everything_found(client, admin, created)
        assert audit_chain.verify(engine=engine, crypto=crypto).intact

    # the old key retired: everything still found under the new key alone
    alone = ring_settings(database_url, tmp_path, NEW_KEY)
    with served(alone) as client:
        admin = user_headers(client, client.app.state.engine, "admin")  # type: ignore[attr-defined]
        check_everything_found(client, admin, created)


def test_append_only_tables_accept_a_reencryption_of_exactly_their_encrypted_columns() -> None:
    spec = importlib.util.spec_from_file_location(
        "migration_0021", MIGRATIONS / "versions" / "0021_audit_chain.py")
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    models = {m.__tablename__: m for m in encrypted_models()}
    for table, columns in migration.ENCRYPTED.items():
        assert tuple(columns) == models[table].ENCRYPTED_FIELDS  # type: ignore[attr-defined]

