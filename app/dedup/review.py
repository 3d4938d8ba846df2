"""The duplicate review queue: side-by-side view, decisions, merge and undo.

A pair is decided by a person, never merged silently. `same person` moves the registrations
(and cases and payments) of one person onto the other and marks it merged-into, keeping what
moved so that the merge can be undone exactly; `different persons` is a cannot-link the matcher
respects forever after; `not sure` escalates to a supervisor. Merging two persons who both have
cases under way (work recorded on them, not merely opened by a registration) or paid benefits
waits for a supervisor's confirmation. Every decision is kept (`PairDecision`, reason
encrypted) and audited; decisions name the pair version they saw, so two reviewers deciding one
pair at once get one success and one conflict.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, time

from sqlalchemy import ColumnElement, func, or_, true, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.errors import FieldError as FE
from app.core.models import utcnow
from app.core.roles import SUPERVISORS
from app.core.sealed import seal, unseal
from app.core.security import Principal
from app.dedup.enums import OPEN_STATUSES, SUPERVISOR_STATUSES, PairStatus, check_transition
from app.dedup.models import CandidatePair, PairDecision, PersonMerge
from app.dedup.permissions import can_see_pair, require_reviewer
from app.dedup.records import person_cannot_link, registry_record
from app.dedup.schemas import (
    DecisionIn,
    DecisionOut,
    DecisionRecord,
    FieldRow,
    MergePlan,
    PairDetail,
    PairItem,
    PersonSide,
    QueueFilters,
    QueueOut,
    SiteCount,
)
from app.dedup.service import reveal_reasons
from app.dedup.signals import signal_kinds_for_pairs, signals_for
from app.registry.models import Person, Registration
from app.registry.queries import registration_view
from app.registry.schemas import RegistrationStub
from app.users.models import User
from matching import MatchModel, score_candidates
from reintegration.models import BenefitPayment, Case
from reintegration.service import cases_under_way

COMPARED_FIELDS = (
    "given_name", "father_name", "grandfather_name", "family_name", "mother_name", "alias",
    "sex", "date_of_birth", "place_of_birth", "nationality", "phone", "national_id",
    "passport_no", "armed_group", "unit", "rank", "category", "site", "registered_on",
)


def _visible_clause(actor: Principal) -> ColumnElement[bool]:
    if actor.all_sites:
        return true()
    sites = sorted(actor.sites)
    return or_(col(CandidatePair.site_a).in_(sites), col(CandidatePair.site_b).in_(sites))


def scoped_pair(session: Session, actor: Principal, pair_id: uuid.UUID) -> CandidatePair:
    """A pair the reviewer may see (a pair spanning two sites: reviewers of either)."""
    require_reviewer(actor)
    pair = session.get(CandidatePair, pair_id)
    if pair is None or not can_see_pair(actor, pair.site_a, pair.site_b):
        raise NotFound("pair not found")
    return pair


def stub(registration: Registration) -> RegistrationStub:
    """A registration without identifying data."""
    return RegistrationStub(id=registration.id,
                            registration_number=registration.registration_number,
                            site=registration.site_code, registered_on=registration.registered_on)


def _hours_since(at: datetime, now: datetime) -> float:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return round((now - at).total_seconds() / 3600, 1)


def _items(session: Session, pairs: Sequence[CandidatePair]) -> list[PairItem]:
    ids = {p.registration_a_id for p in pairs} | {p.registration_b_id for p in pairs}
    regs = {r.id: r for r in session.exec(
        select(Registration).where(col(Registration.id).in_(ids))).all()} if ids else {}
    kinds = signal_kinds_for_pairs(session, [(p.registration_a_id, p.registration_b_id)
                                             for p in pairs])
    now = utcnow()
    return [PairItem(
        id=p.id, score=round(p.score, 4), band=p.decision, status=p.status, source=p.source,
        version=p.version, site_a=p.site_a, site_b=p.site_b,
        registration_a=stub(regs[p.registration_a_id]),
        registration_b=stub(regs[p.registration_b_id]), created_at=p.created_at,
        age_hours=_hours_since(p.created_at, now), urgent=p.priority > 0,
        signals=kinds.get((p.registration_a_id, p.registration_b_id), []))
        for p in pairs]


def _queue_query(actor: Principal, filters: QueueFilters) -> SelectOfScalar[CandidatePair]:
    """The pairs a reviewer's filters select, unordered."""
    query = select(CandidatePair).where(_visible_clause(actor))
    if filters.status == "decided":
        query = query.where(col(CandidatePair.status).not_in(sorted(OPEN_STATUSES)))
    else:
        query = query.where(CandidatePair.status == filters.status)
    if filters.site:
        query = query.where(or_(col(CandidatePair.site_a) == filters.site,
                                col(CandidatePair.site_b) == filters.site))
    if filters.band:
        query = query.where(CandidatePair.decision == filters.band)
    if filters.since:
        query = query.where(CandidatePair.created_at
                            >= datetime.combine(filters.since, time.min, UTC))
    if filters.until:
        query = query.where(CandidatePair.created_at
                            <= datetime.combine(filters.until, time.max, UTC))
    return query


