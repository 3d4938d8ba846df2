"""Business rules of enrolment: register, correct, record weapons and dependants."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam
from sqlalchemy import insert as sa_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.core.audit import event_row, record_event, record_events
from app.core.crypto import FieldCrypto
from app.core.direct import DirectInsertMany, DirectQuery, DirectStatement, column_values
from app.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from app.core.models import new_row, utcnow
from app.core.sealed import seal, unseal
from app.core.security import Principal
from app.registry import validation as v
from app.registry.enums import PersonStatus
from app.registry.indexes import index_entries, index_rows, insert_index_rows, replace_indexes
from app.registry.models import (
    Correction,
    Dependant,
    Person,
    Registration,
    Site,
    WeaponHandover,
)
from app.registry.numbering import registration_number, registration_numbers
from app.registry.reference import armed_group_code
from app.registry.schemas import DependantIn, RegistrationIn, WeaponIn
from app.users.enums import EDITORS, REGISTRARS

CORRECTABLE = frozenset(RegistrationIn.model_fields) - {
    "id", "site", "consent", "person_id", "weapons", "dependants",
}
CHILD_MESSAGE = (
    "Under 18 at registration: the child pathway applies. Hand the child over to child "
    "protection at once; adult demobilisation steps and cash benefits do not apply."
)


@dataclass
class Validated:
    """A registration's input after every rule passed: what to seal and what stays clear."""

    sealed: dict[str, str | None]
    clear: dict[str, Any]
    is_child: bool
    pathway: str


@dataclass
class Enrolment:
    """The outcome of a registration request."""

    registration: Registration
    person: Person
    created: bool
    pathway: str


def validate(*, session: Session, data: RegistrationIn, registered_on: date) -> Validated:
    """Apply every field rule to a registration, raising one error naming all bad fields."""
    errors: list[FieldError] = []
    names = {f: v.clean_name(getattr(data, f)) for f in (
        "given_name", "father_name", "grandfather_name", "family_name", "mother_name", "alias",
        "place_of_birth")}
    birth = v.parse_birth_date(data.date_of_birth, data.dob_precision, errors)
    nationality = v.normalise_nationality(data.nationality, errors)
    phone = v.normalise_phone(data.phone, errors)
    nid = v.normalise_national_id(data.national_id)
    v.check_national_id(nid, sex=data.sex, birth=birth, nationality=nationality, errors=errors)
    passport = v.normalise_passport(data.passport_no, errors)
    kind = v.classify(category=data.category, birth=birth, nationality=nationality,
                      registered_on=registered_on, names=names, errors=errors)
    group_code = None
    if data.armed_group:
        group_code = armed_group_code(session=session, text=data.armed_group)
        if group_code is None:
            errors.append(FieldError("armed_group", "not in the managed list of armed groups"))
    for name, day in (("date_joined", data.date_joined), ("date_left", data.date_left)):
        if day is not None and day > registered_on:
            errors.append(FieldError(name, "is in the future"))
    if data.date_joined and data.date_left and data.date_left < data.date_joined:
        errors.append(FieldError("date_left", "is before date_joined"))
    if not data.consent:
        errors.append(FieldError("consent", "the participant's consent is required"))
    if errors:
        raise ValidationFailed(errors)
    assert birth is not None
    assert nationality is not None
    sealed: dict[str, str | None] = {
        **names,
        "date_of_birth": birth.as_text(),
        "phone": phone,
        "national_id": nid,
        "passport_no": passport,
        "armed_group": group_code,
        "unit": data.unit,
        "rank": data.rank,
        "date_joined": data.date_joined.isoformat() if data.date_joined else None,
        "date_left": data.date_left.isoformat() if data.date_left else None,
        "verification_notes": data.verification_notes,
        "disability": data.disability,
        "occupation": data.occupation,
        "skills": data.skills,
        "intended_return": data.intended_return,
        "notes": data.notes,
    }
    clear = {
        "category": kind.category.value,
        "declared_category": data.category.value,
        "sex": data.sex.value,
        "birth_year": birth.year,
        "dob_precision": birth.precision.value,
        "nationality": nationality,
        "is_child": kind.is_child,
        "membership_verification": data.membership_verification,
        "education": data.education,
        "languages": ",".join(data.languages) if data.languages else None,
    }
    return Validated(sealed=sealed, clear=clear, is_child=kind.is_child, pathway=kind.pathway)


