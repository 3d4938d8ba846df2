"""Test data builders: users with tokens and registration bodies for tests over HTTP, and
persons, registrations, pairs, cases and payments built directly in the database (through the
services that build them in production, without HTTP)."""

from __future__ import annotations

import csv
import random
import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.security import SYSTEM, Principal
from app.dedup.models import CandidatePair, ordered
from app.enrolment.service import Enrolment, enrol
from app.imports.models import ImportJob
from app.imports.service import import_file
from app.registry import counts, reference
from app.registry.models import Person, Registration
from app.registry.schemas import RegistrationIn
from app.users import service as users
from reintegration.models import BenefitPayment, Case, PaymentInstalment
from reintegration.payments import plan_instalments, record_payment
from reintegration.schemas import InstalmentIn, InstalmentsIn, PaymentIn, StepIn
from reintegration.service import open_case, transition

PASSWORD = "correct horse battery"

# the man of registration_body() as typed in Latin letters at another site
LATIN_BODY: dict[str, Any] = {
    "site": "BEN", "given_name": "Mohamed", "father_name": "Abdelsalam",
    "grandfather_name": "Ali", "family_name": "Elwarfalli", "mother_name": "Fatma",
    "alias": None, "place_of_birth": "Bani Walid", "phone": "+218912345678",
}


def seed_reference(engine: Engine) -> None:
    """Create the standard sites and one armed group."""
    with session_scope(engine) as session:
        reference.ensure_default_sites(session=session)
        if not reference.list_armed_groups(session=session):
            reference.create_armed_group(
                session=session, actor=SYSTEM, code="TPF", name_en="Tripoli Protection Force",
                name_ar="قوة حماية طرابلس", aliases=["TPF Brigade"])


def make_user(engine: Engine, username: str, role: str, sites: list[str] | None = None,
              authorisations: list[str] | None = None) -> str:
    """Create a user and return its username (password: PASSWORD)."""
    seed_reference(engine)
    with session_scope(engine) as session:
        users.create_user(session=session, actor=SYSTEM, username=username, password=PASSWORD,
                          role=role, sites=sites or [], authorisations=authorisations)
    return username


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in over the API and return the Authorization header."""
    response = client.post("/api/v1/auth/token",
                           data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def user_headers(
    client: TestClient, engine: Engine, role: str, sites: list[str] | None = None,
    authorisations: list[str] | None = None,
) -> dict[str, str]:
    """Create a user with a role, sites (and authorisations), log in, and return its
    headers."""
    name = f"{role}-{'-'.join(sites or ['all'])}-{uuid.uuid4().hex[:6]}"
    make_user(engine, name, role, sites, authorisations)
    return login(client, name)


def registration_body(**overrides: Any) -> dict[str, Any]:
    """A valid registration body (a Libyan combatant registered at TRP)."""
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
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
        "phone": "0912345678",
        "national_id": "119880123456",
        "passport_no": None,
        "armed_group": "Tripoli Protection Force",
        "consent": True,
    }
    body.update(overrides)
    return body


def register(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """Register over the API (asserting 201); the response body."""
    response = client.post("/api/v1/registrations", json=registration_body(**overrides),
                           headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def make_registration(session: Session, crypto: FieldCrypto, *,
                      actor: Principal = SYSTEM, registered_on: date | None = None,
                      **overrides: Any) -> Enrolment:
    """Register a participant directly (the duplicate check included), in `session`."""
    return enrol(session=session, crypto=crypto, actor=actor,
                 data=RegistrationIn.model_validate(registration_body(**overrides)),
                 registered_on=registered_on)


def make_pair(session: Session, first: Registration, second: Registration, *,
              score: float = 0.9, decision: str = "match", status: str = "open"
              ) -> CandidatePair:
    """A candidate pair between two registrations, as the matcher records it."""
    a, b = ordered(first.id, second.id)
    sites = {first.id: first.site_code, second.id: second.site_code}
    pair = CandidatePair(registration_a_id=a, registration_b_id=b, score=score,
                         decision=decision, model_version="test", source="registration",
                         site_a=sites[a], site_b=sites[b], status=status)
    session.add(pair)
    session.flush()
    return pair


def make_case(session: Session, person_id: uuid.UUID, *, site: str = "TRP",
              pathway: str | None = None) -> Case:
    """Open a case for a person (registrations open theirs already)."""
    return open_case(session=session, actor=SYSTEM, person_id=person_id, site=site,
                     pathway=pathway)


def person_case(session: Session, person_id: uuid.UUID,
                pathway: str = "reintegration") -> Case:
    """The person's first case on a pathway (opened by their registration)."""
    case = session.exec(select(Case).where(Case.person_id == person_id, Case.pathway == pathway)
                        .order_by(col(Case.opened_at))).first()
    assert case is not None, f"no {pathway} case for {person_id}"
    return case


