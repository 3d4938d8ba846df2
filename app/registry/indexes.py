"""Blind indexes of a registration: exact lookups and name search without plaintext."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping

from sqlalchemy import insert
from sqlmodel import Session, col, delete

from app.core.crypto import FieldCrypto
from app.registry.enums import IndexKind
from app.registry.models import RegistrationIndex
from matching import blocking_keys

NAME_FIELDS = ("given_name", "father_name", "grandfather_name", "family_name")

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه",
                              "ؤ": "و", "ئ": "ي"})
_SPLIT = re.compile(r"[^\w]+")
_ARTICLES = ("al", "el", "ال")


def name_tokens(values: Iterable[str | None]) -> set[str]:
    """Return normalised name tokens (case, diacritics, alef forms, articles folded)."""
    tokens: set[str] = set()
    for value in values:
        if not value:
            continue
        text = unicodedata.normalize("NFKD", value.casefold())
        text = "".join(ch for ch in text if not unicodedata.combining(ch) or "\u0600" <= ch)
        text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
        for token in _SPLIT.split(text):
            token = token.replace("_", "")
            for article in _ARTICLES:
                if token.startswith(article) and len(token) > len(article) + 2:
                    token = token[len(article) :]
                    break
            if token and token not in _ARTICLES:
                tokens.add(token)
    return tokens


def index_entries(crypto: FieldCrypto, values: Mapping[str, str | None]) -> set[tuple[str, str]]:
    """Compute (kind, digest) pairs for a registration's normalised values."""
    entries: set[tuple[str, str]] = set()
    for kind, name in (
        (IndexKind.national_id, "national_id"),
        (IndexKind.phone, "phone"),
        (IndexKind.passport, "passport_no"),
    ):
        value = values.get(name)
        if value:
            entries.add((kind.value, crypto.blind_index(kind.value, value)))
    for token in name_tokens(values.get(f) for f in NAME_FIELDS):
        entries.add((IndexKind.name.value, crypto.blind_index(IndexKind.name.value, token)))
    for key in blocking_keys(values):
        entries.add((IndexKind.block.value, crypto.blind_index(IndexKind.block.value, key)))
    return entries


def replace_indexes(
    *,
    session: Session,
    crypto: FieldCrypto,
    registration_id: uuid.UUID,
    values: Mapping[str, str | None],
) -> None:
    """Write a registration's blind indexes, replacing any it had."""
    session.exec(delete(RegistrationIndex).where(
        col(RegistrationIndex.registration_id) == registration_id))
    insert_index_rows(session, index_rows(registration_id, index_entries(crypto, values)))


def index_rows(registration_id: uuid.UUID, entries: Iterable[tuple[str, str]]
               ) -> list[dict[str, object]]:
    """The rows of a registration's blind indexes (`entries`: :func:`index_entries`)."""
    return [{"registration_id": registration_id, "kind": kind, "digest": digest}
            for kind, digest in sorted(entries)]


def insert_index_rows(session: Session, rows: list[dict[str, object]]) -> None:
    """Insert blind index rows (of one registration or several) with one statement (a
    plain insert on the unit of work's connection: the rows are not read back as objects)."""
    if rows:
        session.connection().execute(insert(RegistrationIndex.__table__), rows)  # type: ignore[attr-defined]
