"""Business rules of enrolment: register, correct, record weapons and dependants."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticUndefined
from sqlalchemy import bindparam, update
from sqlalchemy import insert as sa_insert
from sqlmodel import Session, col, func, select

from app.core.audit import event_row, record_event, record_events
from app.core.crypto import FieldCrypto
from app.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from app.core.models import utcnow
from app.core.roles import EDITORS, REGISTRARS
from app.core.sealed import seal, sealed_values, unseal
from app.core.security import Principal
from app.registry import counts
from app.registry import validation as v
from app.registry.enums import Category, PersonStatus, Sex
from app.registry.indexes import (
    index_rows,
    insert_index_rows,
    registration_indexes,
    replace_indexes,
)
from app.registry.models import (
    Correction,
    Dependant,
    Person,
    Registration,
    WeaponHandover,
)
from app.registry.numbering import registration_numbers
from app.registry.reference import armed_group_code, open_site_codes
from app.registry.schemas import DependantIn, RegistrationIn, WeaponIn

CORRECTABLE = frozenset(RegistrationIn.model_fields) - {
    "id", "site", "consent", "person_id", "link_token", "weapons", "dependants",
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
        "name_other_script", "place_of_birth")}
    v.check_names(names, errors)
    birth = v.parse_birth_date(data.date_of_birth, data.dob_precision, errors)
    nationality = v.normalise_nationality(data.nationality, errors)
    phone = v.normalise_phone(data.phone, errors)
    nid = v.normalise_national_id(data.national_id, errors)
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
    if birth is not None:
        for name, day in (("date_joined", data.date_joined), ("date_left", data.date_left)):
            if day is not None and (day < birth.exact if birth.exact else day.year < birth.year):
                errors.append(FieldError(name, "is before the date of birth"))
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


_GUESSED: dict[str, tuple[Any, tuple[str, ...]]] = {
    # a field that could not be read, the value the rules run with instead, and the start of
    # the messages that then depend on the stand-in (dropped)
    "category": (Category.associated_civilian, (
        "required for", "a Libyan combatant", "a foreign fighter", "a father's or family",
        "child is for")),
    "sex": (Sex.M, ("first digit does not match the sex",)),
    "site": ("-", ()),  # no field rule reads the site (it is checked when saving)
}


def check_rules(*, session: Session, body: Mapping[str, Any], unreadable: set[str],
                registered_on: date | None = None) -> list[FieldError]:
    """The business-rule errors of a registration whose `unreadable` fields could not be read
    (so that a form reports every problem at once): the rules run without those fields
    (category and sex with stand-ins, and nothing said that depends on them)."""
    values = {k: v for k, v in body.items() if k not in unreadable}
    dropped: tuple[str, ...] = ()
    for name, (stand_in, depends) in _GUESSED.items():
        if name in unreadable or not values.get(name):
            values[name] = stand_in
            dropped += depends
    try:
        data = RegistrationIn.model_validate(values)
    except ValidationError:
        return []
    try:
        validate(session=session, data=data, registered_on=registered_on or date.today())
    except ValidationFailed as exc:
        return [e for e in exc.errors if e.field not in unreadable
                and not e.message.startswith(dropped)]
    return []


def request_digest(crypto: FieldCrypto, data: RegistrationIn) -> str:
    """A keyed digest of the request body: the same retry matches, another body does not."""
    body = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return crypto.keyed_digest("registration-request", body.encode())


@dataclass
class NewRegistration:
    """A registration request that passed every rule (:func:`prepare`), as the rows to insert:
    its fields already encrypted and its blind indexes computed. Plain column values, not ORM
    objects: a bulk import prepares thousands at a time, and building SQLModel objects cost
    as much as every rule together."""

    data: RegistrationIn
    validated: Validated
    row: dict[str, Any]
    """The registration's columns, without its number and person (given by :func:`insert`)."""
    person: dict[str, Any] | None
    """The new person's columns (None: the request names an existing person)."""
    indexes: set[tuple[str, str]]
    lookups: list[str]
    """Its blocking keys' blind indexes under every active key version: what its duplicate
    check looks up (:func:`app.registry.indexes.block_digests`)."""

    @property
    def id(self) -> uuid.UUID:
        """The registration's id (the request's client UUID)."""
        value: uuid.UUID = self.row["id"]
        return value


