"""Managed lists: sites and armed groups."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from app.core.security import Principal
from app.registry.models import ArmedGroup, Site

DEFAULT_SITES: tuple[tuple[str, str, str, str], ...] = (
    ("TRP", "Tripoli", "طرابلس", "West"),
    ("BEN", "Benghazi", "بنغازي", "East"),
    ("MIS", "Misrata", "مصراتة", "West"),
    ("SEB", "Sebha", "سبها", "South"),
    ("ZAW", "Zawiya", "الزاوية", "West"),
    ("KUF", "Kufra", "الكفرة", "South"),
    ("ZIN", "Zintan", "الزنتان", "West"),
    ("SRT", "Sirte", "سرت", "Centre"),
)

_SITE_CODE = re.compile(r"^[A-Z]{3}$")
_OPEN_SITES = "registry.open_sites"
_GROUPS = "registry.armed_groups"
"""Keys of the reference lists a unit of work reads once (`Session.info`); a change to the
lists in the same unit of work drops them."""
_OPEN_SITE_CODES = select(Site.code).where(Site.active == True)  # noqa: E712
_ACTIVE_GROUPS = (sa.select(col(ArmedGroup.code), col(ArmedGroup.name_en),
                            col(ArmedGroup.name_ar), col(ArmedGroup.aliases))
                  .where(col(ArmedGroup.active).is_(True)).order_by(col(ArmedGroup.name_en)))
"""The statements reading the lists (built once: every registration runs them)."""


def open_site_codes(*, session: Session) -> frozenset[str]:
    """The codes of the open sites, read once per unit of work."""
    codes = session.info.get(_OPEN_SITES)
    if codes is None:
        codes = session.info[_OPEN_SITES] = frozenset(
            session.execute(_OPEN_SITE_CODES).scalars())
    return frozenset(codes)
def list_sites(*, session: Session, active_only: bool = False) -> list[Site]:
    """Return the sites, by code."""
    query = select(Site).order_by(col(Site.code))
    if active_only:
        query = query.where(Site.active == True)  # noqa: E712
    return list(session.exec(query).all())


def create_site(
    *, session: Session, actor: Principal, code: str, name_en: str, name_ar: str, region: str = ""
) -> Site:
    """Add a site (three capital letters)."""
    code = code.strip().upper()
    if not _SITE_CODE.match(code):
        raise ValidationFailed([FieldError("code", "three capital letters, e.g. TRP")])
    if not name_en.strip() or not name_ar.strip():
        raise ValidationFailed(
            [FieldError(f, "required") for f, v in (("name_en", name_en), ("name_ar", name_ar))
             if not v.strip()]
        )
    if session.get(Site, code) is not None:
        raise Conflict("site exists", [FieldError("code", "a site with this code exists")])
    site = Site(code=code, name_en=name_en.strip(), name_ar=name_ar.strip(), region=region.strip())
    session.add(site)
    session.info.pop(_OPEN_SITES, None)
    record_event(session=session, actor=actor, action="site.create", object_type="site",
                 object_id=code, site_code=code)
    session.flush()
    return site


def update_site(
    *,
    session: Session,
    actor: Principal,
    code: str,
    name_en: str | None = None,
    name_ar: str | None = None,
    region: str | None = None,
    active: bool | None = None,
) -> Site:
    """Rename, move or (de)activate a site; sites are never deleted."""
    site = session.get(Site, code.upper())
    if site is None:
        raise NotFound("site not found")
    changes = {k: v for k, v in (("name_en", name_en), ("name_ar", name_ar), ("region", region),
                                 ("active", active)) if v is not None}
    for key, value in changes.items():
        setattr(site, key, value.strip() if isinstance(value, str) else value)
    session.add(site)
    session.info.pop(_OPEN_SITES, None)
    record_event(session=session, actor=actor, action="site.update", object_type="site",
                 object_id=site.code, site_code=site.code, details={"fields": sorted(changes)})
    session.flush()
    return site


def ensure_default_sites(*, session: Session) -> int:
    """Create the programme's standard sites if missing; return how many were added."""
    added = 0
    for code, name_en, name_ar, region in DEFAULT_SITES:
        if session.get(Site, code) is None:
            session.add(Site(code=code, name_en=name_en, name_ar=name_ar, region=region))
            added += 1
    session.info.pop(_OPEN_SITES, None)
    session.flush()
    return added


