"""The `ddr` command line: set-up, server, users, demo data, batch duplicate detection."""

from __future__ import annotations

import json
import os
import secrets
import sys
from datetime import date
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, TaskID
from sqlmodel import Session

from app.cli_support import err, fail, out, registry
from app.core.crypto import CryptoError, write_key_file
from app.core.db import make_engine, make_reader_engine, session_scope
from app.core.keys import load_crypto
from app.core.migrate import upgrade
from app.core.roles import Role
from app.core.security import SYSTEM
from app.core.settings import ConfigurationError, Settings, get_settings
from app.core.spreadsheet import neutralise
from app.registry import reference
from app.safeguards_cli import (
    audit_cli,
    backup_command,
    keys_cli,
    restore_command,
    retention_cli,
    subject_access_command,
)

cli = typer.Typer(help="DDR Registry: the register a national DDR programme trusts.",
                  no_args_is_help=True, add_completion=False)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
users_cli = typer.Typer(help="User accounts.", no_args_is_help=True)
matching_cli = typer.Typer(help="The duplicate-detection model.", no_args_is_help=True)
cases_cli = typer.Typer(help="Case management.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(users_cli, name="users")
cli.add_typer(matching_cli, name="matching")
cli.add_typer(cases_cli, name="cases")
export_cli = typer.Typer(help="Statistics and controlled individual-level exports.",
                         no_args_is_help=True)
cli.add_typer(export_cli, name="export")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(audit_cli, name="audit")
cli.command("backup")(backup_command)
cli.command("restore")(restore_command)
cli.command("subject-access")(subject_access_command)
cli.add_typer(retention_cli, name="retention")
returns_cli = typer.Typer(help="Return coordination: manifest signatures.", no_args_is_help=True)
cli.add_typer(returns_cli, name="returns")
stats_cli = typer.Typer(help="The committee's statistics.", no_args_is_help=True)
cli.add_typer(stats_cli, name="stats")


@cli.command()
def init(
    demo_groups: Annotated[bool, typer.Option(help="also load the demo armed-group list")] = False,
) -> None:
    """Create the key file (if needed) and database, apply migrations (building the matching
    keys they removed), create the sites."""
    settings = get_settings()
    if settings.master_key is None and not settings.master_key_file.exists():
        write_key_file(settings.master_key_file)
        out.print(f"created master key file {settings.master_key_file} (mode 0600) — back it up "
                  "offline: without it the register cannot be read")
    upgrade(settings.database_url)
    with registry(settings) as (engine, _crypto, _settings), session_scope(engine) as session:
        added = reference.ensure_default_sites(session=session)
        if demo_groups:
            from app.demo import ensure_demo_armed_groups

            ensure_demo_armed_groups(session=session)
    _build_missing_keys(settings)  # an existing register upgraded to a new key scheme
    out.print(f"database ready at {settings.database_url} ({added} sites added)")
    out.print("next: [bold]ddr users create --username admin --role admin[/] then "
              "[bold]ddr serve[/]")


@db_cli.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply schema migrations, then build the blocking and name search keys registrations
    lack."""
    settings = get_settings()
    upgrade(settings.database_url, revision)
    out.print(f"database at revision {revision}")
    if revision == "head":
        _build_missing_keys(settings)
        _say_if_recount_needed(settings)


def _say_if_recount_needed(settings: Settings) -> None:
    """Tell the operator when registrations made before an upgrade lack from the count by
    armed group (the statistics withhold that table until `ddr stats recount`)."""
    from app.registry.counts import armed_groups_uncounted

    engine = make_engine(settings.database_url)  # no key needed to count
    try:
        with Session(engine) as session:
            lacking = armed_groups_uncounted(session)
    finally:
        engine.dispose()
    if lacking:
        out.print(f"{lacking} registrations are not in the count by armed group: run "
                  "[bold]ddr stats recount[/] where the key is (the statistics withhold that "
                  "table until then)")


def _advance(bar: Progress, task: TaskID, done: int, _total: int) -> None:
    bar.update(task, completed=done)


def _build_missing_keys(settings: Settings) -> None:
    """Build the blocking and name search keys of registrations that lack them (after a
    migration removed them because the matching engine's scheme changed)."""
    from app.registry.enums import IndexKind
    from app.registry.reindex import missing, reindex

    try:
        crypto = load_crypto(settings, create_in_development=False)
    except (ConfigurationError, CryptoError):
        out.print("no master key here: run [bold]ddr reindex --kind block --missing[/] and "
                  "[bold]ddr reindex --kind name --missing[/] where the key is, or the duplicate "
                  "check and name search will not find older registrations")
        return
    with registry(settings) as (engine, _crypto, _settings):
        for kind, label in ((IndexKind.block, "blocking keys"),
                            (IndexKind.name, "name search keys")):
            with Session(engine) as session:
                lacking = missing(session=session, kind=kind)
            if not lacking:
                continue
            with Progress(console=err) as bar:
                reindex(engine=engine, crypto=crypto, actor=SYSTEM, kinds=[kind],
                        missing_only=True,
                        progress=partial(_advance, bar, bar.add_task(label, total=lacking)))
            out.print(f"{label} built for {lacking} registrations")


@cli.command("reindex")
def reindex_command(
    kind: Annotated[list[str] | None, typer.Option(
        help="name, nid, phone, passport or block (repeat; default: all)")] = None,
    missing_only: Annotated[bool, typer.Option(
        "--missing", help="only registrations lacking the (first) kind")] = False,
) -> None:
    """Rebuild registrations' blind indexes from their encrypted values (after a change of the
    matching engine's keys); resumable with --missing."""
    from app.registry.enums import IndexKind
    from app.registry.reindex import reindex

    try:
        kinds = [IndexKind[k] if k in IndexKind.__members__ else IndexKind(k)
                 for k in kind or [k.value for k in IndexKind]]
    except ValueError:
        fail("--kind must be one of " + ", ".join(k.value for k in IndexKind))
    with registry() as (engine, crypto, _settings), Progress(console=err) as bar:
        task = bar.add_task("reindexing", total=None)
        done = reindex(engine=engine, crypto=crypto, actor=SYSTEM, kinds=kinds,
                       missing_only=missing_only,
                       progress=lambda n, total: bar.update(task, completed=n, total=total))
    out.print(f"reindexed {done} registrations ({', '.join(k.value for k in kinds)})")


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
) -> None:
    """Run the web service (API and web interface)."""
    import uvicorn

    settings = get_settings()
    try:
        settings.check_secure()
    except ConfigurationError as exc:
        fail(str(exc))
    uvicorn.run("app.asgi:app", host=host, port=port, workers=workers,
                log_level=settings.log_level.lower(), proxy_headers=True)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@users_cli.command("create")
def users_create(
    username: Annotated[str, typer.Option(help="login name")],
    role: Annotated[Role, typer.Option(help="the account's role")],
    site: Annotated[list[str] | None, typer.Option(help="site code (repeat for several)")] = None,
    full_name: str = "",
    language: str = "ar",
    authorise: Annotated[list[str] | None, typer.Option(
        "--authorise", help="an explicit authorisation: children (children's cases), "
                            "gender (gender-specific needs screening) or returns_coordinator "
                            "(return cases of every site); repeat for several")]
    = None,
    password_stdin: Annotated[bool, typer.Option(help="read the password from stdin")] = False,
) -> None:
    """Create a user account (password prompted, or read from stdin)."""
    from app.users import service as users

    password = _read_password(password_stdin)
    with registry() as (engine, _crypto, _settings), session_scope(engine) as session:
        user = users.create_user(session=session, actor=SYSTEM, username=username,
                                 password=password, role=role, sites=site or [],
                                 full_name=full_name, language=language,
                                 authorisations=authorise or [])
        granted = f", authorised: {', '.join(sorted(set(authorise)))}" if authorise else ""
        out.print(f"created user {user.username} ({user.role}{granted})")


@users_cli.command("authorise")
def users_authorise(
    username: Annotated[str, typer.Argument(help="login name")],
    authorisations: Annotated[list[str] | None, typer.Argument(
        help="children, gender and/or returns_coordinator; none to withdraw every "
             "authorisation")] = None,
) -> None:
    """Set a user's explicit authorisations (they replace the ones held)."""
    from sqlmodel import select

    from app.users import service as users
    from app.users.models import User

    with registry() as (engine, _crypto, _settings), session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None or user.id is None:
            fail(f"no user {username}")
        users.update_user(session=session, actor=SYSTEM, user_id=user.id,
                          authorisations=authorisations or [])
        held = ", ".join(sorted(set(authorisations or []))) or "nothing"
        out.print(f"{username} authorised: {held}")


@users_cli.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="login name")]) -> None:
    """Disable an account: its tokens and web sessions end at once (history is kept)."""
    from app.users import service as users

    with registry() as (engine, _crypto, _settings), session_scope(engine) as session:
        user = users.find_user(session=session, username=username)
        assert user.id is not None
        users.update_user(session=session, actor=SYSTEM, user_id=user.id, active=False)
        out.print(f"disabled user {user.username}; its sessions ended")


