"""Request and response bodies of the registration API (contract 6 in DESIGN.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

import pycountry
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.core.strict import Flag, PageNumber, Strict
from app.registry.enums import (
    Category,
    DobPrecision,
    Education,
    Relationship,
    Sex,
    Verification,
    WeaponCondition,
    WeaponType,
)

Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]
Token = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]

_EXAMPLE: dict[str, Any] = {
    "id": "3f1c9a52-8d2e-4f7b-9a61-2b8e4c0d7a15",
    "site": "TRP",
    "category": "libyan_combatant",
    "sex": "M",
    "date_of_birth": "1988-03-02",
    "given_name": "محمد",
    "father_name": "عبد السلام",
    "grandfather_name": "علي",
    "family_name": "الورفلي",
    "mother_name": "فاطمة",
    "alias": "أبو علي",
    "place_of_birth": "بني وليد",
    "nationality": "LBY",
    "phone": "+218 91 234 5678",
    "national_id": "119880123456",
    "passport_no": None,
    "armed_group": "Tripoli Protection Force",
    "consent": True,
}


class WeaponIn(Strict):
    """A weapon handed in."""

    weapon_type: WeaponType
    make_model: Short | None = None
    calibre: Short | None = None
    serial_number: Short | None = None
    rounds: int = Field(default=0, ge=0, le=100_000)
    condition: WeaponCondition = WeaponCondition.serviceable
    receipt_number: Short | None = None
    manufacturer: Short | None = Field(default=None, description="marking: the manufacturer")
    country_of_manufacture: Short | None = Field(
        default=None, description="marking: ISO 3166-1 alpha-3 country of manufacture")
    year_of_manufacture: int | None = Field(default=None, ge=1850, le=2100)
    import_marking: Short | None = Field(default=None, description="marking: import marking")

    @field_validator("country_of_manufacture")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        """An ISO 3166-1 alpha-3 code (upper case), or nothing."""
        if not value:
            return None
        code = value.upper()
        if len(code) != 3 or pycountry.countries.get(alpha_3=code) is None:
            raise ValueError("must be an ISO 3166-1 alpha-3 code, e.g. RUS")
        return code


class DependantIn(Strict):
    """A dependant of the participant."""

    relationship: Relationship
    sex: Sex | None = None
    year_of_birth: int | None = Field(default=None, ge=1900, le=2100)
    name: Name | None = None


class RegistrationIn(Strict):
    """A new registration, flat, with the record CSV's field names."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [_EXAMPLE]}
    )

    id: uuid.UUID = Field(description="client-generated UUID; a retry with it is idempotent")
    site: Short = Field(description="site code, e.g. TRP")
    category: Category
    sex: Sex
    date_of_birth: Short | None = Field(default=None, description="YYYY-MM-DD or YYYY")
    dob_precision: DobPrecision | None = None
    given_name: Name | None = None
    father_name: Name | None = None
    grandfather_name: Name | None = None
    family_name: Name | None = None
    mother_name: Name | None = None
    alias: Name | None = None
    name_other_script: Name | None = Field(
        default=None, description="the full name in the other script (Latin letters for a "
        "name given in Arabic, Arabic for one given in Latin), as the participant spells it")
    place_of_birth: Name | None = None
    nationality: Short = Field(description="ISO 3166-1 alpha-3, e.g. LBY")
    phone: Short | None = None
    national_id: Short | None = None
    passport_no: Short | None = None
    armed_group: Name | None = Field(default=None, description="code or name from the list")
    consent: Flag = Field(description="the participant consents to data processing")
    person_id: uuid.UUID | None = Field(default=None, description="link to an existing person")
    link_token: Token | None = Field(
        default=None, description="for a person registered only at other sites: the "
        "candidate's `link_token` from the duplicate check of this registration (same `id`)")
    rank: Name | None = None
    unit: Name | None = None
    date_joined: date | None = None
    date_left: date | None = None
    membership_verification: Verification | None = None
    verification_notes: Text | None = None
    disability: Text | None = None
    education: Education | None = None
    occupation: Name | None = None
    skills: Text | None = None
    languages: list[Short] | None = Field(default=None, max_length=10)
    intended_return: Name | None = Field(default=None, description="intended place of return")
    notes: Text | None = None
    weapons: list[WeaponIn] = Field(default_factory=list, max_length=50)
    dependants: list[DependantIn] = Field(default_factory=list, max_length=30)


class DraftIn(Strict):
    """A registration being typed: any identity fields known so far (nothing is saved)."""

    id: uuid.UUID | None = Field(
        default=None, description="the client UUID the registration will be sent with: "
        "candidates then carry a `link_token` for it")
    sex: Sex | None = None
    date_of_birth: Short | None = None
    given_name: Name | None = None
    father_name: Name | None = None
    grandfather_name: Name | None = None
    family_name: Name | None = None
    mother_name: Name | None = None
    alias: Name | None = None
    place_of_birth: Name | None = None
    nationality: Short | None = None
    phone: Short | None = None
    national_id: Short | None = None
    passport_no: Short | None = None
    limit: int = Field(default=10, ge=1, le=50)