def request_digest(crypto: FieldCrypto, data: RegistrationIn) -> str:
    """A keyed digest of the request body: the same retry matches, another body does not."""
    body = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return crypto.keyed_digest("registration-request", body.encode())


@dataclass
class CheckedRegistration:
    """A registration request that passed every check needing no writer (see :func:`check`):
    its id was free and its site open to the caller a moment ago. Its fields are already
    encrypted and its blind indexes computed (work that needs no database)."""

    digest: str
    site_code: str
    validated: Validated
    indexes: set[tuple[str, str]]
    registration: Registration
    """The row to insert, without its number and person (built with no database work)."""
    person: Person | None
    """The new person to insert with it (None: the request names an existing person)."""


def check(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    data: RegistrationIn,
    today: date | None = None,
) -> CheckedRegistration | None:
    """Run the checks :func:`register` makes before inserting, reading only (a read-only unit
    of work will do); None when the id is already taken (a replay, answered by `register`)."""
    if actor.role not in REGISTRARS:
        raise Forbidden("your role may not register participants")
    digest = request_digest(crypto, data)
    if _TAKEN.all(session.connection(), {"id": data.id}):
        return None
    site_code = _open_site(session=session, actor=actor, data=data)
    registered_on = today or date.today()
    validated = validate(session=session, data=data, registered_on=registered_on)
    registration = new_row(
        Registration,
        id=data.id,
        registration_number="",
        site_code=site_code,
        registered_on=registered_on,
        created_by_id=actor.id,
        consent=True,
        consent_by_id=actor.id,
        consent_at=utcnow(),
        request_digest=digest,
        **validated.clear,
    )
    seal(crypto, registration, validated.sealed)
    person = (new_row(Person, is_child=validated.is_child, pathway=validated.pathway)
              if data.person_id is None else None)
    return CheckedRegistration(digest, site_code, validated,
                               indexes=index_entries(crypto, validated.sealed),
                               registration=registration, person=person)


_TAKEN = DirectQuery(select(Registration.id).where(Registration.id == bindparam("id")))
_SITE_OPEN = DirectQuery(select(Site.code, Site.active).where(Site.code == bindparam("code")))


def _open_site(*, session: Session, actor: Principal, data: RegistrationIn) -> str:
    """The code of the request's site, after checking that it exists, is open and is one the
    caller may act for (one light statement)."""
    found = _SITE_OPEN.all(session.connection(), {"code": data.site.upper()})
    site = found[0] if found else None
    if site is None or not site.active:
        raise ValidationFailed([FieldError("site", "unknown site code")])
    if not actor.can_act_for(site.code):
        raise Forbidden("you may not register at this site", [FieldError("site", "not yours")])
    return str(site.code)


def register(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    data: RegistrationIn,
    today: date | None = None,
    checked: CheckedRegistration | None = None,
) -> Enrolment:
    """Enrol a participant, or replay the result of an earlier request with the same UUID.

    `checked` is the result of :func:`check` for this request, run just before (in a
    read-only unit of work, so the writer is not held while validating); the id found free
    then is simply inserted (a request that took it meanwhile makes the insert fail, and
    this one is answered as its replay)."""
    if actor.role not in REGISTRARS:
        raise Forbidden("your role may not register participants")
    if checked is None:
        checked = check(session=session, crypto=crypto, actor=actor, data=data, today=today)
        if checked is None:
            existing = session.get(Registration, data.id)
            assert existing is not None
            return _replay(session=session, registration=existing,
                           digest=request_digest(crypto, data), actor=actor)
    try:
        with session.begin_nested():
            enrolment = _insert(session=session, crypto=crypto, actor=actor, data=data,
                                checked=checked)
    except IntegrityError:
        # A concurrent request with the same UUID won the race: answer as a replay.
        existing = session.get(Registration, data.id, populate_existing=True)
        if existing is None:
            raise
        return _replay(session=session, registration=existing, digest=checked.digest,
                       actor=actor)
    return enrolment


