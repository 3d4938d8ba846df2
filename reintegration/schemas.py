"""Request and response bodies of the case API (contract 7 in DESIGN.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.strict import MAX_ROW_ID, Flag, Strict
from reintegration.enums import CloseReason, PaymentMethod, ReferralStatus, Service, StepStatus

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Version = Annotated[int, Field(ge=1, description="the case version this change is based on")]
Amount = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=3,
                                  description="in the currency's main unit (LYD), e.g. 500")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


# -- requests --------------------------------------------------------------------------------


class StepIn(Strict):
    """Move a step: its new status, the case version seen, and what the step records."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"status": "done", "version": 3, "data": {
            "outcome": "eligible", "membership_verification": "commander_list",
            "verified_by": "Officer of the screening committee"}}]})
    status: StepStatus
    version: Version
    data: dict[str, Any] = Field(default_factory=dict,
                                 description="values of the step's fields (see the pathway)")
    on: date | None = Field(default=None, description="the day it happened (default: today)")
    note: Note | None = Field(default=None, description="free text for the timeline "
                                                        "(encrypted)")


class AssignIn(Strict):
    """Give the case to a case manager (null: to nobody)."""

    assigned_to: Annotated[int, Field(ge=1, le=MAX_ROW_ID)] | None
    version: Version


class NoteIn(Strict):
    """A note on the case timeline (encrypted)."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    version: Version


class StatusIn(Strict):
    """Suspend, resume, close (with a reason) or reopen a case."""

    status: Literal["open", "suspended", "closed"]
    reason: CloseReason | None = Field(default=None, description="required to close")
    note: Note | None = None
    version: Version


class InstalmentIn(Strict):
    """A planned instalment."""

    number: int = Field(ge=1, le=60)
    amount: Amount
    currency: Currency = "LYD"
    due_on: date


class InstalmentsIn(Strict):
    """The instalments still to pay, as they should be: those not listed are cancelled; paid
    ones never change."""

    instalments: list[InstalmentIn] = Field(max_length=60)
    version: Version


class PaymentIn(Strict):
    """A payment of a planned instalment."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"instalment": 1, "amount": "500", "currency": "LYD", "paid_on": "2026-12-01",
         "method": "cash", "reference": "RCPT-2026-0042", "version": 7}]})
    instalment: int = Field(ge=1, le=60)
    amount: Amount
    currency: Currency = "LYD"
    paid_on: date
    method: PaymentMethod
    reference: Annotated[str, StringConstraints(strip_whitespace=True,
                                                max_length=100)] | None = None
    version: Version


class ReferralIn(Strict):
    """Refer the case to a provider for a service."""

    provider_id: uuid.UUID
    service: Service
    step: str | None = Field(default=None, description="the step it serves (e.g. enrolled)")
    sent_on: date | None = None
    note: Note | None = None
    version: Version


class ReferralUpdateIn(Strict):
    """The provider's answer or the referral's end."""

    status: ReferralStatus
    on: date | None = None
    reason: Note | None = Field(default=None, description="required when rejected")
    feedback: Note | None = None
    version: Version


class ProviderIn(Strict):
    """A service provider."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    services: list[Service] = Field(min_length=1)
    site: str | None = Field(default=None, description="the site it serves; none: everywhere")
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    contact: Note | None = Field(default=None, description="contact person and phone "
                                                           "(encrypted)")


class ProviderPatch(Strict):
    """Changes to a provider."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2,
                                           max_length=200)] | None = None
    services: list[Service] | None = None
    site: str | None = None
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    contact: Note | None = None
    active: Flag | None = None


class BoardFilters(BaseModel):
    """What the board shows: whose cases, which site and pathway."""

    model_config = ConfigDict(extra="forbid")
    scope: Literal["mine", "sites"] | None = Field(
        default=None, description="mine: cases assigned to me (case managers' default); "
                                  "sites: every case of my sites")
    site: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,8}$")] | None = None
    pathway: Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,32}$")] | None = None
    limit: int = Field(default=25, ge=1, le=200)


# -- responses -------------------------------------------------------------------------------


class UserRef(BaseModel):
    """A user, by id and name."""

    id: int
    username: str


class StepOut(BaseModel):
    """A step of a case."""

    key: str
    title: str
    status: str
    due_on: date | None
    started_on: date | None
    settled_on: date | None
    attempts: int
    outcome: str | None
    values: dict[str, Any]
    restricted: bool = Field(description="encrypted values hidden: the step needs an "
                                         "authorisation the reader lacks")


class EventOut(BaseModel):
    """An entry of the case timeline."""

    version: int
    at: datetime
    happened_on: date
    kind: str
    step: str | None
    status_before: str | None
    status_after: str | None
    actor: str
    facts: dict[str, Any]
    note: str | None = None
    values: dict[str, Any] = Field(default_factory=dict)


