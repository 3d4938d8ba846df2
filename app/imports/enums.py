"""Closed vocabularies of imports: a job's states and what became of a row."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """Where an import job stands."""

    draft = "draft"  # uploaded, columns being mapped (web)
    queued = "queued"  # confirmed, waiting for its thread
    running = "running"
    done = "done"
    failed = "failed"  # the file could not be read to the end; committed batches stay


TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.draft: frozenset({JobStatus.queued}),
    JobStatus.queued: frozenset({JobStatus.running, JobStatus.failed}),
    JobStatus.running: frozenset({JobStatus.done, JobStatus.failed}),
    JobStatus.done: frozenset(),
    JobStatus.failed: frozenset(),
}
"""The allowed changes of a job's status."""

OPEN = frozenset({JobStatus.queued, JobStatus.running})


class RowOutcome(StrEnum):
    """What became of a row that the report lists (accepted rows without a finding are
    only counted)."""

    rejected = "rejected"  # not stored: the reasons say why
    flagged = "flagged"  # stored; a possible duplicate or an integrity signal to review
    duplicate = "duplicate"  # stored; a likely duplicate (a match) waits in the review queue