_INSERT_PERSON = DirectStatement(sa_insert(Person))
_INSERT_REGISTRATION = DirectStatement(sa_insert(Registration))


def _insert(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    data: RegistrationIn,
    checked: CheckedRegistration,
) -> Enrolment:
    """Insert the registration a request's checks built, with its new person (or linked to
    the existing person the request names)."""
    registration, person = checked.registration, checked.person
    site_code, registered_on = checked.site_code, registration.registered_on
    validated = checked.validated
    if person is None:
        person = session.get(Person, data.person_id)
        if person is None or person.status != PersonStatus.active:
            raise ValidationFailed([FieldError("person_id", "no such active person")])
        if validated.is_child and not person.is_child:
            person.is_child = True
            person.pathway = validated.pathway
        session.add(person)
    # the number first: the registration row carries it
    registration.registration_number = registration_number(
        session=session, site_code=site_code, year=registered_on.year)
    registration.person_id = person.id
    connection = session.connection()
    if data.person_id is None:
        _INSERT_PERSON.execute(connection, column_values(person))
    # plain statements, not the unit of work: the rows are complete, and on SQLite every
    # statement here runs while the writer is held
    _INSERT_REGISTRATION.execute(connection, column_values(registration))
    record_event(session=session, actor=actor, **_created_event(data, checked, person))
    replace_indexes(session=session, crypto=crypto, registration_id=registration.id,
                    values=validated.sealed, new=True, entries=checked.indexes)
    for weapon in data.weapons:
        add_weapon(session=session, crypto=crypto, actor=actor, registration=registration,
                   weapon=weapon, audit=False)
    for dependant in data.dependants:
        _add_dependant(session=session, crypto=crypto, registration=registration, data=dependant)
    if data.weapons or data.dependants:
        session.flush()
    return Enrolment(registration, person, True, person.pathway)


def _created_event(data: RegistrationIn, checked: CheckedRegistration, person: Person
                   ) -> dict[str, Any]:
    """The audit event of a registration's creation (without its actor)."""
    registration = checked.registration
    return {"action": "registration.create", "object_type": "registration",
            "object_id": str(registration.id), "site_code": checked.site_code,
            "details": {"person_id": str(person.id), "linked": data.person_id is not None,
                        "is_child": checked.validated.is_child, "weapons": len(data.weapons),
                        "dependants": len(data.dependants)}}


@dataclass
class NewRegistration:
    """A registration to insert with :func:`insert_new`: its request, checked, with the
    person it creates, and the id of the request (for the audit trail)."""

    actor: Principal
    data: RegistrationIn
    checked: CheckedRegistration
    request_id: str | None

    @property
    def plain(self) -> bool:
        """Whether :func:`insert_new` can insert it: a new person, no weapon, no dependant."""
        return (self.checked.person is not None and self.data.person_id is None
                and not self.data.weapons and not self.data.dependants)


_INSERT_PERSONS = DirectInsertMany(Person, [c.key for c in Person.__table__.columns])  # type: ignore[attr-defined]
_INSERT_REGISTRATIONS = DirectInsertMany(
    Registration, [c.key for c in Registration.__table__.columns])  # type: ignore[attr-defined]