class ReferralOut(BaseModel):
    """A referral with the provider's answer."""

    id: uuid.UUID
    provider_id: uuid.UUID
    provider: str
    service: str
    step: str | None
    status: str
    sent_on: date
    responded_on: date | None
    finished_on: date | None
    reason: str | None
    feedback: str | None
    next_statuses: list[str]


class InstalmentOut(BaseModel):
    """A planned instalment and its payment."""

    number: int
    amount: Decimal
    currency: str
    due_on: date
    status: str
    paid_on: date | None = None
    method: str | None = None
    reference: str | None = None


class CaseOut(BaseModel):
    """A case: its pathway's steps, timeline, referrals and payments."""

    id: uuid.UUID
    person_id: uuid.UUID
    registration_id: uuid.UUID | None
    registration_number: str | None
    name: str | None = Field(description="the person's name (identifying: the read is "
                                         "audited)")
    pathway: str
    pathway_version: int
    status: str
    close_reason: str | None
    version: int
    site: str
    assigned_to: UserRef | None
    opened_on: date
    current_step: str | None
    next_due_on: date | None
    steps: list[StepOut]
    events: list[EventOut]
    referrals: list[ReferralOut]
    instalments: list[InstalmentOut]
    other_open_cases: list[uuid.UUID] = Field(
        description="other open cases of the same person on this pathway (after a merge)")


class CaseRow(BaseModel):
    """A case in a list."""

    id: uuid.UUID
    person_id: uuid.UUID
    registration_number: str | None
    name: str | None
    pathway: str
    status: str
    site: str
    current_step: str | None
    next_due_on: date | None
    assigned_to: str | None
    version: int


class StepRow(BaseModel):
    """A case due or overdue, with the step that falls due first."""

    case: CaseRow
    step: str
    status: str
    due_on: date
    days_overdue: int


class Count(BaseModel):
    """A count under a key."""

    key: str
    count: int


class StepCount(BaseModel):
    """Open cases at a step of a pathway."""

    pathway: str
    step: str | None
    count: int


class BoardOut(BaseModel):
    """A case manager's board."""

    today: date
    scope: str
    my_cases: list[CaseRow]
    my_cases_total: int
    unassigned: list[CaseRow]
    unassigned_total: int
    due_this_week: list[StepRow] = Field(
        description="open cases whose next step falls due in the coming seven days")
    due_this_week_total: int
    overdue: list[StepRow] = Field(
        description="open cases with a step overdue, most overdue first (each case once, "
                    "with its most overdue step)")
    overdue_total: int
    by_status: list[Count]
    by_step: list[StepCount]


class WorkloadRow(BaseModel):
    """One case manager's load."""

    user: UserRef
    role: str
    sites: list[str]
    open_cases: int
    overdue: int = Field(description="open cases with a step overdue")
    due_this_week: int = Field(description="open cases whose next step falls due this week")


class WorkloadOut(BaseModel):
    """Case managers' workloads at the supervisor's sites."""

    rows: list[WorkloadRow]
    unassigned: int


class ProviderOut(BaseModel):
    """A service provider."""

    id: uuid.UUID
    name: str
    services: list[str]
    site: str | None
    location: str
    contact: str | None
    active: bool


class CaseListOut(BaseModel):
    """A page of cases."""

    total: int
    page: int
    page_size: int
    items: list[CaseRow]


class TransitionOut(BaseModel):
    """A move a step allows, and who may make it."""

    model_config = ConfigDict(populate_by_name=True)
    from_: str = Field(alias="from")
    to: str
    roles: list[str]


class FieldOut(BaseModel):
    """A value a step records."""

    name: str
    label: str
    kind: str
    options: list[str]
    required: bool
    outcome: bool
    encrypted: bool


class DueOut(BaseModel):
    """When a step falls due: days after the opening or after another step."""

    days: int
    after: str | None


class PathwayStepOut(BaseModel):
    """A step of a pathway definition."""

    key: str
    title: str
    description: str
    statuses: list[str]
    initial: str
    transitions: list[TransitionOut]
    roles: list[str]
    authorisation: str | None
    prerequisites: list[dict[str, Any]]
    due: DueOut | None
    fields: list[FieldOut]
    branches: list[dict[str, Any]]
    attempts: bool
    instalments: dict[str, Any] | None


class PathwayOut(BaseModel):
    """A versioned pathway definition."""

    key: str
    version: int
    title: str
    description: str
    roles: list[str]
    visible_with: str | None
    all_sites_with: str | None
    close_reasons: list[str]
    steps: list[PathwayStepOut]
