"""Record schema and preparation: normalise every field once per distinct value."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from matching.normalise import (
    normalise_date,
    normalise_name,
    normalise_national_id,
    normalise_passport,
    normalise_phone,
)
from matching.phonetic import blocking_name_key

__all__ = [
    "COMPARED_COLUMNS", "PREPARED_COLUMNS", "RECORD_COLUMNS", "Prepared", "Record", "column",
    "compared_values", "prepare_record", "prepare_records", "records_frame",
]

Record = Mapping[str, str | None]
"""One registration keyed by the record CSV columns; ``None`` or ``""`` means missing."""

RECORD_COLUMNS: tuple[str, ...] = (
    "record_id", "site", "registered_on", "category", "sex", "date_of_birth", "given_name",
    "father_name", "grandfather_name", "family_name", "mother_name", "alias", "place_of_birth",
    "nationality", "phone", "national_id", "passport_no", "armed_group",
)
NASAB = ("given_name", "father_name", "grandfather_name", "family_name")
COMPARED_COLUMNS: tuple[str, ...] = (
    "record_id", "sex", "date_of_birth", *NASAB, "mother_name", "alias", "place_of_birth",
    "nationality", "phone", "national_id", "passport_no",
)
"""The record columns matching reads (blocking, comparison, explanations); others may be
left out of a record that is only to be matched."""
PREPARED_COLUMNS: tuple[str, ...] = (
    "record_id", "given", "k_given", "father", "k_father", "grandfather", "k_grandfather",
    "family", "k_family", "full", "mother", "k_mother", "alias", "pob", "year", "month", "day",
    "phone", "nid", "passport", "sex", "nationality",
)
"""Columns of a prepared record set, in :func:`prepare_records` order."""

Prepared = pd.DataFrame | Mapping[str, np.ndarray]
"""Prepared records: the DataFrame of :func:`prepare_records`, or the same columns as numpy
arrays."""


def column(prepared: Prepared, name: str, dtype: Any = None) -> np.ndarray:
    """Return one column of prepared records (or of pair comparisons) as a numpy array."""
    return np.asarray(prepared[name], dtype=dtype)


def records_frame(records: Iterable[Record]) -> pd.DataFrame:
    """Build a string DataFrame with every record column from mappings (missing → "")."""
    rows = [{c: (r.get(c) or "") for c in RECORD_COLUMNS} for r in records]
    frame = pd.DataFrame(rows, columns=list(RECORD_COLUMNS))
    return frame.astype(str)


def _per_unique(values: pd.Series, function: Callable[[str], Any]) -> pd.Series:
    codes, uniques = pd.factorize(values.fillna("").astype(str), sort=False)
    mapped = np.empty(len(uniques), dtype=object)
    for index, value in enumerate(uniques):
        mapped[index] = function(value)
    if len(mapped) == 0:
        return pd.Series([], dtype=object, index=values.index)
    return pd.Series(mapped[codes], index=values.index)


_PREFIXES = frozenset({"عبد", "ابو", "abd", "abu", "abou", "abo", "bou"})
"""A name part that is only the first word of a compound (Abd, Abu): the officer put the
rest of the name in the next field."""


def _repair_nasab(given: str, father: str, grandfather: str, family: str) -> tuple[str, ...]:
    """Re-join a compound split across two fields (``عبد`` | ``الرزاق``: the later parts
    move up) and re-split name parts that an officer jammed into one field."""
    parts = [given, father, grandfather]
    for index in (0, 1):
        if parts[index] in _PREFIXES and parts[index + 1]:
            first, _, rest = parts[index + 1].partition(" ")
            parts[index] = normalise_name(f"{parts[index]} {first}")
            parts[index + 1:] = [rest] + parts[index + 2:] if rest else parts[index + 2:] + [""]
    given, father, grandfather = parts
    if all(len(p.split()) <= 1 for p in parts):
        return (given, father, grandfather, family)
    words = [w for p in parts for w in p.split()]
    family_words = family.split()
    if not family_words and len(words) >= 3:
        family_words = [words.pop()]
    words += [""] * 3
    return (words[0], words[1], words[2], " ".join(family_words))


def _full_name(given: str, father: str, grandfather: str, family: str) -> str:
    return " ".join(f"{given} {father} {grandfather} {family}".split())


def _sex_code(value: str) -> str:
    return value.strip().upper()[:1]


def _nationality_code(value: str) -> str:
    return value.strip().upper()


_BLOCKING_ONLY = {"k_father": "father", "k_grandfather": "grandfather", "k_mother": "mother"}
"""The prepared columns only blocking reads, and the column each is the key of."""


def prepare_record(record: Record) -> dict[str, Any]:
    """Prepare one record: the values :func:`prepare_records` gives its row, without pandas.

    Both apply the same functions to each field, so a record prepared alone or in a
    DataFrame compares the same.

    Args:
        record: A record keyed by the record CSV columns.

    Returns:
        A dict keyed by :data:`PREPARED_COLUMNS`.
    """
    values = compared_values(record)
    return {c: blocking_name_key(values[_BLOCKING_ONLY[c]]) if c in _BLOCKING_ONLY else values[c]
            for c in PREPARED_COLUMNS}


def compared_values(record: Record) -> Mapping[str, Any]:
    """Prepare one record for comparison: :func:`prepare_record` but the blocking keys of
    the father's, grandfather's and mother's names (only blocking reads them).

    Cached per record: the mapping is shared, never to be modified.

    Args:
        record: A record keyed by the record CSV columns.

    Returns:
        A mapping keyed by :data:`PREPARED_COLUMNS` but ``k_father``, ``k_grandfather`` and
        ``k_mother``.
    """
    return _compared_values(_prepare_key(record))


def _prepare_key(record: Record) -> tuple[str, ...]:
    """The values of the columns :func:`_compared_values` reads, as strings ("" = missing)."""
    return tuple(["" if not value else value if type(value) is str else str(value)
                  for value in map(record.get, COMPARED_COLUMNS)])


@lru_cache(maxsize=50_000)
def _compared_values(raw: tuple[str, ...]) -> dict[str, Any]:
    fields = dict(zip(COMPARED_COLUMNS, raw, strict=True))
    given, father, grandfather, family = _repair_nasab(
        *(normalise_name(fields[c]) for c in NASAB))
    year, month, day = normalise_date(fields["date_of_birth"])
    return {
        "record_id": fields["record_id"],
        "given": given, "k_given": blocking_name_key(given),
        "father": father, "grandfather": grandfather,
        "family": family, "k_family": blocking_name_key(family),
        "full": _full_name(given, father, grandfather, family),
        "mother": normalise_name(fields["mother_name"]),
        "alias": normalise_name(fields["alias"]),
        "pob": normalise_name(fields["place_of_birth"]),
        "year": year, "month": month, "day": day,
        "phone": normalise_phone(fields["phone"]),
        "nid": normalise_national_id(fields["national_id"]),
        "passport": normalise_passport(fields["passport_no"]),
        "sex": _sex_code(fields["sex"]),
        "nationality": _nationality_code(fields["nationality"]),
    }


def prepare_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Normalise a record DataFrame into the columns the comparison and blocking use.

    Args:
        frame: Records with the record CSV columns as strings ("" = missing).

    Returns:
        A DataFrame, same index, with normalised names (``given``, ``father``, ``grandfather``,
        ``family``, ``full``, ``mother``, ``alias``, ``pob``), blocking keys of the name parts
        (``k_given`` ...), date parts (``year``, ``month``, ``day``) and normalised identifiers
        (``phone``, ``nid``, ``passport``, ``sex``, ``nationality``).
    """
    out = pd.DataFrame(index=frame.index)
    out["record_id"] = frame["record_id"].astype(str)
    names = {c: _per_unique(frame[c], normalise_name) for c in NASAB}
    repaired = [
        _repair_nasab(g, f, gf, fam)
        for g, f, gf, fam in zip(
            names["given_name"], names["father_name"], names["grandfather_name"],
            names["family_name"], strict=True,
        )
    ]
    parts = pd.DataFrame(
        repaired, index=frame.index, columns=["given", "father", "grandfather", "family"]
    )
    for column in parts.columns:
        out[column] = parts[column]
        out["k_" + column] = _per_unique(parts[column], blocking_name_key)
    out["full"] = [_full_name(*names) for names in repaired]
    out["mother"] = _per_unique(frame["mother_name"], normalise_name)
    out["k_mother"] = _per_unique(out["mother"], blocking_name_key)
    out["alias"] = _per_unique(frame["alias"], normalise_name)
    out["pob"] = _per_unique(frame["place_of_birth"], normalise_name)
    dates = _per_unique(frame["date_of_birth"], normalise_date)
    out["year"] = np.array([d[0] for d in dates], dtype=np.int32)
    out["month"] = np.array([d[1] for d in dates], dtype=np.int8)
    out["day"] = np.array([d[2] for d in dates], dtype=np.int8)
    out["phone"] = _per_unique(frame["phone"], normalise_phone)
    out["nid"] = _per_unique(frame["national_id"], normalise_national_id)
    out["passport"] = _per_unique(frame["passport_no"], normalise_passport)
    out["sex"] = _per_unique(frame["sex"], _sex_code)
    out["nationality"] = _per_unique(frame["nationality"], _nationality_code)
    return out
