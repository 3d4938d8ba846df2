"""Reintegration cases and benefit payments: the minimum the duplicate review needs (a merge
moves them; two persons both with open cases or paid benefits need a supervisor to merge; a
paid person registering again is a fraud signal). The pathway workflow fills these in later."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlmodel import Field, SQLModel

from app.core.models import utcnow


class Case(SQLModel, table=True):
    """A person's case on a pathway (reintegration, child handover, return to origin)."""

    __tablename__ = "reintegration_case"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="person.id", index=True)
    pathway: str = Field(max_length=32)
    status: str = Field(default="open", max_length=16, index=True)  # open / closed
    site_code: str = Field(foreign_key="site.code", max_length=8)
    opened_at: datetime = Field(default_factory=utcnow)
    opened_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class BenefitPayment(SQLModel, table=True):
    """A benefit paid to a person, e.g. a reinsertion instalment."""

    __tablename__ = "benefit_payment"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="person.id", index=True)
    case_id: uuid.UUID | None = Field(default=None, foreign_key="reintegration_case.id")
    kind: str = Field(default="reinsertion_instalment", max_length=32)
    instalment: int = Field(default=1)
    amount: int  # in the smallest unit of the currency
    currency: str = Field(default="LYD", max_length=3)
    paid_on: date
    site_code: str = Field(foreign_key="site.code", max_length=8)
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