@users_cli.command("reset-password")
def users_reset_password(
    username: Annotated[str, typer.Argument(help="login name")],
    password_stdin: Annotated[bool, typer.Option(help="read the password from stdin")] = False,
) -> None:
    """Set a new password (prompted, or read from stdin); every session of the user ends and
    any lock after failed log-ins is lifted."""
    from app.users import service as users

    password = _read_password(password_stdin)
    with registry() as (engine, _crypto, _settings), session_scope(engine) as session:
        user = users.find_user(session=session, username=username)
        assert user.id is not None
        users.update_user(session=session, actor=SYSTEM, user_id=user.id, password=password)
        users.unlock_user(session=session, actor=SYSTEM, user_id=user.id)
        out.print(f"new password set for {user.username}; its sessions ended")


@users_cli.command("unlock")
def users_unlock(username: Annotated[str, typer.Argument(help="login name")]) -> None:
    """Lift the lock that failed log-ins put on an account."""
    from app.users import service as users

    with registry() as (engine, _crypto, _settings), session_scope(engine) as session:
        user = users.find_user(session=session, username=username)
        assert user.id is not None
        users.unlock_user(session=session, actor=SYSTEM, user_id=user.id)
        out.print(f"unlocked user {user.username}")


@users_cli.command("list")
def users_list() -> None:
    """List user accounts."""
    from app.users import service as users

    with registry() as (engine, _c, _s), Session(engine) as session:
        for user, sites in users.list_users(session=session):
            scope = "*" if user.all_sites else ",".join(sites)
            state = "" if user.active else " (inactive)"
            granted = users.user_authorisations(session=session, user_id=user.id)
            extra = f"\tauthorised: {','.join(granted)}" if granted else ""
            typer.echo(f"{user.username}\t{user.role}\t{scope}{state}{extra}")


