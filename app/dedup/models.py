"""Candidate pairs the matcher recorded for human review, and their decisions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.models import utcnow


class CandidatePair(SQLModel, table=True):
    """Two registrations that may be one person; ids ordered so each pair is stored once."""

    __tablename__ = "candidate_pair"
    __table_args__ = (
        UniqueConstraint("registration_a_id", "registration_b_id", name="uq_candidate_pair"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    registration_a_id: uuid.UUID = Field(foreign_key="registration.id", index=True)
    registration_b_id: uuid.UUID = Field(foreign_key="registration.id", index=True)
    score: float
    decision: str = Field(max_length=16, index=True)  # match / possible
    model_version: str = Field(max_length=40)
    source: str = Field(max_length=16)  # registration / batch / import
    # open / escalated (not sure) / awaiting_supervisor (guarded merge) / same_person /
    # different_persons / superseded (settled by a decision on another pair of the same persons)
    status: str = Field(default="open", max_length=24, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    # sites of the two registrations (clear: codes only), for the per-site queue
    site_a: str | None = Field(default=None, max_length=8, index=True)
    site_b: str | None = Field(default=None, max_length=8, index=True)
    # optimistic concurrency: a decision names the version it saw
    version: int = Field(default=1)
    # URGENT: a likely duplicate saved without a decision at the desk (first in the queue)
    priority: int = Field(default=0)


URGENT = 1
"""The priority of a pair saved as a likely duplicate nobody decided at the desk."""


def ordered(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """The stored order of a pair of registration ids."""
    return (a, b) if str(a) < str(b) else (b, a)


class PairDecision(SQLModel, table=True):
    """One reviewer's decision on a pair, kept forever (the pair holds only the latest)."""

    __tablename__ = "pair_decision"

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("reason",)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    pair_id: uuid.UUID = Field(foreign_key="candidate_pair.id", index=True)
    decision: str = Field(max_length=24)  # same_person / different_persons / not_sure / undo …
    status_before: str = Field(max_length=24)
    status_after: str = Field(max_length=24)
    by_id: int | None = Field(default=None, foreign_key="app_user.id")
    at: datetime = Field(default_factory=utcnow)
    merge_id: uuid.UUID | None = Field(default=None, foreign_key="person_merge.id")
    reason: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class PersonMerge(SQLModel, table=True):
    """A merge of one person into another, with what it moved, so that it can be undone."""

    __tablename__ = "person_merge"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    pair_id: uuid.UUID = Field(foreign_key="candidate_pair.id", index=True)
    survivor_id: uuid.UUID = Field(foreign_key="person.id", index=True)
    merged_id: uuid.UUID = Field(foreign_key="person.id", index=True)
    # JSON: registration, case and payment ids moved; the two persons' previous state; pairs
    # closed as a consequence. Ids and states only, no identifying values.
    moved: str = Field(sa_column=Column(Text, nullable=False))
    by_id: int | None = Field(default=None, foreign_key="app_user.id")
    confirmed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    at: datetime = Field(default_factory=utcnow)
    undone_at: datetime | None = None
    undone_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class IntegritySignal(SQLModel, table=True):
    """A fraud or integrity signal: registrations sharing something they should not."""

    __tablename__ = "integrity_signal"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_integrity_signal"),)

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("reason",)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=24, index=True)  # weapon_serial / shared_document / …
    key: str = Field(max_length=80)  # a blind index or an id: never a plaintext value
    status: str = Field(default="open", max_length=16, index=True)  # open / cleared / confirmed
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = None
    reason: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class SignalMember(SQLModel, table=True):
    """A registration taking part in a signal."""

    __tablename__ = "signal_member"

    signal_id: uuid.UUID = Field(foreign_key="integrity_signal.id", primary_key=True)
    registration_id: uuid.UUID = Field(foreign_key="registration.id", primary_key=True,
                                       index=True)


class MatchModelVersion(SQLModel, table=True):
    """A match model trained on reviewed decisions; an admin activates one at a time."""

    __tablename__ = "match_model_version"

    version: str = Field(primary_key=True, max_length=40)
    body: str = Field(sa_column=Column(Text, nullable=False))  # the model file (JSON)
    report: str = Field(sa_column=Column(Text, nullable=False))  # before/after figures (JSON)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    active: bool = Field(default=False)
    activated_at: datetime | None = None
    activated_by_id: int | None = Field(default=None, foreign_key="app_user.id")
