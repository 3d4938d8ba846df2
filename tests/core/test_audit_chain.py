"""The audit chain: every event linked to the one before; a change, a removal, a forgery or
a cut tail is found (the triggers dropped, as an attacker with the database would); failed
logins audited with the account name in a transaction of their own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from app.core import audit_chain
from app.core.audit import record_event
from app.core.db import session_scope
from app.core.models import AuditEvent
from app.core.security import SYSTEM
from app.safeguards.grants import app_role_grants
from tests.conftest import PG_URL
from tests.factories import PASSWORD, make_user, registration_body, user_headers
from tests.web.helpers import csrf_from


@contextmanager
def triggers_dropped(engine: Engine) -> Iterator[None]:
    """The append-only triggers dropped, as someone holding the database could (put back
    afterwards: the PostgreSQL test database is shared by the tests)."""
    postgresql = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if postgresql:
            conn.execute(text("DROP TRIGGER audit_event_append_only ON audit_event"))
        else:
            conn.execute(text("DROP TRIGGER audit_event_no_update"))
            conn.execute(text("DROP TRIGGER audit_event_no_delete"))
    try:
        yield
    finally:
        with engine.begin() as conn:
            if postgresql:
                conn.execute(text(
                    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON "
                    "audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"))
            else:
                for verb in ("UPDATE", "DELETE"):
                    conn.execute(text(
                        f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON "
                        "audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is "
                        "append-only'); END"))


def some_events(client: TestClient, engine: Engine) -> list[int]:
    """A few requests' events; their ids, oldest first."""
    officer = user_headers(client, engine, "registration_officer", ["TRP"])
    for _ in range(3):
        created = client.post("/api/v1/registrations", json=registration_body(),
                              headers=officer).json()
        client.get(f"/api/v1/registrations/{created['id']}", headers=officer)
    with Session(engine) as session:
        return [int(i) for i in session.exec(select(AuditEvent.id).order_by(
            col(AuditEvent.id))).all()]


def verify(app: FastAPI) -> audit_chain.ChainReport:
    return audit_chain.verify(engine=app.state.engine, crypto=app.state.crypto)


def test_every_event_is_chained_and_the_chain_holds(client: TestClient, app: FastAPI,
                                                    engine: Engine) -> None:
    ids = some_events(client, engine)
    report = verify(app)
    assert report.intact, report.reason
    assert report.checked == len(ids)
    assert report.head_id == ids[-1]
    with Session(engine) as session:
        versions = set(session.exec(select(AuditEvent.chain_key_id)).all())
    assert versions == {app.state.crypto.key_id_hex}


