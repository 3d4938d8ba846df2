"""What the review queue API takes and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.core.strict import PageNumber, Strict
from app.registry.schemas import Reason, RegistrationOut, RegistrationStub

Decision = Literal["same_person", "different_persons", "not_sure"]
QueueStatus = Literal["open", "escalated", "awaiting_supervisor", "decided"]
QueueOrder = Literal["score", "age", "uncertain"]


class QueueFilters(Strict):
    """Which pairs a reviewer wants to see, in which order."""

    site: str | None = Field(default=None, max_length=8, examples=["TRP"])
    band: Literal["match", "possible"] | None = None
    status: QueueStatus = "open"
    since: date | None = None
    until: date | None = None
    order: QueueOrder = Field(
        default="score", description="score (highest first, then oldest), age (oldest first) "
        "or uncertain (the pairs the model is least sure about first: active learning)")
    page: PageNumber = 1
    page_size: int = Field(default=25, ge=1, le=200)


class SignalOut(BaseModel):
    """A fraud or integrity signal, without the shared value itself."""

    id: uuid.UUID
    kind: str
    status: str
    message: str
    template: str
    params: dict[str, str] = {}
    registrations: list[RegistrationStub] = []
    created_at: datetime


class PairItem(BaseModel):
    """One line of the queue: no identifying data (the side-by-side view has it, audited)."""

    id: uuid.UUID
    score: float
    band: str
    status: str
    source: str
    version: int
    site_a: str | None
    site_b: str | None
    registration_a: RegistrationStub
    registration_b: RegistrationStub
    created_at: datetime
    age_hours: float
    urgent: bool = Field(default=False, description="a likely duplicate saved without a "
                         "decision at the desk: first in the queue")
    signals: list[str] = []


class SiteCount(BaseModel):
    """Open pairs touching a site."""

    site: str
    open: int


class QueueOut(BaseModel):
    """A page of the queue with its counts."""

    items: list[PairItem]
    total: int
    page: int
    page_size: int
    counts: list[SiteCount]
    oldest_open_hours: float | None
    signals: list[SignalOut] = []


class FieldRow(BaseModel):
    """One line of the side-by-side view."""

    field: str
    a: str | None
    b: str | None
    same: bool


class PersonSide(BaseModel):
    """The person behind one side of a pair, and what else is linked to them."""

    id: uuid.UUID
    status: str
    is_child: bool
    pathway: str
    created_at: datetime
    viewable: bool = Field(default=False, description="whether the reviewer may open this "
                           "person's page (a registration at one of the reviewer's sites)")
    other_registrations: list[RegistrationStub]
    open_cases: int
    payments: int


class MergePlan(BaseModel):
    """What a `same person` decision would do."""

    survivor_id: uuid.UUID
    merged_id: uuid.UUID
    registrations_moving: int
    cases_moving: int
    payments_moving: int
    kept: dict[str, str]
    needs_supervisor: bool
    already_same_person: bool


class DecisionRecord(BaseModel):
    """One decision in a pair's history."""

    decision: str
    status_after: str
    by: str | None
    at: datetime
    reason: str | None


class PairDetail(BaseModel):
    """The side-by-side view of a pair (identifying data: audited)."""

    pair: PairItem
    model_version: str
    score_now: float
    band_now: str
    a: RegistrationOut
    b: RegistrationOut
    rows: list[FieldRow]
    reasons: list[Reason]
    person_a: PersonSide
    person_b: PersonSide
    plan: MergePlan | None
    signals: list[SignalOut]
    history: list[DecisionRecord]
    can_undo: bool


class DecisionIn(Strict):
    """A reviewer's decision; `version` is the pair version the reviewer saw."""

    decision: Decision
    version: int = Field(ge=1)
    reason: str | None = Field(default=None, max_length=2000,
                               description="why (required for not_sure); stored encrypted")
    keep_person_id: uuid.UUID | None = Field(
        default=None, description="which person survives a merge (default: the older one)")


class UndoIn(Strict):
    """Why a merge is undone."""

    reason: str = Field(min_length=3, max_length=2000)


class SignalDecisionIn(Strict):
    """Clear a signal (explained) or confirm it (referred as fraud)."""

    status: Literal["cleared", "confirmed"]
    reason: str = Field(min_length=3, max_length=2000)


class DecisionOut(BaseModel):
    """What a decision did."""

    pair_id: uuid.UUID
    status: str
    version: int
    merged: bool = False
    merge_id: uuid.UUID | None = None
    survivor_id: uuid.UUID | None = None
    needs_supervisor: bool = False
    message: str


class CandidateView(BaseModel):
    """A candidate of a draft side by side, as the desk may see it to decide: names and dates
    only (no identifiers, no affiliation)."""

    registration_id: uuid.UUID
    registration_number: str
    person_id: uuid.UUID
    site: str
    registered_on: date
    sex: str
    nationality: str
    date_of_birth: str | None
    dob_precision: str | None
    given_name: str | None
    father_name: str | None
    grandfather_name: str | None
    family_name: str | None
    mother_name: str | None
    alias: str | None
    restricted: bool = Field(description="registered at a site outside yours")


class CandidateViewIn(Strict):
    """Which draft asks to see a candidate, with the token its duplicate check gave."""

    draft_id: uuid.UUID = Field(description="the `id` of the registration being typed")
    token: str | None = Field(default=None, max_length=200,
                              description="the candidate's `link_token` from the check")