def _ordered(query: SelectOfScalar[CandidatePair], order: str) -> SelectOfScalar[CandidatePair]:
    """Urgent pairs (likely duplicates nobody decided at the desk) first, then `order`."""
    query = query.order_by(col(CandidatePair.priority).desc())
    if order == "age":
        return query.order_by(col(CandidatePair.created_at), col(CandidatePair.id))
    if order == "uncertain":
        return query.order_by(func.abs(CandidatePair.score - 0.5), col(CandidatePair.id))
    return query.order_by(col(CandidatePair.score).desc(), col(CandidatePair.created_at),
                          col(CandidatePair.id))


def pair_ids(*, session: Session, actor: Principal, filters: QueueFilters, offset: int = 0,
             limit: int = 1) -> list[uuid.UUID]:
    """Ids of the queue's pairs from an offset, without the page's summary (the keyboard flow
    asks this after every decision)."""
    require_reviewer(actor)
    query = _ordered(_queue_query(actor, filters), filters.order).offset(max(offset, 0))
    return [p.id for p in session.exec(query.limit(limit)).all()]


def queue(*, session: Session, actor: Principal, filters: QueueFilters) -> QueueOut:
    """A page of the reviewer's queue, with open counts per site and the oldest open pair."""
    require_reviewer(actor)
    visible = _visible_clause(actor)
    query = _queue_query(actor, filters)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    pairs = session.exec(_ordered(query, filters.order)
                         .offset((filters.page - 1) * filters.page_size)
                         .limit(filters.page_size)).all()
    counts: dict[str, int] = {}
    is_open = col(CandidatePair.status).in_(sorted(OPEN_STATUSES))
    for site_column, extra in ((CandidatePair.site_a, true()),
                               (CandidatePair.site_b, or_(
                                   col(CandidatePair.site_a).is_(None),
                                   col(CandidatePair.site_b) != CandidatePair.site_a))):
        by_site = (select(site_column, func.count()).where(is_open, extra)
                   .group_by(site_column))
        for site, count in session.exec(by_site).all():
            if site is not None and actor.can_act_for(str(site)):
                counts[str(site)] = counts.get(str(site), 0) + int(count)
    oldest = session.exec(select(func.min(CandidatePair.created_at))
                          .where(visible, is_open)).one()
    return QueueOut(
        items=_items(session, pairs), total=total, page=filters.page,
        page_size=filters.page_size,
        counts=[SiteCount(site=s, open=n) for s, n in sorted(counts.items())],
        oldest_open_hours=_hours_since(oldest, utcnow()) if oldest else None,
        signals=signals_for(session=session, actor=actor, status="open"))


