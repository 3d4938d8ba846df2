"""Registrations by armed group: a national count kept by the write path (the desk, the API,
imports, corrections) equal to a count of the decrypted registrations, recounted with the key
after an upgrade and withheld until then, suppressed and audited like every table, in every
output and both languages (on SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import hxl
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.core.audit import list_events
from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.migrate import alembic_config, upgrade
from app.core.sealed import unseal
from app.core.security import SYSTEM
from app.registry import counts, reference
from app.registry.models import ArmedGroupCount, Registration
from app.registry.service import correct
from exports import writers
from exports.disclosure import audit, feasible_intervals
from exports.service import ARMED_GROUP_TABLE, Statistics, compute
from exports.tables import TOTAL, Line
from tests.conftest import TEST_MASTER_KEY
from tests.factories import (
    import_rows,
    make_registration,
    register,
    registration_body,
    seed_reference,
    user_headers,
)
from tests.test_cli import ddr
from tests.web.helpers import make_web_user, soup, web_login

GROUPS = [("SSH", "Sabha Shield", "درع سبها"), ("ZWB", "Zawiya Brigade", "كتيبة الزاوية")]


def add_groups(engine: Engine) -> None:
    """The standard list (TPF) and two more groups."""
    seed_reference(engine)
    with session_scope(engine) as session:
        for code, name_en, name_ar in GROUPS:
            reference.create_armed_group(session=session, actor=SYSTEM, code=code,
                                         name_en=name_en, name_ar=name_ar, aliases=[])


def brute(engine: Engine, crypto: FieldCrypto) -> Counter[str]:
    """Every registration's group, decrypted one at a time."""
    with session_scope(engine) as session:
        return Counter(unseal(crypto, r, ["armed_group"])["armed_group"] or "none"
                       for r in session.exec(select(Registration)))


def kept(engine: Engine) -> Counter[str]:
    """What the running count holds."""
    with session_scope(engine) as session:
        return Counter(dict(counts.armed_group_counts(session)))


def imported(groups: list[str]) -> list[dict[str, Any]]:
    """Rows of the record CSV naming these groups (as typed: code, name or phrasing)."""
    return [{**{k: v for k, v in registration_body().items() if k not in ("id", "consent")},
             "record_id": f"AG-{i:03d}", "site": "BEN", "given_name": f"مستورد{i}",
             "family_name": f"عائلة{i}", "national_id": None, "phone": None,
             "alias": None, "armed_group": group} for i, group in enumerate(groups)]


def statistics(engine: Engine) -> Statistics:
    with session_scope(engine) as session:
        return compute(session=session, threshold=5)


def published(stats: Statistics) -> dict[str, int | None]:
    return {r["armed_group"]: r["count"] for r in stats.view(ARMED_GROUP_TABLE)["rows"]}


