"""Backups: a consistent copy of the whole database, encrypted with a key derived for
backups, and its restore into an empty database, checked before it is trusted.

The copy: SQLite's online backup API (a consistent copy while the service runs), or
`pg_dump --format=custom` inside an exported snapshot (the row counts written beside it come
from the same snapshot). The file:

    MAGIC | header length (4 bytes) | header (JSON) | chunk, chunk, ...
    chunk: last? (1 byte) | length (4 bytes) | nonce (12 bytes) | AES-256-GCM ciphertext

Each chunk's associated data is the header's SHA-256, the chunk's number and whether it is
the last, so a chunk changed, dropped, reordered or a file cut short fails to decrypt. The
key: HKDF of the key ring's backup key (its own purpose) with the file's random salt. The
header (no identifying data: the database kind, the key version, the schema revision, row
counts and the audit chain's head) is readable without the key.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import struct
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import create_engine, inspect, make_url, select, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from app.core import audit_chain
from app.core.crypto import CryptoError, FieldCrypto
from app.core.db import make_engine
from app.core.models import KeyCheck
from app.safeguards.tables import encrypted_models, primary_key

MAGIC = b"DDR-BACKUP-1\n"
CHUNK = 1 << 20
PURPOSE = "backup"
Progress = Callable[[int], None]


class BackupError(RuntimeError):
    """A backup could not be made or restored (the message says why; no data in it)."""


@dataclass
class RestoreReport:
    """What a restore checked: rows per table, values decrypted, the audit chain."""

    counts: dict[str, int] = field(default_factory=dict)
    values_decrypted: int = 0
    chain_events: int = 0
    seconds: float = 0.0


def _file_key(crypto: FieldCrypto, key_id: bytes, salt: bytes) -> AESGCM:
    try:
        base = crypto.derived_key(PURPOSE, key_id)
    except KeyError as exc:
        raise BackupError(f"the backup was made under key version {key_id.hex()}, which the "
                          "key ring does not hold") from exc
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                       info=b"ddr/backup-file/v1").derive(base))


def _aad(header_digest: bytes, number: int, last: bool) -> bytes:
    return header_digest + struct.pack(">Q?", number, last)


def _write_encrypted(source: IO[bytes], out: Path, header: dict[str, Any], crypto: FieldCrypto,
                     progress: Progress | None) -> None:
    """Encrypt a stream into a new file readable by its owner only, atomically."""
    salt = secrets.token_bytes(16)
    header = {**header, "salt": salt.hex(), "key_id": crypto.key_id_hex}
    header_bytes = json.dumps(header, sort_keys=True).encode()
    digest = hashlib.sha256(header_bytes).digest()
    aead = _file_key(crypto, crypto.key_id, salt)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    done = 0
    with os.fdopen(fd, "wb") as sink:
        sink.write(MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes)
        number, chunk = 0, source.read(CHUNK)
        while True:
            following = source.read(CHUNK) if chunk else b""
            last = not following
            nonce = secrets.token_bytes(12)
            body = aead.encrypt(nonce, chunk, _aad(digest, number, last))
            sink.write(struct.pack(">?I", last, len(body)) + nonce + body)
            done += len(chunk)
            if progress:
                progress(done)
            if last:
                break
            number, chunk = number + 1, following
        sink.flush()
        os.fsync(sink.fileno())
    os.replace(partial, out)


def read_header(path: Path) -> dict[str, Any]:
    """A backup file's header (readable without the key)."""
    with path.open("rb") as handle:
        header, _digest = _header(handle)
    return header


def _header(handle: IO[bytes]) -> tuple[dict[str, Any], bytes]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise BackupError("not a DDR Registry backup file")
    (size,) = struct.unpack(">I", handle.read(4))
    header_bytes = handle.read(size)
    try:
        header = json.loads(header_bytes)
    except ValueError as exc:
        raise BackupError("the backup's header is damaged") from exc
    return header, hashlib.sha256(header_bytes).digest()