@cli.command("demo-data")
def demo_data(
    persons: Annotated[int, typer.Option(help="number of synthetic persons")] = 300,
    seed: int = 7,
    users: Annotated[bool, typer.Option(help="create demo accounts and print them")] = True,
) -> None:
    """Register synthetic Libyan-style participants (some twice, at two sites) for demos."""
    from app.demo import (
        create_demo_cases,
        create_demo_users,
        create_demo_weapons,
        register_synthetic,
    )

    if persons < 1:
        fail("--persons must be at least 1")
    with registry() as (engine, crypto, _settings):
        with session_scope(engine) as session:
            reference.ensure_default_sites(session=session)
        count = register_synthetic(engine=engine, crypto=crypto, persons=persons, seed=seed,
                                   console=out)
        out.print(f"registered {count} synthetic registrations")
        accounts = []
        if users:  # first: the demo case managers get cases
            with session_scope(engine) as session:
                accounts = create_demo_users(session=session, password=os.environ.get(
                    "DDR_DEMO_PASSWORD") or secrets.token_urlsafe(9))
        worked = create_demo_cases(engine=engine, crypto=crypto)
        if worked["cases"]:
            out.print(f"worked {worked['cases']} cases: {worked['steps']} steps, "
                      f"{worked['referrals']} referrals, {worked['payments']} payments")
        weapons = create_demo_weapons(engine=engine, crypto=crypto)
        if weapons:
            out.print(f"handed in {weapons['weapons']} weapons at TRP: {weapons['destroyed']} "
                      f"destroyed at the depot, {weapons['in_depot']} held there, "
                      f"{weapons['waiting']} waiting for its confirmation")
        for username, role, password in accounts:
            out.print(f"  login: [bold]{username}[/] / {password}  ({role})")