class CorrectionIn(Strict):
    """Changes to a registration's fields, with the reason (kept, encrypted)."""

    changes: dict[str, Any] = Field(
        description="field → new value; null clears an optional field",
        examples=[{"phone": "0912345678", "family_name": "الورفلي"}],
    )
    reason: Text = Field(min_length=3)


class SearchIn(Strict):
    """Search registrations by number, document, phone or name (in the body, never the URL)."""

    registration_number: Short | None = None
    national_id: Short | None = None
    phone: Short | None = None
    passport_no: Short | None = None
    name: Name | None = None
    site: Short | None = None
    page: PageNumber = 1
    page_size: int = Field(default=20, ge=1, le=100)


class Reason(BaseModel):
    """One field's part in a duplicate score, in words (template + params for translation)."""

    field: str
    level: str
    weight: float
    message: str
    template: str
    params: dict[str, str] = {}


class CandidateOut(BaseModel):
    """A possible existing registration of the same person."""

    registration_id: uuid.UUID
    registration_number: str
    person_id: uuid.UUID
    site: str
    score: float
    decision: str = Field(description="match (likely the same person), possible or non_match")
    model_version: str = ""
    reasons: list[Reason] = []
    restricted: bool = Field(
        default=False, description="registered at a site outside yours: judged on names and "
        "dates alone (never on identifiers), without the values")
    link_token: str | None = Field(
        default=None, description="lets the draft checked (its `id`) link to this person "
        "(`link_token` of the registration) or open it side by side")
    do_not_reenter: bool = Field(
        default=False, description="this person was handed over to their country of origin: "
        "they must not be registered again")


class RegistrationCreated(BaseModel):
    """What POST /registrations returns."""

    id: uuid.UUID
    person_id: uuid.UUID
    registration_number: str
    category: str
    is_child: bool
    pathway: str
    child_pathway_applies: bool
    message: str
    possible_duplicates: list[CandidateOut]
    likely_duplicate: bool = Field(
        default=False, description="a possible duplicate is in the likely band: the "
        "registration is saved and its pair waits first in the review queue")
    do_not_reenter: bool = Field(
        default=False, description="a possible duplicate was handed over to their country "
        "of origin (do-not-re-enter)")


class WeaponOut(BaseModel):
    """A recorded weapon handover."""

    id: uuid.UUID
    registration_id: uuid.UUID
    weapon_type: str
    make_model: str | None
    calibre: str | None
    serial_number: str | None
    rounds: int
    condition: str
    receipt_number: str
    handed_over_on: date
    manufacturer: str | None = None
    country_of_manufacture: str | None = None
    year_of_manufacture: int | None = None
    import_marking: str | None = None
    same_serial_elsewhere: list[str] = []


class DependantOut(BaseModel):
    """A dependant."""

    id: uuid.UUID
    relationship: str
    sex: str | None
    year_of_birth: int | None
    name: str | None


class CorrectionOut(BaseModel):
    """A correction in a registration's history."""

    id: uuid.UUID
    at: datetime
    by: str | None
    fields: list[str]
    previous: dict[str, Any]
    new: dict[str, Any]
    reason: str | None


class RegistrationOut(BaseModel):
    """A registration with its decrypted fields (for authorised roles; audited)."""

    id: uuid.UUID
    registration_number: str
    person_id: uuid.UUID
    site: str
    registered_on: date
    category: str
    declared_category: str
    is_child: bool
    sex: str
    birth_year: int | None
    dob_precision: str | None
    nationality: str
    membership_verification: str | None
    education: str | None
    languages: list[str]
    consent: bool
    consent_at: datetime | None
    version: int
    fields: dict[str, str | None]
    weapons: list[WeaponOut] = []
    dependants: list[DependantOut] = []
    corrections: list[CorrectionOut] = []


class RegistrationStub(BaseModel):
    """A registration outside the caller's sites: no identifying data."""

    id: uuid.UUID
    registration_number: str
    site: str
    registered_on: date
    restricted: bool = True


class CaseRef(BaseModel):
    """A case of a person: which pathway, where it stands."""

    id: uuid.UUID
    pathway: str
    status: str


class PersonOut(BaseModel):
    """A person with all their registrations (and, from the API, their cases)."""

    id: uuid.UUID
    status: str
    merged_into_id: uuid.UUID | None
    is_child: bool
    pathway: str
    created_at: datetime
    registrations: list[RegistrationOut]
    other_registrations: list[RegistrationStub]
    cases: list[CaseRef] = Field(default_factory=list)


class SearchHit(BaseModel):
    """One search result."""

    id: uuid.UUID
    registration_number: str
    person_id: uuid.UUID
    site: str
    registered_on: date
    category: str
    sex: str
    birth_year: int | None
    full_name: str
    score: float | None = Field(
        default=None, description="how close the name is to the name searched (0-1)")


class SearchOut(BaseModel):
    """A page of search results (by name: best match first)."""

    total: int
    page: int
    page_size: int
    items: list[SearchHit]
    ranked: int = Field(description="results ordered by closeness of name; a name shared by "
                        "more registrations than this needs more of the name to narrow it")
    more: bool = Field(default=False, description="by name: more registrations match than "
                       "are counted (`total` is then a lower bound)")
