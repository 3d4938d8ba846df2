"""Tables of the registration domain.

Identifying fields are `bytes` columns holding AES-GCM ciphertext (see `app.core.crypto`);
what may stay in clear for statistics (sex, birth year, nationality, site, category) is plain.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.models import utcnow


def encrypted() -> Any:
    """Declare a ciphertext column."""
    return Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class Site(SQLModel, table=True):
    """A registration site such as TRP (Tripoli)."""

    __tablename__ = "site"

    code: str = Field(primary_key=True, max_length=8)
    name_en: str = Field(max_length=120)
    name_ar: str = Field(max_length=120)
    region: str = Field(default="", max_length=80)
    active: bool = Field(default=True)


class ArmedGroup(SQLModel, table=True):
    """An entry of the managed list of armed groups, with the phrasings officers use."""

    __tablename__ = "armed_group"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    name_en: str = Field(max_length=200)
    name_ar: str = Field(max_length=200)
    aliases: str = Field(default="", max_length=2000)  # one phrasing per line
    active: bool = Field(default=True)


class Person(SQLModel, table=True):
    """The resolved individual; identifying data lives on its registrations."""

    __tablename__ = "person"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default="active", max_length=16, index=True)
    merged_into_id: uuid.UUID | None = Field(default=None, foreign_key="person.id")
    is_child: bool = Field(default=False)
    pathway: str = Field(default="reintegration", max_length=32)


class Registration(SQLModel, table=True):
    """One enrolment as an officer recorded it at a site."""

    __tablename__ = "registration"
    # the statistics' GROUP BY reads this narrow index, not the wide encrypted rows
    __table_args__ = (Index("ix_registration_stats", "site_code", "sex", "category",
                            "nationality", "birth_year", "registered_on"),)

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = (
        "given_name",
        "father_name",
        "grandfather_name",
        "family_name",
        "mother_name",
        "alias",
        "name_other_script",
        "date_of_birth",
        "place_of_birth",
        "phone",
        "national_id",
        "passport_no",
        "armed_group",
        "unit",
        "rank",
        "date_joined",
        "date_left",
        "verification_notes",
        "disability",
        "occupation",
        "skills",
        "intended_return",
        "notes",
    )

    id: uuid.UUID = Field(primary_key=True)
    # empty only inside the transaction that inserts the registration, until it is numbered
    # last (registry.service.number)
    registration_number: str = Field(max_length=20, unique=True, index=True, nullable=True)
    person_id: uuid.UUID = Field(foreign_key="person.id", index=True)
    site_code: str = Field(foreign_key="site.code", max_length=8, index=True)
    registered_on: date
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    category: str = Field(max_length=32)
    declared_category: str = Field(max_length=32)
    sex: str = Field(max_length=1)
    birth_year: int | None = None
    dob_precision: str | None = Field(default=None, max_length=16)
    nationality: str = Field(max_length=3)
    is_child: bool = Field(default=False)
    membership_verification: str | None = Field(default=None, max_length=32)
    education: str | None = Field(default=None, max_length=32)
    languages: str | None = Field(default=None, max_length=200)
    consent: bool = Field(default=False)
    consent_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    consent_at: datetime | None = None
    request_digest: str = Field(max_length=64)
    version: int = Field(default=1)

    given_name: bytes | None = encrypted()
    father_name: bytes | None = encrypted()
    grandfather_name: bytes | None = encrypted()
    family_name: bytes | None = encrypted()
    mother_name: bytes | None = encrypted()
    alias: bytes | None = encrypted()
    name_other_script: bytes | None = encrypted()  # the full name as spelled in the other script
    date_of_birth: bytes | None = encrypted()
    place_of_birth: bytes | None = encrypted()
    phone: bytes | None = encrypted()
    national_id: bytes | None = encrypted()
    passport_no: bytes | None = encrypted()
    armed_group: bytes | None = encrypted()
    unit: bytes | None = encrypted()
    rank: bytes | None = encrypted()
    date_joined: bytes | None = encrypted()
    date_left: bytes | None = encrypted()
    verification_notes: bytes | None = encrypted()
    disability: bytes | None = encrypted()
    occupation: bytes | None = encrypted()
    skills: bytes | None = encrypted()
    intended_return: bytes | None = encrypted()
    notes: bytes | None = encrypted()


class RegistrationIndex(SQLModel, table=True):
    """A blind index of one registration: exact lookups and blocking keys without plaintext."""

    __tablename__ = "registration_index"
    __table_args__ = (
        Index("ix_registration_index_lookup", "kind", "digest", "registration_id"),
        UniqueConstraint("registration_id", "kind", "digest", name="uq_registration_index"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # found by registration through the unique constraint, which leads with it
    registration_id: uuid.UUID = Field(foreign_key="registration.id")
    kind: str = Field(max_length=8)
    digest: str = Field(max_length=32)


class RegistrationCounter(SQLModel, table=True):
    """The last registration number issued per site and year."""

    __tablename__ = "registration_counter"

    site_code: str = Field(foreign_key="site.code", primary_key=True, max_length=8)
    year: int = Field(primary_key=True)
    last: int = Field(default=0)


class WeaponHandover(SQLModel, table=True):
    """A weapon (or ammunition) handed in at disarmament."""

    __tablename__ = "weapon_handover"

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("serial_number", "import_marking")

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    registration_id: uuid.UUID = Field(foreign_key="registration.id", index=True)
    site_code: str = Field(foreign_key="site.code", max_length=8, index=True)
    handed_over_on: date
    weapon_type: str = Field(max_length=32)
    make_model: str | None = Field(default=None, max_length=120)
    calibre: str | None = Field(default=None, max_length=40)
    # markings as the International Tracing Instrument describes them (import marking below)
    manufacturer: str | None = Field(default=None, max_length=80)
    country_of_manufacture: str | None = Field(default=None, max_length=3)
    year_of_manufacture: int | None = None
    rounds: int = Field(default=0)
    condition: str = Field(max_length=32)
    receipt_number: str = Field(max_length=40, unique=True)
    serial_number: bytes | None = encrypted()
    serial_index: str | None = Field(default=None, max_length=32, index=True)
    import_marking: bytes | None = encrypted()
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)


class Dependant(SQLModel, table=True):
    """A dependant of a participant (spouse, child ...)."""

    __tablename__ = "dependant"

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("name",)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    registration_id: uuid.UUID = Field(foreign_key="registration.id", index=True)
    relationship: str = Field(max_length=16)
    sex: str | None = Field(default=None, max_length=1)
    year_of_birth: int | None = None
    name: bytes | None = encrypted()


class Correction(SQLModel, table=True):
    """An audited change to a registration, keeping the previous values (encrypted)."""

    __tablename__ = "correction"

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("previous_values", "new_values", "reason")

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    registration_id: uuid.UUID = Field(foreign_key="registration.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    by_id: int | None = Field(default=None, foreign_key="app_user.id")
    by_username: str | None = Field(default=None, max_length=80)
    fields: str = Field(max_length=1000)  # comma-separated field names, no values
    previous_values: bytes | None = encrypted()
    new_values: bytes | None = encrypted()
    reason: bytes | None = encrypted()


class RegistrationCount(SQLModel, table=True):
    """How many registrations fall in one group of the statistics' finest grain (kept by the
    write path, see `app.registry.counts`)."""

    __tablename__ = "stats_registration_count"

    site_code: str = Field(primary_key=True, max_length=8)
    sex: str = Field(primary_key=True, max_length=1)
    category: str = Field(primary_key=True, max_length=32)
    nationality: str = Field(primary_key=True, max_length=3)
    age_band: str = Field(primary_key=True, max_length=16)
    month: str = Field(primary_key=True, max_length=7)
    count: int = Field(default=0)


class WeaponCount(SQLModel, table=True):
    """How many weapons fall in one group of the statistics' finest grain (kept by the write
    path, see `app.registry.counts`)."""

    __tablename__ = "stats_weapon_count"

    weapon_type: str = Field(primary_key=True, max_length=32)
    calibre: str = Field(primary_key=True, max_length=40)
    site_code: str = Field(primary_key=True, max_length=8)
    month: str = Field(primary_key=True, max_length=7)
    count: int = Field(default=0)


class ArmedGroupCount(SQLModel, table=True):
    """How many registrations name one armed group (its code; `none`: no group stated),
    nationally: no site, no month (kept by the write path from the code it has in clear, see
    `app.registry.counts`; the registrations hold the group only encrypted)."""

    __tablename__ = "stats_armed_group_count"

    group_code: str = Field(primary_key=True, max_length=40)
    count: int = Field(default=0)
