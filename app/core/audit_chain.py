"""The tamper-evident audit chain.

Each audit event carries `chain_mac` = HMAC-SHA256(chain key, MAC of the event before ‖ the
event's fields), hex, and the id of the key version whose derived chain key made it
(`chain_key_id`). Editing, deleting, reordering or forging an event breaks the link of the
next one; :func:`verify` names the first broken link. Cutting the tail off leaves a valid
shorter chain, so the head (last id and MAC, signed with its own derived key) is exported for
safekeeping and checked later (:func:`export_head`, :func:`check_head`).

Events are written when their unit of work commits (:func:`_write_pending`, a session
`before_commit` hook): at that point the chain is locked (on PostgreSQL a transaction-level
advisory lock, taken last so it cannot close a deadlock cycle; SQLite has one writer already),
the last MAC read, and the events chained and inserted. Events recorded in a savepoint that
rolls back are dropped with it (connection savepoint events), as they would be if inserted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.core.crypto import FieldCrypto
from app.core.models import AuditEvent

PURPOSE = "audit-chain"
HEAD_PURPOSE = "audit-head"
GENESIS = "0" * 64
LOCK_ID = 0x44445241  # "DDRA": the PostgreSQL advisory lock of the chain
PENDING = "audit_pending"
MARKS = "audit_savepoints"
FIELDS = ("at", "actor_id", "actor_username", "actor_role", "action", "object_type",
          "object_id", "site_code", "request_id", "details", "chain_key_id")

_CHAINS: WeakKeyDictionary[Engine, FieldCrypto] = WeakKeyDictionary()


class ChainNotConfigured(RuntimeError):
    """Audit events were recorded on an engine whose key ring was never given to the chain."""


def enable(engine: Engine, crypto: FieldCrypto) -> None:
    """Chain every audit event written through this engine with this key ring's keys."""
    _CHAINS[engine] = crypto
    for name, listener in (("savepoint", _on_savepoint),
                           ("rollback_savepoint", _on_rollback_savepoint),
                           ("release_savepoint", _on_release_savepoint),
                           ("rollback", _on_rollback), ("checkin", _on_checkin)):
        if not event.contains(engine, name, listener):
            event.listen(engine, name, listener)


