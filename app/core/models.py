"""Tables of the platform core: the key check and the append-only audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel
from sqlmodel.main import finish_init

_M = TypeVar("_M", bound=SQLModel)


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC (how every timestamp is stored)."""
    return datetime.now(UTC)


def new_row(model: type[_M], **values: Any) -> _M:
    """``model(**values)`` for a new row that a plain statement inserts
    (:mod:`app.core.direct`), never the session: the same field values, defaults filled in,
    without SQLModel's set-up attribute by attribute (each one an ORM change event and a
    pydantic hook; building a registration's two rows cost more than encrypting it).
    Attributes set afterwards go through the ORM as usual."""
    fields = model.model_fields
    unknown = values.keys() - fields.keys()
    if unknown:
        raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    token = finish_init.set(False)  # the ORM's part of __init__ only: the instance's state
    try:
        instance = model()
    finally:
        finish_init.reset(token)
    row = dict(values)
    for name, field in fields.items():
        if name not in row and not field.is_required():  # a required one stays unset
            row[name] = field.get_default(call_default_factory=True)
    instance.__dict__.update(row)
    object.__setattr__(instance, "__pydantic_fields_set__", set(values))
    return instance


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
