"""Background jobs: heavy work started from a page, run off the request path (after the
response is sent), and a page that follows its progress.

A job row is created in the request's transaction; the work then runs in its own units of
work, reporting its stage and progress, and ends `done` with a result or `failed` with a
message. Results and messages carry figures and versions only, never identifying values. A
job whose process ended while it ran stops reporting: after :data:`STALE` it is shown as
interrupted.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app.core.audit import record_event
from app.core.db import session_scope
from app.core.errors import Conflict, DomainError, NotFound
from app.core.models import Job, utcnow
from app.core.roles import Role
from app.core.security import Principal

log = logging.getLogger(__name__)

STALE = timedelta(minutes=10)
"""A running job that reported nothing for this long is shown as interrupted."""
REPORT_EVERY = 0.5
"""Seconds between two progress reports written for one job (a stage change always is)."""


class JobStatus(StrEnum):
    """Where a job stands."""

    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.queued: frozenset({JobStatus.running, JobStatus.failed}),
    JobStatus.running: frozenset({JobStatus.done, JobStatus.failed}),
    JobStatus.done: frozenset(),
    JobStatus.failed: frozenset(),
}
"""From each status, the statuses a job may move to."""

Progress = Callable[[str, int, int], None]
"""Reports a stage and how far it is (done, total)."""
Work = Callable[[Progress], Mapping[str, Any]]
"""The work of a job: given a progress callback, returns its result (figures only)."""


def create_job(*, session: Session, actor: Principal, kind: str) -> Job:
    """Queue a job (audited); start it with :func:`run_job` once the request has committed."""
    job = Job(kind=kind, created_by_id=actor.id, created_by=actor.username)
    session.add(job)
    session.flush()
    record_event(session=session, actor=actor, action="job.create", object_type="job",
                 object_id=str(job.id), details={"kind": kind})
    return job


def _move(engine: Engine, job_id: uuid.UUID, before: JobStatus, after: JobStatus,
          **values: Any) -> None:
    """Move a job from `before` to `after` (allowed by :data:`TRANSITIONS`), with values."""
    if after not in TRANSITIONS[before]:
        raise Conflict(f"a job cannot go from {before} to {after}")
    now = utcnow()
    with session_scope(engine) as session:
        moved = session.execute(update(Job).where(col(Job.id) == job_id,
                                                  col(Job.status) == before.value)
                                .values(status=after.value, updated_at=now, **values))
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("the job changed meanwhile")


def run_job(*, engine: Engine, job_id: uuid.UUID, work: Work) -> None:
    """Run a queued job's work, recording its progress and how it ended."""
    _move(engine, job_id, JobStatus.queued, JobStatus.running, started_at=utcnow())
    last: list[tuple[str, float]] = [("", 0.0)]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        stage_before, at = last[0]
        if stage == stage_before and now - at < REPORT_EVERY and done < total:
            return
        last[0] = (stage, now)
        with session_scope(engine) as session:
            session.execute(update(Job).where(col(Job.id) == job_id).values(
                stage=stage[:40], done=done, total=total, updated_at=utcnow()))

    try:
        result = work(progress)
    except (DomainError, ValueError) as exc:
        _move(engine, job_id, JobStatus.running, JobStatus.failed, finished_at=utcnow(),
              message=str(exc)[:500])
    except Exception as exc:  # logged by type only: the text may carry values
        log.error("job %s failed: %s", job_id, type(exc).__name__)
        _move(engine, job_id, JobStatus.running, JobStatus.failed, finished_at=utcnow(),
              message=f"internal error ({type(exc).__name__})")
    else:
        _move(engine, job_id, JobStatus.running, JobStatus.done, finished_at=utcnow(),
              result=json.dumps(dict(result), sort_keys=True, default=str))


def get_job(*, session: Session, actor: Principal, job_id: uuid.UUID) -> Job:
    """A job its creator or an administrator follows (others: not found)."""
    job = session.get(Job, job_id, populate_existing=True)
    if job is None or (actor.role != Role.admin and job.created_by_id != actor.id):
        raise NotFound("job not found")
    return job


def interrupted(job: Job) -> bool:
    """Whether a running job stopped reporting (its process ended)."""
    updated = job.updated_at if job.updated_at.tzinfo else job.updated_at.replace(
        tzinfo=utcnow().tzinfo)
    return job.status == JobStatus.running and utcnow() - updated > STALE