def _decrypted(handle: IO[bytes], header: dict[str, Any], digest: bytes,
               crypto: FieldCrypto) -> Iterator[bytes]:
    """The plaintext chunks of a backup (BackupError at the first chunk that fails)."""
    aead = _file_key(crypto, bytes.fromhex(header["key_id"]), bytes.fromhex(header["salt"]))
    number = 0
    while True:
        frame = handle.read(5)
        if len(frame) < 5:
            raise BackupError("the backup file is cut short")
        last, size = struct.unpack(">?I", frame)
        nonce, body = handle.read(12), handle.read(size)
        try:
            yield aead.decrypt(nonce, body, _aad(digest, number, last))
        except InvalidTag as exc:
            raise BackupError(f"chunk {number} of the backup was changed or is "
                              "misplaced") from exc
        if last:
            return
        number += 1


# --- making a backup -------------------------------------------------------------------------

def _counts(connection: Any, tables: list[str]) -> dict[str, int]:
    return {t: int(connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one())
            for t in tables}


def _audit_head(connection: Any) -> dict[str, Any] | None:
    row = connection.execute(text(
        "SELECT id, chain_mac FROM audit_event WHERE chain_mac IS NOT NULL "
        "ORDER BY id DESC LIMIT 1")).first()
    return {"id": int(row[0]), "mac": row[1]} if row else None