def _timestamp(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    return str(value)


def canonical(row: Mapping[str, Any]) -> bytes:
    """The bytes of an event a MAC covers (every field but the id and the MAC)."""
    values = [_timestamp(row["at"]) if name == "at" else row.get(name) for name in FIELDS]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode("utf-8")


def link(key: bytes, previous: str, row: Mapping[str, Any]) -> str:
    """The MAC of an event following the event whose MAC is `previous`."""
    return hmac.new(key, bytes.fromhex(previous) + canonical(row), hashlib.sha256).hexdigest()


# --- pending events: written at commit, dropped with a rolled-back savepoint ---------------

def add_pending(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Hold events to be chained and written when the connection's transaction commits."""
    connection.info.setdefault(PENDING, []).extend(rows)


def _on_savepoint(connection: Connection, _name: str | None) -> None:
    # savepoints nest as a stack (SQLAlchemy names them after this event, so the stack order,
    # not the name, says which one a rollback or release ends)
    connection.info.setdefault(MARKS, []).append(len(connection.info.get(PENDING, [])))


def _on_rollback_savepoint(connection: Connection, _name: str, _context: object) -> None:
    marks = connection.info.get(MARKS, [])
    if marks:
        del connection.info.get(PENDING, [])[marks.pop():]


def _on_release_savepoint(connection: Connection, _name: str, _context: object) -> None:
    marks = connection.info.get(MARKS, [])
    if marks:
        marks.pop()


def _on_rollback(connection: Connection) -> None:
    connection.info.pop(PENDING, None)
    connection.info.pop(MARKS, None)


def _on_checkin(_dbapi_connection: object, record: Any) -> None:
    # nothing held for a transaction outlives the connection's checkout
    record.info.pop(PENDING, None)
    record.info.pop(MARKS, None)


_LAST_MAC = (select(col(AuditEvent.chain_mac)).where(col(AuditEvent.chain_mac).is_not(None))
             .order_by(col(AuditEvent.id).desc()).limit(1))
"""The MAC of the chain's last event (built once: every commit that audits reads it)."""
_INSERT = insert(AuditEvent)
_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(:id)")


def _write_pending(session: Session) -> None:
    """Chain and insert the events the unit of work recorded (before it commits).

    A savepoint's commit fires this hook too; its events wait for the outer commit, so the
    chain's lock is held only while the whole transaction commits, not from the savepoint on."""
    if session.in_nested_transaction():
        return
    connection = session.connection()
    rows = connection.info.pop(PENDING, None)
    connection.info.pop(MARKS, None)
    if not rows:
        return
    crypto = _CHAINS.get(connection.engine)
    if crypto is None:
        raise ChainNotConfigured("audit events recorded on an engine without a key ring "
                                 "(call app.core.audit_chain.enable)")
    if connection.dialect.name == "postgresql":
        connection.execute(_CHAIN_LOCK, {"id": LOCK_ID})
    previous = connection.execute(_LAST_MAC).scalar() or GENESIS
    key = crypto.derived_key(PURPOSE)
    for row in rows:
        row["chain_key_id"] = crypto.key_id_hex
        row["chain_mac"] = previous = link(key, previous, row)
    connection.execute(_INSERT, rows)


event.listen(Session, "before_commit", _write_pending)


# --- verification and the exported head ------------------------------------------------------

@dataclass
class ChainReport:
    """The outcome of a verification: events checked, events from before the chain began,
    and the first broken link (its id and why) if any."""

    checked: int = 0
    before_chain: int = 0
    broken_at: int | None = None
    reason: str = ""
    head_id: int | None = None
    head_mac: str | None = None

    @property
    def intact(self) -> bool:
        """Whether every link holds."""
        return self.broken_at is None


def _events(connection: Connection, batch_size: int) -> Iterator[Any]:
    last = 0
    columns = [AuditEvent.__table__.c[n] for n in ("id", *FIELDS, "chain_mac")]  # type: ignore[attr-defined]
    while True:
        rows = connection.execute(select(*columns).where(col(AuditEvent.id) > last)
                                  .order_by(col(AuditEvent.id)).limit(batch_size)).mappings().all()
        if not rows:
            return
        yield from rows
        last = rows[-1]["id"]


def verify(*, engine: Engine, crypto: FieldCrypto, batch_size: int = 5000) -> ChainReport:
    """Check every link of the chain, oldest first; stop at the first broken one."""
    report = ChainReport()
    previous: str | None = None
    keys: dict[str, bytes] = {}
    with engine.connect() as connection:
        for row in _events(connection, batch_size):
            mac, version = row["chain_mac"], row["chain_key_id"]
            if mac is None and previous is None:
                report.before_chain += 1
                continue
            report.checked += 1
            if mac is None or version is None:
                report.broken_at, report.reason = row["id"], "an event without a MAC"
                return report
            if version not in keys:
                try:
                    keys[version] = crypto.derived_key(PURPOSE, bytes.fromhex(version))
                except (KeyError, ValueError):
                    report.broken_at = row["id"]
                    report.reason = f"sealed under key version {version}, not in the key ring"
                    return report
            expected = link(keys[version], previous or GENESIS, row)
            if not hmac.compare_digest(expected, mac):
                report.broken_at = row["id"]
                report.reason = ("the event or the one before it was changed, removed or "
                                 "inserted")
                return report
            previous = mac
            report.head_id, report.head_mac = row["id"], mac
    return report


def _head_signature(crypto: FieldCrypto, body: Mapping[str, Any], key_id: bytes | None = None
                    ) -> str:
    payload = json.dumps(dict(body), sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(crypto.derived_key(HEAD_PURPOSE, key_id), payload, hashlib.sha256).hexdigest()


def export_head(*, engine: Engine, crypto: FieldCrypto) -> dict[str, Any]:
    """The chain's head (last id, its MAC, events checked), verified and signed."""
    report = verify(engine=engine, crypto=crypto)
    if not report.intact:
        raise ValueError(f"the chain is broken at event {report.broken_at}: {report.reason}")
    body = {"last_id": report.head_id, "mac": report.head_mac, "events": report.checked,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "key_id": crypto.key_id_hex}
    return {**body, "signature": _head_signature(crypto, body)}


def check_head(*, engine: Engine, crypto: FieldCrypto, head: Mapping[str, Any]) -> str | None:
    """Why an exported head no longer matches the chain (None: it does): a forged head, or
    the chain cut short or rewritten before it."""
    body = {k: head.get(k) for k in ("last_id", "mac", "events", "exported_at", "key_id")}
    try:
        expected = _head_signature(crypto, body, bytes.fromhex(str(head.get("key_id"))))
    except (KeyError, ValueError):
        return "the head was signed with a key version not in the key ring"
    if not hmac.compare_digest(expected, str(head.get("signature", ""))):
        return "the head's signature is wrong (it was not exported by this register)"
    if body["last_id"] is None:
        return None
    with engine.connect() as connection:
        mac = connection.execute(select(col(AuditEvent.chain_mac)).where(
            AuditEvent.id == body["last_id"])).scalar()
    if mac is None:
        return f"event {body['last_id']} of the exported head is gone (the chain was cut short)"
    if mac != body["mac"]:
        return f"event {body['last_id']} no longer carries the exported MAC"
    return None


def links_hold(*, session: Session, crypto: FieldCrypto, events: list[AuditEvent]
               ) -> dict[int, bool | None]:
    """Whether each event's link to the event before it holds (None: it predates the
    chain), so that a page of the trail can say an event was changed, removed or forged."""
    if not events:
        return {}
    before = aliased(AuditEvent)
    previous = (select(col(before.chain_mac)).where(col(before.id) < col(AuditEvent.id))
                .order_by(col(before.id).desc()).limit(1).scalar_subquery())
    columns = [AuditEvent.__table__.c[n] for n in ("id", *FIELDS, "chain_mac")]  # type: ignore[attr-defined]
    rows = session.execute(select(*columns, previous.label("previous")).where(
        col(AuditEvent.id).in_([e.id for e in events]))).mappings().all()
    keys: dict[str, bytes | None] = {}
    result: dict[int, bool | None] = {}
    for row in rows:
        mac, version = row["chain_mac"], row["chain_key_id"]
        if mac is None:
            result[row["id"]] = None if row["previous"] is None else False
            continue
        if version not in keys:
            try:
                keys[version] = crypto.derived_key(PURPOSE, bytes.fromhex(version))
            except (KeyError, ValueError):
                keys[version] = None
        key = keys[version]
        result[row["id"]] = key is not None and hmac.compare_digest(
            link(key, row["previous"] or GENESIS, dict(row)), mac)
    return result
