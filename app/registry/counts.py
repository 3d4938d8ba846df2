"""Running counts of registrations and weapons for the committee's statistics.

The statistics read these small tables, not the million rows behind them: each holds how many
registrations (or weapons) fall in one group of the statistics' finest grain. The one write
path of each row keeps them in the same transaction: :func:`add_registrations` from
`registry.number` (the desk, the API and bulk imports alike), :func:`move_registration` from
`registry.correct`, :func:`add_weapons` from `registry.add_weapon`, and the national count
per armed group (:func:`add_armed_groups`, :func:`move_armed_group`) from the group's code
in clear before it is sealed. Registrations and
weapons are never deleted (a merge moves registrations between persons, which no count
depends on). :func:`rebuild` recounts from the rows themselves (the migration that created
the tables, rows inserted around the services, a repair); the armed groups, held only
encrypted, are recounted with the key by :func:`recount_armed_groups` (`ddr stats recount`).
See docs/adr (statistics: running counts).

Increments are merged per group first and written in the groups' order, so that two
transactions counting into the same groups on PostgreSQL wait for each other instead of
deadlocking.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import delete, extract, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.security import Principal
from app.registry.models import (
    ArmedGroupCount,
    Registration,
    RegistrationCount,
    WeaponCount,
    WeaponHandover,
)

AGE_BANDS = ("under_15", "15_17", "18_24", "25_34", "35_49", "50_plus", "unknown")
"""Age at registration (from the birth year), the bands of the committee's questions."""
_BAND_LIMITS = ((15, "under_15"), (18, "15_17"), (25, "18_24"), (35, "25_34"), (50, "35_49"))
UNKNOWN_CALIBRE = "unknown"
NO_GROUP = "none"
"""The armed-group count of registrations that name no group."""

RegistrationKey = tuple[str, str, str, str, str, str]
"""site, sex, category, nationality, age band, month (YYYY-MM)."""
WeaponKey = tuple[str, str, str, str]
"""weapon type, calibre, site, month."""

_REGISTRATION_COLUMNS = ("site_code", "sex", "category", "nationality", "age_band", "month")
_WEAPON_COLUMNS = ("weapon_type", "calibre", "site_code", "month")
_GROUP_COLUMNS = ("group_code",)
_BATCH = 1000
"""Groups per statement (SQLite allows 32,766 bound values)."""


def age_band(birth_year: int | None, registered_year: int) -> str:
    """The age band of someone born in `birth_year` and registered in `registered_year`."""
    if birth_year is None:
        return "unknown"
    age = registered_year - birth_year
    return next((band for limit, band in _BAND_LIMITS if age < limit), "50_plus")


def month_of(day: date) -> str:
    """The month a day falls in, as YYYY-MM."""
    return f"{day.year:04d}-{day.month:02d}"


def registration_key(row: Mapping[str, Any]) -> RegistrationKey:
    """The group a registration (its clear columns, by name) is counted in."""
    day: date = row["registered_on"]
    return (row["site_code"], row["sex"], row["category"], row["nationality"],
            age_band(row["birth_year"], day.year), month_of(day))


def weapon_key(weapon: WeaponHandover) -> WeaponKey:
    """The group a weapon handed in is counted in."""
    return (weapon.weapon_type, weapon.calibre or UNKNOWN_CALIBRE, weapon.site_code,
            month_of(weapon.handed_over_on))


def add_registrations(session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
    """Count registrations just inserted (their clear columns, by name)."""
    _add(session, RegistrationCount, _REGISTRATION_COLUMNS,
         Counter(registration_key(row) for row in rows))


def move_registration(session: Session, before: Mapping[str, Any],
                      after: Mapping[str, Any]) -> None:
    """Move a corrected registration from the group of its old values to its new one."""
    old, new = registration_key(before), registration_key(after)
    if old != new:
        _add(session, RegistrationCount, _REGISTRATION_COLUMNS, Counter({old: -1, new: 1}))


def add_weapons(session: Session, weapons: Iterable[WeaponHandover]) -> None:
    """Count weapons just handed in."""
    _add(session, WeaponCount, _WEAPON_COLUMNS, Counter(weapon_key(w) for w in weapons))


def add_armed_groups(session: Session, codes: Iterable[str | None]) -> None:
    """Count registrations just inserted by the armed group each names (its code in clear,
    before sealing; None when none is stated)."""
    _add(session, ArmedGroupCount, _GROUP_COLUMNS, Counter((code or NO_GROUP,) for code in codes))


def move_armed_group(session: Session, before: str | None, after: str | None) -> None:
    """Move a corrected registration from its old armed group (decrypted) to its new one."""
    old, new = before or NO_GROUP, after or NO_GROUP
    if old != new:
        _add(session, ArmedGroupCount, _GROUP_COLUMNS, Counter({(old,): -1, (new,): 1}))


def _add(session: Session, model: Any, columns: tuple[str, ...],
         increments: Mapping[tuple[str, ...], int]) -> None:
    rows = [{**dict(zip(columns, key, strict=True)), "count": n}
            for key, n in sorted(increments.items()) if n]
    if not rows:
        return
    upsert = _upsert(model, columns, session.get_bind().dialect.name)
    for first in range(0, len(rows), _BATCH):  # one statement, compiled once, many rows
        session.execute(upsert, rows[first:first + _BATCH])


@cache
def _upsert(model: Any, columns: tuple[str, ...], dialect_name: str) -> Any:
    """The statement adding to a count table's groups (built once per table and database)."""
    table = model.__table__
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(columns), set_={"count": table.c.count + statement.excluded.count})


