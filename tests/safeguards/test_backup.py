"""`ddr backup` and `ddr restore`: an encrypted copy, restored into an empty database and
checked (integrity, counts, every value decrypted, the audit chain)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from app.safeguards.backup import MAGIC, read_header
from tests.test_cli import ddr


@pytest.fixture
def empty_url(folder: Path) -> Iterator[str]:
    """An empty database to restore into (SQLite: a new file; PostgreSQL: a new database)."""
    url = (folder / ".url").read_text()
    if url.startswith("sqlite"):
        yield f"sqlite:///{folder / 'restored.db'}"
        return
    name = f"{make_url(url).database}_restore"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_restores_into_an_empty_database_and_checks_out(folder: Path,
                                                               empty_url: str) -> None:
    assert ddr(folder, "init").returncode == 0
    demo = ddr(folder, "demo-data", "--persons", "20", env={"DDR_DEMO_PASSWORD": "demo-pass-123"})
    assert demo.returncode == 0, demo.stderr
    backup_file = folder / "register.ddrbackup"
    made = ddr(folder, "backup", "--out", str(backup_file))
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    content = backup_file.read_bytes()
    assert content.startswith(MAGIC)
    header = read_header(backup_file)
    body = content[len(MAGIC) + 4 + int.from_bytes(content[len(MAGIC):len(MAGIC) + 4], "big"):]
    for clear in (b"SQLite format 3", b"PGDMP", b"registration", b"CREATE TABLE"):
        assert clear not in body  # only the header (counts, no values) is in clear
    assert header["counts"]["registration"] >= 20
    assert ddr(folder, "backup", "--out", str(backup_file)).returncode == 2  # never overwrites

    restored = ddr(folder, "restore", str(backup_file), env={"DDR_DATABASE_URL": empty_url})
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "audit chain intact" in restored.stdout
    assert f"{sum(header['counts'].values())} rows" in restored.stdout
    engine = create_engine(empty_url)
    try:
        with engine.connect() as conn:
            registrations = conn.execute(text("SELECT count(*) FROM registration")).scalar_one()
    finally:
        engine.dispose()
    assert registrations == header["counts"]["registration"]
    verified = ddr(folder, "audit", "verify", env={"DDR_DATABASE_URL": empty_url})
    assert verified.returncode == 0, verified.stdout + verified.stderr

    again = ddr(folder, "restore", str(backup_file), env={"DDR_DATABASE_URL": empty_url})
    assert again.returncode == 2
    assert "not empty" in again.stderr


def test_a_damaged_or_foreign_backup_is_refused(folder: Path, empty_url: str) -> None:
    assert ddr(folder, "init").returncode == 0
    backup_file = folder / "register.ddrbackup"
    assert ddr(folder, "backup", "--out", str(backup_file)).returncode == 0
    damaged = folder / "damaged.ddrbackup"
    content = bytearray(backup_file.read_bytes())
    content[-100] ^= 0x01
    damaged.write_bytes(bytes(content))
    refused = ddr(folder, "restore", str(damaged), env={"DDR_DATABASE_URL": empty_url})
    assert refused.returncode == 2
    assert "changed" in refused.stderr
    cut = folder / "cut.ddrbackup"
    cut.write_bytes(backup_file.read_bytes()[:-50])
    refused = ddr(folder, "restore", str(cut), env={"DDR_DATABASE_URL": empty_url})
    assert refused.returncode == 2
    other_key = folder / "other"
    other_key.mkdir()
    (other_key / ".url").write_text(empty_url)
    foreign = ddr(other_key, "restore", str(backup_file),
                  env={"DDR_MASTER_KEY": "b3RoZXIga2V5IG90aGVyIGtleSBvdGhlciBrZXkgISE="})
    assert foreign.returncode == 2
    assert "key version" in foreign.stderr
