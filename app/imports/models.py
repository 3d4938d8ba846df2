"""Tables of imports: the import history (one job per file imported) and the rows of its
report. The file itself is kept only encrypted, and only until its job has run."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from app.core.models import utcnow
from app.registry.models import encrypted


class ImportJob(SQLModel, table=True):
    """One file imported (or checked, in a dry run): who, which file (its SHA-256), when,
    how it was read and mapped, and what became of its rows."""

    __tablename__ = "import_job"
    __table_args__ = (Index("ix_import_job_by_created", "created_by_id", "created_at"),)

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("file_name", "content")

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_by_username: str = Field(max_length=80)
    status: str = Field(default="draft", max_length=16, index=True)
    dry_run: bool = Field(default=False)
    file_sha256: str = Field(max_length=64, index=True)
    file_size: int = Field(default=0)
    file_format: str = Field(max_length=8)  # csv / xlsx
    encoding: str | None = Field(default=None, max_length=24)
    delimiter: str | None = Field(default=None, max_length=4)
    sheet: str | None = Field(default=None, max_length=64)
    site_code: str | None = Field(default=None, foreign_key="site.code", max_length=8)
    # the file's header row (JSON) and the column mapping (YAML): column names and value
    # codes, no participant's data
    header: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    mapping: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    consent_attested: bool = Field(default=False)
    consent_attested_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    consent_attested_at: datetime | None = None
    rows_processed: int = Field(default=0)
    accepted: int = Field(default=0)
    rejected: int = Field(default=0)
    flagged: int = Field(default=0)
    duplicates: int = Field(default=0)
    skipped: int = Field(default=0)
    # stored rows whose likely or possible duplicate was handed over to their country of origin
    do_not_reenter: int = Field(default=0)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)
    error: str | None = Field(default=None, max_length=300)  # never a participant's data
    file_name: bytes | None = encrypted()
    content: bytes | None = encrypted()  # the uploaded file until its job has run


class ImportRow(SQLModel, table=True):
    """A row of an import's report: rejected (with its cells, encrypted, for the rejects
    file), or stored with something to review (its registration)."""

    __tablename__ = "import_row"
    __table_args__ = (Index("ix_import_row_job", "job_id", "row_number"),)

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("cells",)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    job_id: uuid.UUID = Field(foreign_key="import_job.id")
    row_number: int  # as a spreadsheet numbers it: the header is row 1
    outcome: str = Field(max_length=16)
    registration_id: uuid.UUID | None = Field(default=None, foreign_key="registration.id")
    # JSON list of {"field", "message"} (rejected) or of finding kinds (stored rows): the
    # fixed English texts, translated when shown; never a submitted value
    problems: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    cells: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
