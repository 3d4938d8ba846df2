"""Candidate pairs the matcher recorded for human review, and their decisions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import UniqueConstraint
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
    status: str = Field(default="open", max_length=24, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")


def ordered(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """The stored order of a pair of registration ids."""
    return (a, b) if str(a) < str(b) else (b, a)
