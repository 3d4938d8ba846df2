"""Fraud and integrity signals, found from blind indexes without reading plaintext in bulk:

- ``weapon_serial``: one weapon serial number handed in at two or more registrations;
- ``shared_document``: one national or passport number on registrations whose names differ;
- ``shared_phone``: one phone number on registrations of several different persons;
- ``paid_again``: a person already paid a reinsertion instalment registering again (a new
  registration linked to them, or a possible duplicate of one of their registrations);
- ``traced_weapon``: a weapon handed in whose serial is on a tracing list (raised by the
  weapons domain through :func:`raise_signal`).

Signals are stored once per (kind, key) where the key is a blind index or an id, never the
shared value; a rescan adds new members and reopens a cleared signal when one joins. When a
signal ties two persons together and no pair exists, a pair is put in the review queue so the
reviewer can decide whether they are one person.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import BindParameter, and_, bindparam, func
from sqlalchemy import select as select_columns
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import NotFound
from app.core.models import utcnow
from app.core.sealed import seal, unseal
from app.core.security import Principal
from app.dedup.models import CandidatePair, IntegritySignal, SignalMember, ordered
from app.dedup.permissions import require_reviewer
from app.dedup.records import person_cannot_link, registry_record
from app.dedup.schemas import SignalDecisionIn, SignalOut
from app.registry.enums import IndexKind
from app.registry.models import Registration, RegistrationIndex, WeaponHandover
from app.registry.schemas import RegistrationStub
from matching import MatchModel, compare_names, score_candidates
from reintegration.models import BenefitPayment

PHONE_PERSONS = 3  # a phone shared by this many different persons is a signal
NAMES_DIFFER_BELOW = 0.7  # compare_names of two full names under this: "different names"

MESSAGES = {
    "weapon_serial": "The same weapon serial number was handed in at {count} registrations",
    "shared_document": "One {document} number is on {count} registrations with different names",
    "shared_phone": "One phone number is on registrations of {count} different persons",
    "paid_again": "A person already paid a reinsertion instalment has registered again",
    "traced_weapon": "A weapon handed in is on a tracing list of lost, stolen or sought "
                     "weapons ({count} registrations)",
}


def _upsert(session: Session, kind: str, key: str, members: Iterable[uuid.UUID]
            ) -> uuid.UUID | None:
    """Store a signal and its members; its id when it is new or gained a member."""
    new: list[uuid.UUID] = []
    def find() -> IntegritySignal | None:
        return session.exec(select(IntegritySignal).where(
            IntegritySignal.kind == kind, IntegritySignal.key == key)
            .execution_options(populate_existing=True)).first()

    signal = find()
    created = signal is None
    if signal is None:
        try:  # two registrations raising one signal at once: the second joins the first's
            with session.begin_nested():
                signal = IntegritySignal(kind=kind, key=key)
                session.add(signal)
                session.flush()
        except IntegrityError:
            signal, created = find(), False
            assert signal is not None
    known = set(session.exec(select(SignalMember.registration_id).where(
        SignalMember.signal_id == signal.id)).all())
    for member in dict.fromkeys(members):
        if member in known:
            continue
        try:
            with session.begin_nested():
                session.add(SignalMember(signal_id=signal.id, registration_id=member))
                session.flush()
        except IntegrityError:
            continue  # added meanwhile by a concurrent registration
        new.append(member)
    if new and not created:
        signal.updated_at = utcnow()
        if signal.status == "cleared":
            signal.status = "open"
        session.add(signal)
    return signal.id if created or new else None


def _groups(rows: Iterable[tuple[str, uuid.UUID]]) -> dict[str, set[uuid.UUID]]:
    groups: dict[str, set[uuid.UUID]] = defaultdict(set)
    for key, registration_id in rows:
        groups[key].add(registration_id)
    return {k: v for k, v in groups.items() if len(v) > 1}


_MINE, _OTHER = aliased(RegistrationIndex), aliased(RegistrationIndex)
_SHARING = (select_columns(col(_MINE.kind), col(_MINE.digest), col(_OTHER.registration_id))
            .join(_OTHER, and_(col(_OTHER.kind) == col(_MINE.kind),
                               col(_OTHER.digest) == col(_MINE.digest)))
            .where(col(_MINE.registration_id).in_(bindparam("ids", expanding=True)),
                   col(_MINE.kind).in_(bindparam("kinds", expanding=True))))
"""Every registration holding a blind index (of the kinds bound as `kinds`) that one of the
registrations bound as `ids` holds: (kind, digest, registration id), theirs included."""


def _index_groups(session: Session, kinds: Sequence[str],
                  registration_ids: Sequence[uuid.UUID] | None) -> dict[str, set[uuid.UUID]]:
    """Registrations sharing a blind index of the given kinds, keyed `kind:digest`."""
    if registration_ids is not None:
        if not registration_ids:
            return {}
        return _groups((f"{k}:{d}", r) for k, d, r in session.execute(
            _SHARING, {"ids": list(registration_ids), "kinds": list(kinds)}))
    shared = (select(RegistrationIndex.kind, RegistrationIndex.digest)
              .where(col(RegistrationIndex.kind).in_(kinds))
              .group_by(RegistrationIndex.kind, RegistrationIndex.digest)
              .having(func.count(func.distinct(RegistrationIndex.registration_id)) > 1))
    keys = {f"{k}:{d}" for k, d in session.exec(shared).all()}
    if not keys:
        return {}
    digests = {k.split(":", 1)[1] for k in keys}
    rows = session.exec(select(RegistrationIndex.kind, RegistrationIndex.digest,
                               RegistrationIndex.registration_id)
                        .where(col(RegistrationIndex.kind).in_(kinds),
                               col(RegistrationIndex.digest).in_(digests))).all()
    return _groups((f"{k}:{d}", r) for k, d, r in rows if f"{k}:{d}" in keys)


DOCUMENT_KINDS = (IndexKind.national_id.value, IndexKind.passport.value)
SHARED_KINDS = (*DOCUMENT_KINDS, IndexKind.phone.value)
"""The blind indexes two persons should not share: documents, and (by several) a phone."""


def _full_name(crypto: FieldCrypto, registration: Registration) -> str:
    parts = unseal(crypto, registration,
                   ("given_name", "father_name", "grandfather_name", "family_name"))
    return " ".join(v for v in parts.values() if v)


_SERIALS = select(WeaponHandover.serial_index, WeaponHandover.registration_id).where(
    col(WeaponHandover.serial_index).is_not(None))
_SERIALS_SHARED = _SERIALS.where(col(WeaponHandover.serial_index).in_(
    select(WeaponHandover.serial_index).where(
        col(WeaponHandover.registration_id).in_(bindparam("ids", expanding=True)))))
"""Every weapon serial handed in, and those of the weapons of the registrations bound as
`ids` (built once: every registration runs it)."""


def scan(*, session: Session, crypto: FieldCrypto, actor: Principal,
         registration_ids: Sequence[uuid.UUID] | None = None,
         model: MatchModel | None = None) -> int:
    """Find signals touching the given registrations (default: the whole registry); return how
    many are new or have new members. Pairs tying two persons go to the review queue."""
    touched: list[tuple[str, str, set[uuid.UUID]]] = []

    serials = (session.execute(_SERIALS_SHARED, {"ids": list(registration_ids)})
               if registration_ids is not None else session.execute(_SERIALS))
    for key, members in _groups((str(s), r) for s, r in serials).items():
        touched.append(("weapon_serial", key, members))

    shared = _index_groups(session, SHARED_KINDS, registration_ids)
    documents = {k: m for k, m in shared.items() if k.split(":", 1)[0] in DOCUMENT_KINDS}
    phones = {k: m for k, m in shared.items() if k.split(":", 1)[0] == IndexKind.phone.value}
    involved = set().union(*shared.values()) if shared else set()
    regs = {r.id: r for r in session.exec(select(Registration).where(
        col(Registration.id).in_(involved))).all()} if involved else {}
    names: dict[uuid.UUID, str] = {}
    for key, members in documents.items():
        for m in members:
            if m not in names:
                names[m] = _full_name(crypto, regs[m])
        ordered_members = sorted(members, key=str)
        differ = any(regs[x].person_id != regs[y].person_id
                     and compare_names(names[x], names[y]) < NAMES_DIFFER_BELOW
                     for i, x in enumerate(ordered_members) for y in ordered_members[i + 1:])
        if differ:
            touched.append(("shared_document", key, members))
    for key, members in phones.items():
        if len({regs[m].person_id for m in members}) >= PHONE_PERSONS:
            touched.append(("shared_phone", key, members))

    touched.extend(_paid_again(session, registration_ids))

    changed = 0
    for kind, key, members in touched:
        signal_id = _upsert(session, kind, key, members)
        if signal_id is not None:
            changed += 1
            record_event(session=session, actor=actor, action="signal.raise",
                         object_type="signal", object_id=str(signal_id),
                         details={"kind": kind,
                                  "registrations": sorted(str(m) for m in members)})
            if kind != "shared_phone":
                _queue_pair(session, crypto, members, model)
    session.flush()
    return changed


def raise_signal(*, session: Session, actor: Principal, kind: str, key: str,
                 registration_ids: Iterable[uuid.UUID]) -> uuid.UUID | None:
    """Raise (or add members to) a signal another domain found, keyed by a blind index or an
    id; its id when it is new or gained a member (audited), else None."""
    members = set(registration_ids)
    signal_id = _upsert(session, kind, key, members)
    if signal_id is not None:
        record_event(session=session, actor=actor, action="signal.raise", object_type="signal",
                     object_id=str(signal_id),
                     details={"kind": kind, "registrations": sorted(str(m) for m in members)})
    return signal_id


_IDS: BindParameter[list[uuid.UUID]] = bindparam("ids", expanding=True)
_PAIRS_OF = (select_columns(
    col(CandidatePair.registration_a_id), col(CandidatePair.registration_b_id)).where(
    col(CandidatePair.status) != "different_persons",
    or_(col(CandidatePair.registration_a_id).in_(_IDS),
        col(CandidatePair.registration_b_id).in_(_IDS))))
_PAID_PERSONS = (select_columns(col(BenefitPayment.person_id), func.min(BenefitPayment.paid_on))
                 .where(col(BenefitPayment.person_id).in_(
                     select_columns(col(Registration.person_id))
                     .where(col(Registration.id).in_(_IDS))))
                 .group_by(col(BenefitPayment.person_id)))
_WHEN_REGISTERED = select_columns(col(Registration.id), col(Registration.person_id),
                                  col(Registration.registered_on)).where(
    col(Registration.id).in_(_IDS))
"""The statements of :func:`_paid_again` for given registrations: when their persons were
first paid (most were never: then nothing more is read), and when each was registered."""


def _paid_again(session: Session, registration_ids: Sequence[uuid.UUID] | None
                ) -> list[tuple[str, str, set[uuid.UUID]]]:
    """Registrations made after a reinsertion instalment was paid to their person, or to the
    person of a possible duplicate of theirs (dates as recorded, so imports count too)."""
    if registration_ids is not None:  # only the registrations and persons concerned
        rows = [(a, b) for a, b in session.execute(_PAIRS_OF, {"ids": list(registration_ids)})]
        concerned = list({i for row in rows for i in row} | set(registration_ids))
        first_paid: dict[uuid.UUID, date] = dict(
            session.execute(_PAID_PERSONS, {"ids": concerned}).all())
        regs = ({r.id: r for r in session.execute(_WHEN_REGISTERED, {"ids": concerned})}
                if first_paid else {})
    else:
        rows = [(a, b) for a, b in session.exec(select(
            CandidatePair.registration_a_id, CandidatePair.registration_b_id).where(
            CandidatePair.status != "different_persons")).all()]
        ids = {i for row in rows for i in row}
        regs = {r.id: r for r in session.execute(select_columns(
            col(Registration.id), col(Registration.person_id),
            col(Registration.registered_on)).where(col(Registration.id).in_(ids))).all()
            } if ids else {}
        first_paid = dict(session.exec(
            select(BenefitPayment.person_id, func.min(BenefitPayment.paid_on)).group_by(
                col(BenefitPayment.person_id))).all())
    if not first_paid:
        return []
    found = []
    if registration_ids is not None:
        targets = [regs[i] for i in registration_ids if i in regs]
    else:
        targets = list(session.execute(select_columns(
            col(Registration.id), col(Registration.person_id),
            col(Registration.registered_on)).where(
            col(Registration.person_id).in_(list(first_paid)))).all())
    for registration in targets:
        paid_on = first_paid.get(registration.person_id)
        if paid_on is not None and registration.registered_on > paid_on:
            earliest = session.exec(select(Registration.id).where(
                Registration.person_id == registration.person_id,
                Registration.id != registration.id)
                .order_by(col(Registration.registered_on))).first()
            found.append(("paid_again", f"registration:{registration.id}",
                          {registration.id, *([earliest] if earliest else [])}))
    for a, b in rows:
        for new, old in ((regs[a], regs[b]), (regs[b], regs[a])):
            paid_on = first_paid.get(old.person_id)
            if (paid_on is not None and new.person_id != old.person_id
                    and new.registered_on > paid_on):
                found.append(("paid_again", f"registration:{new.id}", {new.id, old.id}))
    return found


def _queue_pair(session: Session, crypto: FieldCrypto, members: set[uuid.UUID],
                model: MatchModel | None) -> None:
    """Put the first two registrations of different persons in the review queue."""
    regs = sorted(session.exec(select(Registration).where(
        col(Registration.id).in_(members))).all(), key=lambda r: (r.created_at, str(r.id)))
    for i, first in enumerate(regs):
        for second in regs[i + 1:]:
            if first.person_id == second.person_id:
                continue
            if second.person_id in person_cannot_link(session, first.person_id):
                continue
            a, b = ordered(first.id, second.id)
            if session.exec(select(CandidatePair.id).where(
                    CandidatePair.registration_a_id == a,
                    CandidatePair.registration_b_id == b)).first() is not None:
                return
            scored = score_candidates(registry_record(crypto, first),
                                      [registry_record(crypto, second)], model=model)[0]
            sites = {first.id: first.site_code, second.id: second.site_code}
            try:  # a concurrent registration may queue the same pair: keep theirs
                with session.begin_nested():
                    session.add(CandidatePair(
                        registration_a_id=a, registration_b_id=b, score=scored.score,
                        decision="match" if scored.decision == "match" else "possible",
                        model_version=scored.model_version, source="signal",
                        site_a=sites[a], site_b=sites[b]))
                    session.flush()
            except IntegrityError:
                pass
            return


def _message(kind: str, members: int, key: str) -> tuple[str, dict[str, str]]:
    params = {"count": str(members)}
    if kind == "shared_document":
        params["document"] = "passport" if key.startswith(IndexKind.passport.value) else "national"
    return MESSAGES[kind], params


def signals_for(*, session: Session, actor: Principal, status: str | None = None,
                registrations: Sequence[uuid.UUID] | None = None,
                signal_ids: Sequence[uuid.UUID] | None = None,
                limit: int = 50) -> list[SignalOut]:
    """Signals with a member at the caller's sites (optionally: touching given registrations)."""
    query = select(IntegritySignal)
    if signal_ids is not None:
        query = query.where(col(IntegritySignal.id).in_(signal_ids))
    if status:
        query = query.where(IntegritySignal.status == status)
    if registrations is not None:
        query = query.where(col(IntegritySignal.id).in_(
            select(SignalMember.signal_id).where(
                col(SignalMember.registration_id).in_(registrations))))
    signals = session.exec(query.order_by(col(IntegritySignal.updated_at).desc())
                           .limit(limit * 4)).all()
    if not signals:
        return []
    rows = session.exec(select(SignalMember.signal_id, Registration).join(
        Registration, col(Registration.id) == SignalMember.registration_id).where(
        col(SignalMember.signal_id).in_([s.id for s in signals]))).all()
    members: dict[uuid.UUID, list[Registration]] = defaultdict(list)
    for signal_id, registration in rows:
        members[signal_id].append(registration)
    out = []
    for signal in signals:
        regs = sorted(members[signal.id], key=lambda r: r.registration_number)
        if not any(actor.can_act_for(r.site_code) for r in regs):
            continue
        template, params = _message(signal.kind, len(regs), signal.key)
        out.append(SignalOut(
            id=signal.id, kind=signal.kind, status=signal.status,
            message=template.format(**params), template=template, params=params,
            registrations=[RegistrationStub(id=r.id, registration_number=r.registration_number,
                                            site=r.site_code, registered_on=r.registered_on)
                           for r in regs],
            created_at=signal.created_at))
        if len(out) >= limit:
            break
    return out


