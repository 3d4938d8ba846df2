"""Retention: values past their category's period are crypto-shredded (gone from the
database file too), what was derived from them rebuilt, the rest untouched; counts reported."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import AuditEvent
from app.core.security import SYSTEM
from app.imports.models import ImportJob
from app.registry.models import Registration
from app.safeguards import retention
from matching import RECORD_COLUMNS
from tests.factories import registration_body, user_headers
from tests.test_cli import ddr

API = "/api/v1"
EMPTY_IMPORT = ",".join(RECORD_COLUMNS).encode() + b"\n"


def test_expired_values_are_shredded_and_the_rest_kept(client: TestClient, app: FastAPI,
                                                       engine: Engine) -> None:
    officer = user_headers(client, engine, "registration_officer", ["TRP"])
    created = client.post(f"{API}/registrations", headers=officer, json=registration_body(
        notes="met at the checkpoint")).json()
    job = client.post(f"{API}/imports", headers=officer, data={"site": "TRP"},
                      files={"file": ("field-forms.csv", EMPTY_IMPORT)})
    assert job.status_code == 202, job.text
    rid = uuid.UUID(created["id"])
    with Session(engine) as session:
        phone_blob = session.get(Registration, rid).phone  # type: ignore[union-attr]
    assert phone_blob is not None
    assert in_database_files(engine, bytes(phone_blob)) in (True, None)
    periods = retention.policy({"contact": 365})
    later = date.today() + timedelta(days=400)
    crypto = app.state.crypto

    dry = retention.apply(engine=engine, crypto=crypto, actor=SYSTEM, periods=periods,
                          today=later, dry_run=True)
    assert {o.name: o.rows for o in dry}["contact"] == 1
    with Session(engine) as session:
        assert session.get(Registration, rid).phone is not None  # type: ignore[union-attr]

    done = {o.name: o for o in retention.apply(engine=engine, crypto=crypto, actor=SYSTEM,
                                               periods=periods, today=later)}
    assert done["contact"].values == 1
    assert done["import_files"].rows == 1  # the default 90 days
    assert done["notes"].days is None
    assert done["notes"].rows == 0
    with Session(engine) as session:
        registration = session.get(Registration, rid)
        assert registration is not None
        assert registration.phone is None
        assert registration.notes is not None  # no period: kept
        assert session.exec(select(ImportJob.file_name)).one() is None
        shredded = session.exec(select(AuditEvent).where(
            AuditEvent.action == "retention.shred")).all()
    assert {e.object_type for e in shredded} == {"registration", "import_job"}
    assert "0912345678" not in str([e.details for e in shredded])

    read = client.get(f"{API}/registrations/{created['id']}", headers=officer).json()
    assert read["fields"]["phone"] is None
    assert read["fields"]["notes"] == "met at the checkpoint"
    by_phone = client.post(f"{API}/registrations/search", json={"phone": "0912345678"},
                           headers=officer).json()
    assert by_phone["total"] == 0
    by_id = client.post(f"{API}/registrations/search", json={"national_id": "119880123456"},
                        headers=officer).json()
    assert [i["id"] for i in by_id["items"]] == [created["id"]]

    assert in_database_files(engine, bytes(phone_blob)) in (False, None)  # gone from the file


def in_database_files(engine: Engine, data: bytes) -> bool | None:
    """Whether bytes are in the SQLite database or its write-ahead log (None: PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return None
    database = Path(str(engine.url.database))
    files = [database, database.with_name(database.name + "-wal")]
    return any(data in f.read_bytes() for f in files if f.exists())


def test_retention_cli_reports_and_refuses_an_unknown_category(folder: Path) -> None:
    assert ddr(folder, "init").returncode == 0
    dry = ddr(folder, "retention", "apply", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert ["import_files", "90", "0", "0"] in [line.split() for line in dry.stdout.splitlines()]
    assert "dry run: nothing changed" in dry.stdout
    bad = ddr(folder, "retention", "apply", env={"DDR_RETENTION_DAYS": '{"faces": 30}'})
    assert bad.returncode == 2
    assert "faces" in bad.stderr
