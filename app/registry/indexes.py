"""Blind indexes of a registration: exact lookups and name search without plaintext.

Name search keys are the matching engine's cross-script keys of each word (one per spelling
the word may stand for), so "Mohamed", "Muhammad" and "محمد" share one. When the engine's keys
change, `ddr reindex --kind name` rebuilds them for every registration.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Uuid, bindparam, insert
from sqlmodel import Session, col, delete

from app.core.crypto import FieldCrypto
from app.registry.enums import IndexKind
from app.registry.models import RegistrationIndex
from matching import blocking_keys, name_keys

NAME_FIELDS = ("given_name", "father_name", "grandfather_name", "family_name")
SEARCHED_NAME_FIELDS = (*NAME_FIELDS, "alias", "name_other_script")
"""The names a name search looks in: the nasab, the alias and the name as spelled in the
other script (not the mother's name)."""


_COARSE = str.maketrans({"G": "K", "J": "K", "Z": "S", "X": "S"})
"""Consonant classes a search merges, as the engine's blocking keys do (g/j/k/q, z/s/sh)."""


def _coarse(skeleton: str) -> str:
    folded = skeleton.translate(_COARSE)
    return "".join(c for i, c in enumerate(folded) if i == 0 or folded[i - 1] != c)


UNSTORED_BLOCKS = frozenset({"id", "idy", "phf", "php"})
"""Kinds of the matching engine's blocking keys the registry neither stores nor looks up: a
national number with an initial or the year of birth, a phone with two letters of the family
name or the father's initial. The keys kept (the whole national number `nid`, the phone with
the given name's initial `ph` and with the year `phy`, the names and dates) find the same
registrations: left out, they found 3 fewer of 22,769 re-registrations in a
100,000-registration synthetic register, and cost two blind-index rows per registration
(ADR 0011, `bench/block_keys.py`)."""


def block_keys(values: Mapping[str, str | None]) -> list[str]:
    """The blocking keys of a registration's values that the registry stores and looks up:
    the matching engine's (:func:`matching.blocking_keys`) but :data:`UNSTORED_BLOCKS`."""
    return [key for key in blocking_keys(values)
            if key.partition(":")[0] not in UNSTORED_BLOCKS]


def block_digests(crypto: FieldCrypto, values: Mapping[str, str | None]) -> list[str]:
    """The blind indexes of a record's blocking keys under every active key version (a
    rotation may not have moved every registration yet): what a duplicate check looks up."""
    return sorted({digest for key in block_keys(values)
                   for digest in crypto.blind_indexes(IndexKind.block.value, key)})


def name_search_keys(text: str) -> list[frozenset[str]]:
    """Word by word, the keys of every spelling a name word may stand for: the matching
    engine's cross-script consonant skeletons (:func:`matching.name_keys`), coarsened.

    "Osman", "Othman" and "عثمان" share a key, as do "Mohamed", "Muhammad" and "محمد"; a word
    of vowels alone has none and is left out."""
    found = []
    for key in name_keys(text):
        coarse = frozenset(_coarse(s) for s in key.skeletons) - {""}
        if coarse:
            found.append(coarse)
    return found


def name_index_keys(values: Iterable[str | None]) -> set[str]:
    """The search keys of every word of the given names (what the name search index holds,
    blind-indexed)."""
    return {key for value in values if value for word in name_search_keys(value)
            for key in word}


def pair_key(a: str, b: str) -> str:
    """The search key of two name words together, whatever their order."""
    return "+".join(sorted((a, b)))


def _pairs(words: Sequence[frozenset[str]]) -> set[str]:
    return {pair_key(a, b) for i, first in enumerate(words) for second in words[i + 1:]
            for a in first for b in second}


def name_pair_keys(values: Iterable[str | None]) -> set[str]:
    """The keys of every two words of one name (a nasab's parts, an alias) together, in any
    order: a name typed with two or more words is looked up by its pairs, which a common name
    alone does not share with thousands."""
    return _pairs([word for value in values if value for word in name_search_keys(value)])


def _name_entries(values: Mapping[str, str | None]) -> set[str]:
    """The name search keys of a registration: :func:`name_index_keys` of every searched
    name and :func:`name_pair_keys` of the nasab, the alias and the name in the other script,
    each name's words keyed once."""
    words = {f: name_search_keys(value) if (value := values.get(f)) else []
             for f in SEARCHED_NAME_FIELDS}
    keys = {key for f in SEARCHED_NAME_FIELDS for word in words[f] for key in word}
    for group in (NAME_FIELDS, ("alias",), ("name_other_script",)):
        keys |= _pairs([word for f in group for word in words[f]])
    return keys


def index_entries(crypto: FieldCrypto, values: Mapping[str, str | None]) -> set[tuple[str, str]]:
    """Compute (kind, digest) pairs for a registration's normalised values."""
    return registration_indexes(crypto, values)[0]


def registration_indexes(crypto: FieldCrypto, values: Mapping[str, str | None]
                         ) -> tuple[set[tuple[str, str]], list[str]]:
    """A registration's blind indexes as stored ((kind, digest) pairs, under the primary key)
    and its :func:`block_digests` (every active key version), each blocking key digested
    once per version."""
    entries: set[tuple[str, str]] = set()
    for kind, name in (
        (IndexKind.national_id, "national_id"),
        (IndexKind.phone, "phone"),
        (IndexKind.passport, "passport_no"),
    ):
        value = values.get(name)
        if value:
            entries.add((kind.value, crypto.blind_index(kind.value, value)))
    name, block = IndexKind.name.value, IndexKind.block.value  # an enum's value is slow to read
    for key in _name_entries(values):
        entries.add((name, crypto.blind_index(name, key)))
    lookups: set[str] = set()
    for key in block_keys(values):
        digests = crypto.blind_indexes(block, key)  # the primary first
        entries.add((block, digests[0]))
        lookups.update(digests)
    return entries, sorted(lookups)


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
               ) -> list[dict[str, str]]:
    """The rows of a registration's blind indexes (`entries`: :func:`index_entries`), for
    :func:`insert_index_rows`.

    The id is given as its text: a registration has about thirty rows, and a row holding
    only strings is a dict the garbage collector does not track (one holding a `UUID`
    object is, and a bulk import's batch makes tens of thousands at once)."""
    text = registration_id.hex
    return [{"registration_id": text, "kind": kind, "digest": digest}
            for kind, digest in sorted(entries)]


_INSERT_INDEX = insert(RegistrationIndex.__table__).values(  # type: ignore[attr-defined]
    registration_id=bindparam("registration_id", type_=Uuid(as_uuid=False)))
"""The registration's id bound as text (:func:`index_rows`), stored as the column's UUID."""


def insert_index_rows(session: Session, rows: list[dict[str, str]]) -> None:
    """Insert blind index rows (:func:`index_rows`, of one registration or several) with one
    statement (a plain insert on the unit of work's connection: the rows are not read back
    as objects)."""
    if rows:
        session.connection().execute(_INSERT_INDEX, rows)