def registration_counts(session: Session) -> list[tuple[RegistrationKey, int]]:
    """Every group of registrations with its count."""
    rows = session.execute(select(*[col(getattr(RegistrationCount, c))
                                    for c in _REGISTRATION_COLUMNS], col(RegistrationCount.count))
                           .where(col(RegistrationCount.count) != 0))
    return [((site, sex, category, nationality, band, month), n)
            for site, sex, category, nationality, band, month, n in rows]


def weapon_counts(session: Session) -> list[tuple[WeaponKey, int]]:
    """Every group of weapons with its count."""
    rows = session.execute(select(*[col(getattr(WeaponCount, c)) for c in _WEAPON_COLUMNS],
                                  col(WeaponCount.count)).where(col(WeaponCount.count) != 0))
    return [((kind, calibre, site, month), n) for kind, calibre, site, month, n in rows]


def armed_group_counts(session: Session) -> list[tuple[str, int]]:
    """Every armed group code (or :data:`NO_GROUP`) with how many registrations name it."""
    rows = session.execute(select(col(ArmedGroupCount.group_code), col(ArmedGroupCount.count))
                           .where(col(ArmedGroupCount.count) != 0))
    return [(code, n) for code, n in rows]


def armed_groups_uncounted(session: Session) -> int:
    """How many registrations the count by armed group lacks (those made before the upgrade
    that added it, until :func:`recount_armed_groups` has run)."""
    counted = select(func.coalesce(func.sum(col(ArmedGroupCount.count)), 0)).scalar_subquery()
    registered = select(func.coalesce(func.sum(col(RegistrationCount.count)), 0)
                        ).scalar_subquery()
    return int(session.execute(select(registered - counted)).scalar_one())


def recount_armed_groups(session: Session, *, crypto: FieldCrypto, actor: Principal,
                         progress: Callable[[int, int], None] | None = None,
                         every: int = 10_000) -> dict[str, int]:
    """Count every registration's armed group afresh, decrypting each once with the key ring
    (once after the upgrade that created the count, or as a repair), audited; return the
    counts. The count table is held to the end (PostgreSQL: a lock; SQLite: the unit of
    work's writer), so a registration made meanwhile waits and is counted after."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE stats_armed_group_count IN EXCLUSIVE MODE"))
    total = int(session.execute(select(func.count()).select_from(Registration)).scalar_one())
    found: Counter[tuple[str, ...]] = Counter()
    rows = session.execute(select(col(Registration.id), col(Registration.armed_group))
                           .execution_options(yield_per=every))
    for done, (row_id, sealed) in enumerate(rows, start=1):
        code = crypto.decrypt(sealed, table=Registration.__tablename__, column="armed_group",
                              row_id=str(row_id))
        found[(code or NO_GROUP,)] += 1
        if progress and done % every == 0:
            progress(done, total)
    session.execute(delete(ArmedGroupCount))
    _add(session, ArmedGroupCount, _GROUP_COLUMNS, found)
    record_event(session=session, actor=actor, action="stats.recount", object_type="stats",
                 object_id="armed_groups", details={"registrations": total,
                                                    "groups": len(found)})
    if progress:
        progress(total, total)
    return {key[0]: n for key, n in sorted(found.items())}


def rebuild(session: Session) -> None:
    """Recount registrations and weapons from their clear columns (not the armed groups,
    which need the key: :func:`recount_armed_groups`)."""
    session.execute(delete(RegistrationCount))
    session.execute(delete(WeaponCount))
    year, month = extract("year", col(Registration.registered_on)), extract(
        "month", col(Registration.registered_on))
    keys: list[Any] = [Registration.site_code, Registration.sex, Registration.category,
                       Registration.nationality, Registration.birth_year, year, month]
    registrations: Counter[tuple[str, ...]] = Counter()
    for site, sex, category, nationality, born, y, m, n in session.execute(
            select(*keys, func.count()).group_by(*keys)):
        registrations[(site, sex, category, nationality, age_band(born, int(y)),
                       f"{int(y):04d}-{int(m):02d}")] += n
    _add(session, RegistrationCount, _REGISTRATION_COLUMNS, registrations)
    wyear, wmonth = extract("year", col(WeaponHandover.handed_over_on)), extract(
        "month", col(WeaponHandover.handed_over_on))
    calibre = func.coalesce(WeaponHandover.calibre, UNKNOWN_CALIBRE)
    wkeys: list[Any] = [WeaponHandover.weapon_type, calibre, WeaponHandover.site_code, wyear,
                        wmonth]
    weapons: Counter[tuple[str, ...]] = Counter()
    for kind, cal, site, y, m, n in session.execute(select(*wkeys, func.count())
                                                    .group_by(*wkeys)):
        weapons[(kind, str(cal), site, f"{int(y):04d}-{int(m):02d}")] += n
    _add(session, WeaponCount, _WEAPON_COLUMNS, weapons)