def next_pair(*, session: Session, actor: Principal, filters: QueueFilters,
              after: uuid.UUID | None = None) -> uuid.UUID | None:
    """The first pair of the queue (other than `after`): where the keyboard flow goes next."""
    for pair_id in pair_ids(session=session, actor=actor, filters=filters, limit=2):
        if pair_id != after:
            return pair_id
    return None


# -- side by side ----------------------------------------------------------------------------


def _person_side(session: Session, person: Person, actor: Principal,
                 exclude: uuid.UUID) -> PersonSide:
    regs = session.exec(select(Registration).where(Registration.person_id == person.id)
                        .order_by(col(Registration.created_at))).all()
    return PersonSide(
        id=person.id, status=person.status, is_child=person.is_child, pathway=person.pathway,
        created_at=person.created_at,
        viewable=any(actor.can_act_for(r.site_code) for r in regs),
        other_registrations=[stub(r) for r in regs if r.id != exclude],
        open_cases=_count(session, Case, person.id, open_only=True),
        payments=_count(session, BenefitPayment, person.id))


def _count(session: Session, table: type[Case] | type[BenefitPayment], person_id: uuid.UUID,
           open_only: bool = False) -> int:
    query = select(func.count()).select_from(table).where(
        table.person_id == person_id)
    if open_only:
        query = query.where(Case.status == "open")
    return int(session.exec(query).one())


def _guarded(session: Session, person_id: uuid.UUID) -> bool:
    """Whether a person has a case under way (work recorded on it, not just opened by their
    registration) or a paid benefit (merging two such needs a supervisor)."""
    return bool(cases_under_way(session, person_id)
                or _count(session, BenefitPayment, person_id))


def _survivor(a: Person, b: Person, keep: uuid.UUID | None) -> tuple[Person, Person]:
    if keep is not None:
        if keep not in (a.id, b.id):
            raise ValidationFailed([FE("keep_person_id", "must be one of the pair's persons")])
        return (a, b) if keep == a.id else (b, a)
    # the older person survives: their number is the one already in use elsewhere
    return (a, b) if (a.created_at, str(a.id)) <= (b.created_at, str(b.id)) else (b, a)


def _kept(survivor: Person, merged: Person) -> dict[str, str]:
    child = survivor.is_child or merged.is_child
    return {
        "person": str(survivor.id),
        "child_flag": "yes" if child else "no",
        "pathway": "child_protection" if child else survivor.pathway,
        "registrations": "all kept as recorded, on the surviving person",
    }


def merge_plan(session: Session, a: Person, b: Person,
               keep: uuid.UUID | None = None) -> MergePlan:
    """What `same person` would do to two persons."""
    if a.id == b.id:
        return MergePlan(survivor_id=a.id, merged_id=a.id, registrations_moving=0,
                         cases_moving=0, payments_moving=0, kept=_kept(a, a),
                         needs_supervisor=False, already_same_person=True)
    survivor, merged = _survivor(a, b, keep)
    moving = session.exec(select(func.count()).select_from(Registration)
                          .where(Registration.person_id == merged.id)).one()
    return MergePlan(
        survivor_id=survivor.id, merged_id=merged.id, registrations_moving=int(moving),
        cases_moving=_count(session, Case, merged.id),
        payments_moving=_count(session, BenefitPayment, merged.id),
        kept=_kept(survivor, merged),
        needs_supervisor=_guarded(session, a.id) and _guarded(session, b.id),
        already_same_person=False)


def _history(session: Session, crypto: FieldCrypto, pair_id: uuid.UUID) -> list[DecisionRecord]:
    rows = session.exec(select(PairDecision).where(PairDecision.pair_id == pair_id)
                        .order_by(col(PairDecision.at))).all()
    names = {u.id: u.username for u in session.exec(select(User).where(
        col(User.id).in_({r.by_id for r in rows if r.by_id}))).all()}
    return [DecisionRecord(decision=r.decision, status_after=r.status_after,
                           by=names.get(r.by_id) if r.by_id else None, at=r.at,
                           reason=unseal(crypto, r)["reason"]) for r in rows]


