"""`ddr keys`, `ddr audit`, `ddr backup` / `ddr restore`, `ddr retention` and `ddr
subject-access`: the commands that keep the register safe as a whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.cli_support import err, fail, out, registry
from app.core import audit_chain
from app.core.keys import load_key_ring, retire, save_key_ring, with_new_primary
from app.core.security import SYSTEM
from app.core.settings import ConfigurationError, get_settings


def _audit(engine: Engine, action: str, details: dict[str, object]) -> None:
    """Record what a command did to the register as a whole, in its own transaction."""
    from app.core.audit import record_event
    from app.core.db import session_scope

    with session_scope(engine) as session:
        record_event(session=session, actor=SYSTEM, action=action, object_type="registry",
                     details=details)


keys_cli = typer.Typer(help="Master key versions and rotation.", no_args_is_help=True)
audit_cli = typer.Typer(help="The tamper-evident audit chain.", no_args_is_help=True)


@keys_cli.command("add")
def keys_add() -> None:
    """Make a new random key version primary (the old primary stays, as previous, until
    `ddr keys rotate` has moved its values); restart the service afterwards."""
    settings = get_settings()
    if settings.master_key is not None:
        fail("the key comes from DDR_MASTER_KEY: set DDR_MASTER_KEY to a new key (`ddr keys "
             "new` prints one) and add the old one to DDR_PREVIOUS_MASTER_KEYS, restart, then "
             "run `ddr keys rotate`")
    try:
        ring = with_new_primary(load_key_ring(settings, create_in_development=False))
    except ConfigurationError as exc:
        fail(str(exc))
    with registry(settings):  # the database must accept the current ring before it changes
        pass
    save_key_ring(settings.master_key_file, ring)
    crypto = ring.crypto()
    out.print(f"key version {crypto.key_id_hex} is now primary in {settings.master_key_file}; "
              "restart the service, then run [bold]ddr keys rotate[/]")


@keys_cli.command("new")
def keys_new() -> None:
    """Print a new random master key (for DDR_MASTER_KEY); nothing is stored."""
    from app.core.crypto import generate_master_key

    out.print(generate_master_key(), highlight=False)


@keys_cli.command("rotate")
def keys_rotate(
    batch_size: Annotated[int, typer.Option(min=1, help="rows per transaction")] = 500,
) -> None:
    """Re-encrypt every value and rebuild every blind index under the primary key version,
    in the background of a running service; stopped, run it again to carry on."""
    from app.safeguards import rotation

    with registry() as (engine, crypto, _settings), Progress(console=err) as bar:
        task = bar.add_task(f"moving values to key {crypto.key_id_hex}", total=None)
        report = rotation.rotate(
            engine=engine, crypto=crypto, actor=SYSTEM, batch_size=batch_size,
            progress=lambda done, total: bar.update(task, completed=done, total=total))
    moved = ", ".join(f"{table} {n}" for table, n in sorted(report.moved.items()) if n)
    out.print(f"moved {sum(report.moved.values())} rows to key {crypto.key_id_hex}"
              + (f" ({moved})" if moved else ""))
    if not report.complete:
        fail("values changed while they were moved remain on an older version; run "
             "`ddr keys rotate` again")
    out.print("every value is on the primary version; `ddr keys status` shows which "
              "versions can be retired")


@keys_cli.command("status")
def keys_status() -> None:
    """How many values each key version still holds, and its state."""
    from app.safeguards import rotation

    with registry() as (engine, crypto, _settings), Session(engine) as session:
        versions = rotation.status(session=session, crypto=crypto)
    out.print("key id\tstate\tvalues\taudit events\ttables")
    for version in versions:
        tables = ", ".join(f"{t} {n}" for t, n in sorted(version.values.items()))
        out.print(f"{version.key_id}\t{version.state}\t{version.in_use}\t"
                  f"{version.audit_events}\t{tables}", highlight=False)


@keys_cli.command("retire")
def keys_retire(key_id: str) -> None:
    """Retire a previous key version nothing uses any more (kept in the key file only to
    verify older audit links and read older backups)."""
    from app.safeguards import rotation

    settings = get_settings()
    with registry(settings) as (engine, crypto, _settings), Session(engine) as session:
        versions = {v.key_id: v for v in rotation.status(session=session, crypto=crypto)}
    version = versions.get(key_id)
    if version is None or version.state != "previous":
        fail(f"{key_id} is not a previous key version of the ring")
    if version.in_use:
        fail(f"key version {key_id} still holds {version.in_use} values; run `ddr keys "
             "rotate` first")
    if settings.master_key is not None:
        out.print(f"move key {key_id} from DDR_PREVIOUS_MASTER_KEYS to DDR_RETIRED_MASTER_KEYS "
                  "and restart the service")
        return
    try:
        save_key_ring(settings.master_key_file,
                      retire(load_key_ring(settings, create_in_development=False), key_id))
    except (ConfigurationError, ValueError) as exc:
        fail(str(exc))
    with registry(settings) as (engine, _crypto, _settings):
        _audit(engine, "keys.retire", {"key_id": key_id})
    out.print(f"key version {key_id} retired; restart the service")


@audit_cli.command("verify")
def audit_verify(
    head: Annotated[Path | None, typer.Option(
        help="a head exported earlier with `ddr audit head`: also check the chain still "
             "reaches it")] = None,
) -> None:
    """Check every link of the audit chain; exit 1 at the first broken one."""
    with registry() as (engine, crypto, _settings):
        report = audit_chain.verify(engine=engine, crypto=crypto)
        problem = None
        if head is not None:
            try:
                exported = json.loads(head.read_text())
            except (OSError, ValueError):
                fail(f"cannot read the head file {head}")
            problem = audit_chain.check_head(engine=engine, crypto=crypto, head=exported)
    if report.before_chain:
        out.print(f"{report.before_chain} events predate the chain (recorded before it began)")
    if not report.intact:
        out.print(f"BROKEN at event {report.broken_at}: {report.reason} "
                  f"({report.checked - 1} links before it hold)")
        raise typer.Exit(1)
    if problem:
        out.print(f"BROKEN: {problem}")
        raise typer.Exit(1)
    out.print(f"intact: {report.checked} events chained, head {report.head_id}"
              + (", the exported head is in the chain" if head is not None else ""))


@audit_cli.command("head")
def audit_head(
    out_file: Annotated[Path, typer.Option("--out", help="where to write the signed head")],
) -> None:
    """Export the chain's head, signed, to keep apart from the database (so a chain cut
    short is detected later with `ddr audit verify --head`)."""
    with registry() as (engine, crypto, _settings):
        try:
            head = audit_chain.export_head(engine=engine, crypto=crypto)
        except ValueError as exc:
            fail(str(exc))
    out_file.write_text(json.dumps(head, indent=2) + "\n")
    out.print(f"head {head['last_id']} ({head['events']} events) written to {out_file}")


@audit_cli.command("grants")
def audit_grants(
    role: Annotated[str, typer.Option(help="the PostgreSQL role the service connects as")],
    apply: Annotated[bool, typer.Option(
        help="run the statements (connected as the schema's owner) instead of printing "
             "them")] = False,
) -> None:
    """The PostgreSQL grants of the service's role: no update or delete of audit events."""
    from sqlalchemy import text

    from app.safeguards.grants import app_role_grants

    try:
        statements = app_role_grants(role)
    except ValueError as exc:
        fail(str(exc))
    if not apply:
        for statement in statements:
            out.print(statement + ";", highlight=False)
        return
    with registry() as (engine, _crypto, settings):
        if settings.is_sqlite:
            fail("grants are for PostgreSQL; on SQLite the triggers and the chain protect "
                 "the audit log")
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    out.print(f"granted {role} what the service needs; it cannot update or delete audit "
              "events")


