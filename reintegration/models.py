"""Tables of case work: cases and their steps, the append-only case timeline, service
providers and referrals, planned instalments and the benefit payments made.

What statistics count stays in clear (pathway and step keys, statuses, outcome codes, dates,
amounts); free text, document numbers and contacts are AES-GCM ciphertext (`app.core.sealed`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.models import ordered_id, utcnow


def encrypted() -> Any:
    """Declare a ciphertext column."""
    return Field(default=None, sa_column=Column(LargeBinary, nullable=True))


def clear_json() -> Any:
    """Declare a JSON text column of clear values (codes, dates, numbers)."""
    return Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class Case(SQLModel, table=True):
    """A person's case on a pathway (reintegration, child protection, return to origin)."""

    __tablename__ = "reintegration_case"
    # the board's lists and counts: by assignee, by site, or every case, on the next due
    # date; open cases by step (covering), the longest unchanged first (who waits)
    __table_args__ = (
        Index("ix_reintegration_case_assigned", "assigned_to_id", "status", "next_due_on"),
        Index("ix_reintegration_case_site", "site_code", "status", "next_due_on"),
        Index("ix_reintegration_case_due", "status", "next_due_on"),
        Index("ix_reintegration_case_step", "status", "pathway", "current_step", "updated_at",
              "id"),
        # covering: the returns board joins its step counts to a case's country by id
        Index("ix_reintegration_case_country", "id", "pathway", "country", "close_reason",
              "site_code"),
    )

    id: uuid.UUID = Field(default_factory=ordered_id, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="person.id", index=True)
    registration_id: uuid.UUID | None = Field(default=None, foreign_key="registration.id")
    """The registration that opened it (its number and names head the case)."""
    pathway: str = Field(max_length=32)
    pathway_version: int = Field(default=1)
    status: str = Field(default="open", max_length=16)  # open / suspended / closed
    close_reason: str | None = Field(default=None, max_length=24)
    site_code: str = Field(foreign_key="site.code", max_length=8)
    country: str | None = Field(default=None, max_length=3)
    """A return case's country of origin (its registration's nationality): the returns
    board counts by it without reading registrations."""
    assigned_to_id: int | None = Field(default=None, foreign_key="app_user.id")
    opened_on: date = Field(default_factory=date.today)
    """The day the case started: due dates count from it."""
    opened_at: datetime = Field(default_factory=utcnow)
    opened_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    closed_at: datetime | None = None
    current_step: str | None = Field(default=None, max_length=40)
    """The first step still to do (None when every step is settled)."""
    next_due_on: date | None = None
    """The earliest due date of its steps still to do."""
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)
    """Optimistic concurrency: every change names the version it saw and adds one."""


class CaseStep(SQLModel, table=True):
    """One step of a case: its status, due date and what it recorded."""

    __tablename__ = "case_step"
    __table_args__ = (
        UniqueConstraint("case_id", "key", name="uq_case_step"),
        Index("ix_case_step_due", "status", "due_on"),
        # covering: boards that count and time the steps of many cases read the index only
        Index("ix_case_step_board", "case_id", "key", "status", "outcome", "settled_on"),
        # covering, by stage: the returns board's counts and medians read one step's done rows
        Index("ix_case_step_stage", "key", "status", "case_id", "outcome", "settled_on"),
    )

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("sealed",)

    id: uuid.UUID = Field(default_factory=ordered_id, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="reintegration_case.id")
    key: str = Field(max_length=40)
    position: int
    status: str = Field(max_length=16)
    due_on: date | None = None
    started_on: date | None = None
    settled_on: date | None = None
    """When it was done, skipped or found not applicable."""
    attempts: int = Field(default=0)
    outcome: str | None = Field(default=None, max_length=40)
    facts: str = clear_json()
    """Its clear values (choices, dates, yes/no, numbers) as JSON."""
    sealed: bytes | None = encrypted()
    """Its text values and document references: encrypted JSON."""
    changed_at: datetime | None = None
    changed_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class CaseEvent(SQLModel, table=True):
    """One entry of a case's timeline: written with the change it records, never altered
    (database triggers refuse updates and deletes). `version` is the case's version after it."""

    __tablename__ = "case_event"
    __table_args__ = (UniqueConstraint("case_id", "version", name="uq_case_event_version"),)

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("sealed",)

    id: uuid.UUID = Field(default_factory=ordered_id, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="reintegration_case.id")
    version: int
    at: datetime = Field(default_factory=utcnow)
    happened_on: date
    kind: str = Field(max_length=16, index=True)
    step_key: str | None = Field(default=None, max_length=40)
    status_before: str | None = Field(default=None, max_length=24)
    status_after: str | None = Field(default=None, max_length=24)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_username: str = Field(max_length=80)
    facts: str = clear_json()
    """Clear details: values recorded, effects, ids."""
    sealed: bytes | None = encrypted()
    """Free text: the note and the text values recorded (encrypted JSON)."""


class ServiceProvider(SQLModel, table=True):
    """An organisation people are referred to (training centre, employer, clinic ...)."""

    __tablename__ = "service_provider"

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("contact",)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    services: str = Field(max_length=400)
    """Comma-separated service codes (`reintegration.enums.Service`)."""
    site_code: str | None = Field(default=None, foreign_key="site.code", max_length=8)
    """The site it serves (None: everywhere)."""
    location: str = Field(default="", max_length=200)
    contact: bytes | None = encrypted()
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class Referral(SQLModel, table=True):
    """A case referred to a provider for a service, with the provider's answer."""

    __tablename__ = "referral"

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("reason", "feedback")

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="reintegration_case.id", index=True)
    provider_id: uuid.UUID = Field(foreign_key="service_provider.id", index=True)
    step_key: str | None = Field(default=None, max_length=40)
    service: str = Field(max_length=32)
    status: str = Field(default="sent", max_length=24)
    sent_on: date
    responded_on: date | None = None
    finished_on: date | None = None
    reason: bytes | None = encrypted()
    """Why the provider rejected it."""
    feedback: bytes | None = encrypted()
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=utcnow)


class PaymentInstalment(SQLModel, table=True):
    """A planned payment of a case (e.g. an instalment of the transitional safety allowance)."""

    __tablename__ = "payment_instalment"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_payment_instalment"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="reintegration_case.id")
    number: int
    amount: int  # in the smallest unit of the currency (dirhams for LYD)
    currency: str = Field(default="LYD", max_length=3)
    due_on: date
    status: str = Field(default="planned", max_length=16)  # planned / paid / cancelled


class BenefitPayment(SQLModel, table=True):
    """A benefit paid to a person, e.g. a reinsertion instalment. A merge moves it with its
    case; the same instalment is never paid twice to one person (merged persons included)."""

    __tablename__ = "benefit_payment"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "instalment", name="uq_benefit_payment_instalment"),
    )

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("reference",)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="person.id", index=True)
    case_id: uuid.UUID | None = Field(default=None, foreign_key="reintegration_case.id")
    instalment_id: uuid.UUID | None = Field(default=None, foreign_key="payment_instalment.id")
    kind: str = Field(default="reinsertion_instalment", max_length=32)
    instalment: int = Field(default=1)
    amount: int  # in the smallest unit of the currency
    currency: str = Field(default="LYD", max_length=3)
    paid_on: date
    method: str | None = Field(default=None, max_length=16)
    reference: bytes | None = encrypted()
    """The receipt or transfer reference."""
    site_code: str = Field(foreign_key="site.code", max_length=8)
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
