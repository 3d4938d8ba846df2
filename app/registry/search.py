"""Searching the registry by number, documents, phone or name, in any script or spelling.

A name is looked up through blind indexes of the matching engine's cross-script keys
(:mod:`app.registry.indexes`): each word typed must share a key with a word of the
registration's names (one word may be missing or misspelled when three or more are typed);
two or more words are looked up by their pairs. The registrations found are decrypted in
memory and ranked by :func:`matching.compare_names` against the name typed, best first. No
plaintext is stored or compared in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy import case, distinct
from sqlmodel import Session, col, func, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import FieldError, ValidationFailed
from app.core.security import Principal
from app.registry import validation as v
from app.registry.enums import IndexKind
from app.registry.indexes import (
    NAME_FIELDS,
    SEARCHED_NAME_FIELDS,
    name_search_keys,
    pair_key,
)
from app.registry.models import Registration, RegistrationIndex
from app.registry.queries import require_pii_reader
from app.registry.schemas import SearchHit, SearchIn, SearchOut
from matching import compare_names

RANKED = 100
"""Registrations found by name that are decrypted and ranked, at most (those sharing the most
pairs of words with the name typed): a single common name matches thousands."""
COUNTED = 1000
"""Registrations found by name that are counted, at most (more: "over 1,000")."""


def _exact_digests(crypto: FieldCrypto, query: SearchIn) -> list[tuple[str, list[str]]]:
    """The blind indexes the exact criteria (national number, phone, passport) look up, each
    under every active key version (any will do)."""
    errors: list[FieldError] = []
    wanted: list[tuple[str, list[str]]] = []
    nid = v.normalise_national_id(query.national_id, errors)
    if nid:
        wanted.append((IndexKind.national_id.value, crypto.blind_indexes("nid", nid)))
    phone = v.normalise_phone(query.phone, errors)
    if phone:
        wanted.append((IndexKind.phone.value, crypto.blind_indexes("phone", phone)))
    passport = v.normalise_passport(query.passport_no, errors)
    if passport:
        wanted.append((IndexKind.passport.value, crypto.blind_indexes("passport", passport)))
    if errors:
        raise ValidationFailed(errors)
    return wanted


def _terms(crypto: FieldCrypto, name: str) -> tuple[list[list[str]], int]:
    """What a name typed is looked up by — each term a list of blind indexes, any of which
    will do — and how many terms a registration must share.

    Every key is looked up under every active key version (a rotation may not have moved
    every registration yet). One word: its keys (one per spelling it may stand for). Two
    words or more: each two of them together (their pair keys), far rarer than a common word
    alone; a registration holding k of the words holds k(k-1)/2 of the pairs, so "every
    word, or all but one when three or more are typed" is a number of pairs shared."""
    words = name_search_keys(name)
    digests = partial(crypto.blind_indexes, IndexKind.name.value)
    if len(words) == 1:
        return [sorted({d for key in words[0] for d in digests(key)})], 1
    terms = [sorted({d for a in first for b in second for d in digests(pair_key(a, b))})
             for i, first in enumerate(words) for second in words[i + 1:]]
    found = len(words) - 1 if len(words) >= 3 else len(words)
    return terms, found * (found - 1) // 2


def _named(terms: Sequence[Sequence[str]], need: int, filters: Sequence[Any]) -> Any:
    """The ids of registrations (meeting `filters`) sharing at least `need` of the terms,
    those sharing most first (one term: in the index's order, stopping at the limit)."""
    index = RegistrationIndex
    every = sorted({d for digests in terms for d in digests})
    if len(terms) == 1:
        return (select(col(index.registration_id))
                .join(Registration, col(Registration.id) == col(index.registration_id))
                .where(index.kind == IndexKind.name.value, col(index.digest).in_(every),
                       *filters)
                .distinct())
    term = case(*((col(index.digest).in_(list(digests)), position)
                  for position, digests in enumerate(terms)), else_=-1)
    shared = func.count(distinct(term))
    grouped = (select(col(index.registration_id).label("id"), shared.label("shared"))
               .where(index.kind == IndexKind.name.value, col(index.digest).in_(every))
               .group_by(col(index.registration_id)).having(shared >= need).subquery())
    return (select(grouped.c.id).join(Registration, col(Registration.id) == grouped.c.id)
            .where(*filters).order_by(grouped.c.shared.desc(), grouped.c.id))


