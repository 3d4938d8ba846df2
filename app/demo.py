"""Demo data: synthetic registrations through the service layer, demo accounts, a caseload
worked to every stage and weapons at every stage of custody."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from rich.console import Console
from rich.progress import track
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.errors import DomainError
from app.core.roles import Authorisation
from app.core.security import Principal, hash_password
from app.enrolment.service import enrol
from app.registry import reference
from app.registry.models import Registration
from app.registry.schemas import RegistrationIn
from app.users import service as users
from app.users.models import User
from reintegration.models import Case, CaseEvent, ServiceProvider
from reintegration.payments import instalment_views, record_payment
from reintegration.referrals import create_provider, refer, update_referral
from reintegration.schemas import (
    AssignIn,
    PaymentIn,
    ProviderIn,
    ReferralIn,
    ReferralUpdateIn,
    StepIn,
)
from reintegration.service import assign, transition
from synthetic import SyntheticConfig, armed_groups, generate

DEMO_NAMESPACE = uuid.UUID("6c1f9f0e-4b7e-4a53-9d55-1d2f3a4b5c6d")
DEMO_ACTOR = Principal(id=None, username="demo-data", role="admin", all_sites=True,
                       authorisations=frozenset(Authorisation))
DEMO_ACCOUNTS: tuple[tuple[str, str, list[str], list[str]], ...] = (
    ("admin", "admin", ["*"], []),
    ("officer.trp", "registration_officer", ["TRP"], []),
    ("officer.ben", "registration_officer", ["BEN"], []),
    ("supervisor", "supervisor", ["TRP", "BEN", "MIS"], [Authorisation.children]),
    ("casemanager", "case_manager", ["TRP", "BEN", "MIS"],
     [Authorisation.children, Authorisation.gender]),
    ("casemanager2", "case_manager", ["TRP", "BEN"], []),
    ("committee", "committee", ["*"], []),
    ("auditor", "auditor", ["*"], []),
    ("weapons.trp", "weapons_officer", ["TRP"], []),
    ("weapons.depot", "weapons_officer", ["DEP"], []),
)
WINDOW_DAYS = 180
"""Demo registrations fall in the last six months (their cases are at every stage)."""
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


def recent(day: date) -> date:
    """A synthetic registration day (within its year) moved into the last six months, in the
    same order."""
    share = (day.timetuple().tm_yday - 1) / 366
    return date.today() - timedelta(days=WINDOW_DAYS - int(share * WINDOW_DAYS))


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
                          registered_on=recent(date.fromisoformat(record["registered_on"])))
                done += 1
            except DomainError:
                continue  # a synthetic record the rules refuse is simply left out
    return done


def create_demo_users(*, session: Session, password: str) -> list[tuple[str, str, str]]:
    """Create (or reset the password of) the demo accounts; return (username, role, password)."""
    ensure_demo_depot(session=session)  # the depot's weapons officer acts for it
    made = []
    for username, role, sites, authorisations in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            users.create_user(session=session, actor=DEMO_ACTOR, username=username,
                              password=password, role=role, sites=sites, language="en",
                              authorisations=list(authorisations))
        else:
            user.password_hash = hash_password(password)
            user.active = True
            session.add(user)
        made.append((username, role, password))
    return made


# -- a caseload at every stage ---------------------------------------------------------------

DEMO_PROVIDERS = (
    ("Tripoli Vocational Training Centre", ["vocational_training", "education"], "TRP"),
    ("Benghazi Chamber of Commerce: small business", ["small_business", "employment"], "BEN"),
    ("Misrata Agricultural Cooperative", ["agriculture", "employment"], "MIS"),
    ("Unified Security Institutions: integration office",
     ["security_integration", "employment"], None),
    ("National Psychosocial Support Network", ["psychosocial", "medical"], None),
    ("Women's Protection Services", ["gender_based_violence", "legal", "psychosocial"], None),
    ("Child Protection Partner", ["child_protection", "family_tracing", "interim_care"], None),
)
_OPTION_SERVICE = {"vocational_training": "vocational_training", "education": "education",
                   "employment": "employment", "small_business": "small_business",
                   "security_integration": "security_integration",
                   "agriculture": "agriculture"}
_OPTIONS = tuple(_OPTION_SERVICE)


class _Worker:
    """Moves one demo case along with the services, a step at a time, on given days."""

    def __init__(self, session: Session, crypto: FieldCrypto, case_id: uuid.UUID) -> None:
        self.session, self.crypto, self.case_id = session, crypto, case_id
        self.counts = {"steps": 0, "referrals": 0, "payments": 0}

    @property
    def version(self) -> int:
        case = self.session.get(Case, self.case_id)
        assert case is not None
        return case.version

    def step(self, key: str, status: str, on: date, **data: object) -> None:
        transition(session=self.session, crypto=self.crypto, actor=DEMO_ACTOR,
                   case_id=self.case_id, step_key=key,
                   body=StepIn(status=status, version=self.version, data=data, on=on))
        self.counts["steps"] += 1

    def pay_due(self, until: date, method: str, skip_last: bool) -> None:
        due = [i for i in instalment_views(self.session, self.crypto, self.case_id)
               if i.status == "planned" and i.due_on <= until]
        for instalment in due[:-1] if skip_last else due:
            record_payment(session=self.session, crypto=self.crypto, actor=DEMO_ACTOR,
                           case_id=self.case_id, body=PaymentIn(
                               instalment=instalment.number, amount=instalment.amount,
                               currency=instalment.currency, paid_on=instalment.due_on,
                               method=method, reference=f"RCPT-{instalment.due_on:%y%m%d}-"
                                                        f"{instalment.number}",
                               version=self.version))
            self.counts["payments"] += 1

    def refer(self, provider: uuid.UUID, service: str, on: date, accepted_on: date | None
              ) -> None:
        referral = refer(session=self.session, crypto=self.crypto, actor=DEMO_ACTOR,
                         case_id=self.case_id, body=ReferralIn(
                             provider_id=provider, service=service, step="enrolled",
                             sent_on=on, version=self.version))
        self.counts["referrals"] += 1
        if accepted_on is not None:
            update_referral(session=self.session, crypto=self.crypto, actor=DEMO_ACTOR,
                            case_id=self.case_id, referral_id=referral.id,
                            body=ReferralUpdateIn(status="accepted", on=accepted_on,
                                                  feedback="مكان متاح في الدورة القادمة",
                                                  version=self.version))


def _days(start: date, end: date, count: int) -> list[date]:
    """`count` days spread evenly after `start`, the last at most `end`."""
    span = max((end - start).days, 0)
    return [start + timedelta(days=span * (i + 1) // (count + 1)) for i in range(count)]


def _work_reintegration(worker: _Worker, n: int, stage: int, opened_on: date, category: str,
                        providers: list[uuid.UUID]) -> None:
    today = date.today()
    days = _days(opened_on, today, 8)
    if stage >= 1:
        eligible = n % 29 != 0
        worker.step("eligibility", "done", days[0],
                    outcome="eligible" if eligible else "not_eligible",
                    membership_verification=("commander_list", "group_id_card", "witness")[n % 3],
                    verified_by="لجنة التحقق بالموقع", criteria="العضوية والعمر والإقامة")
        if not eligible:
            return
    if stage >= 2:
        if category == "associated_civilian":
            worker.step("disarmament", "not_applicable", days[1])
        else:
            worker.step("disarmament", "done", days[1], no_weapon_reason="handed_in_by_group")
    if stage >= 3:
        worker.step("demobilization", "done", days[2], ddr_id_card=f"DDR-{n:06d}",
                    medical_screening=("fit", "fit", "treatment_needed")[n % 3],
                    psychosocial_flag=n % 4 == 0, transport_home="provided")
    if stage >= 4:
        worker.step("reinsertion", "in_progress", days[3])
        worker.pay_due(today - timedelta(days=2), ("cash", "bank_transfer")[n % 2],
                       skip_last=n % 5 == 0)
    if stage >= 5:
        worker.step("profiling", "done", days[4], education=("primary", "secondary",
                                                                "vocational")[n % 3],
                    skills="قيادة وصيانة مركبات", wishes="عمل مستقر قرب العائلة",
                    counselling_sessions=2 + n % 3)
        if n % 2:
            worker.step("gender_screening", "done", days[4], needs_identified=n % 6 == 1,
                        referred=False, notes="لا احتياجات خاصة")
    option = _OPTIONS[n % len(_OPTIONS)]
    if stage >= 6:
        worker.step("option", "done", days[5], option=option,
                    reasons="يتوافق مع مهاراته ورغبته")
    if stage >= 7 and providers:
        worker.refer(providers[n % len(providers)], _OPTION_SERVICE[option], days[6],
                     accepted_on=days[7] if stage >= 8 else None)
    if stage >= 8 and providers:
        worker.step("enrolled", "done", days[7], start_date=days[7].isoformat(),
                    programme="دورة ستة أشهر")


def _work_child(worker: _Worker, n: int, stage: int, opened_on: date) -> None:
    days = _days(opened_on, date.today(), 5)
    if stage >= 1:
        worker.step("release", "done", opened_on, circumstances="سُلّم من قبل قائد المجموعة")
    if stage >= 2:
        worker.step("handover", "done", days[0], organisation="Child Protection Partner",
                    received_by="أخصائية حماية الطفل", handed_over_on=days[0].isoformat(),
                    receipt=f"CP-{n:05d}")
    if stage >= 3:
        worker.step("interim_care", "done", days[1], care_type="transit_centre")
    if stage >= 4:
        found = n % 4 != 0
        worker.step("family_tracing", "in_progress", days[2], notes="زيارة أولى للحي")
        worker.step("family_tracing", "done", days[3],
                    outcome="family_found" if found else "not_found")
        if found:
            worker.step("reunification", "done", days[4], reunified_with="parents",
                        reunified_on=days[4].isoformat())


def _work_return(worker: _Worker, n: int, stage: int, opened_on: date) -> None:
    """A foreign fighter's return case up to `stage`: verified, consenting (one in five on the
    non-return branch), consulate contacted, documented, medically cleared."""
    days = _days(opened_on, date.today(), 6)
    if stage >= 1:
        worker.step("nationality_claimed", "done", opened_on)
    if stage >= 2:
        worker.step("nationality_verified", "done", days[0], outcome="confirmed",
                    method="consular_interview", verified_by="الملحق القنصلي")
    if stage >= 3:
        declines = n % 5 == 0
        worker.step("consent", "done", days[1], decision="declines" if declines else "consents",
                    informed_on=days[1].isoformat())
        if declines:
            return
    if stage >= 4:
        worker.step("consular_contact", "in_progress", days[2], channel="embassy",
                    contacted_on=days[2].isoformat(), result="no_answer")
        worker.step("consular_contact", "done", days[3], channel="focal_point",
                    contacted_on=days[3].isoformat(), result="accepted")
    if stage >= 5:
        worker.step("travel_document", "done", days[4], document_type="laissez_passer",
                    number=f"LP-{n:05d}", issuer="Embassy",
                    expires_on=(date.today() + timedelta(days=180)).isoformat())
    if stage >= 6:
        worker.step("medical_clearance", "done", days[5], result="fit",
                    examined_on=days[5].isoformat())


def create_demo_cases(*, engine: Engine, crypto: FieldCrypto) -> dict[str, int]:
    """Work the demo registrations' cases to every stage with the case services: a service
    provider directory, assignments to the demo case managers, steps done on past days (so
    some are overdue and some due this week), instalments paid, referrals. Runs once (nothing
    is done when cases already have work); returns what it did."""
    totals = {"cases": 0, "steps": 0, "referrals": 0, "payments": 0}
    with session_scope(engine) as session:
        if session.exec(select(CaseEvent.id).where(CaseEvent.kind != "opened")).first():
            return totals
        if session.exec(select(ServiceProvider.id)).first() is None:
            for name, services, site in DEMO_PROVIDERS:
                create_provider(session=session, crypto=crypto, actor=DEMO_ACTOR,
                                body=ProviderIn(name=name, services=services, site=site,
                                                contact="+218 91 000 0000"))
        providers = session.exec(select(ServiceProvider)).all()
        managers = {u.username: u for u in session.exec(select(User).where(
            col(User.username).in_(["casemanager", "casemanager2"]))).all()}
        cases = session.exec(select(Case, Registration.category)
                             .join(Registration, col(Registration.id) == col(Case.registration_id))
                             .where(Case.status == "open")
                             .order_by(col(Registration.registration_number))).all()
    for n, (case, category) in enumerate(cases):
        with session_scope(engine) as session:
            worker = _Worker(session, crypto, case.id)
            stage = (0, 1, 2, 3, 4, 4, 5, 6, 7, 8, 8, 8)[n % 12]
            if case.pathway == "child":
                _work_child(worker, n, min(stage, 4), case.opened_on)
            elif case.pathway == "return":
                _work_return(worker, n, min(stage, 6), case.opened_on)
            else:
                service = _OPTION_SERVICE[_OPTIONS[n % len(_OPTIONS)]]
                _work_reintegration(worker, n, stage, case.opened_on, category, [
                    p.id for p in providers if service in p.services.split(",")
                    and p.site_code in (None, case.site_code)])
            manager = managers.get("casemanager" if case.pathway == "child" or n % 3
                                   else "casemanager2")
            if (manager is not None and n % 7 and case.site_code in ("TRP", "BEN", "MIS")
                    and (case.site_code != "MIS" or manager.username == "casemanager")):
                assign(session=session, crypto=crypto, actor=DEMO_ACTOR, case_id=case.id,
                       body=AssignIn(assigned_to=manager.id, version=worker.version))
            totals["cases"] += 1
            for key, count in worker.counts.items():
                totals[key] += count
    return totals


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