def insert_new(*, session: Session, entries: Sequence[NewRegistration]) -> list[Enrolment]:
    """Insert several registrations whose checks passed (:func:`check`, its id free when the
    writer is held) and that each create a person, with no weapon or dependant: one statement
    per table for all of them — their numbers (one per site and year), persons,
    registrations, audit events and blind indexes — where :func:`register` runs a dozen per
    registration. Numbers are issued in the order of `entries`."""
    if not all(entry.plain for entry in entries):
        raise ValueError("insert_new takes only registrations of new persons, nothing attached")
    by_counter: dict[tuple[str, int], list[Registration]] = {}
    for entry in entries:
        registration = entry.checked.registration
        by_counter.setdefault((entry.checked.site_code, registration.registered_on.year),
                              []).append(registration)
    for (site_code, year), registrations in by_counter.items():
        numbers = registration_numbers(session=session, site_code=site_code, year=year,
                                       count=len(registrations))
        for registration, number in zip(registrations, numbers, strict=True):
            registration.registration_number = number
    persons, rows, events, indexes = [], [], [], []
    enrolments = []
    for entry in entries:
        registration, person = entry.checked.registration, entry.checked.person
        assert person is not None
        registration.person_id = person.id
        persons.append(column_values(person))
        rows.append(column_values(registration))
        events.append(event_row(actor=entry.actor, request_id=entry.request_id,
                                **_created_event(entry.data, entry.checked, person)))
        indexes.extend(index_rows(registration.id, entry.checked.indexes))
        enrolments.append(Enrolment(registration, person, True, person.pathway))
    connection = session.connection()
    _INSERT_PERSONS.execute(connection, persons)
    _INSERT_REGISTRATIONS.execute(connection, rows)
    record_events(session=session, rows=events)
    insert_index_rows(session, indexes)
    return enrolments


def _replay(
    *, session: Session, registration: Registration, digest: str, actor: Principal
) -> Enrolment:
    if registration.request_digest != digest or not actor.can_act_for(registration.site_code):
        raise Conflict("this id was already used for a different registration",
                       [FieldError("id", "already used with other data")])
    person = session.get(Person, registration.person_id)
    assert person is not None
    return Enrolment(registration, person, False, person.pathway)


def _add_dependant(
    *, session: Session, crypto: FieldCrypto, registration: Registration, data: DependantIn
) -> Dependant:
    dependant = Dependant(registration_id=registration.id, relationship=data.relationship,
                          sex=data.sex, year_of_birth=data.year_of_birth)
    seal(crypto, dependant, {"name": v.clean_name(data.name)})
    session.add(dependant)
    return dependant


def scoped_registration(
    *, session: Session, actor: Principal, registration_id: uuid.UUID
) -> Registration:
    """Load a registration the caller may see; anything else is 'not found'."""
    registration = session.get(Registration, registration_id)
    if registration is None or not actor.can_act_for(registration.site_code):
        raise NotFound("registration not found")
    return registration


def add_weapon(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    registration: Registration,
    weapon: WeaponIn,
    audit: bool = True,
) -> WeaponHandover:
    """Record a weapon handed in with a registration; its serial is blind-indexed."""
    if actor.role not in EDITORS:
        raise Forbidden("your role may not record weapons")
    serial = v.normalise_serial(weapon.serial_number)
    count = session.exec(
        select(func.count()).select_from(WeaponHandover)
        .where(WeaponHandover.registration_id == registration.id)
    ).one()
    receipt = weapon.receipt_number or f"{registration.registration_number}-W{count + 1:02d}"
    if session.exec(select(WeaponHandover).where(WeaponHandover.receipt_number == receipt)).first():
        raise Conflict("receipt number already used",
                       [FieldError("receipt_number", "already used")])
    handover = WeaponHandover(
        registration_id=registration.id, site_code=registration.site_code,
        handed_over_on=date.today(), weapon_type=weapon.weapon_type,
        make_model=weapon.make_model, calibre=weapon.calibre, rounds=weapon.rounds,
        condition=weapon.condition, receipt_number=receipt,
        serial_index=crypto.blind_index("serial", serial) if serial else None,
        recorded_by_id=actor.id,
    )
    seal(crypto, handover, {"serial_number": serial})
    session.add(handover)
    session.flush()
    if audit:
        record_event(session=session, actor=actor, action="weapon.create",
                     object_type="weapon_handover", object_id=str(handover.id),
                     site_code=registration.site_code,
                     details={"registration_id": str(registration.id)})
    return handover