class _Bars:
    """A rich progress bar per pipeline stage."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=max(total, 1))
        self.progress.update(self.tasks[stage], completed=done, total=max(total, 1))


@cli.command()
def dedupe(
    input_csv: Annotated[Path | None, typer.Argument(help="record CSV file")] = None,
    pairs: Annotated[Path | None, typer.Option("--pairs", help="write pairs here")] = None,
    clusters: Annotated[Path | None, typer.Option("--clusters", help="write clusters")] = None,
    registry_mode: Annotated[bool, typer.Option(
        "--registry", help="run over the whole registry and record pairs for review")] = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", min=1, max=256,
        help="worker processes scoring pairs (default: the number of cores)")] = None,
) -> None:
    """Find duplicates in a record CSV file (no database), or across the whole registry."""
    from matching.batch import (
        RecordFileError,
        read_records_csv,
        write_clusters_csv,
        write_pairs_csv,
    )
    from matching.batch import dedupe as run_dedupe

    if registry_mode:
        from app.dedup.batch import run_registry_dedupe

        with registry() as (engine, crypto, _settings), Progress(console=err) as bar:
            stats = run_registry_dedupe(engine=engine, crypto=crypto, actor=SYSTEM,
                                        progress=_Bars(bar), jobs=jobs)
        out.print(" ".join(f"{k}={v}" for k, v in stats.items()))
        return
    if input_csv is None or pairs is None:
        fail("give INPUT.csv and --pairs PAIRS.csv (or --registry)")
    try:
        frame = read_records_csv(input_csv)
    except RecordFileError as exc:
        fail(str(exc))
    with Progress(console=err) as bar:
        result = run_dedupe(frame, progress=_Bars(bar), jobs=jobs)
    # record ids a spreadsheet would run as formulas are written as text
    for frame, id_columns in ((result.pairs, ("record_id_a", "record_id_b")),
                              (result.clusters, ("record_id", "cluster_id"))):
        for column in id_columns:
            frame[column] = frame[column].astype(str).map(neutralise)
    write_pairs_csv(result, pairs)
    if clusters is not None:
        write_clusters_csv(result, clusters)
    s = result.stats
    out.print(f"records={s['records']} candidate_pairs={s['candidate_pairs']} "
              f"matches={s['matches']} possibles={s['possibles']} clusters={s['clusters']} "
              f"seconds={s['seconds']}")


@cli.command("import-template")
def import_template_file(
    out: Annotated[Path, typer.Argument(metavar="OUT.xlsx", help="where to write the workbook")],
    language: Annotated[str, typer.Option(help="language of its headings: ar or en")] = "ar",
    site: Annotated[list[str] | None, typer.Option(
        help="a site code the site column offers (repeat for several)")] = None,
) -> None:
    """Write a spreadsheet to register offline in: the form's fields as columns headed in
    LANGUAGE (`ddr import` recognises them), lists to choose coded values from."""
    from app.web.i18n import LANGUAGES
    from app.web.import_template import template

    if language not in LANGUAGES:
        fail("--language must be ar or en")
    try:
        out.write_bytes(template(language, [s.strip().upper() for s in site or []]))
    except OSError as exc:
        fail(f"cannot write {out} ({exc.__class__.__name__})")
    err.print(f"wrote {out}")


@cli.command("import")
def import_file(
    input_file: Annotated[Path, typer.Argument(
        metavar="FILE", help="record CSV, other CSV, XLSX, or a KoBoToolbox / ODK export")],
    site: Annotated[str | None, typer.Option(help="site of the rows that name none")] = None,
    mapping: Annotated[Path | None, typer.Option(help="column mapping file (YAML)")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="check every row and report, store nothing")] = False,
    rejects: Annotated[Path | None, typer.Option(
        help="write the rejected rows here (CSV: the file's columns and the problems)")] = None,
    attest_consent: Annotated[bool, typer.Option(
        "--attest-consent", help="consent was collected for every row (recorded, audited)")]
    = False,
    user: Annotated[str | None, typer.Option(
        help="import as this user (their sites only; named in the audit trail)")] = None,
    encoding: Annotated[str | None, typer.Option(help="the CSV's encoding, if not detected")]
    = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet (default: the first)")] = None,
    language: Annotated[str | None, typer.Option(help="language of the report: ar or en")]
    = None,
    batch_size: Annotated[int, typer.Option(
        help="rows per transaction (smaller: online registrations wait less for the writer)")]
    = 2000,
) -> None:
    """Import registrations from a file: every row checked like a registration, duplicates
    looked for in the registry and the file, a report of every row; the last line is
    `accepted=N rejected=N flagged=N duplicates=N skipped=N`. Re-running a file imports
    nothing twice."""
    from app.dedup.model_store import active_model
    from app.imports import service as imports
    from app.imports.reader import UnreadableFile
    from app.imports.report import problem_text, rejected_rows, write_rejects
    from app.web.forms import IMPORT_LABELS
    from app.web.i18n import translations
    from matching import load_model

    if not 1 <= batch_size <= 50_000:
        fail("--batch-size must be between 1 and 50000")
    mapping_text = None
    try:
        mapping_text = mapping.read_text(encoding="utf-8") if mapping else None
        handle = input_file.open("rb")
    except FileNotFoundError as exc:
        fail(f"{exc.filename}: file not found")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {mapping if isinstance(exc, UnicodeDecodeError) else input_file} "
             f"({exc.__class__.__name__})")
    with handle, registry() as (engine, crypto, settings):
        with Session(engine) as session:
            actor = imports.importer(session=session, username=user) if user else SYSTEM
            configured = load_model(settings.match_model) if settings.match_model else None
            model = active_model(session, configured)
        with Progress(console=err) as bar:
            task = bar.add_task("importing", total=None)
            try:
                job = imports.import_file(
                    engine=engine, crypto=crypto, actor=actor, handle=handle,
                    file_name=input_file.name, site=site, mapping_text=mapping_text,
                    consent_attested=attest_consent, dry_run=dry_run, encoding=encoding,
                    sheet=sheet, model=model, batch_size=batch_size,
                    progress=lambda j: bar.update(task, completed=j.rows_processed))
            except UnreadableFile as exc:
                fail(f"{input_file}: {exc.detail}")
        err.print(f"read {input_file.name} as {job.file_format} "
                  f"{job.encoding or job.sheet} {job.delimiter or ''}".rstrip(),
                  highlight=False)
        gettext = translations(language or ("en" if actor is SYSTEM else actor.language)).gettext
        with Session(engine) as session:
            columns = imports.job_mapping(job).columns
            for row in imports.report_rows(session=session, actor=actor, job_id=job.id,
                                           limit=20):
                problems = json.loads(row.problems)
                text = (problem_text(problems, columns, gettext, IMPORT_LABELS)
                        if row.outcome == "rejected"
                        else ", ".join(gettext(p["kind"]) for p in problems))
                err.print(f"  row {row.row_number} {gettext(row.outcome)}: {text}",
                          highlight=False)
        if rejects is not None:
            with session_scope(engine) as session, rejects.open(
                    "w", encoding="utf-8", newline="") as rejects_file:
                written = write_rejects(rejects_file, rejected_rows(
                    session=session, crypto=crypto, actor=actor, job_id=job.id,
                    translate=gettext, labels=IMPORT_LABELS))
            err.print(f"wrote {written} rejected rows to {rejects}", highlight=False)
    if dry_run:
        err.print("dry run: nothing was stored", highlight=False)
    out.print(imports.summary_line(job), highlight=False)


@matching_cli.command("train")
def matching_train(
    output: Annotated[Path | None, typer.Option(help="also write the new model to this file")]
    = None,
    holdout: Annotated[float, typer.Option(help="share of decisions held back")] = 0.2,
    seed: int = 0,
) -> None:
    """Retrain the match model on reviewed decisions, print before/after figures on a held-back
    share, and store the new version (inactive until an administrator activates it)."""
    from app.dedup import model_store
    from app.dedup.training import retrain
    from matching import load_model

    if not 0.05 <= holdout <= 0.5:
        fail("--holdout must be between 0.05 and 0.5")
    with registry() as (engine, crypto, settings):
        with Session(engine) as session:
            base = model_store.active_model(session, load_model(settings.match_model))
        assert base is not None
        try:
            report = retrain(engine=engine, crypto=crypto, actor=SYSTEM, base=base,
                             holdout=holdout, seed=seed)
        except ValueError as exc:
            fail(str(exc))
        with session_scope(engine) as session:
            model_store.store(session, report, SYSTEM)
    if output:
        report.model.save(output)
        out.print(f"wrote {output}")
    out.print(f"trained on {report.train_pairs} reviewed pairs, {report.holdout_pairs} held back")
    out.print(f"before ({base.version}): {report.before}")
    out.print(f"after  ({report.model.version}): {report.after}")
    out.print(f"stored version {report.model.version} (not active); to use it: "
              f"ddr matching activate {report.model.version}  (or the Models page)")


@matching_cli.command("models")
def matching_models() -> None:
    """List the stored model versions with their held-back figures; * marks the active one."""
    from app.dedup import model_store

    with registry() as (engine, _crypto, _settings), Session(engine) as session:
        rows = model_store.versions(session)
    if not rows:
        out.print("no trained versions; the shipped (or DDR_MATCH_MODEL) model is in use")
    for row in rows:
        report = json.loads(row.report)
        out.print(f"{'*' if row.active else ' '} {row.version}  before F1 "
                  f"{report['before']['f1']:.4f}  after F1 {report['after']['f1']:.4f}  "
                  f"({report['holdout_pairs']} held-back pairs)", highlight=False)


@matching_cli.command("activate")
def matching_activate(
    model_version: Annotated[str, typer.Argument(
        metavar="VERSION", help="a stored version, or 'configured' for the shipped model")],
) -> None:
    """Score with a stored model version from now on (audited); running services pick it up
    within seconds."""
    from app.dedup import model_store

    with registry() as (engine, _crypto, _settings), session_scope(engine) as session:
        model_store.activate(session, SYSTEM,
                             None if model_version == "configured" else model_version)
    out.print(f"active model: {model_version}")


@export_cli.command("stats")
def export_stats(
    fmt: Annotated[str, typer.Option("--format", help="csv (a ZIP of CSV files with HXL rows), "
                                     "xlsx or json")],
    out_path: Annotated[Path, typer.Option("--out", help="the file to write")],
    site: Annotated[str | None, typer.Option(help="a whole site only")] = None,
    category: Annotated[str | None, typer.Option(help="a whole category only")] = None,
    month: Annotated[str | None, typer.Option(help="a whole month only (YYYY-MM)")] = None,
) -> None:
    """Write the committee's statistics (contract 8): every table with its margins, small
    counts and the cells that would reveal them suppressed, the rule in the metadata."""
    from exports import service as stats_service
    from exports import writers
    from exports.catalogue import TABLES

    if fmt not in writers.FORMATS:
        fail("--format must be csv, xlsx or json")
    given = [(d, v) for d, v in (("site", site), ("category", category), ("month", month)) if v]
    if len(given) > 1:
        fail(f"--{given[1][0]}: one filter at a time")
    where = given[0] if given else None
    with registry() as (engine, _crypto, settings), Progress(console=err) as bar:
        task = bar.add_task("statistics", total=stats_service.COMPUTE_STEPS + len(TABLES))
        # a reader: on SQLite the long read never holds the writer the service needs
        reader = make_reader_engine(settings.database_url,
                                    busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        try:
            with Session(reader) as session:
                threshold = stats_service.current_threshold(session=session)
                stats = stats_service.compute(
                    session=session, threshold=threshold,
                    progress=lambda step: bar.update(task, advance=1, description=step))
        finally:
            reader.dispose()
        stats.check_filter(where)
        body = writers.write(stats, fmt, where, progress=lambda name: bar.update(
            task, advance=1, description=f"writing {name}"))
        try:
            out_path.write_bytes(body)
        except OSError as exc:
            fail(f"{out_path}: cannot write ({exc.__class__.__name__})")
        with session_scope(engine) as session:
            stats_service.record_export(session=session, actor=SYSTEM, kind=fmt, where=where)
        bar.update(task, completed=bar.tasks[0].total)
    suppressed = sum(1 for c in stats.hidden if stats.values[c] > 0)
    out.print(f"wrote {out_path} tables={len(stats.published_tables())} threshold={threshold} "
              f"suppressed={suppressed}")
    for name, reason in stats.withheld.items():
        err.print(f"{name}: {reason}")


@stats_cli.command("recount")
def stats_recount() -> None:
    """Count every registration's armed group afresh, decrypting each once with the key ring
    (once after the upgrade that added the count; registrations wait meanwhile); audited."""
    from app.registry.counts import recount_armed_groups

    with registry() as (engine, crypto, _settings), Progress(console=err) as bar:
        task = bar.add_task("counting armed groups", total=None)
        with session_scope(engine) as session:
            found = recount_armed_groups(
                session, crypto=crypto, actor=SYSTEM,
                progress=lambda done, total: bar.update(task, completed=done, total=total))
    out.print(f"registrations={sum(found.values())} armed_groups={len(found)}")


@cases_cli.command("backfill")
def cases_backfill() -> None:
    """Give cases opened before the case workflow their steps, and open the cases missing for
    registered persons (after an upgrade, or an import that opened none). Safe to re-run."""
    from reintegration.service import backfill

    with registry() as (engine, _crypto, _settings), session_scope(engine) as session:
        filled, opened = backfill(session=session, actor=SYSTEM)
    out.print(f"cases_given_steps={filled} cases_opened={opened}")


@cases_cli.command("pathways")
def cases_pathways() -> None:
    """Print the pathway definitions (as `GET /api/v1/pathways` gives them) as JSON."""
    from reintegration.engine import pathway_json
    from reintegration.pathways import all_pathways

    typer.echo(json.dumps([pathway_json(p) for p in all_pathways()], indent=2,
                          ensure_ascii=False))


@returns_cli.command("public-key")
def returns_public_key(
    out_file: Annotated[Path | None, typer.Option("--out", help="write the PEM here")] = None,
) -> None:
    """Print (or write) the Ed25519 public key that checks this register's manifests: hand
    it to the receiving authorities once, through a channel they trust."""
    from exports.signing import public_key_pem

    try:
        crypto = load_crypto(get_settings(), create_in_development=False)
    except (ConfigurationError, CryptoError) as exc:
        fail(str(exc))
    pem = public_key_pem(crypto)
    if out_file is None:
        typer.echo(pem.decode(), nl=False)
    else:
        out_file.write_bytes(pem)
        out.print(f"public key written to {out_file}")


@returns_cli.command("verify-manifest")
def returns_verify_manifest(
    manifest_file: Annotated[Path, typer.Argument(help="the manifest (.zip) received")],
    public_key: Annotated[Path, typer.Option("--public-key",
                                             help="the register's public key (PEM)")],
) -> None:
    """Check, offline, that a manifest came from the register unaltered: exit 0 when its
    signature holds, 1 when it does not, 2 when a file cannot be read."""
    from exports.signing import BadSignature, verify

    try:
        content, pem = manifest_file.read_bytes(), public_key.read_bytes()
    except OSError as exc:
        fail(f"cannot read {exc.filename}: {exc.strerror}")
    try:
        key = verify(content, pem)
    except BadSignature as exc:
        err.print(f"[bold red]signature does not verify:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    out.print(f"signature valid: signed by the register's key {key}; content unaltered")


@cli.command()
def version() -> None:
    """Print the version."""
    out.print(f"ddr-registry 0.1.0 ({date.today().isoformat()})")


def main() -> None:
    """Entry point of the `ddr` console script."""
    cli()


if __name__ == "__main__":
    main()

