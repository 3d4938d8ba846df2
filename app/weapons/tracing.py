"""Tracing checks: lists of serials of weapons reported lost or stolen, or sought by an
investigation, kept only as blind indexes. A weapon handed in, before or after a list is
uploaded, whose serial is on one raises a `traced_weapon` integrity signal for review."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, delete, insert
from sqlmodel import Session, col, func, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import Conflict, FieldError, Forbidden, ValidationFailed
from app.core.roles import Role
from app.core.sealed import seal, unseal
from app.core.security import Principal
from app.dedup import signals
from app.registry import validation as v
from app.registry.models import WeaponHandover
from app.weapons.models import TracingEntry, TracingList
from app.weapons.schemas import TracingListIn, TracingListOut
from app.weapons.service import request_digest

SIGNAL_KIND = "traced_weapon"
CHUNK = 500


def chunks(values: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    """Slices of at most `size` values (bound parameters stay within every database's limit)."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def serial_digest(crypto: FieldCrypto, serial: str | None) -> str | None:
    """The blind index a serial is stored under (as on the weapon handover)."""
    normalised = v.normalise_serial(serial)
    return crypto.blind_index("serial", normalised) if normalised else None


def serial_digests(crypto: FieldCrypto, serial: str | None) -> list[str]:
    """The blind indexes a serial may be stored under: one per active key version (a
    rotation may not have moved every weapon yet)."""
    normalised = v.normalise_serial(serial)
    return crypto.blind_indexes("serial", normalised) if normalised else []


def _raise(session: Session, actor: Principal, digests: Iterable[str]) -> int:
    """Raise (or extend) a signal for each serial on a list that weapons handed in carry;
    how many signals are new or gained a registration."""
    wanted = sorted(set(digests))
    members: dict[str, set[uuid.UUID]] = defaultdict(set)
    for part in chunks(wanted):
        for digest, registration_id in session.exec(select(
                WeaponHandover.serial_index, WeaponHandover.registration_id).where(
                col(WeaponHandover.serial_index).in_(part))).all():
            members[str(digest)].add(registration_id)
    changed = 0
    for digest, registrations in sorted(members.items()):
        if signals.raise_signal(session=session, actor=actor, kind=SIGNAL_KIND,
                                key=f"trace:{digest}", registration_ids=registrations):
            changed += 1
    return changed


_LISTED = select(WeaponHandover.serial_index).where(
    col(WeaponHandover.registration_id).in_(bindparam("ids", expanding=True)),
    col(WeaponHandover.serial_index).in_(select(TracingEntry.serial_index)))
"""The serials of the weapons of the registrations bound as `ids` on a tracing list (built
once: every registration runs it)."""


def check_registrations(*, session: Session, actor: Principal,
                        registration_ids: Sequence[uuid.UUID]) -> int:
    """Look up the serials of the weapons handed in with these registrations on every
    tracing list; how many signals are new or gained a registration."""
    if not registration_ids:
        return 0
    listed = session.execute(_LISTED, {"ids": list(registration_ids)}).scalars().all()
    return _raise(session, actor, [str(d) for d in listed]) if listed else 0


def upload(*, session: Session, crypto: FieldCrypto, actor: Principal,
           body: TracingListIn) -> tuple[TracingListOut, bool]:
    """Store a tracing list as blind indexes and check every weapon already handed in
    against it; the list and whether it is new (False: a retry of the same request)."""
    if actor.role != Role.admin:
        raise Forbidden("only an administrator uploads tracing lists")
    digest = request_digest(crypto, "tracing-list", body)
    earlier = session.get(TracingList, body.id)
    if earlier is not None:
        if earlier.request_digest != digest:
            raise Conflict("this id was already used for a different list",
                           [FieldError("id", "already used with other data")])
        return _view(session, crypto, earlier), False
    serials = {d for d in (serial_digest(crypto, s) for s in body.serials) if d}
    if not serials:
        raise ValidationFailed([FieldError("serials", "no serial number in the list")])
    # each serial under every active key version, so weapons a rotation has not yet moved
    # are found too
    digests = sorted({d for s in body.serials for d in serial_digests(crypto, s)})
    tracing = TracingList(id=body.id, uploaded_by_id=actor.id, entries=len(serials),
                          request_digest=digest)
    normalised = sorted({n for n in (v.normalise_serial(s) for s in body.serials) if n})
    seal(crypto, tracing, {"name": body.name, "source": body.source,
                           "serials": json.dumps(normalised)})
    session.add(tracing)
    session.flush()
    for part in chunks(digests, 2000):
        session.execute(insert(TracingEntry), [{"list_id": tracing.id, "serial_index": d}
                                               for d in part])
    record_event(session=session, actor=actor, action="weapons.tracing.upload",
                 object_type="tracing_list", object_id=str(tracing.id),
                 details={"entries": len(digests)})
    _raise(session, actor, digests)
    session.flush()
    return _view(session, crypto, tracing), True


def rebuild_entries(*, session: Session, crypto: FieldCrypto, tracing: TracingList) -> bool:
    """Replace a list's entries by its serials' blind indexes under the primary key version
    (after a key rotation); False for a list stored before its serials were kept."""
    serials = unseal(crypto, tracing, ["serials"])["serials"]
    if serials is None:
        return False
    session.execute(delete(TracingEntry).where(col(TracingEntry.list_id) == tracing.id))
    digests = sorted({crypto.blind_index("serial", s) for s in json.loads(serials)})
    for part in chunks(digests, 2000):
        session.execute(insert(TracingEntry), [{"list_id": tracing.id, "serial_index": d}
                                               for d in part])
    return True


def _view(session: Session, crypto: FieldCrypto, tracing: TracingList) -> TracingListOut:
    hits = session.exec(select(func.count()).select_from(WeaponHandover).where(
        col(WeaponHandover.serial_index).in_(select(TracingEntry.serial_index).where(
            TracingEntry.list_id == tracing.id)))).one()
    plain = unseal(crypto, tracing)
    return TracingListOut(id=tracing.id, created_at=tracing.created_at, name=plain["name"],
                          source=plain["source"], entries=tracing.entries, hits=int(hits))


def list_lists(*, session: Session, crypto: FieldCrypto, actor: Principal) -> list[TracingListOut]:
    """Every tracing list with its number of serials and of weapons on it (never a serial)."""
    if actor.role != Role.admin:
        raise Forbidden("only an administrator uploads tracing lists")
    lists = session.exec(select(TracingList).order_by(col(TracingList.created_at).desc())).all()
    return [_view(session, crypto, t) for t in lists]


def on_a_list(session: Session, serial_index: str | None) -> bool:
    """Whether a serial (by its blind index) is on any tracing list."""
    if not serial_index:
        return False
    return session.exec(select(TracingEntry.id).where(
        TracingEntry.serial_index == serial_index).limit(1)).first() is not None
