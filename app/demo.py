"""Demo data: synthetic registrations through the service layer, and demo accounts."""

from __future__ import annotations

import uuid
from datetime import date

from rich.console import Console
from rich.progress import track
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.errors import DomainError
from app.core.security import Principal, hash_password
from app.enrolment.service import enrol
from app.registry import reference
from app.registry.models import Registration
from app.registry.schemas import RegistrationIn
from app.users import service as users
from app.users.models import User
from synthetic import SyntheticConfig, armed_groups, generate

DEMO_NAMESPACE = uuid.UUID("6c1f9f0e-4b7e-4a53-9d55-1d2f3a4b5c6d")
DEMO_ACTOR = Principal(id=None, username="demo-data", role="admin", all_sites=True)
DEMO_ACCOUNTS = (
    ("admin", "admin", ["*"]),
    ("officer.trp", "registration_officer", ["TRP"]),
    ("officer.ben", "registration_officer", ["BEN"]),
    ("supervisor", "supervisor", ["TRP", "BEN", "MIS"]),
    ("casemanager", "case_manager", ["TRP", "BEN", "MIS"]),
    ("committee", "committee", ["*"]),
    ("auditor", "auditor", ["*"]),
)
_INPUT_FIELDS = (
    "site", "category", "sex", "date_of_birth", "given_name", "father_name", "grandfather_name",
    "family_name", "mother_name", "alias", "place_of_birth", "nationality", "phone",
    "national_id", "passport_no", "armed_group",
)


def ensure_demo_armed_groups(*, session: Session) -> int:
    """Put the synthetic data's armed groups on the managed list; return how many were added."""
    existing = {g.code for g in reference.list_armed_groups(session=session)}
    added = 0
    for code, name_en, name_ar, aliases in armed_groups():
        if code not in existing:
            reference.create_armed_group(session=session, actor=DEMO_ACTOR, code=code,
                                         name_en=name_en, name_ar=name_ar, aliases=list(aliases))
            added += 1
    return added


def register_synthetic(
    *, engine: Engine, crypto: FieldCrypto, persons: int, seed: int, console: Console | None = None
) -> int:
    """Register synthetic participants as officers would (duplicate check included);
    re-running is idempotent."""
    with session_scope(engine) as session:
        ensure_demo_armed_groups(session=session)
    records, _truth = generate(SyntheticConfig(n_persons=persons, seed=seed, registry_valid=True))
    done = 0
    batch: list[dict[str, str]] = []
    for record in track(records, description="registering", console=console,
                        disable=console is None):
        batch.append(record)
        if len(batch) == 200:
            done += _register_batch(engine=engine, crypto=crypto, records=batch, seed=seed)
            batch = []
    done += _register_batch(engine=engine, crypto=crypto, records=batch, seed=seed)
    return done


def _register_batch(
    *, engine: Engine, crypto: FieldCrypto, records: list[dict[str, str]], seed: int
) -> int:
    done = 0
    with session_scope(engine) as session:
        for record in records:
            body = {k: (record.get(k) or None) for k in _INPUT_FIELDS}
            body["id"] = str(uuid.uuid5(DEMO_NAMESPACE, f"{seed}:{record['record_id']}"))
            body["consent"] = True  # type: ignore[assignment]
            try:
                data = RegistrationIn.model_validate(body)
                with session.begin_nested():  # a refused record leaves nothing behind
                    enrol(session=session, crypto=crypto, actor=DEMO_ACTOR, data=data,
                          registered_on=date.fromisoformat(record["registered_on"]))
                done += 1
            except DomainError:
                continue  # a synthetic record the rules refuse is simply left out
    return done


def create_demo_users(*, session: Session, password: str) -> list[tuple[str, str, str]]:
    """Create (or reset the password of) the demo accounts; return (username, role, password)."""
    made = []
    for username, role, sites in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            users.create_user(session=session, actor=DEMO_ACTOR, username=username,
                              password=password, role=role, sites=sites, language="en")
        else:
            user.password_hash = hash_password(password)
            user.active = True
            session.add(user)
        made.append((username, role, password))
    return made


def create_demo_cases(*, engine: Engine, share: int = 4) -> tuple[int, int]:
    """Open a case for one demo person in `share` and pay the first reinsertion instalment to
    half of those, so the review queue shows guarded merges and paid-again signals. Runs once
    (nothing is added when cases exist); returns (cases, payments) added."""
    from reintegration.models import Case
    from reintegration.service import open_case, record_payment

    with session_scope(engine) as session:
        if session.exec(select(Case.id)).first() is not None:
            return 0, 0
        registrations = session.exec(select(Registration)
                                     .order_by(col(Registration.registration_number))).all()
        seen: dict[uuid.UUID, tuple[str, date]] = {}
        for r in registrations:
            seen.setdefault(r.person_id, (r.site_code, r.registered_on))
        cases = payments = 0
        for index, (person_id, (site, registered_on)) in enumerate(sorted(
                seen.items(), key=lambda item: str(item[0]))):
            if index % share:
                continue
            case = open_case(session=session, actor=DEMO_ACTOR, person_id=person_id, site=site)
            cases += 1
            if index % (share * 2) == 0:
                record_payment(session=session, actor=DEMO_ACTOR, person_id=person_id,
                               site=site, amount=150_000, paid_on=registered_on,
                               case_id=case.id)
                payments += 1
    return cases, payments