def with_open_signals(session: Session, registration_ids: Sequence[uuid.UUID]
                      ) -> set[uuid.UUID]:
    """Those of the registrations that are members of a signal not cleared."""
    if not registration_ids:
        return set()
    return set(session.exec(select(SignalMember.registration_id).join(
        IntegritySignal, col(IntegritySignal.id) == SignalMember.signal_id).where(
        col(SignalMember.registration_id).in_(registration_ids),
        IntegritySignal.status != "cleared")).all())


def signal_kinds_for_pairs(session: Session, pairs: Sequence[tuple[uuid.UUID, uuid.UUID]]
                           ) -> dict[tuple[uuid.UUID, uuid.UUID], list[str]]:
    """The kinds of open signals that include both registrations of each pair."""
    ids = {i for pair in pairs for i in pair}
    if not ids:
        return {}
    rows = session.exec(select(SignalMember.registration_id, IntegritySignal.kind,
                               IntegritySignal.id).join(
        IntegritySignal, col(IntegritySignal.id) == SignalMember.signal_id).where(
        col(SignalMember.registration_id).in_(ids), IntegritySignal.status != "cleared")).all()
    by_reg: dict[uuid.UUID, set[tuple[str, uuid.UUID]]] = defaultdict(set)
    for registration_id, kind, signal_id in rows:
        by_reg[registration_id].add((kind, signal_id))
    return {(a, b): sorted({kind for kind, _ in by_reg[a] & by_reg[b]}) for a, b in pairs}


def decide_signal(*, session: Session, crypto: FieldCrypto, actor: Principal,
                  signal_id: uuid.UUID, body: SignalDecisionIn) -> SignalOut:
    """Clear a signal (explained) or confirm it (referred as fraud); the reason is kept
    encrypted, the decision audited."""
    require_reviewer(actor)
    signal = session.get(IntegritySignal, signal_id)
    sites = session.exec(select(Registration.site_code).join(
        SignalMember, col(SignalMember.registration_id) == Registration.id).where(
        SignalMember.signal_id == signal_id)).all()
    if signal is None or not any(actor.can_act_for(s) for s in sites):
        raise NotFound("signal not found")
    before = signal.status
    signal.status, signal.decided_by_id, signal.decided_at = body.status, actor.id, utcnow()
    signal.updated_at = utcnow()
    seal(crypto, signal, {"reason": body.reason})
    session.add(signal)
    record_event(session=session, actor=actor, action=f"signal.{body.status}",
                 object_type="signal", object_id=str(signal.id),
                 details={"kind": signal.kind, "status_before": before, "reason_given": True})
    session.flush()
    return signals_for(session=session, actor=actor, signal_ids=[signal.id])[0]
