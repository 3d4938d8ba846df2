"""Record schema and preparation: normalise every field once per distinct value."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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

__all__ = ["RECORD_COLUMNS", "Record", "prepare_records", "records_frame"]

Record = Mapping[str, str | None]
"""One registration keyed by the record CSV columns; ``None`` or ``""`` means missing."""

RECORD_COLUMNS: tuple[str, ...] = (
    "record_id", "site", "registered_on", "category", "sex", "date_of_birth", "given_name",
    "father_name", "grandfather_name", "family_name", "mother_name", "alias", "place_of_birth",
    "nationality", "phone", "national_id", "passport_no", "armed_group",
)
NASAB = ("given_name", "father_name", "grandfather_name", "family_name")


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


def _repair_nasab(given: str, father: str, grandfather: str, family: str) -> tuple[str, ...]:
    """Re-split name parts that an officer jammed into one field."""
    parts = [given, father, grandfather]
    if all(len(p.split()) <= 1 for p in parts):
        return (given, father, grandfather, family)
    words = [w for p in parts for w in p.split()]
    family_words = family.split()
    if not family_words and len(words) >= 3:
        family_words = [words.pop()]
    words += [""] * 3
    return (words[0], words[1], words[2], " ".join(family_words))


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
    full = parts["given"] + " " + parts["father"] + " " + parts["grandfather"]
    out["full"] = (full + " " + parts["family"]).str.split().str.join(" ")
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
    out["sex"] = frame["sex"].fillna("").astype(str).str.strip().str.upper().str[:1]
    out["nationality"] = frame["nationality"].fillna("").astype(str).str.strip().str.upper()
    return out
