"""Tables of return coordination: countries of origin with their focal points, and movements
(a convoy or a flight) with their returnees.

Country names, agreed crossings and receiving authorities are public facts and stay in clear;
the contacts of people (embassy staff, focal points, partners) are encrypted.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.models import utcnow
from reintegration.models import encrypted


class ReturnCountry(SQLModel, table=True):
    """A country of origin the register coordinates returns with."""

    __tablename__ = "return_country"

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("contacts",)

    code: str = Field(primary_key=True, max_length=3)  # ISO 3166-1 alpha-3
    receiving_authority: str = Field(default="", max_length=200)
    """The country's DDR authority that receives returnees."""
    border_crossings: str = Field(default="", sa_column=Column(Text, nullable=False,
                                                                default=""))
    """Agreed border crossings and airports, one a line."""
    contacts: bytes | None = encrypted()
    """Embassy or consular contacts, focal points and partners (encrypted JSON list)."""
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class Movement(SQLModel, table=True):
    """A convoy or flight taking returnees to one country: planned, confirmed, departed,
    arrived (or cancelled)."""

    __tablename__ = "movement"
    __table_args__ = (Index("ix_movement_country", "country_code", "status", "planned_on"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    """Client-generated: a retried request with the same id creates nothing more."""
    country_code: str = Field(max_length=3)
    kind: str = Field(max_length=8)  # convoy / flight
    route: str = Field(max_length=200)
    border_crossing: str = Field(default="", max_length=120)
    planned_on: date
    capacity: int
    escort: str = Field(default="", max_length=200)
    status: str = Field(default="planned", max_length=12)
    version: int = Field(default=1)
    departed_on: date | None = None
    arrived_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=utcnow)


class MovementReturnee(SQLModel, table=True):
    """A return case on a movement."""

    __tablename__ = "movement_returnee"
    __table_args__ = (UniqueConstraint("movement_id", "case_id", name="uq_movement_returnee"),
                      Index("ix_movement_returnee_case", "case_id"))

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    movement_id: uuid.UUID = Field(foreign_key="movement.id")
    case_id: uuid.UUID = Field(foreign_key="reintegration_case.id")
    added_at: datetime = Field(default_factory=utcnow)
    added_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class TravelDocumentIndex(SQLModel, table=True):
    """The blind index of a return case's travel document number (the number itself is
    encrypted with the step's other values): finds a case by its number, and shows the same
    number recorded on two persons. Rebuilt under the primary key version by `ddr keys
    rotate`."""

    __tablename__ = "return_document_index"

    case_id: uuid.UUID = Field(foreign_key="reintegration_case.id", primary_key=True)
    digest: str = Field(max_length=64, index=True)