def correct(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    registration_id: uuid.UUID,
    changes: dict[str, Any],
    reason: str,
) -> Registration:
    """Change fields of a registration, keeping the previous values in an audited correction."""
    if actor.role not in EDITORS:
        raise Forbidden("your role may not correct registrations")
    registration = scoped_registration(session=session, actor=actor,
                                       registration_id=registration_id)
    unknown = sorted(set(changes) - CORRECTABLE)
    if unknown:
        raise ValidationFailed([FieldError(f, "cannot be corrected here") for f in unknown])
    if not changes:
        raise ValidationFailed([FieldError("changes", "nothing to change")])
    current = current_input(crypto=crypto, registration=registration)
    merged = {**current, **changes}
    try:
        data = RegistrationIn.model_validate(merged)
    except ValidationError as exc:
        raise ValidationFailed([FieldError(".".join(str(p) for p in e["loc"]), e["msg"])
                                for e in exc.errors()]) from exc
    checked = validate(session=session, data=data, registered_on=registration.registered_on)
    before = unseal(crypto, registration, checked.sealed)
    changed = sorted(k for k, val in checked.sealed.items() if before.get(k) != val)
    changed += sorted(k for k, val in checked.clear.items()
                      if getattr(registration, k) != val and k not in changed)
    if not changed:
        raise ValidationFailed([FieldError("changes", "no field would change")])
    previous = {k: before.get(k, getattr(registration, k, None)) for k in changed}
    new = {k: checked.sealed.get(k, checked.clear.get(k)) for k in changed}
    correction = Correction(registration_id=registration.id, by_id=actor.id,
                            fields=",".join(changed))
    seal(crypto, correction, {
        "previous_values": json.dumps(previous, ensure_ascii=False, default=str),
        "new_values": json.dumps(new, ensure_ascii=False, default=str),
        "reason": reason,
    })
    session.add(correction)
    seal(crypto, registration, checked.sealed)
    for key, value in checked.clear.items():
        setattr(registration, key, value)
    registration.version += 1
    session.add(registration)
    replace_indexes(session=session, crypto=crypto, registration_id=registration.id,
                    values=checked.sealed)
    person = session.get(Person, registration.person_id)
    if person is not None and checked.is_child and not person.is_child:
        person.is_child, person.pathway = True, checked.pathway
        session.add(person)
    record_event(session=session, actor=actor, action="registration.correct",
                 object_type="registration", object_id=str(registration.id),
                 site_code=registration.site_code, details={"fields": changed})
    session.flush()
    return registration


def current_input(*, crypto: FieldCrypto, registration: Registration) -> dict[str, Any]:
    """Rebuild the registration's input fields (decrypted) as a correction starts from them."""
    values = unseal(crypto, registration)
    return {
        "id": str(registration.id),
        "site": registration.site_code,
        "consent": registration.consent,
        "category": registration.declared_category,
        "sex": registration.sex,
        "nationality": registration.nationality,
        "dob_precision": registration.dob_precision,
        "membership_verification": registration.membership_verification,
        "education": registration.education,
        "languages": registration.languages.split(",") if registration.languages else None,
        **{k: val for k, val in values.items() if k in CORRECTABLE},
    }


def persons_count(*, session: Session) -> int:
    """Count active persons."""
    return int(session.exec(select(func.count()).select_from(Person)
                            .where(col(Person.status) == PersonStatus.active)).one())
