"""Background jobs: progress reported, a result or a message at the end, moves checked
against the transition table, interrupted jobs recognised."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.db import session_scope
from app.core.errors import Conflict, NotFound
from app.core.jobs import (
    STALE,
    TRANSITIONS,
    JobStatus,
    Progress,
    create_job,
    get_job,
    interrupted,
    run_job,
)
from app.core.models import Job, utcnow
from app.core.security import SYSTEM, Principal


def queued(engine: Engine) -> Job:
    with session_scope(engine) as session:
        return create_job(session=session, actor=SYSTEM, kind="test.work")


def read(engine: Engine, job: Job) -> Job:
    with Session(engine) as session:
        found = session.get(Job, job.id)
        assert found is not None
        return found


def test_a_job_reports_its_stages_and_ends_with_its_result(engine: Engine) -> None:
    job = queued(engine)
    seen: list[tuple[str, int, int, str]] = []

    def work(progress: Progress) -> dict[str, object]:
        for done in range(1, 4):
            progress("counting", done, 3)
            row = read(engine, job)
            seen.append((row.stage, row.done, row.total, row.status))
        return {"counted": 3}

    run_job(engine=engine, job_id=job.id, work=work)
    assert seen[0] == ("counting", 1, 3, "running")
    assert seen[-1] == ("counting", 3, 3, "running")  # the last step is always written
    row = read(engine, job)
    assert row.status == JobStatus.done
    assert json.loads(row.result) == {"counted": 3}
    assert row.started_at is not None
    assert row.finished_at is not None


def test_a_failing_job_keeps_a_message_never_a_value(engine: Engine) -> None:
    job = queued(engine)

    def refuses(progress: Progress) -> dict[str, object]:
        raise ValueError("need at least 20 reviewed pairs")

    run_job(engine=engine, job_id=job.id, work=refuses)
    assert (read(engine, job).status, read(engine, job).message) == (
        "failed", "need at least 20 reviewed pairs")
    other = queued(engine)

    def crashes(progress: Progress) -> dict[str, object]:
        raise KeyError("محمد الورفلي")

    run_job(engine=engine, job_id=other.id, work=crashes)
    assert read(engine, other).message == "internal error (KeyError)"
    with pytest.raises(Conflict):  # a finished job never runs again
        run_job(engine=engine, job_id=other.id, work=crashes)


def test_moves_follow_the_table() -> None:
    assert TRANSITIONS[JobStatus.done] == frozenset()
    assert JobStatus.running in TRANSITIONS[JobStatus.queued]
    assert JobStatus.queued not in TRANSITIONS[JobStatus.running]


def test_jobs_are_seen_by_their_creator_or_an_admin(engine: Engine) -> None:
    creator = Principal(id=41, username="a", role="registration_officer")
    stranger = Principal(id=42, username="b", role="registration_officer")
    with session_scope(engine) as session:
        job = create_job(session=session, actor=creator, kind="test.work")
    with Session(engine) as session:
        assert get_job(session=session, actor=creator, job_id=job.id).id == job.id
        assert get_job(session=session, actor=SYSTEM, job_id=job.id).id == job.id
        with pytest.raises(NotFound):
            get_job(session=session, actor=stranger, job_id=job.id)


def test_a_running_job_that_stopped_reporting_is_interrupted(engine: Engine) -> None:
    job = queued(engine)
    with session_scope(engine) as session:
        session.execute(update(Job).where(Job.id == job.id).values(  # type: ignore[arg-type]
            status="running", updated_at=utcnow() - STALE - timedelta(seconds=1)))
    assert interrupted(read(engine, job))
    assert not interrupted(read(engine, queued(engine)))
