"""Blocking: short deterministic keys per record, and candidate pairs sharing a key.

Every key combines at least two pieces of evidence so that no often-missing field forms a key
alone, and all name pieces are cross-script phonetic keys (:func:`blocking_name_key`), so an
Arabic-script and a Latin registration of the same person share keys. The registry stores an
HMAC of each key as a blind index; the batch engine joins records on the same keys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.normalise import (
    normalise_date,
    normalise_name,
    normalise_national_id,
    normalise_phone,
)
from matching.phonetic import blocking_name_key
from matching.records import Record, _repair_nasab

__all__ = ["blocking_keys", "candidate_pairs", "keys_for_parts"]


def keys_for_parts(
    given: str, father: str, grandfather: str, family: str, mother: str, year: int,
    phone: str, nid: str,
) -> list[str]:
    """Return the blocking keys from a record's coarse name keys and identifiers.

    Args:
        given: Coarse key of the given name (see :func:`blocking_name_key`), "" if missing.
        father: Coarse key of the father's name.
        grandfather: Coarse key of the grandfather's name.
        family: Coarse key of the family name.
        mother: Coarse key of the mother's name.
        year: Year of birth, 0 if unknown.
        phone: Phone in E.164, "" if missing.
        nid: National number digits, "" if missing.

    Returns:
        Sorted, de-duplicated keys such as ``"gf:MHMD|WRFL"``.
    """
    keys: set[str] = set()
    pairs = (
        ("gpf", (given, father, family)),
        ("gpq", (given, father, grandfather)),
        ("pqf", (father, grandfather, family)),
        ("gfy", (given, family, str(year) if year else "")),
        ("gpy", (given, father, str(year) if year else "")),
        ("gm", (given, mother)),
        ("ph", (phone, given[:1])),
        ("id", (nid, given[:1])),
    )
    for prefix, parts in pairs:
        if all(parts):
            keys.add(prefix + ":" + "|".join(parts))
    return sorted(keys)


def blocking_keys(record: Record) -> list[str]:
    """Return the blocking keys of one record as short deterministic strings.

    Args:
        record: A registration keyed by the record CSV columns.

    Returns:
        Sorted keys; two registrations are candidates when they share any key. The same keys
        are used by the batch engine.

    >>> blocking_keys({"given_name": "Mohamed", "father_name": "Ali",
    ...                "family_name": "al-Warfalli", "date_of_birth": "1988"})
    ['gfy:MHMD|WRFL|1988', 'gpf:MHMD|L|WRFL', 'gpy:MHMD|L|1988']
    >>> blocking_keys({"given_name": "محمد", "father_name": "علي",
    ...                "family_name": "الورفلي", "date_of_birth": "1988-03-02"})
    ['gfy:MHMD|WRFL|1988', 'gpf:MHMD|L|WRFL', 'gpy:MHMD|L|1988']
    """
    parts = _repair_nasab(
        *(normalise_name(record.get(c) or "") for c in
          ("given_name", "father_name", "grandfather_name", "family_name"))
    )
    coarse = [blocking_name_key(p) for p in parts]
    return keys_for_parts(
        coarse[0], coarse[1], coarse[2], coarse[3],
        blocking_name_key(normalise_name(record.get("mother_name") or "")),
        normalise_date(record.get("date_of_birth"))[0],
        normalise_phone(record.get("phone")),
        normalise_national_id(record.get("national_id")),
    )


def frame_keys(prepared: pd.DataFrame) -> list[list[str]]:
    """Return the blocking keys of every prepared record (same keys as :func:`blocking_keys`)."""
    columns = [prepared[c].tolist() for c in
               ("k_given", "k_father", "k_grandfather", "k_family", "k_mother", "year",
                "phone", "nid")]
    return [keys_for_parts(*row) for row in zip(*columns, strict=True)]


def candidate_pairs(
    keys: list[list[str]], *, max_block_size: int = 400
) -> tuple[np.ndarray, np.ndarray, int]:
    """Return the candidate pairs (row positions ``a < b``) of records sharing a key.

    Args:
        keys: Blocking keys per record, in row order.
        max_block_size: Blocks larger than this are skipped (other keys still apply).

    Returns:
        ``(a, b, skipped_blocks)``: two int arrays of row positions, and how many blocks were
        too large to use.
    """
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    rows = np.repeat(np.arange(len(keys), dtype=np.int64), lengths)
    flat = [key for record_keys in keys for key in record_keys]
    codes, _ = pd.factorize(pd.Series(flat, dtype=object))
    order = np.argsort(codes, kind="stable")
    codes, rows = codes[order], rows[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else codes
    sizes = np.diff(np.r_[starts, len(codes)])
    skipped = int((sizes > max_block_size).sum())
    chunks: list[np.ndarray] = []
    for size in np.unique(sizes):
        if size < 2 or size > max_block_size:
            continue
        first, second = np.triu_indices(int(size), k=1)
        group_starts = starts[sizes == size][:, None]
        left = rows[group_starts + first].ravel()
        right = rows[group_starts + second].ravel()
        low, high = np.minimum(left, right), np.maximum(left, right)
        chunks.append(low * len(keys) + high)
    if not chunks:
        empty = np.array([], dtype=np.int64)
        return empty, empty, skipped
    encoded = np.unique(np.concatenate(chunks))
    return encoded // len(keys), encoded % len(keys), skipped