_FOLD = str.maketrans("أإآةى", "اااهي")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(_FOLD)
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def list_armed_groups(*, session: Session, active_only: bool = False) -> list[ArmedGroup]:
    """Return the managed list of armed groups."""
    query = select(ArmedGroup).order_by(col(ArmedGroup.name_en))
    if active_only:
        query = query.where(ArmedGroup.active == True)  # noqa: E712
    return list(session.exec(query).all())


def armed_groups_by_code(*, session: Session) -> dict[str, ArmedGroup]:
    """Every armed group of the list (active or not) by its code: how pages name a code."""
    return {g.code: g for g in list_armed_groups(session=session)}


def armed_group_code(*, session: Session, text: str) -> str | None:
    """The code of the active listed group a code, name or known phrasing refers to (None if
    none). The list is read once per unit of work."""
    groups = session.info.get(_GROUPS)
    if groups is None:
        groups = session.info[_GROUPS] = tuple(
            (code, en, ar, aliases)
            for code, en, ar, aliases in session.execute(_ACTIVE_GROUPS))
    index = _folded_names(groups).get(_fold(text))
    return groups[index][0] if index is not None else None


@lru_cache(maxsize=8)
def _folded_names(groups: tuple[tuple[str, str, str, str], ...]) -> dict[str, int]:
    """Each folded name, code and alias of the groups, with the position of its group."""
    lookup: dict[str, int] = {}
    for index, (code, name_en, name_ar, aliases) in enumerate(groups):
        for name in (code, name_en, name_ar, *aliases.splitlines()):
            if name.strip():
                lookup.setdefault(_fold(name), index)
    return lookup


def create_armed_group(
    *,
    session: Session,
    actor: Principal,
    code: str,
    name_en: str,
    name_ar: str,
    aliases: list[str] | None = None,
) -> ArmedGroup:
    """Add an armed group to the managed list."""
    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z0-9_-]{2,40}", code):
        raise ValidationFailed([FieldError("code", "2-40 capital letters, digits, - or _")])
    if session.exec(select(ArmedGroup).where(ArmedGroup.code == code)).first():
        raise Conflict("armed group exists", [FieldError("code", "already in the list")])
    group = ArmedGroup(code=code, name_en=name_en.strip(), name_ar=name_ar.strip(),
                       aliases="\n".join(a.strip() for a in aliases or [] if a.strip()))
    session.add(group)
    session.info.pop(_GROUPS, None)
    record_event(session=session, actor=actor, action="armed_group.create",
                 object_type="armed_group", object_id=code)
    session.flush()
    return group


def update_armed_group(
    *,
    session: Session,
    actor: Principal,
    group_id: int,
    name_en: str | None = None,
    name_ar: str | None = None,
    aliases: list[str] | None = None,
    active: bool | None = None,
) -> ArmedGroup:
    """Rename, add phrasings to or (de)activate an armed group."""
    group = session.get(ArmedGroup, group_id)
    if group is None:
        raise NotFound("armed group not found")
    if name_en is not None:
        group.name_en = name_en.strip()
    if name_ar is not None:
        group.name_ar = name_ar.strip()
    if aliases is not None:
        group.aliases = "\n".join(a.strip() for a in aliases if a.strip())
    if active is not None:
        group.active = active
    session.add(group)
    session.info.pop(_GROUPS, None)
    record_event(session=session, actor=actor, action="armed_group.update",
                 object_type="armed_group", object_id=group.code)
    session.flush()
    return group