def test_the_count_follows_every_write_path_and_the_recount(
        app: FastAPI, client: TestClient, engine: Engine, tmp_path: Path) -> None:
    add_groups(engine)
    crypto: FieldCrypto = app.state.crypto
    with session_scope(engine) as session:  # the desk
        desk = [make_registration(session, crypto, given_name=f"مكتب{i}",
                                  family_name=f"أسرة{i}", national_id=None, phone=None,
                                  alias=None, armed_group=group)
                for i, group in enumerate(["Tripoli Protection Force", None, "درع سبها"])]
    assert kept(engine) == brute(engine, crypto) == Counter({"TPF": 1, "none": 1, "SSH": 1})

    officer = user_headers(client, engine, "registration_officer", ["TRP"])
    for i, group in enumerate(["Sabha Shield", "TPF Brigade"]):  # the API
        register(client, officer, given_name=f"واجهة{i}", family_name=f"بيت{i}",
                 national_id=None, phone=None, alias=None, armed_group=group)
    assert kept(engine) == brute(engine, crypto) == Counter({"TPF": 2, "none": 1, "SSH": 2})

    job = import_rows(engine, crypto, imported(["ZWB", "", "TPF Brigade", "كتيبة الزاوية"]),
                      tmp_path)  # a bulk import
    assert job.accepted == 4
    assert kept(engine) == brute(engine, crypto) == Counter(
        {"TPF": 3, "none": 2, "SSH": 2, "ZWB": 2})

    with session_scope(engine) as session:  # corrections move a registration between groups
        correct(session=session, crypto=crypto, actor=SYSTEM,
                registration_id=desk[0].registration.id,
                changes={"armed_group": "Zawiya Brigade"}, reason="verified")
        correct(session=session, crypto=crypto, actor=SYSTEM,
                registration_id=desk[1].registration.id,
                changes={"armed_group": "TPF"}, reason="stated later")
        correct(session=session, crypto=crypto, actor=SYSTEM,
                registration_id=desk[2].registration.id,
                changes={"sex": "F"}, reason="typed wrongly")  # the group stays
    expected = Counter({"TPF": 3, "none": 1, "SSH": 2, "ZWB": 3})
    assert kept(engine) == brute(engine, crypto) == expected

    stats = statistics(engine)
    assert stats.withheld == {}
    entries = stats.tables[ARMED_GROUP_TABLE].entries()
    assert {k[0]: n for k, n in entries.items()} == {**expected, TOTAL: 9}
    assert stats.tables[ARMED_GROUP_TABLE].levels["armed_group"] == ["SSH", "TPF", "ZWB", "none"]

    with session_scope(engine) as session:  # lost counts (an upgraded register) ...
        session.execute(delete(ArmedGroupCount))
    assert ARMED_GROUP_TABLE in statistics(engine).withheld
    with session_scope(engine) as session:  # ... are found again by the recount, audited
        found = counts.recount_armed_groups(session, crypto=crypto, actor=SYSTEM)
    assert found == dict(expected)
    assert kept(engine) == brute(engine, crypto) == expected
    with session_scope(engine) as session:
        _total, events = list_events(session=session, action="stats.recount")
    assert [e.object_id for e in events] == ["armed_groups"]

    # the committee reads the table in Arabic: the list's names, never a person's group
    make_web_user(engine, "committee.ar", role="committee", sites=[], language="ar")
    web_login(client, "committee.ar")
    client.app.state.stats_cache.compute_now()  # type: ignore[attr-defined]
    page = soup(client.get("/stats").text)
    chart = page.select_one("#chart-armed-groups")
    assert chart is not None
    assert "التسجيلات حسب الجماعة المسلحة" in chart.find("figcaption").get_text()
    rows = {tr["data-key"]: tr.find("th").get_text(strip=True)
            for tr in chart.select("table.figures tbody tr")}
    assert rows == {"SSH": "درع سبها", "TPF": "قوة حماية طرابلس", "ZWB": "كتيبة الزاوية",
                    "none": "لم تُذكر جماعة مسلحة"}
    assert "مكتب0" not in page.get_text()


def test_a_small_group_is_suppressed_and_the_audit_passes(
        app: FastAPI, engine: Engine, tmp_path: Path) -> None:
    add_groups(engine)
    crypto: FieldCrypto = app.state.crypto
    job = import_rows(engine, crypto, imported(["TPF"] * 12 + ["SSH"] * 3 + [""] * 6),
                      tmp_path)
    assert job.accepted == 21
    stats = statistics(engine)
    figures = published(stats)
    assert figures["SSH"] is None  # 3: suppressed
    assert [v for v in figures.values() if v is None] != [None]  # and a complement with it
    assert figures[TOTAL] == 21
    assert all(v is None or not 0 < v < 5 for v in figures.values())
    lines = [line for t in stats.tables.values() for line in t.lines()]
    lines.append(Line(parts=(("armed_groups", frozenset()),),
                      total=("registrations", frozenset())))
    assert audit(stats.values, lines, stats.hidden, 5) == {}
    small = ("armed_groups", frozenset({("armed_group", "SSH")}))
    assert feasible_intervals(stats.values, lines, stats.hidden, [small])[small].width() >= 5

    body = json.loads(writers.write(stats, "json"))  # contract 8, margins included
    table = next(t for t in body["tables"] if t["name"] == ARMED_GROUP_TABLE)
    assert table["dimensions"] == ["armed_group"]
    assert {"armed_group": "SSH", "count": None, "suppressed": True} in table["rows"]
    assert {"armed_group": TOTAL, "count": 21, "suppressed": False} in table["rows"]

    archive = zipfile.ZipFile(io.BytesIO(writers.write(stats, "csv")))
    path = tmp_path / f"{ARMED_GROUP_TABLE}.csv"
    path.write_bytes(archive.read(f"{ARMED_GROUP_TABLE}.csv"))
    source = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    assert [c.display_tag for c in source.columns] == ["#group+armed+code", "#affected+total"]
    by_code = {r.get("#group+armed+code"): r.get("#affected+total") for r in source}
    assert by_code == {"SSH": "x", "TPF": "12", "none": by_code["none"], "TOTAL": "21"}
    assert by_code["none"] == "x"  # the complement: 6 could not stay beside a hidden 3
    workbook = load_workbook(io.BytesIO(writers.write(stats, "xlsx")), read_only=True)
    sheet = list(workbook[ARMED_GROUP_TABLE[:31]].iter_rows(values_only=True))
    assert sheet[0] == ("armed_group", "count")
    assert ("SSH", "x") in sheet