def _open_merge(session: Session, pair_id: uuid.UUID) -> PersonMerge | None:
    return session.exec(select(PersonMerge).where(PersonMerge.pair_id == pair_id,
                                                  col(PersonMerge.undone_at).is_(None))
                        .order_by(col(PersonMerge.at).desc())).first()


def pair_detail(*, session: Session, crypto: FieldCrypto, actor: Principal,
                pair_id: uuid.UUID, model: MatchModel | None = None) -> PairDetail:
    """Both registrations field by field with the score's reasons, their persons, signals,
    what a merge would do and the pair's history. Identifying data: the read is audited."""
    pair = scoped_pair(session, actor, pair_id)
    reg_a = session.get(Registration, pair.registration_a_id)
    reg_b = session.get(Registration, pair.registration_b_id)
    assert reg_a is not None
    assert reg_b is not None
    person_a = session.get(Person, reg_a.person_id)
    person_b = session.get(Person, reg_b.person_id)
    assert person_a is not None
    assert person_b is not None
    view_a = registration_view(session=session, crypto=crypto, registration=reg_a)
    view_b = registration_view(session=session, crypto=crypto, registration=reg_b)
    record_a, record_b = registry_record(crypto, reg_a), registry_record(crypto, reg_b)
    scored = score_candidates(record_a, [record_b], model=model)[0]
    flat_a = {**view_a.fields, **record_a}
    flat_b = {**view_b.fields, **record_b}
    rows = [FieldRow(field=f, a=flat_a.get(f), b=flat_b.get(f),
                     same=_norm(flat_a.get(f)) == _norm(flat_b.get(f)))
            for f in COMPARED_FIELDS]
    plan = None if pair.status == "same_person" else merge_plan(session, person_a, person_b)
    record_event(session=session, actor=actor, action="review.read", object_type="pair",
                 object_id=str(pair.id),
                 details={"registrations": [str(reg_a.id), str(reg_b.id)]})
    item = _items(session, [pair])[0]
    return PairDetail(
        pair=item, model_version=pair.model_version, score_now=round(scored.score, 4),
        band_now=scored.decision, a=view_a, b=view_b, rows=rows,
        reasons=reveal_reasons(scored),
        person_a=_person_side(session, person_a, actor, reg_a.id),
        person_b=_person_side(session, person_b, actor, reg_b.id),
        plan=plan,
        signals=signals_for(session=session, actor=actor, registrations=[reg_a.id, reg_b.id]),
        history=_history(session, crypto, pair.id),
        can_undo=_open_merge(session, pair.id) is not None)


def _norm(value: object) -> str:
    return " ".join(str(value or "").casefold().split())


# -- decisions -------------------------------------------------------------------------------


