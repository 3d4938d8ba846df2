"""Request and response bodies of the returns API (`/api/v1/returns`)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.strict import Strict

Code3 = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                         pattern=r"^[A-Za-z]{3}$")]
Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Version = Annotated[int, Field(ge=1, description="the movement version this change is "
                                                 "based on")]


# -- countries -------------------------------------------------------------------------------


class Contact(Strict):
    """A person to reach about returns (stored encrypted)."""

    kind: Literal["embassy", "consulate", "focal_point", "partner"]
    name: Line
    function: Line = ""
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""


class CountryIn(Strict):
    """A country of origin's coordination details."""

    receiving_authority: Line = ""
    border_crossings: list[Line] = Field(default_factory=list, max_length=30)
    contacts: list[Contact] = Field(default_factory=list, max_length=30)


class CountryOut(BaseModel):
    """A country of origin as coordinators read it (contacts decrypted: an audited read)."""

    code: str
    name: str
    receiving_authority: str
    border_crossings: list[str]
    contacts: list[Contact]


# -- movements -------------------------------------------------------------------------------


class MovementIn(Strict):
    """Plan a movement: a convoy or flight to one country."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={
        "examples": [{"id": "6b1f0c2e-8d43-4f8a-9a57-0e3c2f1d4b6a", "country": "TCD",
                      "kind": "convoy", "route": "Sebha - Qatrun - Wour",
                      "border_crossing": "Wour", "planned_on": "2027-01-15",
                      "capacity": 40, "escort": "Joint escort, 4 vehicles"}]})
    id: uuid.UUID = Field(description="client-generated; the same id again creates nothing")
    country: Code3
    kind: Literal["convoy", "flight"]
    route: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=200)]
    border_crossing: Annotated[str, StringConstraints(strip_whitespace=True,
                                                      max_length=120)] = ""
    planned_on: date
    capacity: int = Field(ge=1, le=1000)
    escort: Line = ""


class ReturneesIn(Strict):
    """Add return cases to a planned movement."""

    cases: list[uuid.UUID] = Field(min_length=1, max_length=500)
    version: Version


class MovementStatusIn(Strict):
    """Move a movement on: confirmed, departed, arrived, cancelled (or back to planned)."""

    status: Literal["planned", "confirmed", "departed", "arrived", "cancelled"]
    version: Version
    on: date | None = Field(default=None, description="the day it happened (default: today)")


class Reason(BaseModel):
    """Why a returnee is not ready to travel."""

    code: str
    message: str


class ReturneeOut(BaseModel):
    """A returnee of a movement, with the readiness check."""

    case_id: uuid.UUID
    registration_number: str | None
    name: str | None
    site: str
    ready: bool
    reasons: list[Reason]


class MovementOut(BaseModel):
    """A movement with its returnees."""

    id: uuid.UUID
    country: str
    kind: str
    route: str
    border_crossing: str
    planned_on: date
    capacity: int
    escort: str
    status: str
    version: int
    departed_on: date | None
    arrived_on: date | None
    returnees: list[ReturneeOut]
    ready: int
    not_ready: int


class MovementRow(BaseModel):
    """A movement in a list (no names)."""

    id: uuid.UUID
    country: str
    kind: str
    route: str
    planned_on: date
    capacity: int
    status: str
    returnees: int


class CandidateOut(BaseModel):
    """A return case that could join a movement: of its country, open, on no movement."""

    case_id: uuid.UUID
    registration_number: str | None
    name: str | None
    site: str
    ready: bool
    reasons: list[Reason]


# -- the board -------------------------------------------------------------------------------


class CountryCounts(BaseModel):
    """One country's returnees by stage (contract 7)."""

    country: str
    registered: int
    verified: int
    consenting: int
    documented: int
    ready: int
    departed: int
    handed_over: int
    non_return: int


class BoardOut(BaseModel):
    """`GET /api/v1/returns/board` (contract 7)."""

    countries: list[CountryCounts]


class StageMedian(BaseModel):
    """Median days a stage took (from the stage before it), over the cases that passed it."""

    country: str
    stage: str
    median_days: float
    cases: int


class StuckCase(BaseModel):
    """An open return case that has waited long at its stage, and why."""

    case_id: uuid.UUID
    country: str
    stage: str
    registration_number: str | None
    name: str | None
    site: str
    days: int
    status: str
    attempts: int
    last_outcome: str | None
    reasons: list[Reason]


class BoardDetailsOut(BaseModel):
    """The board's figures behind the counts: median days per stage and who is stuck
    longest at each stage, and why."""

    medians: list[StageMedian]
    stuck: list[StuckCase]


class DocumentSearchIn(Strict):
    """Find return cases by travel document number (sent in the body, kept out of logs)."""

    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=100)]


class DocumentHolderOut(BaseModel):
    """A return case recorded with the travel document number searched."""

    case_id: uuid.UUID
    person_id: uuid.UUID
    registration_number: str | None
    country: str | None
    site: str
    status: str
    current_step: str | None


class ManifestIn(Strict):
    """Export a movement's manifest: the passphrase that encrypts the file, and why."""

    passphrase: Annotated[str, StringConstraints(min_length=12, max_length=200)]
    purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3,
                                              max_length=200)]
