"""Searching the registry by number, documents, phone or name, in any script or spelling.

A name is looked up through blind indexes of the matching engine's cross-script keys
(:func:`app.registry.indexes.name_index_keys`): each word typed must share a key with a word
of the registration's names (one word may be missing or misspelled when three or more are
typed). The registrations found are decrypted in memory and ranked by
:func:`matching.compare_names` against the name typed, best first. No plaintext is stored or
compared in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, distinct
from sqlmodel import Session, col, func, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import FieldError, ValidationFailed
from app.core.sealed import unseal
from app.core.security import Principal
from app.registry import validation as v
from app.registry.enums import IndexKind
from app.registry.indexes import NAME_FIELDS, SEARCHED_NAME_FIELDS, name_search_keys
from app.registry.models import Registration, RegistrationIndex
from app.registry.queries import require_pii_reader
from app.registry.schemas import SearchHit, SearchIn, SearchOut
from matching import compare_names

RANKED = 300
"""Registrations found by name that are decrypted and ranked, at most (those sharing the most
words with the name typed first): a single common name matches thousands."""


def _exact_digests(crypto: FieldCrypto, query: SearchIn) -> list[tuple[str, str]]:
    """The blind indexes the exact criteria (national number, phone, passport) look up."""
    errors: list[FieldError] = []
    wanted: list[tuple[str, str]] = []
    nid = v.normalise_national_id(query.national_id)
    if nid:
        wanted.append((IndexKind.national_id.value, crypto.blind_index("nid", nid)))
    phone = v.normalise_phone(query.phone, errors)
    if phone:
        wanted.append((IndexKind.phone.value, crypto.blind_index("phone", phone)))
    passport = v.normalise_passport(query.passport_no, errors)
    if passport:
        wanted.append((IndexKind.passport.value, crypto.blind_index("passport", passport)))
    if errors:
        raise ValidationFailed(errors)
    return wanted


def name_words(crypto: FieldCrypto, name: str) -> list[list[str]]:
    """The blind indexes of each word of a name typed (a list per word: its spellings' keys)."""
    return [sorted(crypto.blind_index(IndexKind.name.value, key) for key in word)
            for word in name_search_keys(name)]


def _name_matches(words: Sequence[Sequence[str]]) -> Any:
    """Registrations whose names share a key with every word typed (all but one when three
    or more are typed), with how many words they share, as a subquery."""
    index = RegistrationIndex
    word = case(*((col(index.digest).in_(list(digests)), position)
                  for position, digests in enumerate(words)), else_=-1)
    shared = func.count(distinct(word))
    need = len(words) - 1 if len(words) >= 3 else len(words)
    every = sorted({d for digests in words for d in digests})
    return (select(col(index.registration_id).label("registration_id"),
                   shared.label("shared"))
            .where(index.kind == IndexKind.name.value, col(index.digest).in_(every))
            .group_by(col(index.registration_id))
            .having(shared >= need)
            .subquery("named"))


def _hit(crypto: FieldCrypto, registration: Registration, score: float | None) -> SearchHit:
    names = unseal(crypto, registration, NAME_FIELDS)
    return SearchHit(
        id=registration.id, registration_number=registration.registration_number,
        person_id=registration.person_id, site=registration.site_code,
        registered_on=registration.registered_on, category=registration.category,
        sex=registration.sex, birth_year=registration.birth_year,
        full_name=" ".join(n for n in (names[f] for f in NAME_FIELDS) if n),
        score=None if score is None else round(score, 4))


def name_score(crypto: FieldCrypto, registration: Registration, name: str) -> float:
    """How close a registration's names are to a name typed (compare_names on the nasab, or
    on the alias or the name in the other script when that is closer)."""
    names = unseal(crypto, registration, SEARCHED_NAME_FIELDS)
    full = " ".join(n for n in (names[f] for f in NAME_FIELDS) if n)
    score = compare_names(name, full)
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
    words = name_words(crypto, query.name) if query.name else []
    if query.name and not words:
        raise ValidationFailed([FieldError("name", "type at least one name with a consonant")])
    stmt = select(Registration)
    if query.registration_number:
        stmt = stmt.where(Registration.registration_number == query.registration_number.upper())
    for kind, digest in _exact_digests(crypto, query):
        stmt = stmt.where(col(Registration.id).in_(
            select(RegistrationIndex.registration_id).where(
                RegistrationIndex.kind == kind, RegistrationIndex.digest == digest)))
    if not actor.all_sites:
        stmt = stmt.where(col(Registration.site_code).in_(sorted(actor.sites)))
    if query.site:
        stmt = stmt.where(Registration.site_code == query.site.upper())
    if words:
        named = _name_matches(words)
        stmt = stmt.join(named, named.c.registration_id == Registration.id)
        rows = session.exec(stmt.order_by(named.c.shared.desc(), col(Registration.id))
                            .limit(RANKED)).all()
        total = len(rows) if len(rows) < RANKED else int(session.exec(
            select(func.count()).select_from(stmt.subquery())).one())
        assert query.name is not None
        scored = sorted(((name_score(crypto, r, query.name), r) for r in rows),
                        key=lambda item: (-item[0], item[1].registration_number))
        start = (query.page - 1) * query.page_size
        items = [_hit(crypto, r, score) for score, r in scored[start:start + query.page_size]]
    else:
        total = int(session.exec(select(func.count()).select_from(stmt.subquery())).one())
        page = session.exec(stmt.order_by(col(Registration.created_at).desc())
                            .offset((query.page - 1) * query.page_size)
                            .limit(query.page_size)).all()
        items = [_hit(crypto, r, None) for r in page]
    record_event(session=session, actor=actor, action="registration.search",
                 object_type="registration",
                 details={"criteria": criteria, "total": total,
                          "returned": [str(hit.id) for hit in items]})
    return SearchOut(total=total, page=query.page, page_size=query.page_size, items=items,
                     ranked=min(total, RANKED) if words else total)

