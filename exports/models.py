"""Tables of the exports domain: the disclosure threshold in force, and the register of
individual-level exports (who, why, which fields, until when; never the rows themselves)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlmodel import Field, SQLModel

from app.core.models import utcnow


class DisclosureSetting(SQLModel, table=True):
    """The suppression threshold in force (one row; absent: the default)."""

    __tablename__ = "disclosure_setting"

    id: int = Field(default=1, primary_key=True)
    threshold: int
    changed_at: datetime = Field(default_factory=utcnow)
    changed_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class IndividualExport(SQLModel, table=True):
    """One individual-level export: its purpose, fields, expiry and the file's digest."""

    __tablename__ = "individual_export"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_by_username: str = Field(max_length=80)
    purpose: str = Field(max_length=300)
    fields: str = Field(max_length=1000)  # comma-separated field names
    site_code: str | None = Field(default=None, foreign_key="site.code", max_length=8)
    expires_on: date
    row_count: int
    file_sha256: str = Field(max_length=64)
