"""Tables of the platform core: the key check and the append-only audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC (how every timestamp is stored)."""
    return datetime.now(UTC)


class KeyCheck(SQLModel, table=True):
    """A ciphertext of a known constant: proves at start that the master key is the right one."""

    __tablename__ = "key_check"

    id: int = Field(default=1, primary_key=True)
    key_id: str = Field(max_length=8)
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """One thing someone did or read. Rows are only ever inserted (triggers refuse the rest)."""

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