def _revision(connection: Any) -> str | None:
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _libpq_env(url: URL) -> dict[str, str]:
    """The connection of a PostgreSQL URL as libpq's environment (no password on a command
    line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for name, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                        ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[name] = str(value)
    return env


def backup(*, engine: Engine, crypto: FieldCrypto, out: Path,
           progress: Progress | None = None) -> dict[str, Any]:
    """Write an encrypted, consistent copy of the database to `out`; its header."""
    tables = sorted(t for t in inspect(engine).get_table_names() if t != "alembic_version")
    base = {"format": 1, "created_at": datetime.now(UTC).isoformat(timespec="seconds")}
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database:
            raise BackupError("an in-memory database cannot be backed up")
        with tempfile.TemporaryDirectory(prefix="ddr-backup-") as folder:
            copy = Path(folder) / "copy.db"
            source, target = sqlite3.connect(database), sqlite3.connect(copy)
            try:
                source.backup(target)  # the online backup API: a consistent copy
            finally:
                source.close()
                target.close()
            copied = create_engine(f"sqlite:///{copy}", poolclass=NullPool)
            try:
                with copied.connect() as connection:
                    header = {**base, "database": "sqlite", "revision": _revision(connection),
                              "counts": _counts(connection, tables),
                              "audit_head": _audit_head(connection)}
            finally:
                copied.dispose()
            with copy.open("rb") as stream:
                _write_encrypted(stream, out, header, crypto, progress)
        return header
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            header = {**base, "database": "postgresql", "revision": _revision(connection),
                      "counts": _counts(connection, tables),
                      "audit_head": _audit_head(connection)}
            dump = subprocess.Popen(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=_libpq_env(engine.url))
            assert dump.stdout is not None
            _write_encrypted(dump.stdout, out, header, crypto, progress)
            _stdout, errors = dump.communicate()
            if dump.returncode != 0:
                out.unlink(missing_ok=True)
                raise BackupError("pg_dump failed: " + errors.decode(errors="replace")[-500:])
    return header


# --- restoring it ----------------------------------------------------------------------------

def _empty(url: str) -> bool:
    if url.startswith("sqlite"):
        database = make_url(url).database
        return bool(database) and (not Path(str(database)).exists()
                                   or Path(str(database)).stat().st_size == 0)
    engine = make_engine(url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore(*, url: str, crypto: FieldCrypto, source: Path,
            progress: Progress | None = None) -> RestoreReport:
    """Restore a backup into an empty database, then check it: the schema's integrity, every
    table's row count, every encrypted value decrypted, the key check and the audit chain
    up to the head the backup recorded."""
    started = time.monotonic()
    if not _empty(url):
        raise BackupError("the target database is not empty; restore into a new one")
    with source.open("rb") as handle:
        header, digest = _header(handle)
        kind = "sqlite" if url.startswith("sqlite") else "postgresql"
        if header.get("database") != kind:
            raise BackupError(f"this is a {header.get('database')} backup; the target is "
                              f"{kind}")
        chunks = _decrypted(handle, header, digest, crypto)
        if kind == "sqlite":
            _restore_sqlite(url, chunks, progress)
        else:
            _restore_postgresql(url, chunks, progress)
    report = check(url=url, crypto=crypto, header=header)
    report.seconds = time.monotonic() - started
    return report


def _restore_sqlite(url: str, chunks: Iterator[bytes], progress: Progress | None) -> None:
    target = Path(str(make_url(url).database))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    done = 0
    try:
        with os.fdopen(fd, "wb") as sink:
            for chunk in chunks:
                sink.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done)
            sink.flush()
            os.fsync(sink.fileno())
        connection = sqlite3.connect(partial)
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            connection.close()
        if verdict != "ok":
            raise BackupError("the restored database fails SQLite's integrity check")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _restore_postgresql(url: str, chunks: Iterator[bytes], progress: Progress | None) -> None:
    process = subprocess.Popen(
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
         "--single-transaction", f"--dbname={make_url(url).database}"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=_libpq_env(make_url(url)))
    assert process.stdin is not None
    done = 0
    try:
        for chunk in chunks:
            process.stdin.write(chunk)
            done += len(chunk)
            if progress:
                progress(done)
    except BaseException:
        process.kill()
        raise
    finally:
        process.stdin.close()
    errors = process.stderr.read() if process.stderr else b""
    if process.wait() != 0:
        raise BackupError("pg_restore failed: " + errors.decode(errors="replace")[-500:])


def check(*, url: str, crypto: FieldCrypto, header: dict[str, Any]) -> RestoreReport:
    """Check a restored database against its backup's header (BackupError on the first
    difference)."""
    report = RestoreReport()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            report.counts = _counts(connection, sorted(header["counts"]))
            head = _audit_head(connection)
        if report.counts != header["counts"]:
            differ = sorted(t for t in report.counts
                            if report.counts[t] != header["counts"][t])
            raise BackupError("row counts differ from the backup's in " + ", ".join(differ))
        with Session(engine) as session:
            stored = session.get(KeyCheck, 1)
            if stored is not None:
                crypto.verify_key_check(stored.value)
            report.values_decrypted = _decrypt_everything(session, crypto)
        audit_chain.enable(engine, crypto)
        chain = audit_chain.verify(engine=engine, crypto=crypto)
        if not chain.intact:
            raise BackupError(f"the audit chain is broken at event {chain.broken_at}: "
                              f"{chain.reason}")
        if head != header.get("audit_head"):
            raise BackupError("the audit chain does not end where the backup's did")
        report.chain_events = chain.checked
    finally:
        engine.dispose()
    return report


def _decrypt_everything(session: Session, crypto: FieldCrypto, batch_size: int = 2000) -> int:
    """Decrypt every encrypted value (CryptoError names the first that fails); how many."""
    decrypted = 0
    for model in encrypted_models():
        key = primary_key(model)
        names = model.ENCRYPTED_FIELDS  # type: ignore[attr-defined]
        table = str(model.__tablename__)
        columns = [model.__table__.c[n] for n in names]  # type: ignore[attr-defined]
        last = None
        while True:
            query = select(key, *columns).order_by(key).limit(batch_size)
            if last is not None:
                query = query.where(key > last)
            rows = session.execute(query).all()
            if not rows:
                break
            for row in rows:
                for name, blob in zip(names, row[1:], strict=True):
                    if blob is not None:
                        try:
                            crypto.decrypt(blob, table=table, column=name, row_id=str(row[0]))
                        except CryptoError as exc:
                            raise BackupError(f"a value of {table}.{name} does not decrypt "
                                              f"(row {row[0]})") from exc
                        decrypted += 1
            last = rows[-1][0]
    return decrypted


def row_total(header: dict[str, Any]) -> int:
    """Rows in a backup (from its header)."""
    return sum(int(n) for n in header.get("counts", {}).values())

