"""Registrations written together by a group commit (`write_registrations`): one statement per
table for all of them, with the outcome of registering them one after another."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.audit import request_id_var
from app.core.crypto import FieldCrypto
from app.core.db import make_engine, read_scope, session_scope
from app.core.group_commit import Batched, GroupCommit
from app.core.migrate import upgrade
from app.core.security import Principal
from app.dedup import service as dedup
from app.registry.schemas import RegistrationIn
from app.registry.service import Enrolment
from app.users.enums import Role
from tests.factories import registration_body, seed_reference

OFFICER = Principal(id=None, username="officer", role=Role.admin, sites=frozenset(),
                    all_sites=True, language="en")
Outcome = tuple[Enrolment, list[dedup.CandidateOut]]


@pytest.fixture
def crypto(app: FastAPI) -> FieldCrypto:
    result: FieldCrypto = app.state.crypto
    return result


def sqlite_register(tmp_path: Path, name: str) -> Engine:
    """A migrated SQLite file with the reference data (group commit is SQLite's, whichever
    database CI targets)."""
    url = f"sqlite:///{tmp_path / name}"
    upgrade(url)
    engine = make_engine(url)
    seed_reference(engine)
    return engine


def bodies() -> list[dict[str, Any]]:
    """Five registrations: a person, the same person again at another site (a match), someone
    else, a retry of the first with its id and body, and someone else again with the first's
    national number (a shared document)."""
    first = registration_body(id="9f0c7a52-7d1f-4a53-9a1e-000000000001")
    again = registration_body(id="9f0c7a52-7d1f-4a53-9a1e-000000000002", site="BEN",
                              alias=None, phone=None, national_id=None)
    other = registration_body(id="9f0c7a52-7d1f-4a53-9a1e-000000000003", given_name="سالم",
                              father_name="خليفة", grandfather_name="مفتاح",
                              family_name="الزنتاني", mother_name="عائشة", alias=None,
                              date_of_birth="1975-07-14", phone="0923456789",
                              national_id="119750654321")
    impostor = registration_body(id="9f0c7a52-7d1f-4a53-9a1e-000000000005", given_name="عمر",
                                 father_name="مصطفى", grandfather_name="حسين",
                                 family_name="المقريف", mother_name="زينب", alias=None,
                                 date_of_birth="1988-11-20", phone=None)
    return [first, again, other, dict(first), impostor]


def together(engine: Engine, crypto: FieldCrypto, items: list[dict[str, Any]]
             ) -> list[Outcome | BaseException]:
    """Prepare each registration, then submit all of them to one group (queued behind a first
    job), in their batched form, each from a request context of its own."""
    group = GroupCommit(engine)
    gate = threading.Event()

    async def one(body: dict[str, Any], n: int) -> Outcome:
        request_id_var.set(f"request-{n}")
        data = RegistrationIn.model_validate(body)
        prepared = await asyncio.to_thread(dedup.prepare_registration, engine=engine,
                                           crypto=crypto, actor=OFFICER, data=data)
        grouped = dedup.GroupedRegistration(crypto, OFFICER, data, None, prepared)
        return await group.run(lambda session: dedup.register_and_match(
            session=session, crypto=crypto, actor=OFFICER, data=data, prepared=prepared),
            Batched(dedup.write_registrations, grouped) if grouped.plain else None)

    async def scenario() -> list[Outcome | BaseException]:
        held = asyncio.ensure_future(group.run(lambda _session: gate.wait(5)))
        await asyncio.sleep(0.01)
        tasks = []
        for n, body in enumerate(items):  # prepared in order, queued in order
            tasks.append(asyncio.ensure_future(one(body, n)))
            await asyncio.sleep(0.2)
        gate.set()
        await held
        return await asyncio.gather(*tasks, return_exceptions=True)

    return asyncio.run(scenario())


def one_by_one(engine: Engine, crypto: FieldCrypto, items: list[dict[str, Any]],
               order: list[int]) -> list[Outcome]:
    """Register `items` one after another in the given order (request ids as `together`
    gives them); outcomes in the order of `items`."""
    outcomes: dict[int, Outcome] = {}
    for n in order:
        request_id_var.set(f"request-{n}")
        body = items[n]
        with session_scope(engine) as session:
            outcomes[n] = dedup.register_and_match(
                session=session, crypto=crypto, actor=OFFICER,
                data=RegistrationIn.model_validate(body))
    return [outcomes[n] for n in range(len(items))]


def summary(outcomes: list[Any]) -> list[tuple[Any, ...]]:
    return [(e.registration.registration_number, e.created, e.registration.is_child,
             [(str(c.registration_id), c.decision, round(c.score, 6)) for c in found])
            for e, found in outcomes]


def without_ids(details: str) -> dict[str, Any]:
    """An event's details without the generated ids of persons (new on every run, as are
    those of signals)."""
    values: dict[str, Any] = json.loads(details)
    values.pop("person_id", None)
    return values


def stored(engine: Engine) -> dict[str, Any]:
    """What a registration run leaves behind, without the values that differ on every run
    (times, generated ids)."""
    with read_scope(engine) as session:
        def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in session.execute(text(sql)).all()]
        return {
            "registrations": rows("SELECT id, registration_number, site_code, category, "
                                  "is_child, given_name IS NOT NULL FROM registration "
                                  "ORDER BY id"),
            "persons": len(rows("SELECT id FROM person")),
            "indexes": rows("SELECT registration_id, kind, digest FROM registration_index "
                            "ORDER BY registration_id, kind, digest"),
            "pairs": rows("SELECT registration_a_id, registration_b_id, decision, status, "
                          "source, site_a, site_b FROM candidate_pair ORDER BY 1, 2"),
            "events": [(action, kind, None if action == "signal.raise" else object_id, *rest,
                        without_ids(details)) for action, kind, object_id, *rest, details in rows(
                "SELECT action, object_type, object_id, site_code, request_id, details "
                "FROM audit_event WHERE action IN ('registration.create', "
                "'matching.candidates', 'signal.raise') ORDER BY request_id, id")],
            "signals": rows("SELECT s.kind, s.key, m.registration_id FROM integrity_signal s "
                            "JOIN signal_member m ON m.signal_id = s.id ORDER BY 1, 2, 3"),
        }


def test_registrations_written_together_end_as_registered_one_after_another(
    tmp_path: Path, crypto: FieldCrypto
) -> None:
    items = bodies()
    batched_engine = sqlite_register(tmp_path, "together.db")
    serial_engine = sqlite_register(tmp_path, "serial.db")
    calls: list[int] = []
    original = dedup.write_registrations

    def counted(session: Session, entries: list[Any]) -> list[Any]:
        calls.append(len(entries))
        return original(session, entries)

    dedup.write_registrations = counted  # type: ignore[assignment]
    try:
        batched = together(batched_engine, crypto, items)
    finally:
        dedup.write_registrations = original  # type: ignore[assignment]
    # the order a group writes them in: those written together first, then the replay
    serial = one_by_one(serial_engine, crypto, items, order=[0, 1, 2, 4, 3])

    assert not [o for o in batched if isinstance(o, BaseException)]
    assert calls == [5]  # the five were offered to one call
    assert summary(batched) == summary(serial)
    # the same person again found the first as a match; the first did not find the later one
    first, again, other, retry, _impostor = summary(batched)
    assert first[3] == []
    assert [(c[0], c[1]) for c in again[3]] == [(items[0]["id"], "match")]
    assert other[3] == []
    assert (retry[0], retry[1]) == (first[0], False)  # a replay, with the first's number
    assert stored(batched_engine) == stored(serial_engine)
    result = stored(batched_engine)
    assert len(result["pairs"]) == 2  # the match, and the document shared by two persons
    assert [row[0] for row in result["signals"]] == ["shared_document"] * 2
