"""Importing files: a precise row-level report, only good rows stored, form exports through
their mappings, idempotent re-runs, consent, scope, audit and dry runs."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.models import AuditEvent
from app.core.security import SYSTEM, Principal
from app.dedup.models import CandidatePair
from app.imports.models import ImportJob, ImportRow
from app.imports.report import rejected_rows, write_rejects
from app.imports.rows import NAMESPACE
from app.registry.models import Registration
from app.users import service as users
from app.users.models import User
from tests.factories import make_registration, make_user
from tests.imports.conftest import FIXTURES, run_import

MALFORMED = FIXTURES / "malformed.csv"
EXPECTED_PROBLEMS = {
    3: [("date_of_birth", "not a real calendar date")],
    4: [("national_id", "first digit does not match the sex")],
    5: [("given_name", "required for libyan_combatant")],
    6: [("given_name", "must not start with =, +, - or @")],
    7: [("row", "more cells than the header has columns (a delimiter inside a value?)")],
    8: [("registered_on", "not a date (YYYY-MM-DD)")],
    9: [("sex", "not one of the allowed values")],
    10: [("consent", "consent is not recorded for this row"),
         ("phone", "not a valid phone number")],
}


def registrations(engine: Engine) -> list[Registration]:
    with Session(engine) as session:
        return list(session.exec(select(Registration)).scalars())  # type: ignore[call-overload]


def report(engine: Engine, job: ImportJob) -> dict[int, list[tuple[str, str]]]:
    with Session(engine) as session:
        rows = session.exec(select(ImportRow).where(ImportRow.job_id == job.id,  # type: ignore[call-overload]
                                                    ImportRow.outcome == "rejected")).scalars()
        return {r.row_number: [(p["field"], p["message"]) for p in json.loads(r.problems)]
                for r in rows}


def rejects_file(engine: Engine, crypto: FieldCrypto, job: ImportJob) -> list[dict[str, str]]:
    out = io.StringIO()
    with session_scope(engine) as session:
        write_rejects(out, rejected_rows(session=session, crypto=crypto, actor=SYSTEM,
                                         job_id=job.id, translate=lambda m: m, labels={}))
    return list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))


def test_malformed_rows_get_a_precise_report_and_only_good_rows_are_stored(
    engine: Engine, crypto: FieldCrypto
) -> None:
    job = run_import(engine, crypto, MALFORMED)
    assert (job.status, job.accepted, job.rejected, job.skipped) == ("done", 2, 8, 0)
    assert report(engine, job) == EXPECTED_PROBLEMS
    stored = {r.id for r in registrations(engine)}
    assert stored == {uuid.uuid5(NAMESPACE, "M-1"), uuid.uuid5(NAMESPACE, "M-10")}


def test_the_rejects_file_keeps_the_columns_and_neutralises_formulas(
    engine: Engine, crypto: FieldCrypto
) -> None:
    job = run_import(engine, crypto, MALFORMED)
    rows = rejects_file(engine, crypto, job)
    assert [r["_row"] for r in rows] == [str(n) for n in EXPECTED_PROBLEMS]
    assert list(rows[0])[2:] == next(csv.reader(MALFORMED.open(encoding="utf-8")))
    formula = next(r for r in rows if r["record_id"] == "M-5")
    assert formula["given_name"].startswith("'=HYPERLINK(")
    assert formula["_problems"] == "given_name: must not start with =, +, - or @"
    surplus = next(r for r in rows if r["record_id"] == "M-6")
    assert surplus[None] == ["surplus", "cells"]  # type: ignore[index]
    for row in rows:
        for value in [v for k, v in row.items() if k is not None]:
            assert not value.startswith(("=", "+", "-", "@")), value


def test_a_fixed_rejects_file_imports_its_rows(engine: Engine, crypto: FieldCrypto,
                                               tmp_path: Path) -> None:
    job = run_import(engine, crypto, MALFORMED)
    rows = rejects_file(engine, crypto, job)
    fixed = next(r for r in rows if r["record_id"] == "M-4")
    fixed["given_name"] = "Saleh"
    path = tmp_path / "fixed.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fixed))
        writer.writeheader()
        writer.writerow(fixed)
    again = run_import(engine, crypto, path)
    assert (again.accepted, again.rejected) == (1, 0)


def test_reimport_skips_rows_stored_and_refuses_a_changed_row(
    engine: Engine, crypto: FieldCrypto, tmp_path: Path
) -> None:
    first = run_import(engine, crypto, MALFORMED, consent_attested=True)
    assert (first.accepted, first.rejected) == (2, 8)
    again = run_import(engine, crypto, MALFORMED, consent_attested=True)
    assert (again.accepted, again.rejected, again.skipped) == (0, 8, 2)
    changed = tmp_path / "changed.csv"
    changed.write_text(MALFORMED.read_text(encoding="utf-8").replace("0912345678", "0923456789"),
                       encoding="utf-8")
    third = run_import(engine, crypto, changed, consent_attested=True)
    assert (third.accepted, third.skipped) == (0, 1)
    assert report(engine, third)[2] == [("record_id", "already imported with other data")]
    assert len(registrations(engine)) == 2


def test_consent_per_row_or_attested_for_the_file(engine: Engine, crypto: FieldCrypto) -> None:
    attested = run_import(engine, crypto, MALFORMED, consent_attested=True)
    assert report(engine, attested)[10] == [("phone", "not a valid phone number")]
    with Session(engine) as session:
        job = session.get(ImportJob, attested.id)
        assert job is not None
        assert job.consent_attested
        assert job.consent_attested_at
        events = session.exec(select(AuditEvent).where(  # type: ignore[call-overload]
            AuditEvent.action == "import.consent_attested")).scalars().all()
    assert [e.object_id for e in events] == [str(attested.id)]
    kobo = run_import(engine, crypto, FIXTURES / "kobo_export.csv",
                      mapping=FIXTURES / "kobo_mapping.yaml", site="SEB", consent_attested=True)
    assert ("consent_given", "the participant did not consent") not in report(engine, kobo)[7]
    assert ("consent", "the participant did not consent") in report(engine, kobo)[7]


def kobo_workbook(path: Path) -> Path:
    """The Kobo fixture as its XLSX export: dates as date cells, the rest as text."""
    book = Workbook()
    sheet = book.active
    with (FIXTURES / "kobo_export.csv").open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            sheet.append([date.fromisoformat(v) if len(v) == 10 and v[4:5] == "-"
                          and v[:4].isdigit() and v != "1990-13-45" else v for v in row])
    book.save(path)
    return path


def test_a_kobo_export_imports_through_its_mapping(engine: Engine, crypto: FieldCrypto,
                                                   tmp_path: Path) -> None:
    job = run_import(engine, crypto, FIXTURES / "kobo_export.csv",
                     mapping=FIXTURES / "kobo_mapping.yaml", site="SEB")
    assert (job.accepted, job.rejected, job.duplicates, job.skipped) == (4, 2, 2, 0)
    assert report(engine, job) == {
        5: [("father_name", "required for child")],
        7: [("consent", "the participant did not consent"),
            ("date_of_birth", "not a real calendar date")]}
    stored = {r.id: r for r in registrations(engine)}
    foreigner = stored[uuid.uuid5(NAMESPACE, "uuid:7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918")]
    assert (foreigner.category, foreigner.nationality, foreigner.site_code) == (
        "foreign_fighter", "NER", "SEB")
    assert foreigner.registered_on == date(2026, 11, 3)
    assert stored[uuid.uuid5(NAMESPACE, "uuid:5c9d8e7f-2a3b-4c5d-8e9f-0a1b2c3d4e5f")
                  ].languages == "arabic,english"
    with Session(engine) as session:
        pairs = session.exec(select(CandidatePair)).scalars().all()  # type: ignore[call-overload]
    assert [(p.source, p.decision) for p in pairs] == [("import", "match")]
    workbook = run_import(engine, crypto, kobo_workbook(tmp_path / "kobo.xlsx"),
                          mapping=FIXTURES / "kobo_mapping.yaml", site="SEB")
    assert (workbook.file_format, workbook.accepted, workbook.rejected, workbook.skipped) == (
        "xlsx", 0, 2, 4)


def test_an_odk_central_export_imports_through_its_mapping(engine: Engine,
                                                           crypto: FieldCrypto) -> None:
    job = run_import(engine, crypto, FIXTURES / "odk_export.csv",
                     mapping=FIXTURES / "odk_mapping.yaml")
    assert (job.accepted, job.rejected, job.duplicates) == (3, 1, 2)
    # the row names no site and its date does not exist: both are reported at once
    assert report(engine, job) == {4: [("site", "required"),
                                       ("date_of_birth", "not a real calendar date")]}
    with Session(engine) as session:
        rows = session.exec(select(ImportRow).where(  # type: ignore[call-overload]
            ImportRow.job_id == job.id, ImportRow.outcome == "duplicate")).scalars().all()
    found = {r.row_number: json.loads(r.problems) for r in rows}
    assert found == {2: [{"kind": "match", "row": 5}], 5: [{"kind": "match", "row": 2}]}
    ids = {r.id for r in registrations(engine)}
    assert uuid.uuid5(NAMESPACE, "uuid:3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a") in ids


def test_arabic_headers_in_windows_1256_with_semicolons(engine: Engine, crypto: FieldCrypto,
                                                        tmp_path: Path) -> None:
    lines = ["الاسم الأول;اسم الأب;اللقب;الجنس;تاريخ الميلاد;الجنسية;الفئة;موافقة",
             "محمد;علي;الفيتوري;ذكر;1987-05-01;LBY;libyan_combatant;نعم",
             "سالمة;أحمد;المقريف;أنثى;1992;LBY;associated_civilian;نعم"]
    path = tmp_path / "arabic.csv"
    path.write_bytes("\r\n".join(lines).encode("windows-1256"))
    mapping = tmp_path / "arabic.yaml"
    mapping.write_text("columns: {given_name: الاسم الأول, father_name: اسم الأب, "
                       "family_name: اللقب, sex: الجنس, date_of_birth: تاريخ الميلاد, "
                       "nationality: الجنسية, category: الفئة, consent: موافقة}\n",
                       encoding="utf-8")
    job = run_import(engine, crypto, path, mapping=mapping, site="MIS")
    assert (job.encoding, job.delimiter, job.accepted, job.rejected) == (
        "windows-1256", ";", 2, 0)
    assert {r.sex for r in registrations(engine)} == {"M", "F"}


def officer(engine: Engine, sites: list[str]) -> Principal:
    name = make_user(engine, f"importer-{uuid.uuid4().hex[:6]}", "registration_officer", sites)
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == name)).scalars().one()  # type: ignore[call-overload]
        return users.principal_for(session=session, user=user)


def test_each_registration_is_audited_naming_the_importer_and_the_file(
    engine: Engine, crypto: FieldCrypto
) -> None:
    actor = officer(engine, ["TRP"])
    job = run_import(engine, crypto, MALFORMED, actor=actor)
    with Session(engine) as session:
        events = session.exec(select(AuditEvent).where(  # type: ignore[call-overload]
            AuditEvent.action == "registration.create")).scalars().all()
    assert sorted(e.object_id for e in events) == sorted(str(r.id) for r in registrations(engine))
    for event in events:
        details = json.loads(event.details)
        assert (event.actor_id, event.actor_username) == (actor.id, actor.username)
        assert (details["import_id"], details["file_sha256"]) == (str(job.id), job.file_sha256)
        assert len(job.file_sha256) == 64


def test_rows_at_a_site_the_importer_may_not_act_for_are_rejected(
    engine: Engine, crypto: FieldCrypto, tmp_path: Path
) -> None:
    path = tmp_path / "two-sites.csv"
    path.write_text(MALFORMED.read_text(encoding="utf-8").replace("M-10,TRP", "M-10,BEN"),
                    encoding="utf-8")
    job = run_import(engine, crypto, path, actor=officer(engine, ["TRP"]))
    assert report(engine, job)[11] == [("site", "not yours")]
    assert job.accepted == 1


def test_a_dry_run_reports_and_stores_nothing(engine: Engine, crypto: FieldCrypto) -> None:
    dry = run_import(engine, crypto, FIXTURES / "kobo_export.csv",
                     mapping=FIXTURES / "kobo_mapping.yaml", site="SEB", dry_run=True)
    assert (dry.dry_run, dry.accepted, dry.rejected, dry.duplicates) == (True, 4, 2, 2)
    assert registrations(engine) == []
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(CandidatePair)) == 0
    real = run_import(engine, crypto, FIXTURES / "kobo_export.csv",
                      mapping=FIXTURES / "kobo_mapping.yaml", site="SEB")
    assert (real.accepted, real.rejected, real.duplicates) == (4, 2, 2)


def test_rows_match_registrations_already_in_the_registry(engine: Engine,
                                                          crypto: FieldCrypto) -> None:
    with session_scope(engine) as session:
        online = make_registration(session, crypto).registration
    job = run_import(engine, crypto, MALFORMED, consent_attested=True)
    with Session(engine) as session:
        pairs = session.exec(select(CandidatePair)).scalars().all()  # type: ignore[call-overload]
    assert [(p.source, p.decision) for p in pairs] == [("import", "match")]
    assert online.id in {pairs[0].registration_a_id, pairs[0].registration_b_id}
    assert job.duplicates == 1


def test_the_file_is_kept_only_encrypted(engine: Engine, crypto: FieldCrypto,
                                         database_url: str) -> None:
    run_import(engine, crypto, MALFORMED)
    if database_url.startswith("sqlite"):
        raw = Path(database_url.removeprefix("sqlite:///")).read_bytes()
        for name in ("Fituri", "Obeidi", "HYPERLINK", "malformed.csv"):
            assert name.encode() not in raw, name


def test_a_row_with_a_value_that_cannot_be_read_is_checked_by_every_other_rule(
    engine: Engine, crypto: FieldCrypto, tmp_path: Path
) -> None:
    path = tmp_path / "unreadable.csv"
    header = MALFORMED.read_text(encoding="utf-8").splitlines()[0]
    row = "U-{},{},2026-10-01,libyan_combatant,X,1980,Ramadan,,,Fituri,,,,LBY,12,,,,yes"
    path.write_text(f"{header}\n{row.format(1, 'TRP')}\n", encoding="utf-8")
    job = run_import(engine, crypto, path)
    assert (job.accepted, job.rejected) == (0, 1)
    assert report(engine, job) == {2: [
        ("sex", "not one of the allowed values"),
        ("phone", "not a valid phone number"),
        ("father_name", "required for libyan_combatant"),
    ]}
    # no site for the row, nor given for the file: the other rules run all the same
    path.write_text(f"{header}\n{row.format(2, '')}\n", encoding="utf-8")
    job = run_import(engine, crypto, path)
    assert report(engine, job) == {2: [
        ("site", "required"),
        ("sex", "not one of the allowed values"),
        ("phone", "not a valid phone number"),
        ("father_name", "required for libyan_combatant"),
    ]}