@dataclass(frozen=True)
class Inserted:
    """A registration :func:`insert` stored (numbered by :func:`number`)."""

    registration_id: uuid.UUID
    person_id: uuid.UUID
    site_code: str
    linked: bool  # to an existing person


def _defaults(model: Any) -> dict[str, Any]:
    """A model's columns with their defaults (default factories called)."""
    fixed, factories = _default_values(model)
    return {**fixed, **{name: factory() for name, factory in factories.items()}}


@cache
def _default_values(model: Any) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    """A model's fixed defaults and default factories, by column (read once per model)."""
    fixed = {name: field.default for name, field in model.model_fields.items()
             if field.default_factory is None and field.default is not PydanticUndefined}
    factories = {name: field.default_factory for name, field in model.model_fields.items()
                 if field.default_factory is not None}
    return fixed, factories


def prepare(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    data: RegistrationIn,
    registered_on: date | None = None,
) -> NewRegistration:
    """Check a registration request (role, site, every field rule) and build its rows."""
    if actor.role not in REGISTRARS:
        raise Forbidden("your role may not register participants")
    site_code = open_site(session=session, actor=actor, code=data.site)
    registered_on = registered_on or date.today()
    validated = validate(session=session, data=data, registered_on=registered_on)
    row = {**_defaults(Registration), "id": data.id, "site_code": site_code,
           "registered_on": registered_on, "created_by_id": actor.id, "consent": True,
           "consent_by_id": actor.id, "consent_at": utcnow(),
           "request_digest": request_digest(crypto, data), **validated.clear,
           **sealed_values(crypto, Registration.__tablename__, str(data.id), validated.sealed)}
    person = ({**_defaults(Person), "is_child": validated.is_child,
               "pathway": validated.pathway} if data.person_id is None else None)
    indexes, lookups = registration_indexes(crypto, validated.sealed)
    return NewRegistration(data, validated, row, person, indexes=indexes, lookups=lookups)


def open_site(*, session: Session, actor: Principal, code: str) -> str:
    """The code of a site after checking that it exists, is open and is one the caller may
    act for."""
    site_code = code.upper()
    if site_code not in open_site_codes(session=session):
        raise ValidationFailed([FieldError("site", "unknown site code")])
    if not actor.can_act_for(site_code):
        raise Forbidden("you may not register at this site", [FieldError("site", "not yours")])
    return site_code


def insert(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    entries: Sequence[NewRegistration],
    details: Mapping[str, Any] | None = None,
) -> list[Inserted]:
    """Insert prepared registrations in order: their persons (new, or the existing person
    each names), rows, blind indexes, dependants and one audit event each (with `details`
    added). Rows go in as plain inserts, a statement per table. They have no number yet:
    :func:`number` gives them theirs (and records their weapons), and the caller calls it
    before committing."""
    for entry in entries:
        entry.row["person_id"] = (entry.person["id"] if entry.person is not None
                                  else _linked_person(session, entry).id)
    session.flush()  # a linked person made a child is written before the rows that name it
    connection = session.connection()
    persons = [entry.person for entry in entries if entry.person is not None]
    if persons:
        connection.execute(sa_insert(Person.__table__), persons)  # type: ignore[attr-defined]
    connection.execute(sa_insert(Registration.__table__),  # type: ignore[attr-defined]
                       [entry.row for entry in entries])
    insert_index_rows(session, [row for entry in entries
                                for row in index_rows(entry.id, entry.indexes)])
    record_events(session=session, rows=[event_row(
        actor=actor, action="registration.create", object_type="registration",
        object_id=str(entry.id), site_code=entry.row["site_code"],
        details={"person_id": str(entry.row["person_id"]),
                 "linked": entry.person is None, "is_child": entry.validated.is_child,
                 "weapons": len(entry.data.weapons), "dependants": len(entry.data.dependants),
                 **(details or {})}) for entry in entries])
    for entry in entries:
        if entry.data.dependants:
            registration = session.get(Registration, entry.id)
            assert registration is not None
            for dependant in entry.data.dependants:
                _add_dependant(session=session, crypto=crypto, registration=registration,
                               data=dependant)
    session.flush()
    return [Inserted(entry.id, entry.row["person_id"], entry.row["site_code"],
                     entry.person is None) for entry in entries]


_NUMBER = (update(Registration).where(col(Registration.id) == bindparam("row_id"))
           .values(registration_number=bindparam("number")))


