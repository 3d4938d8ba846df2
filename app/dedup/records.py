"""Registrations as the matcher reads them, and the persons judged different (cannot-link)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Protocol

from sqlalchemy import bindparam
from sqlmodel import Session, col, or_, select

from app.core.crypto import FieldCrypto
from app.dedup.enums import CLOSED
from app.dedup.models import CandidatePair
from app.registry.models import Registration
from app.registry.service import NewRegistration
from matching import RECORD_COLUMNS
from matching.records import COMPARED_COLUMNS

RECORD_FIELDS = tuple(c for c in RECORD_COLUMNS if c in Registration.ENCRYPTED_FIELDS)
COMPARED_FIELDS = tuple(c for c in RECORD_FIELDS if c in COMPARED_COLUMNS)
"""The encrypted fields the matcher reads: only these are decrypted to score a candidate."""

CANDIDATE_COLUMNS = (
    Registration.id, Registration.registration_number, Registration.person_id,
    Registration.site_code, Registration.registered_on, Registration.category, Registration.sex,
    Registration.nationality, Registration.version,
    *(getattr(Registration, f) for f in COMPARED_FIELDS),
)
"""What scoring a candidate reads: its row without the fields the matcher does not compare."""

_TABLE = Registration.__tablename__


class RegistrationRow(Protocol):
    """A registration as scoring reads it: a :class:`Registration`, or a row of
    :data:`CANDIDATE_COLUMNS` (lighter to load by the hundred)."""

    id: uuid.UUID
    registration_number: str
    person_id: uuid.UUID
    site_code: str
    registered_on: date
    category: str
    sex: str
    nationality: str
    version: int


def registry_record(crypto: FieldCrypto, registration: RegistrationRow,
                    fields: Sequence[str] = RECORD_FIELDS) -> dict[str, str | None]:
    """A registration as a record for the matcher (decrypted; record CSV columns)."""
    row_id = str(registration.id)
    record = {f: crypto.decrypt(getattr(registration, f), table=_TABLE, column=f, row_id=row_id)
              for f in fields}
    record.update(record_id=str(registration.id), site=registration.site_code,
                  registered_on=registration.registered_on.isoformat(),
                  category=registration.category, sex=registration.sex,
                  nationality=registration.nationality)
    return record


def draft_record(new: NewRegistration) -> dict[str, str | None]:
    """The record :func:`registry_record` will give once a prepared registration is stored
    (from its validated values: nothing to decrypt)."""
    sealed, clear = new.validated.sealed, new.validated.clear
    record: dict[str, str | None] = {c: sealed.get(c) or None for c in RECORD_FIELDS}
    record.update(record_id=str(new.id), site=new.row["site_code"],
                  registered_on=new.row["registered_on"].isoformat(),
                  category=clear["category"], sex=clear["sex"],
                  nationality=clear["nationality"])
    return record


def cannot_link(session: Session, registration_id: uuid.UUID) -> set[uuid.UUID]:
    """Registrations judged a different person from this one."""
    pairs = session.exec(select(CandidatePair).where(
        col(CandidatePair.status).in_(CLOSED),
        or_(CandidatePair.registration_a_id == registration_id,
            CandidatePair.registration_b_id == registration_id))).all()
    return {p.registration_b_id if p.registration_a_id == registration_id
            else p.registration_a_id for p in pairs}


def person_cannot_link(session: Session, person_id: uuid.UUID) -> set[uuid.UUID]:
    """Persons judged different from this one (on any pair of their registrations)."""
    return persons_cannot_link(session, [person_id])[person_id]


_MINE = select(Registration.id).where(
    col(Registration.person_id).in_(bindparam("persons", expanding=True)))
_CLOSED_PAIRS = select(CandidatePair.registration_a_id, CandidatePair.registration_b_id).where(
    col(CandidatePair.status).in_(CLOSED),
    or_(col(CandidatePair.registration_a_id).in_(_MINE),
        col(CandidatePair.registration_b_id).in_(_MINE)))
_PERSON_OF = select(Registration.id, Registration.person_id).where(
    col(Registration.id).in_(bindparam("ids", expanding=True)))
"""The statements of :func:`persons_cannot_link` (built once: every registration runs them)."""


def persons_cannot_link(session: Session, person_ids: Sequence[uuid.UUID]
                        ) -> dict[uuid.UUID, set[uuid.UUID]]:
    """For each person, the persons judged different from them (two queries in all)."""
    found: dict[uuid.UUID, set[uuid.UUID]] = {p: set() for p in person_ids}
    if not person_ids:
        return found
    pairs = session.execute(_CLOSED_PAIRS, {"persons": list(found)}).all()
    if not pairs:
        return found
    ids = {rid for pair in pairs for rid in pair}
    person_of = dict(session.execute(_PERSON_OF, {"ids": list(ids)}).all())
    for a, b in pairs:
        first, second = person_of.get(a), person_of.get(b)
        if first is None or second is None or first == second:
            continue
        if first in found:
            found[first].add(second)
        if second in found:
            found[second].add(first)
    return found
