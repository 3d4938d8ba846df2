"""Shared by the benchmarks that search a large register: its settings (a fixed key, so a
cached file stays readable) and building it once from synthetic records through the bulk
import (the same validation, encryption and indexes as every registration)."""

from __future__ import annotations

import base64
import csv
import tempfile
import time
from pathlib import Path

from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import create_engine, text

from app.core.db import make_engine, session_scope
from app.core.keys import check_or_store_key, load_crypto
from app.core.migrate import upgrade
from app.core.security import SYSTEM
from app.core.settings import Settings
from app.demo import ensure_demo_armed_groups
from app.imports.models import ImportJob
from app.imports.rows import NAMESPACE
from app.imports.service import import_file
from app.main import create_app
from app.registry.reference import ensure_default_sites

__all__ = ["NAMESPACE", "OUT", "build_registry", "fresh_app", "settings_for"]

OUT = Path(__file__).parent / "out"
BENCH_KEY = base64.b64encode(b"bench-only-master-key-32-bytes!!").decode()


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
    source = partial.with_suffix(".csv")
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    started = time.perf_counter()

    def progress(job: ImportJob) -> None:
        if job.rows_processed % 50_000 < 2000:
            print(f"  imported {job.rows_processed:,} in {time.perf_counter() - started:.0f} s",
                  flush=True)

    with source.open("rb") as handle:
        job = import_file(engine=engine, crypto=crypto, actor=SYSTEM, handle=handle,
                          file_name=source.name, consent_attested=True, progress=progress)
    engine.dispose()
    source.unlink()
    print(f"  built {job.accepted:,} registrations ({job.rejected} rejected) in "
          f"{time.perf_counter() - started:.0f} s")
    partial.rename(path)
    return path


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