def number(*, session: Session, crypto: FieldCrypto, actor: Principal,
           entries: Sequence[NewRegistration]) -> dict[uuid.UUID, str]:
    """Number registrations :func:`insert` stored, in order, record the weapons handed in with
    them (their receipts carry the number) and count them in the running statistics; their
    numbers by id.

    These are the rows every registration at a site (its number counter) or in the whole
    register (the running counts) writes: each stays locked until the transaction ends, so
    the caller numbers as late as it can, and registrations at one site do not wait for each
    other's duplicate check, case and pairs (ADR 0020). Until then the registrations' number
    is empty; no committed registration is without one."""
    by_counter: dict[tuple[str, int], list[NewRegistration]] = {}
    for entry in entries:
        by_counter.setdefault((entry.row["site_code"], entry.row["registered_on"].year),
                              []).append(entry)
    for (site_code, year), group in by_counter.items():
        numbers = registration_numbers(session=session, site_code=site_code, year=year,
                                       count=len(group))
        for entry, issued in zip(group, numbers, strict=True):
            entry.row["registration_number"] = issued
    session.connection().execute(_NUMBER, [
        {"row_id": entry.id, "number": entry.row["registration_number"]} for entry in entries])
    counts.add_registrations(session, [entry.row for entry in entries])
    counts.add_armed_groups(session, [entry.validated.sealed["armed_group"]
                                      for entry in entries])
    for entry in entries:
        if entry.data.weapons:
            registration = session.get(Registration, entry.id, populate_existing=True)
            assert registration is not None
            for weapon in entry.data.weapons:
                add_weapon(session=session, crypto=crypto, actor=actor,
                           registration=registration, weapon=weapon, audit=False,
                           handed_over_on=registration.registered_on)
    return {entry.id: entry.row["registration_number"] for entry in entries}


def _linked_person(session: Session, entry: NewRegistration) -> Person:
    """The existing person a registration request names (a child registration makes them a
    child on the child pathway)."""
    person = session.get(Person, entry.data.person_id)
    if person is None or person.status != PersonStatus.active:
        raise ValidationFailed([FieldError("person_id", "no such active person")])
    if entry.validated.is_child and not person.is_child:
        person.is_child, person.pathway = True, entry.validated.pathway
    return person


_REGISTERED = select(Registration.id).where(col(Registration.id) == bindparam("id"))


def replay(*, session: Session, crypto: FieldCrypto, actor: Principal, data: RegistrationIn
           ) -> Enrolment | None:
    """The result of the earlier request with the same id (None if there is none); a
    different body with that id is a conflict."""
    if session.execute(_REGISTERED, {"id": data.id}).first() is None:
        return None  # the usual case, found with a light query
    registration = session.get(Registration, data.id, populate_existing=True)
    if registration is None:
        return None
    if (registration.request_digest != request_digest(crypto, data)
            or not actor.can_act_for(registration.site_code)):
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
    handed_over_on: date | None = None,
) -> WeaponHandover:
    """Record a weapon handed in with a registration (on the day given, default today); its
    serial is blind-indexed, its markings kept (the import marking encrypted)."""
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
        handed_over_on=handed_over_on or date.today(), weapon_type=weapon.weapon_type,
        make_model=weapon.make_model, calibre=weapon.calibre, rounds=weapon.rounds,
        condition=weapon.condition, receipt_number=receipt,
        serial_index=crypto.blind_index("serial", serial) if serial else None,
        manufacturer=weapon.manufacturer,
        country_of_manufacture=weapon.country_of_manufacture,
        year_of_manufacture=weapon.year_of_manufacture, recorded_by_id=actor.id,
    )
    seal(crypto, handover, {"serial_number": serial, "import_marking": weapon.import_marking})
    session.add(handover)
    session.flush()
    counts.add_weapons(session, [handover])
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
                            by_username=actor.username,
                            fields=",".join(changed))
    seal(crypto, correction, {
        "previous_values": json.dumps(previous, ensure_ascii=False, default=str),
        "new_values": json.dumps(new, ensure_ascii=False, default=str),
        "reason": reason,
    })
    session.add(correction)
    seal(crypto, registration, checked.sealed)
    counted = registration.model_dump()
    for key, value in checked.clear.items():
        setattr(registration, key, value)
    counts.move_registration(session, counted, registration.model_dump())
    counts.move_armed_group(session, before.get("armed_group"), checked.sealed["armed_group"])
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