HIT_COLUMNS = (Registration.id, Registration.registration_number, Registration.person_id,
               Registration.site_code, Registration.registered_on, Registration.category,
               Registration.sex, Registration.birth_year,
               *(getattr(Registration, f) for f in SEARCHED_NAME_FIELDS))
"""What a search reads of a registration: no field it does not show or compare."""


def _names(crypto: FieldCrypto, row: Any) -> dict[str, str | None]:
    """A found registration's names, decrypted."""
    row_id = str(row.id)
    return {f: crypto.decrypt(getattr(row, f), table=Registration.__tablename__, column=f,
                              row_id=row_id) for f in SEARCHED_NAME_FIELDS}


def _hit(row: Any, names: dict[str, str | None], score: float | None) -> SearchHit:
    return SearchHit(
        id=row.id, registration_number=row.registration_number, person_id=row.person_id,
        site=row.site_code, registered_on=row.registered_on, category=row.category,
        sex=row.sex, birth_year=row.birth_year,
        full_name=" ".join(n for n in (names[f] for f in NAME_FIELDS) if n),
        score=None if score is None else round(score, 4))


def name_score(names: dict[str, str | None], name: str) -> float:
    """How close a registration's names are to a name typed (compare_names on the nasab, or
    on the alias or the name in the other script when that is closer)."""
    score = compare_names(name, " ".join(n for n in (names[f] for f in NAME_FIELDS) if n))
    for other in (names["alias"], names["name_other_script"]):
        if other:
            score = max(score, compare_names(name, other))
    return score


def search(
    *, session: Session, crypto: FieldCrypto, actor: Principal, query: SearchIn
) -> SearchOut:
    """Find registrations by number, national ID, phone, passport or name (all criteria given
    must match); a name in any script or spelling, best match first."""
    require_pii_reader(actor)
    criteria = [k for k in ("registration_number", "national_id", "phone", "passport_no", "name")
                if getattr(query, k)]
    if not criteria:
        raise ValidationFailed([FieldError("name", "give at least one search criterion")])
    terms, need = _terms(crypto, query.name) if query.name else ([], 0)
    if query.name and not terms:
        raise ValidationFailed([FieldError("name", "type at least one name with a consonant")])
    filters: list[Any] = []
    if query.registration_number:
        filters.append(Registration.registration_number == query.registration_number.upper())
    for kind, digests in _exact_digests(crypto, query):
        filters.append(col(Registration.id).in_(
            select(RegistrationIndex.registration_id).where(
                RegistrationIndex.kind == kind, col(RegistrationIndex.digest).in_(digests))))
    if not actor.all_sites:
        filters.append(col(Registration.site_code).in_(sorted(actor.sites)))
    if query.site:
        filters.append(Registration.site_code == query.site.upper())
    if terms:
        assert query.name is not None
        named = _named(terms, need, filters)
        ids = list(session.exec(named.limit(RANKED)).all())
        total = len(ids) if len(ids) < RANKED else int(session.exec(
            select(func.count()).select_from(named.limit(COUNTED + 1).subquery())).one())
        found = [(row, _names(crypto, row)) for row in session.execute(
            sa.select(*HIT_COLUMNS).where(col(Registration.id).in_(ids)))]
        scored = sorted(((name_score(names, query.name), row, names) for row, names in found),
                        key=lambda item: (-item[0], item[1].registration_number))
        start = (query.page - 1) * query.page_size
        items = [_hit(row, names, score)
                 for score, row, names in scored[start:start + query.page_size]]
    else:
        total = int(session.exec(select(func.count()).select_from(Registration)
                                 .where(*filters)).one())
        page = session.execute(sa.select(*HIT_COLUMNS).where(*filters)
                               .order_by(col(Registration.created_at).desc())
                               .offset((query.page - 1) * query.page_size)
                               .limit(query.page_size))
        items = [_hit(row, _names(crypto, row), None) for row in page]
    record_event(session=session, actor=actor, action="registration.search",
                 object_type="registration",
                 details={"criteria": criteria, "total": total,
                          "returned": [str(hit.id) for hit in items]})
    return SearchOut(total=total, page=query.page, page_size=query.page_size, items=items,
                     ranked=min(total, RANKED) if terms else total,
                     more=bool(terms) and total > COUNTED)

