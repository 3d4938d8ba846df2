"""Demo data: synthetic registrations through the service layer, and demo accounts."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

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
    ("weapons.trp", "weapons_officer", ["TRP"]),
    ("weapons.depot", "weapons_officer", ["DEP"]),
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


DEPOT = ("DEP", "Central weapons depot", "المستودع المركزي للأسلحة")
WEAPONS_TRP = Principal(id=None, username="weapons.trp", role="weapons_officer",
                        sites=frozenset({"TRP"}))
WEAPONS_DEPOT = Principal(id=None, username="weapons.depot", role="weapons_officer",
                          sites=frozenset({DEPOT[0]}))
_DEMO_WEAPONS = (("rifle", "AKM", "7.62x39mm", "RUS", 1978), ("rifle", "FN FAL", "7.62x51mm",
                                                              "BEL", 1969),
                 ("pistol", "Beretta 92", "9x19mm", "ITA", 2004),
                 ("machine_gun", "PKM", "7.62x54mmR", "RUS", 1983))


def ensure_demo_depot(*, session: Session) -> None:
    """The central weapons depot of the demonstration (a site of its own)."""
    if DEPOT[0] not in {s.code for s in reference.list_sites(session=session)}:
        reference.create_site(session=session, actor=DEMO_ACTOR, code=DEPOT[0],
                              name_en=DEPOT[1], name_ar=DEPOT[2], region="West")


def create_demo_weapons(*, engine: Engine, crypto: FieldCrypto) -> dict[str, int]:
    """Weapons handed in at Tripoli by some demo participants, at every stage of custody:
    collected (some long enough to be unaccounted), in storage, waiting in a transfer to the
    depot, in the depot, destroyed there with a certificate; one serial handed in twice, a
    depot count that misses a weapon, an unsafe ammunition lot and a tracing list with a hit.
    Runs once (nothing is added when custody records exist); returns what it made."""
    from app.dedup import signals
    from app.registry import service as registry
    from app.registry.schemas import WeaponIn
    from app.weapons import destruction, service, stock, tracing
    from app.weapons.models import CustodyTransfer
    from app.weapons.schemas import (
        DestructionIn,
        LotIn,
        OutcomeIn,
        StockCountIn,
        TracingListIn,
        TransferIn,
    )

    with session_scope(engine) as session:
        ensure_demo_depot(session=session)
        if session.exec(select(CustodyTransfer.id)).first() is not None:
            return {}
        registrations = session.exec(select(Registration).where(Registration.site_code == "TRP")
                                     .order_by(col(Registration.registration_number))
                                     .limit(8)).all()
        if not registrations:
            return {}
        weapons = []
        for index in range(16):
            registration = registrations[index % len(registrations)]
            kind, model, calibre, country, year = _DEMO_WEAPONS[index % len(_DEMO_WEAPONS)]
            serial = f"DEMO-{index // 2 if index in (14, 15) else index:04d}"  # 14, 15: twins
            weapons.append(registry.add_weapon(
                session=session, crypto=crypto, actor=DEMO_ACTOR, registration=registration,
                weapon=WeaponIn(weapon_type=kind, make_model=model, calibre=calibre,
                                serial_number=serial, manufacturer=model.split()[0],
                                country_of_manufacture=country, year_of_manufacture=year),
                handed_over_on=registration.registered_on).id)
        signals.scan(session=session, crypto=crypto, actor=DEMO_ACTOR,
                     registration_ids=[r.id for r in registrations])
        tracing.check_registrations(session=session, actor=DEMO_ACTOR,
                                    registration_ids=[r.id for r in registrations])

    def step(action: Any) -> Any:
        with session_scope(engine) as session:
            return action(session)

    def transfer(sender: Principal, receiver: Principal | None, ids: list[Any], status: str,
                 site: str) -> None:
        body = TransferIn(id=uuid.uuid5(DEMO_NAMESPACE, f"transfer:{ids[0]}:{status}"),
                          weapons=ids, to_status=status, to_site=site,
                          seal_numbers=[f"S-{len(ids):03d}"])
        sent = step(lambda s: service.send(session=s, crypto=crypto, actor=sender,
                                                   body=body)[0])
        if receiver is not None:
            step(lambda s: service.settle(
                session=s, crypto=crypto, actor=receiver, transfer_id=sent.id,
                body=OutcomeIn(outcome="confirmed", seals_intact=True)))

    stored = weapons[2:14]
    transfer(DEMO_ACTOR, WEAPONS_TRP, stored, "in_storage", "TRP")
    transfer(WEAPONS_TRP, WEAPONS_DEPOT, stored[:8], "in_depot", DEPOT[0])
    transfer(WEAPONS_TRP, None, stored[8:10], "in_depot", DEPOT[0])  # waits for the depot
    step(lambda s: destruction.destroy(
        session=s, crypto=crypto, actor=WEAPONS_DEPOT, body=DestructionIn(
            id=uuid.uuid5(DEMO_NAMESPACE, "destruction:1"), site=DEPOT[0],
            destroyed_on=date.today(), method="cutting", place="ورشة المستودع المركزي",
            authorised_by="العقيد سالم الفيتوري", weapons=stored[:4],
            witnesses=[{"name": "علي محمد", "role": "لجنة نزع السلاح"},
                       {"name": "Observer One", "role": "UNSMIL"}])))
    held = {str(w) for w in stored[4:8]}
    step(lambda s: stock.record_count(
        session=s, crypto=crypto, actor=WEAPONS_DEPOT, body=StockCountIn(
            id=uuid.uuid5(DEMO_NAMESPACE, "count:1"), site=DEPOT[0],
            lines=[_receipt(s, w) for w in sorted(held)[1:]])))
    step(lambda s: destruction.record_lot(
        session=s, crypto=crypto, actor=WEAPONS_TRP, body=LotIn(
            id=uuid.uuid5(DEMO_NAMESPACE, "lot:1"), site="TRP", category="grenade",
            calibre="F1", lot_number="1979-22", quantity=12, condition="unsafe")))
    step(lambda s: tracing.upload(
        session=s, crypto=crypto, actor=DEMO_ACTOR, body=TracingListIn(
            id=uuid.uuid5(DEMO_NAMESPACE, "tracing:1"), name="Reported stolen (demonstration)",
            source="demonstration data", serials=["DEMO-0013", "XX-NOT-HANDED-IN"])))
    return {"weapons": len(weapons), "in_depot": 4, "destroyed": 4, "waiting": 2}


def _receipt(session: Session, weapon_id: str) -> str:
    from app.registry.models import WeaponHandover

    weapon = session.get(WeaponHandover, uuid.UUID(weapon_id))
    assert weapon is not None
    return weapon.receipt_number
