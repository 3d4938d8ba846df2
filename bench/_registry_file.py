"""Shared by the benchmarks that search a large register: its settings (a fixed key, so a
cached file stays readable) and building it once from synthetic records.

The register is built through the registry's own functions, a batch per transaction: each
record read as the bulk import reads a row, checked, encrypted and blind-indexed by
`registry.prepare`, then inserted, numbered and given its cases as an import does. The
import's duplicate check and pairs are left out: the searches measured read registrations,
their blind indexes and cases, not pairs, and the check would make a 1,000,000-row build
take hours.
"""

from __future__ import annotations

import base64
import tempfile
import time
from pathlib import Path

from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import create_engine, text
from sqlmodel import Session

from app.core.crypto import FieldCrypto
from app.core.db import make_engine, session_scope
from app.core.errors import DomainError
from app.core.keys import check_or_store_key, load_crypto
from app.core.migrate import upgrade
from app.core.security import SYSTEM
from app.core.settings import Settings
from app.demo import ensure_demo_armed_groups
from app.imports.mapping import read_row, recognise
from app.imports.rows import NAMESPACE, Options, Row, registration_id, request
from app.main import create_app
from app.registry import service as registry
from app.registry.reference import ensure_default_sites
from reintegration.service import open_cases_for

__all__ = ["NAMESPACE", "OUT", "build_registry", "fresh_app", "settings_for"]

OUT = Path(__file__).parent / "out"
BENCH_KEY = base64.b64encode(b"bench-only-master-key-32-bytes!!").decode()
BATCH = 2000


def settings_for(path: Path) -> Settings:
    """Settings of a benchmark register file."""
    return Settings(env="test", database_url=f"sqlite:///{path}",
                    master_key=SecretStr(BENCH_KEY), secret_key=SecretStr("bench" * 8))


def build_registry(path: Path, records: list[dict[str, str]]) -> Path:
    """Create the register file at `path` from `records` unless it is cached. A record's
    registration id is `uuid5(NAMESPACE, record_id)`."""
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial.db")
    partial.unlink(missing_ok=True)
    settings = settings_for(partial)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    crypto = load_crypto(settings)
    check_or_store_key(engine, crypto)
    with session_scope(engine) as session:
        ensure_default_sites(session=session)
        ensure_demo_armed_groups(session=session)
    header = list(records[0])
    mapping, options = recognise(header), Options(consent_attested=True)
    started, stored, rejected = time.perf_counter(), 0, 0
    for first in range(0, len(records), BATCH):
        with session_scope(engine) as session:
            entries = []
            for number, record in enumerate(records[first:first + BATCH], start=first + 2):
                cells = list(record.values())
                row = Row(number, cells, read_row(mapping, header, cells))
                entry = _prepared(session, crypto, row, options)
                if entry is None:
                    rejected += 1
                else:
                    entries.append(entry)
            if entries:
                inserted = registry.insert(session=session, crypto=crypto, actor=SYSTEM,
                                           entries=entries)
                registry.number(session=session, crypto=crypto, actor=SYSTEM, entries=entries)
                open_cases_for(session=session, actor=SYSTEM,
                               registration_ids=[i.registration_id for i in inserted],
                               new_persons={i.person_id for i in inserted if not i.linked})
        stored += len(entries)
        if (first // BATCH) % 25 == 24:
            print(f"  stored {stored:,} in {time.perf_counter() - started:.0f} s", flush=True)
    engine.dispose()
    print(f"  built {stored:,} registrations ({rejected} rejected) in "
          f"{time.perf_counter() - started:.0f} s")
    partial.rename(path)
    return path


def _prepared(session: Session, crypto: FieldCrypto, row: Row, options: Options
              ) -> registry.NewRegistration | None:
    """A record's registration as the import prepares its row (None: the import rejects it)."""
    data, registered_on, errors = request(row, registration_id(crypto, row), options)
    if data is None or errors:
        return None
    try:
        return registry.prepare(session=session, crypto=crypto, actor=SYSTEM, data=data,
                                registered_on=registered_on)
    except DomainError:
        return None


def fresh_app(url: str, key_byte: bytes) -> FastAPI:
    """The app over an empty register at `url` (a PostgreSQL schema is dropped and created
    again), migrated, with the default sites and the demo armed groups; its settings are
    `app.state.settings`."""
    settings = Settings(env="development", database_url=url,
                        master_key=SecretStr(base64.b64encode(key_byte * 32).decode()),
                        master_key_file=Path(tempfile.gettempdir()) / "unused-bench.key")
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    app = create_app(settings)
    with session_scope(app.state.engine) as session:
        ensure_default_sites(session=session)
        ensure_demo_armed_groups(session=session)
    return app