def test_the_table_is_withheld_until_the_recount_after_an_upgrade(
        app: FastAPI, client: TestClient, engine: Engine, database_url: str,
        tmp_path: Path) -> None:
    add_groups(engine)
    crypto: FieldCrypto = app.state.crypto
    with session_scope(engine) as session:  # registered before the upgrade that adds it
        for i, group in enumerate(["TPF", None, "SSH"]):
            make_registration(session, crypto, given_name=f"قديم{i}", family_name=f"عائلة{i}",
                              national_id=None, phone=None, alias=None, armed_group=group)
    config = alembic_config(database_url)
    try:
        command.downgrade(config, "0028")
    finally:
        upgrade(database_url)  # back at head (for the next test too, whatever happened)
    assert kept(engine) == Counter()

    stats = statistics(engine)
    assert set(stats.withheld) == {ARMED_GROUP_TABLE}
    assert ARMED_GROUP_TABLE not in stats.tables
    body = stats.as_json()
    assert ARMED_GROUP_TABLE not in [t["name"] for t in body["tables"]]
    assert body["metadata"]["withheld"] == [{"table": ARMED_GROUP_TABLE,
                                             "reason": stats.withheld[ARMED_GROUP_TABLE]}]
    assert "ddr stats recount" in stats.withheld[ARMED_GROUP_TABLE]
    archive = zipfile.ZipFile(io.BytesIO(writers.write(stats, "csv")))
    assert f"{ARMED_GROUP_TABLE}.csv" not in archive.namelist()
    meta = dict(csv.reader(io.StringIO(archive.read("metadata.csv").decode())))
    assert meta[f"withheld: {ARMED_GROUP_TABLE}"] == stats.withheld[ARMED_GROUP_TABLE]
    workbook = load_workbook(io.BytesIO(writers.write(stats, "xlsx")), read_only=True)
    assert ARMED_GROUP_TABLE[:31] not in workbook.sheetnames

    committee = user_headers(client, engine, "committee")
    client.app.state.stats_cache.compute_now()  # type: ignore[attr-defined]
    url = f"/api/v1/stats/tables/{ARMED_GROUP_TABLE}"
    assert client.get(url, headers=committee).status_code == 404
    make_web_user(engine, "committee.en", role="committee", sites=[], language="en")
    web_login(client, "committee.en")
    page = soup(client.get("/stats").text)
    assert page.select_one("#chart-armed-groups") is None
    assert "withheld until" in page.select_one("dd.withheld").get_text()

    work = tmp_path / "work"
    work.mkdir()
    (work / ".url").write_text(database_url)
    key = {"DDR_MASTER_KEY": TEST_MASTER_KEY}
    upgraded = ddr(work, "db", "upgrade", env=key)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "3 registrations are not in the count by armed group" in upgraded.stdout
    recount = ddr(work, "stats", "recount", env=key)
    assert recount.returncode == 0, recount.stderr
    assert "registrations=3 armed_groups=3" in recount.stdout
    assert kept(engine) == brute(engine, crypto) == Counter({"TPF": 1, "none": 1, "SSH": 1})

    stats = statistics(engine)
    assert stats.withheld == {}
    assert published(stats) == {"SSH": None, "TPF": None, "none": None, TOTAL: None}
    client.app.state.stats_cache.compute_now()  # type: ignore[attr-defined]
    answer = client.get(url, headers=committee)
    assert answer.status_code == 200
    assert answer.json()["table"]["name"] == ARMED_GROUP_TABLE
    again = ddr(work, "db", "upgrade", env=key)
    assert "not in the count by armed group" not in again.stdout