def backup_command(
    out_file: Annotated[Path, typer.Option("--out", help="the encrypted backup file to write")],
) -> None:
    """Write an encrypted, consistent backup of the whole database (the service may run)."""
    from app.safeguards.backup import BackupError, backup

    if out_file.exists():
        fail(f"{out_file} exists; choose a new file name")
    with registry() as (engine, crypto, _settings), Progress(console=err) as bar:
        task = bar.add_task("backing up", total=None)
        try:
            header = backup(engine=engine, crypto=crypto, out=out_file,
                            progress=lambda done: bar.update(task, completed=done))
        except BackupError as exc:
            fail(str(exc))
        _audit(engine, "registry.backup", {"rows": sum(header["counts"].values()),
                                           "key_id": crypto.key_id_hex})
    rows = sum(header["counts"].values())
    out.print(f"backup written to {out_file} ({rows} rows, key version {crypto.key_id_hex}, "
              f"mode 0600); keep it apart from the key file")


def restore_command(
    source: Annotated[Path, typer.Argument(help="a backup file written by `ddr backup`")],
) -> None:
    """Restore a backup into the configured database, which must be empty, and check it:
    integrity, row counts, every value decrypted, the audit chain."""
    from app.core.keys import load_crypto
    from app.safeguards.backup import BackupError, read_header, restore

    settings = get_settings()
    try:
        crypto = load_crypto(settings, create_in_development=False)
        header = read_header(source)
    except (ConfigurationError, OSError, BackupError) as exc:
        fail(str(exc))
    with Progress(console=err) as bar:
        task = bar.add_task("restoring", total=None)
        try:
            report = restore(url=settings.database_url, crypto=crypto, source=source,
                             progress=lambda done: bar.update(task, completed=done))
        except BackupError as exc:
            fail(str(exc))
    with registry(settings) as (engine, _crypto, _settings):
        _audit(engine, "registry.restore", {"backup_created_at": header["created_at"],
                                            "rows": sum(report.counts.values())})
    out.print(f"restored the backup of {header['created_at']} into {settings.database_url}: "
              f"{sum(report.counts.values())} rows in {len(report.counts)} tables, "
              f"{report.values_decrypted} encrypted values decrypted, audit chain intact "
              f"({report.chain_events} events), {report.seconds:.1f} s")


