"""The running counts the statistics read equal a brute-force count of the rows themselves,
after registrations at the desk (with weapons), a bulk import and corrections (on SQLite and
PostgreSQL); a rebuild from the rows gives the same counts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.security import SYSTEM
from app.registry import counts
from app.registry.models import Registration, WeaponHandover
from app.registry.service import correct
from exports.service import compute
from exports.tables import TOTAL
from tests.factories import import_rows, make_registration, registration_body, seed_reference


def band(birth_year: int | None, year: int) -> str:
    """The committee's age bands, written out independently of the code under test."""
    if birth_year is None:
        return "unknown"
    age = year - birth_year
    if age < 15:
        return "under_15"
    if age < 18:
        return "15_17"
    if age < 25:
        return "18_24"
    if age < 35:
        return "25_34"
    if age < 50:
        return "35_49"
    return "50_plus"


def brute(engine: Engine) -> tuple[Counter[tuple[str, ...]], Counter[tuple[str, ...]]]:
    """Registrations and weapons counted one row at a time."""
    with session_scope(engine) as session:
        registrations = Counter(
            (r.site_code, r.sex, r.category, r.nationality,
             band(r.birth_year, r.registered_on.year), r.registered_on.strftime("%Y-%m"))
            for r in session.exec(select(Registration)))
        weapons = Counter((w.weapon_type, w.calibre or "unknown", w.site_code,
                           w.handed_over_on.strftime("%Y-%m"))
                          for w in session.exec(select(WeaponHandover)))
    return registrations, weapons


def kept(engine: Engine) -> tuple[Counter[tuple[str, ...]], Counter[tuple[str, ...]]]:
    """What the running counts hold."""
    with session_scope(engine) as session:
        return (Counter(dict(counts.registration_counts(session))),
                Counter(dict(counts.weapon_counts(session))))


def test_the_counts_follow_every_write_path(app: FastAPI, engine: Engine,
                                            tmp_path: Path) -> None:
    seed_reference(engine)
    crypto: FieldCrypto = app.state.crypto
    people: list[Any] = []
    with session_scope(engine) as session:
        for i, (site, sex, born) in enumerate([("TRP", "M", "1988-03-02"),
                                               ("TRP", "F", "2010-05-01"),
                                               ("BEN", "F", "1960-01-01"),
                                               ("MIS", "M", "1999-07-07")]):
            people.append(make_registration(
                session, crypto, site=site, sex=sex, date_of_birth=born,
                given_name=f"اسم{i}", family_name=f"عائلة{i}", national_id=None, phone=None,
                weapons=[{"weapon_type": "rifle", "calibre": "7.62x39mm"},
                         {"weapon_type": "pistol"}] if i % 2 == 0 else []))
    imported = [{**{k: v for k, v in registration_body().items() if k not in ("id", "consent")},
                 "record_id": f"CNT-{i:03d}", "site": "BEN", "sex": "F" if i % 3 else "M",
                 "given_name": f"مستورد{i}", "national_id": None, "phone": None,
                 "date_of_birth": f"{1970 + i}-01-01"} for i in range(12)]
    job = import_rows(engine, crypto, imported, tmp_path)
    assert job.accepted == 12
    assert kept(engine) == brute(engine)

    with session_scope(engine) as session:  # corrections move a registration between groups
        correct(session=session, crypto=crypto, actor=SYSTEM,
                registration_id=people[0].registration.id,
                changes={"sex": "F", "date_of_birth": "1950-01-01"}, reason="typed wrongly")
        correct(session=session, crypto=crypto, actor=SYSTEM,
                registration_id=people[3].registration.id,
                changes={"category": "associated_civilian"}, reason="verified")
    registrations, weapons = brute(engine)
    assert kept(engine) == (registrations, weapons)
    assert sum(registrations.values()) == 16
    assert sum(weapons.values()) == 4
    assert registrations[("TRP", "F", "libyan_combatant", "LBY", "50_plus",
                          people[0].registration.registered_on.strftime("%Y-%m"))] == 1

    with session_scope(engine) as session:  # a rebuild from the rows finds the same
        counts.rebuild(session)
    assert kept(engine) == (registrations, weapons)

    with session_scope(engine) as session:  # and the published tables are these counts
        stats = compute(session=session, threshold=5)
    entries = stats.tables["registrations_by_site"].entries()
    assert entries[("BEN", TOTAL)] == sum(n for k, n in registrations.items() if k[0] == "BEN")
    assert entries[(TOTAL, "F")] == sum(n for k, n in registrations.items() if k[1] == "F")
    assert stats.tables["weapons_by_type"].entries()[("rifle", TOTAL)] == 2