def _claim(session: Session, pair: CandidatePair, seen_version: int, status: str,
           actor: Principal) -> int:
    """Move a pair to `status` if the transition table allows it and nobody changed the pair
    since `seen_version`; the new version. The conditional UPDATE is what makes two
    simultaneous decisions one success, one 409."""
    check_transition(pair.status, status)
    result = session.execute(
        update(CandidatePair)
        .where(col(CandidatePair.id) == pair.id, col(CandidatePair.version) == seen_version)
        .values(status=status, version=seen_version + 1, decided_at=utcnow(),
                decided_by_id=actor.id)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("this pair was changed by someone else meanwhile; reload it")
    session.refresh(pair)
    return seen_version + 1


def _log(session: Session, crypto: FieldCrypto, actor: Principal, pair: CandidatePair,
         decision: str, before: str, reason: str | None,
         merge_id: uuid.UUID | None = None) -> None:
    row = PairDecision(pair_id=pair.id, decision=decision, status_before=before,
                       status_after=pair.status, by_id=actor.id, merge_id=merge_id)
    seal(crypto, row, {"reason": reason})
    session.add(row)
    record_event(session=session, actor=actor, action=f"review.{decision}", object_type="pair",
                 object_id=str(pair.id),
                 details={"status_before": before, "status_after": pair.status,
                          "reason_given": bool(reason), "version": pair.version,
                          **({"merge": str(merge_id)} if merge_id else {})})


def _lock_persons(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Person]:
    rows = session.exec(select(Person).where(col(Person.id).in_(sorted(set(ids), key=str)))
                        .order_by(col(Person.id)).with_for_update()
                        .execution_options(populate_existing=True)).all()
    return {p.id: p for p in rows}


def _fresh(session: Session, registration_id: uuid.UUID) -> Registration:
    reg = session.exec(select(Registration).where(Registration.id == registration_id)
                       .execution_options(populate_existing=True)).one()
    return reg


def decide(*, session: Session, crypto: FieldCrypto, actor: Principal, pair_id: uuid.UUID,
           body: DecisionIn) -> DecisionOut:
    """Record a reviewer's decision on a pair (see the module docstring)."""
    pair = scoped_pair(session, actor, pair_id)
    before = pair.status
    if before not in OPEN_STATUSES:
        raise Conflict(f"this pair was already decided ({before}); reload it")
    if before in SUPERVISOR_STATUSES and actor.role not in SUPERVISORS:
        raise Forbidden("this pair waits for a supervisor")
    if pair.version != body.version:
        raise Conflict("this pair was changed by someone else meanwhile; reload it")
    reason = (body.reason or "").strip() or None
    if body.decision == "not_sure":
        if reason is None:
            raise ValidationFailed([FE("reason", "say what is unclear for the supervisor")])
        _claim(session, pair, body.version, "escalated", actor)
        _log(session, crypto, actor, pair, "not_sure", before, reason)
        return DecisionOut(pair_id=pair.id, status=pair.status, version=pair.version,
                           message="sent to a supervisor")
    if body.decision == "different_persons":
        _claim(session, pair, body.version, "different_persons", actor)
        _log(session, crypto, actor, pair, "different_persons", before, reason)
        _supersede_between(session, crypto, actor, pair)
        return DecisionOut(pair_id=pair.id, status=pair.status, version=pair.version,
                           message="recorded as two different persons; they will not be "
                                   "proposed again")
    return _same_person(session, crypto, actor, pair, body, before, reason)


def _same_person(session: Session, crypto: FieldCrypto, actor: Principal, pair: CandidatePair,
                 body: DecisionIn, before: str, reason: str | None) -> DecisionOut:
    reg_a, reg_b = _fresh(session, pair.registration_a_id), _fresh(session, pair.registration_b_id)
    persons = _lock_persons(session, [reg_a.person_id, reg_b.person_id])
    reg_a, reg_b = _fresh(session, pair.registration_a_id), _fresh(session, pair.registration_b_id)
    if reg_a.person_id not in persons or reg_b.person_id not in persons:
        raise Conflict("these registrations were moved meanwhile; reload the pair")
    person_a, person_b = persons[reg_a.person_id], persons[reg_b.person_id]
    if person_a.id == person_b.id:
        _claim(session, pair, body.version, "same_person", actor)
        _log(session, crypto, actor, pair, "same_person", before, reason)
        return DecisionOut(pair_id=pair.id, status=pair.status, version=pair.version,
                           message="already the same person")
    if person_cannot_link(session, person_a.id) & {person_b.id}:
        raise Conflict("these persons were judged different on another pair; that decision "
                       "must be reviewed first")
    plan = merge_plan(session, person_a, person_b, body.keep_person_id)
    supervisor = actor.role in SUPERVISORS
    if plan.needs_supervisor and not supervisor:
        _claim(session, pair, body.version, "awaiting_supervisor", actor)
        _log(session, crypto, actor, pair, "same_person", before, reason)
        return DecisionOut(pair_id=pair.id, status=pair.status, version=pair.version,
                           needs_supervisor=True,
                           message="both persons have cases under way or paid benefits: a "
                                   "supervisor must confirm this merge")
    _claim(session, pair, body.version, "same_person", actor)
    survivor = persons[plan.survivor_id]
    merged = persons[plan.merged_id]
    merge = _merge(session, pair, survivor, merged, actor,
                   confirmed_by=actor.id if before == "awaiting_supervisor" else None)
    _log(session, crypto, actor, pair, "same_person", before, reason, merge.id)
    return DecisionOut(pair_id=pair.id, status=pair.status, version=pair.version, merged=True,
                       merge_id=merge.id, survivor_id=survivor.id,
                       message="merged: the registrations now belong to one person")


def _pairs_between(session: Session, first: uuid.UUID, second: uuid.UUID,
                   exclude: uuid.UUID) -> list[CandidatePair]:
    regs = session.exec(select(Registration.id, Registration.person_id).where(
        col(Registration.person_id).in_([first, second]))).all()
    side = dict(regs)
    if not side:
        return []
    pairs = session.exec(select(CandidatePair).where(
        col(CandidatePair.registration_a_id).in_(list(side)),
        col(CandidatePair.registration_b_id).in_(list(side)),
        col(CandidatePair.status).in_(sorted(OPEN_STATUSES)), CandidatePair.id != exclude)).all()
    return [p for p in pairs if side[p.registration_a_id] != side[p.registration_b_id]]


def _supersede_between(session: Session, crypto: FieldCrypto, actor: Principal,
                       pair: CandidatePair) -> list[dict[str, object]]:
    """Settle the other open pairs between the same two persons by this decision."""
    reg_a = _fresh(session, pair.registration_a_id)
    reg_b = _fresh(session, pair.registration_b_id)
    closed = []
    for other in _pairs_between(session, reg_a.person_id, reg_b.person_id, pair.id):
        closed.append({"id": str(other.id), "status": other.status, "version": other.version})
        previous = other.status
        _claim(session, other, other.version, "superseded", actor)
        _log(session, crypto, actor, other, "superseded", previous,
             None)
    return closed


def _merge(session: Session, pair: CandidatePair, survivor: Person, merged: Person,
           actor: Principal, confirmed_by: int | None) -> PersonMerge:
    """Move everything of `merged` onto `survivor`, remembering what moved."""
    closed = [{"id": str(p.id), "status": p.status, "version": p.version}
              for p in _pairs_between(session, survivor.id, merged.id, pair.id)]
    registrations = session.exec(select(Registration).where(
        Registration.person_id == merged.id)).all()
    cases = session.exec(select(Case).where(Case.person_id == merged.id)).all()
    payments = session.exec(select(BenefitPayment).where(
        BenefitPayment.person_id == merged.id)).all()
    moved = {
        "registrations": [str(r.id) for r in registrations],
        "cases": [str(c.id) for c in cases],
        "payments": [str(p.id) for p in payments],
        "survivor_before": {"is_child": survivor.is_child, "pathway": survivor.pathway,
                            "status": survivor.status},
        "merged_before": {"status": merged.status,
                          "merged_into_id": str(merged.merged_into_id or "")},
        "closed_pairs": closed,
    }
    kept = _kept(survivor, merged)
    for row in [*registrations, *cases, *payments]:
        row.person_id = survivor.id
        session.add(row)
    survivor.is_child = kept["child_flag"] == "yes"
    survivor.pathway = kept["pathway"]
    merged.status, merged.merged_into_id = "merged", survivor.id
    session.add(survivor)
    session.add(merged)
    for item in closed:
        other = session.get(CandidatePair, uuid.UUID(str(item["id"])))
        assert other is not None
        other.status = check_transition(other.status, PairStatus.superseded)
        other.version += 1
        session.add(other)
    merge = PersonMerge(pair_id=pair.id, survivor_id=survivor.id, merged_id=merged.id,
                        moved=json.dumps(moved), by_id=actor.id, confirmed_by_id=confirmed_by)
    session.add(merge)
    session.flush()
    record_event(session=session, actor=actor, action="person.merge", object_type="person",
                 object_id=str(survivor.id),
                 details={"merged": str(merged.id), "pair": str(pair.id),
                          "registrations": moved["registrations"], "cases": moved["cases"],
                          "payments": moved["payments"]})
    return merge


def undo(*, session: Session, crypto: FieldCrypto, actor: Principal, pair_id: uuid.UUID,
         reason: str) -> DecisionOut:
    """Undo the merge a pair's `same person` decision made: both persons, their registrations,
    cases and payments back exactly as they were (a payment made since on a case that moved
    goes back with its case); the pair open again."""
    pair = scoped_pair(session, actor, pair_id)
    merge = _open_merge(session, pair.id)
    if merge is None:
        raise Conflict("this pair has no merge to undo")
    if merge.confirmed_by_id is not None and actor.role not in SUPERVISORS:
        raise Forbidden("a supervisor confirmed this merge; only a supervisor can undo it")
    persons = _lock_persons(session, [merge.survivor_id, merge.merged_id])
    survivor, merged = persons[merge.survivor_id], persons[merge.merged_id]
    moved = json.loads(merge.moved)
    registrations = session.exec(select(Registration).where(
        col(Registration.id).in_([uuid.UUID(i) for i in moved["registrations"]]))
        .execution_options(populate_existing=True)).all()
    if (survivor.status != "active" or merged.merged_into_id != survivor.id
            or any(r.person_id != survivor.id for r in registrations)):
        raise Conflict("the persons changed after this merge (a later merge or move); undo "
                       "that first")
    case_ids = [uuid.UUID(i) for i in moved["cases"]]
    # the payments that moved, and those made since on the cases that moved: they follow
    # their case back
    payments = session.exec(select(BenefitPayment).where(or_(
        col(BenefitPayment.id).in_([uuid.UUID(i) for i in moved["payments"]]),
        col(BenefitPayment.case_id).in_(case_ids)))).all()
    for row in [*registrations,
                *session.exec(select(Case).where(col(Case.id).in_(case_ids))).all(),
                *payments]:
        row.person_id = merged.id
        session.add(row)
    before = moved["survivor_before"]
    survivor.is_child, survivor.pathway = before["is_child"], before["pathway"]
    merged.status = moved["merged_before"]["status"]
    merged.merged_into_id = (uuid.UUID(moved["merged_before"]["merged_into_id"])
                             if moved["merged_before"]["merged_into_id"] else None)
    session.add(survivor)
    session.add(merged)
    for item in moved["closed_pairs"]:
        other = session.get(CandidatePair, uuid.UUID(item["id"]))
        if other is not None and other.status == PairStatus.superseded:
            other.status = check_transition(other.status, item["status"])
            other.version += 1
            session.add(other)
    merge.undone_at, merge.undone_by_id = utcnow(), actor.id
    session.add(merge)
    previous = pair.status
    _claim(session, pair, pair.version, "open", actor)
    _log(session, crypto, actor, pair, "undo", previous, reason, merge.id)
    record_event(session=session, actor=actor, action="person.unmerge", object_type="person",
                 object_id=str(survivor.id),
                 details={"restored": str(merged.id), "merge": str(merge.id),
                          "registrations": moved["registrations"]})
    return DecisionOut(pair_id=pair.id, status=pair.status, version=pair.version,
                       merge_id=merge.id, survivor_id=survivor.id,
                       message="merge undone: both persons are as they were")