retention_cli = typer.Typer(help="Retention periods of personal data.", no_args_is_help=True)


@retention_cli.command("apply")
def retention_apply(
    dry_run: Annotated[bool, typer.Option(help="count what has expired, change nothing")] = False,
    today: Annotated[str | None, typer.Option(
        help="the date periods are counted to (YYYY-MM-DD; default: today, UTC)")] = None,
) -> None:
    """Crypto-shred every value past its category's retention period and report the counts."""
    from datetime import date

    from app.safeguards import retention

    settings = get_settings()
    try:
        periods = retention.policy(settings.retention_days)
        until = date.fromisoformat(today) if today else None
    except ValueError as exc:
        fail(f"retention: {exc}")
    with registry(settings) as (engine, crypto, _settings):
        outcomes = retention.apply(engine=engine, crypto=crypto, actor=SYSTEM, periods=periods,
                                   today=until, dry_run=dry_run)
    verb = "expired" if dry_run else "shredded"
    out.print("category\tdays\trows\tvalues " + verb)
    for outcome in outcomes:
        days = "kept" if outcome.days is None else str(outcome.days)
        out.print(f"{outcome.name}\t{days}\t{outcome.rows}\t{outcome.values}", highlight=False)
    total = sum(o.values for o in outcomes)
    out.print(f"{total} values {verb}" + (" (dry run: nothing changed)" if dry_run else ""))


def subject_access_command(
    person_id: Annotated[str, typer.Argument(help="the person's id")],
    out_file: Annotated[Path, typer.Option("--out", help="the JSON file to write (0600)")],
) -> None:
    """Write everything held about one person to a JSON file (audited)."""
    import os
    import uuid

    from app.core.db import session_scope
    from app.safeguards.subject import subject_access

    try:
        person = uuid.UUID(person_id)
    except ValueError:
        fail("person: not a person id")
    if out_file.exists():
        fail(f"{out_file} exists; choose a new file name")
    with registry() as (engine, crypto, _settings), session_scope(engine) as session:
        held = subject_access(session=session, crypto=crypto, actor=SYSTEM, person_id=person)
    fd = os.open(out_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(held, handle, ensure_ascii=False, indent=2)
    out.print(f"everything held about person {person} ({len(held['registrations'])} "
              f"registrations) written to {out_file} (mode 0600)")
