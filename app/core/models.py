"""Tables of the platform core: the key check, the append-only audit log, background jobs."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC (how every timestamp is stored)."""
    return datetime.now(UTC)


def ordered_id() -> uuid.UUID:
    """A new random id that sorts by creation time: a UUIDv7 (RFC 9562), 48 bits of Unix
    time in milliseconds, the version and variant, then 74 random bits. Rows inserted
    together land side by side, at the end of every index their id leads (a random id puts
    each row of a large table on a page of its own)."""
    milliseconds = time.time_ns() // 1_000_000
    random = int.from_bytes(os.urandom(10), "big")  # 80 bits, 74 of them used
    return uuid.UUID(int=(milliseconds & (1 << 48) - 1) << 80 | 0x7 << 76
                     | (random >> 68) << 64 | 0b10 << 62 | random & (1 << 62) - 1)


class KeyCheck(SQLModel, table=True):
    """A ciphertext of a known constant: proves at start that the master key is the right one."""

    __tablename__ = "key_check"

    id: int = Field(default=1, primary_key=True)
    key_id: str = Field(max_length=8)
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """One thing someone did or read. Rows are only ever inserted (triggers and grants refuse
    the rest), each chained to the one before by an HMAC."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_object", "object_type", "object_id"),
        Index("ix_audit_event_actor_at", "actor_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None)
    actor_username: str | None = Field(default=None, max_length=80)
    actor_role: str | None = Field(default=None, max_length=40)
    action: str = Field(max_length=80, index=True)
    object_type: str = Field(max_length=40)
    object_id: str | None = Field(default=None, max_length=64)
    site_code: str | None = Field(default=None, max_length=8)
    request_id: str | None = Field(default=None, max_length=64)
    details: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    # the tamper-evident chain (app.core.audit_chain): the key version that sealed the event
    # and HMAC-SHA256(chain key, previous event's MAC + this event), hex
    chain_key_id: str | None = Field(default=None, max_length=8)
    chain_mac: str | None = Field(default=None, max_length=64)


class Job(SQLModel, table=True):
    """A piece of heavy work run in the background (e.g. training a match model), with its
    progress for the page that follows it. No identifying values in any column."""

    __tablename__ = "job"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    status: str = Field(default="queued", max_length=16)  # see app.core.jobs.TRANSITIONS
    stage: str = Field(default="", max_length=40)
    done: int = Field(default=0)
    total: int = Field(default=0)
    message: str = Field(default="", max_length=500)
    result: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    created_by_id: int | None = Field(default=None)
    created_by: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