@pytest.mark.parametrize("tamper", ["edit", "delete", "forge"])
def test_verify_names_the_first_broken_link(client: TestClient, app: FastAPI,
                                            engine: Engine, tamper: str) -> None:
    ids = some_events(client, engine)
    auditor = user_headers(client, engine, "auditor")
    target = ids[len(ids) // 2]
    with triggers_dropped(engine), engine.begin() as conn:
        if tamper == "edit":
            conn.execute(text("UPDATE audit_event SET actor_username = 'someone else' "
                              "WHERE id = :id"), {"id": target})
            expected = target
        elif tamper == "delete":
            conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": target})
            expected = ids[ids.index(target) + 1]
        else:
            mac = conn.execute(text("SELECT chain_mac FROM audit_event WHERE id = :id"),
                               {"id": target}).scalar_one()
            conn.execute(text(
                "UPDATE audit_event SET action = 'registration.read', chain_mac = :mac "
                "WHERE id = :id"), {"id": target, "mac": mac[::-1]})
            expected = target
    report = verify(app)
    assert not report.intact
    assert report.broken_at == expected
    page = client.get("/api/v1/audit", params={"page_size": 500}, headers=auditor).json()
    assert page["chain_intact"] is False
    flagged = {e["id"] for e in page["items"] if e["chain_ok"] is False}
    assert expected in flagged


def test_an_event_inserted_without_a_mac_breaks_the_chain(client: TestClient, app: FastAPI,
                                                         engine: Engine) -> None:
    some_events(client, engine)
    with engine.begin() as conn:  # inserts pass the triggers: only the chain catches this
        conn.execute(text(
            "INSERT INTO audit_event (at, actor_username, action, object_type, details) "
            "VALUES ('2026-01-01 00:00:00', 'admin', 'registration.read', 'registration', "
            "'{}')"))
        forged = conn.execute(text("SELECT max(id) FROM audit_event")).scalar_one()
    report = verify(app)
    assert report.broken_at == forged
    assert "without a MAC" in report.reason


def test_a_cut_tail_is_found_with_the_exported_head(client: TestClient, app: FastAPI,
                                                   engine: Engine) -> None:
    ids = some_events(client, engine)
    crypto = app.state.crypto
    head = audit_chain.export_head(engine=engine, crypto=crypto)
    assert head["last_id"] == ids[-1]
    assert audit_chain.check_head(engine=engine, crypto=crypto, head=head) is None
    forged = {**head, "events": head["events"] + 1}
    assert "signature" in str(audit_chain.check_head(engine=engine, crypto=crypto, head=forged))
    with triggers_dropped(engine), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id >= :id"), {"id": ids[-3]})
    assert verify(app).intact  # a shorter chain is still a chain ...
    problem = audit_chain.check_head(engine=engine, crypto=crypto, head=head)
    assert problem is not None  # ... which the exported head shows was cut short
    assert "cut short" in problem


def refused_in_a_savepoint(session: Session) -> None:
    with session.begin_nested():
        record_event(session=session, actor=SYSTEM, action="test.dropped", object_type="test")
        raise RuntimeError("refused")


def test_events_of_a_rolled_back_savepoint_are_dropped(app: FastAPI, engine: Engine) -> None:
    with session_scope(engine) as session:
        record_event(session=session, actor=SYSTEM, action="test.kept", object_type="test")
        with pytest.raises(RuntimeError, match="refused"):
            refused_in_a_savepoint(session)
        with session.begin_nested():
            record_event(session=session, actor=SYSTEM, action="test.nested",
                         object_type="test")
    with Session(engine) as session:
        actions = session.exec(select(AuditEvent.action).where(
            col(AuditEvent.action).startswith("test."))).all()
    assert sorted(actions) == ["test.kept", "test.nested"]
    assert verify(app).intact


def test_a_released_savepoint_leaves_its_events_to_the_outer_commit(app: FastAPI,
                                                                     engine: Engine) -> None:
    """The chain is locked and written once, when the whole transaction commits: a savepoint
    (as a registration's insert uses) must not take the chain's lock for the rest of the
    transaction, which would serialise every registration behind the slowest one."""
    with session_scope(engine) as session:
        with session.begin_nested():
            record_event(session=session, actor=SYSTEM, action="test.nested",
                         object_type="test")
        written_before_commit = session.exec(select(AuditEvent.action).where(
            AuditEvent.action == "test.nested")).all()
    assert written_before_commit == []
    with Session(engine) as session:
        assert session.exec(select(AuditEvent.action).where(
            AuditEvent.action == "test.nested")).all() == ["test.nested"]
    assert verify(app).intact


@pytest.mark.parametrize("channel", ["api", "web"])
@pytest.mark.parametrize("who", ["known", "unknown"])
def test_every_failed_login_is_audited_with_the_account_name(
        client: TestClient, engine: Engine, channel: str, who: str) -> None:
    name = make_user(engine, f"clerk-{uuid.uuid4().hex[:6]}", "registration_officer", ["TRP"])
    if who == "unknown":
        name = f"nobody-{uuid.uuid4().hex[:6]}"
    if channel == "api":
        response = client.post("/api/v1/auth/token",
                               data={"username": name, "password": "wrong " + PASSWORD})
    else:
        page = client.get("/login")
        response = client.post("/login", data={"username": name, "password": "wrong",
                                               "csrf_token": csrf_from(page.text)},
                               headers={"Origin": "http://testserver"})
    assert response.status_code == 401
    with Session(engine) as session:
        events = session.exec(select(AuditEvent).where(
            AuditEvent.action == "auth.failed")).all()
    assert len(events) == 1
    details = events[0].details
    assert f'"username": "{name}"' in details
    assert f'"channel": "{channel}"' in details
    assert ('"reason": "unknown_user"' in details) == (who == "unknown")
    assert (events[0].object_id is None) == (who == "unknown")


def run_as(engine: Engine, role: str, statement: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"SET LOCAL ROLE {role}"))
        conn.execute(text(statement))


@pytest.mark.skipif(not PG_URL, reason="grants are PostgreSQL's")
def test_the_application_role_cannot_change_or_remove_audit_events(
        client: TestClient, engine: Engine) -> None:
    some_events(client, engine)
    role = f"ddr_app_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role}"))
        for statement in app_role_grants(role):
            conn.execute(text(statement))
    try:
        with triggers_dropped(engine):  # the grants hold without the triggers
            for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event",
                              "TRUNCATE audit_event", "DELETE FROM custody_event"):
                with pytest.raises(DBAPIError, match="permission denied"):
                    run_as(engine, role, statement)
            with engine.begin() as conn:  # what the service does is still allowed
                conn.execute(text(f"SET LOCAL ROLE {role}"))
                conn.execute(text(
                    "INSERT INTO audit_event (at, action, object_type, details) "
                    "VALUES (now(), 'test.insert', 'test', '{}')"))
                assert conn.execute(text("SELECT count(*) FROM registration")).scalar_one() > 0
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
