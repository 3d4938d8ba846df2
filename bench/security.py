"""Key rotation throughput and backup / restore time on a register of N registrations.

Builds (once, cached in bench/out/) a SQLite register of N synthetic registrations through
the registry's own prepare-and-insert path (validation, encryption, blind indexes, no
duplicate check: rotation and backups do not depend on it), then on a copy:

- `ddr keys rotate`'s work: a new primary key, every value re-encrypted and every blind index
  rebuilt (values/s and registrations/s);
- `ddr backup` (encrypted) and `ddr restore` into an empty file with its full check (every
  value decrypted, counts, audit chain).

    .venv/bin/python bench/security.py [--registrations 100000]
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import time
import uuid
from datetime import date
from pathlib import Path

from pydantic import SecretStr, ValidationError
from sqlmodel import Session

from app.core.db import make_engine, session_scope
from app.core.errors import DomainError
from app.core.keys import check_or_store_key, load_crypto
from app.core.migrate import upgrade
from app.core.security import SYSTEM
from app.core.settings import Settings
from app.demo import ensure_demo_armed_groups
from app.registry import service as registry
from app.registry.reference import ensure_default_sites
from app.registry.schemas import RegistrationIn
from app.safeguards import backup, rotation
from synthetic.generate import SyntheticConfig, iter_records

OUT = Path(__file__).parent / "out"
OLD_KEY = base64.b64encode(b"bench-security-old-key-32bytes!!").decode()
NEW_KEY = base64.b64encode(b"bench-security-new-key-32bytes!!").decode()
BATCH = 1000


def settings_for(path: Path, primary: str, previous: str | None = None) -> Settings:
    """Settings of a benchmark register file under a key ring."""
    return Settings(env="test", database_url=f"sqlite:///{path}", master_key=SecretStr(primary),
                    previous_master_keys=SecretStr(previous) if previous else None,
                    secret_key=SecretStr("bench" * 8))


def build(path: Path, registrations: int) -> Path:
    """The cached register of `registrations` registrations (built if missing)."""
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial.db")
    partial.unlink(missing_ok=True)
    settings = settings_for(partial, OLD_KEY)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    crypto = load_crypto(settings)
    check_or_store_key(engine, crypto)
    with session_scope(engine) as session:
        ensure_default_sites(session=session)
        ensure_demo_armed_groups(session=session)
    started, stored, entries = time.perf_counter(), 0, []
    records = iter_records(SyntheticConfig(n_persons=registrations, registry_valid=True))
    with session_scope(engine) as session:
        for record, _person in records:
            if stored + len(entries) >= registrations:
                break
            body = {k: v or None for k, v in record.items()
                    if k not in ("record_id", "registered_on")}
            try:
                data = RegistrationIn.model_validate({**body, "id": str(uuid.uuid4()),
                                                      "consent": True})
                entries.append(registry.prepare(
                    session=session, crypto=crypto, actor=SYSTEM, data=data,
                    registered_on=date.fromisoformat(record["registered_on"])))
            except (ValidationError, DomainError):
                continue
            if len(entries) == BATCH:
                registry.insert(session=session, crypto=crypto, actor=SYSTEM, entries=entries)
                registry.number(session=session, crypto=crypto, actor=SYSTEM, entries=entries)
                session.commit()
                stored, entries = stored + len(entries), []
                if stored % 20_000 == 0:
                    print(f"  {stored:,} registrations in {time.perf_counter() - started:.0f} s",
                          flush=True)
        if entries:
            registry.insert(session=session, crypto=crypto, actor=SYSTEM, entries=entries)
            registry.number(session=session, crypto=crypto, actor=SYSTEM, entries=entries)
            stored += len(entries)
    engine.dispose()
    print(f"  built {stored:,} registrations in {time.perf_counter() - started:.0f} s")
    partial.rename(path)
    return path


def load() -> str:
    """The load average, as `uptime` prints it."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    """Build the register, then time rotation, backup and restore."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrations", type=int, default=100_000)
    args = parser.parse_args()
    cached = build(OUT / f"security-{args.registrations}.db", args.registrations)
    work = OUT / "security-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    path = work / "register.db"
    shutil.copy(cached, path)

    settings = settings_for(path, NEW_KEY, OLD_KEY)
    engine = make_engine(settings.database_url)
    crypto = load_crypto(settings)
    check_or_store_key(engine, crypto)
    with Session(engine) as session:
        values = sum(n for tables in rotation.value_counts(session).values()
                     for n in tables.values())
        registrations = rotation.value_counts(session)
    counted = sum(n for tables in registrations.values() for t, n in tables.items()
                  if t == "registration")
    print(f"register: {path.stat().st_size / 1e6:.0f} MB, {values:,} encrypted values; "
          f"load average {load()}")
    started = time.perf_counter()
    report = rotation.rotate(engine=engine, crypto=crypto, actor=SYSTEM, batch_size=500)
    seconds = time.perf_counter() - started
    moved = report.moved["registration"]
    print(f"rotation: {values:,} values ({moved:,} registrations, their blind indexes "
          f"rebuilt) in {seconds:.1f} s = {values / seconds:,.0f} values/s, "
          f"{moved / seconds:,.0f} registrations/s; complete={report.complete}; "
          f"load average {load()}")
    assert counted, "no registration values"

    backup_file = work / "register.ddrbackup"
    started = time.perf_counter()
    header = backup.backup(engine=engine, crypto=crypto, out=backup_file)
    seconds = time.perf_counter() - started
    engine.dispose()
    print(f"backup: {sum(header['counts'].values()):,} rows, "
          f"{backup_file.stat().st_size / 1e6:.0f} MB encrypted, in {seconds:.1f} s; "
          f"load average {load()}")
    restored = work / "restored.db"
    started = time.perf_counter()
    result = backup.restore(url=f"sqlite:///{restored}", crypto=crypto, source=backup_file)
    seconds = time.perf_counter() - started
    print(f"restore: {sum(result.counts.values()):,} rows, {result.values_decrypted:,} values "
          f"decrypted, {result.chain_events:,} audit events verified, in {seconds:.1f} s; "
          f"load average {load()}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