def start_case(session: Session, crypto: FieldCrypto, person_id: uuid.UUID) -> Case:
    """Record work on the person's case: its first step in progress."""
    case = person_case(session, person_id)
    return transition(session=session, crypto=crypto, actor=SYSTEM, case_id=case.id,
                      step_key="eligibility",
                      body=StepIn(status="in_progress", version=case.version))


def make_payment(session: Session, crypto: FieldCrypto, person_id: uuid.UUID, *,
                 amount: str = "150", paid_on: date | None = None,
                 instalment: int = 1) -> BenefitPayment:
    """Pay a reinsertion instalment to a person through their case (planning it first)."""
    case = person_case(session, person_id)
    planned = session.exec(select(PaymentInstalment).where(
        PaymentInstalment.case_id == case.id, PaymentInstalment.status == "planned")).all()
    wanted = [InstalmentIn(number=p.number, amount=Decimal(p.amount) / 1000,
                           due_on=p.due_on) for p in planned if p.number != instalment]
    wanted.append(InstalmentIn(number=instalment, amount=Decimal(amount),
                               due_on=paid_on or date.today()))
    plan_instalments(session=session, crypto=crypto, actor=SYSTEM, case_id=case.id,
                     body=InstalmentsIn(instalments=wanted, version=case.version))
    return record_payment(session=session, crypto=crypto, actor=SYSTEM, case_id=case.id,
                          body=PaymentIn(instalment=instalment, amount=Decimal(amount),
                                         paid_on=paid_on or date.today(), method="cash",
                                         version=case.version))


def import_rows(engine: Engine, crypto: FieldCrypto, rows: Sequence[dict[str, Any]],
                folder: Path, *, actor: Principal = SYSTEM, **options: Any) -> ImportJob:
    """Import rows (dicts keyed by the record CSV's columns) through a CSV file, as
    `ddr import` does (consent attested unless said otherwise)."""
    path = folder / f"import-{uuid.uuid4().hex[:8]}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    options.setdefault("consent_attested", True)
    with path.open("rb") as handle:
        return import_file(engine=engine, crypto=crypto, actor=actor, handle=handle,
                           file_name=path.name, **options)


def plain_registration_rows(count: int, *, seed: int = 7) -> list[dict[str, Any]]:
    """Random clear columns of registrations (site, sex, category, nationality, birth year,
    registered on), skewed so that some cells are small (women at some sites, old ages)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        site = rng.choice(["TRP"] * 6 + ["BEN"] * 4 + ["MIS"] * 2 + ["SEB", "KUF"])
        sex = "F" if rng.random() < (0.15 if site in {"TRP", "BEN"} else 0.03) else "M"
        category = rng.choice(["libyan_combatant"] * 6 + ["associated_civilian"] * 2
                              + ["foreign_fighter", "child"])
        nationality = ("LBY" if category != "foreign_fighter"
                       else rng.choice(["SDN", "SDN", "TCD", "NER", "SYR"]))
        registered_on = date(2026, rng.randint(1, 4), rng.randint(1, 28))
        birth_year = (None if rng.random() < 0.05 else
                      registered_on.year - rng.choice([13, 16, 17, 19, 22, 27, 30, 38, 45, 55]))
        rows.append({"site": site, "sex": sex, "category": category,
                     "nationality": nationality, "birth_year": birth_year,
                     "registered_on": registered_on})
    return rows


def insert_plain_registrations(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Registrations with their clear columns only (statistics need no names), a person
    each; sites must exist (:func:`seed_reference`)."""
    added = []
    for number, row in enumerate(rows):
        person = Person()
        session.add(person)
        added.append(Registration(
            id=uuid.uuid4(), registration_number=f"{row['site']}-2026-{900000 + number}",
            person_id=person.id, site_code=row["site"], registered_on=row["registered_on"],
            category=row["category"], declared_category=row["category"], sex=row["sex"],
            birth_year=row["birth_year"], nationality=row["nationality"],
            is_child=row["category"] == "child", consent=True, request_digest="plain"))
    session.add_all(added)
    session.flush()
    counts.add_registrations(session, [r.model_dump() for r in added])  # as registry.insert
    counts.add_armed_groups(session, [None] * len(added))  # no group stated
