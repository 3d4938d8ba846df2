"""Statements run on the driver's cursor give what SQLAlchemy's own execution gives: the same
rows, converted the same way, and the same wrapped errors (on SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    bindparam,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from app.core.db import make_engine, session_scope
from app.core.direct import DirectInsertMany, DirectQuery

METADATA = MetaData()
THING = Table(
    "direct_test_thing", METADATA,
    Column("id", Uuid, primary_key=True),
    Column("owner", Uuid, nullable=True),
    Column("kind", String(20), nullable=False),
    Column("day", Date, nullable=True),
    Column("rank", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
)
KINDS = bindparam("kinds", expanding=True)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    METADATA.drop_all(engine)
    METADATA.create_all(engine)
    yield engine
    METADATA.drop_all(engine)
    engine.dispose()


def rows_of(count: int) -> list[dict[str, object]]:
    return [{"id": uuid.uuid4(), "owner": uuid.uuid4() if i % 3 else None,
             "kind": f"k{i % 4}", "day": date(2020, 1 + i % 12, 1 + i) if i % 2 else None,
             "rank": i, "active": i % 2 == 0} for i in range(count)]


def test_insert_many_in_power_of_two_chunks_reads_back_converted(engine: Engine) -> None:
    rows = rows_of(7)  # statements of 4, 2 and 1 rows
    insert = DirectInsertMany(THING, [c.key for c in THING.columns])
    with session_scope(engine) as session:
        insert.execute(session.connection(), rows)
    with session_scope(engine) as session:
        back = [dict(r._mapping) for r in session.connection().execute(
            select(THING).order_by(THING.c.rank)).all()]
    assert back == rows


def test_insert_many_raises_the_wrapped_integrity_error_and_keeps_nothing(
        engine: Engine) -> None:
    rows = rows_of(3)
    insert = DirectInsertMany(THING, [c.key for c in THING.columns])
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        insert.execute(session.connection(), [*rows, {**rows[0], "rank": 99}])
    with session_scope(engine) as session:
        assert session.connection().execute(select(func.count()).select_from(THING)).scalar() == 0


def test_query_gives_the_rows_and_values_of_sqlalchemy(engine: Engine) -> None:
    rows = rows_of(20)
    with session_scope(engine) as session:
        DirectInsertMany(THING, [c.key for c in THING.columns]).execute(
            session.connection(), rows)
    # an expanding parameter used twice, a single value with a bind processor (a UUID), a
    # LIMIT the statement holds, and UUID, date and boolean results
    statement = (select(THING.c.id, THING.c.owner, THING.c.day, THING.c.active,
                        func.count().over().label("total"))
                 .where(THING.c.kind.in_(KINDS),
                        THING.c.id.not_in(select(THING.c.id).where(
                            THING.c.kind.in_(KINDS), THING.c.rank > 16)),
                        THING.c.id != bindparam("not_id"))
                 .order_by(THING.c.rank).limit(4))
    query = DirectQuery(statement)
    cases = [["k1"], ["k1", "k2", "k3"], ["k0", "k2"], ["k1"], {"k0", "k3"}, []]
    with session_scope(engine) as session:
        connection = session.connection()
        for kinds in cases:
            params = {"kinds": kinds, "not_id": rows[1]["id"]}
            expected = connection.execute(statement, {**params, "kinds": list(kinds)}).all()
            got = query.all(connection, params)
            assert [tuple(r) for r in got] == [tuple(r) for r in expected]
            assert all(r.total == e.total for r, e in zip(got, expected, strict=True))
        got = query.all(connection, {"kinds": ["k1", "k3"], "not_id": rows[3]["id"]})
    assert len(got) == 4
    assert isinstance(got[0].id, uuid.UUID)
    assert got[0].id == rows[1]["id"]
    assert {type(r.day) for r in got} == {date}  # odd ranks have a day
    assert all(r.active is False for r in got)
    assert rows[3]["id"] not in {r.id for r in got}
