"""Blocking: short deterministic keys per record, and candidate pairs sharing a key.

Every key combines at least two pieces of evidence so that no often-missing field forms a key
alone, except a whole national or passport number (six characters or more, not a placeholder):
such a number is near-unique, so its block is one person, or one number on two names, which the
review queue must see. All name pieces are cross-script phonetic keys
(:func:`blocking_name_key`), so an Arabic-script and a Latin registration of the same person
share keys. The registry stores an HMAC of each key as a blind index; the batch engine joins
records on the same keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from matching.features import WHOLE_IDENTIFIER
from matching.normalise import (
    normalise_date,
    normalise_name,
    normalise_national_id,
    normalise_passport,
    normalise_phone,
)
from matching.phonetic import blocking_name_key
from matching.records import Record, _repair_nasab

__all__ = ["blocking_keys", "candidate_pairs", "keys_for_parts"]


def keys_for_parts(
    given: str, father: str, grandfather: str, family: str, year: int, born_on: str,
    phone: str, nid: str, passport: str = "",
) -> list[str]:
    """Return the blocking keys from a record's coarse name keys and identifiers.

    Args:
        given: Coarse key of the given name (see :func:`blocking_name_key`), "" if missing.
        father: Coarse key of the father's name.
        grandfather: Coarse key of the grandfather's name.
        family: Coarse key of the family name.
        year: Year of birth, 0 if unknown.
        born_on: Full date of birth ``YYYY-MM-DD``, "" unless day and month are known.
        phone: Phone in E.164, "" if missing.
        nid: National number digits, "" if missing.
        passport: Normalised passport number, "" if missing.

    Returns:
        Sorted keys such as ``"n3:MHMD|L|WRFL"``.
    """
    born = str(year) if year else ""
    combos = (
        # Three name parts in nasab order, in one key space whatever fields they came from,
        # so a part moved to the neighbouring field (the grandfather typed as the father, the
        # father left out) still meets the record that has it in its place.
        *(("n3", parts) for parts in _ordered_triples(given, father, grandfather, family)),
        # Two name parts in nasab order and the year of birth, likewise.
        *(("n2y", (*parts, born)) for parts in _ordered_pairs(given, father, grandfather,
                                                             family)),
        ("gf", tuple(sorted((given, family)))),
        ("dn", (born_on, given[:1])),
        ("dn", (born_on, family[:1])),
        ("dp", (born_on, father[:1])),
        ("ph", (phone, given[:1])),
        ("phy", (phone, born)),
        ("phf", (phone, family[:2])),
        ("php", (phone, father[:1])),
        # the national number's digits in sorted order: two digits swapped still meet
        ("id", (_sorted_digits(nid), given[:1])),
        ("id", (_sorted_digits(nid), family[:1])),
        ("idy", (nid, born)),
    )
    keys = {f"{kind}:{'|'.join(parts)}" for kind, parts in combos if all(parts)}
    keys.update(f"{kind}:{value}" for kind, value in (("nid", nid), ("pp", passport))
                if _WHOLE.match(value))
    return sorted(keys)


def _sorted_digits(value: str) -> str:
    return "".join(sorted(value))


_TRIPLES = ((0, 1, 3), (0, 1, 2), (1, 2, 3), (0, 2, 3))
"""Positions (given, father, grandfather, family) of the name-part triples keyed."""
_PAIRS = ((0, 3), (0, 1), (1, 3), (0, 2), (2, 3), (1, 2))
"""Positions of the name-part pairs keyed with the year of birth."""


def _ordered_triples(*parts: str) -> list[tuple[str, ...]]:
    return [tuple(parts[i] for i in triple) for triple in _TRIPLES]


def _ordered_pairs(*parts: str) -> list[tuple[str, ...]]:
    return [tuple(parts[i] for i in pair) for pair in _PAIRS]


def blocking_keys(record: Record) -> list[str]:
    """Return the blocking keys of one record as short deterministic strings.

    Args:
        record: A registration keyed by the record CSV columns.

    Returns:
        Sorted keys; two registrations are candidates when they share any key. The same keys
        are used by the batch engine.

    >>> latin = blocking_keys({"given_name": "Mohamed", "father_name": "Ali",
    ...                        "family_name": "al-Warfalli", "date_of_birth": "1988-03-02"})
    >>> arabic = blocking_keys({"given_name": "محمد", "father_name": "علي",
    ...                         "family_name": "الورفلي", "date_of_birth": "1988-03-02"})
    >>> latin == arabic, latin[:3]
    (True, ['dn:1988-03-02|M', 'dn:1988-03-02|W', 'dp:1988-03-02|L'])
    """
    parts = _repair_nasab(
        *(normalise_name(record.get(c) or "") for c in
          ("given_name", "father_name", "grandfather_name", "family_name"))
    )
    coarse = [blocking_name_key(p) for p in parts]
    year, month, day = normalise_date(record.get("date_of_birth"))
    return keys_for_parts(
        coarse[0], coarse[1], coarse[2], coarse[3], year, _born_on(year, month, day),
        normalise_phone(record.get("phone")),
        normalise_national_id(record.get("national_id")),
        normalise_passport(record.get("passport_no")),
    )


_WHOLE = re.compile(WHOLE_IDENTIFIER)


def _born_on(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}" if year and month and day else ""


def frame_keys(prepared: pd.DataFrame) -> list[list[str]]:
    """Return the blocking keys of every prepared record (same keys as :func:`blocking_keys`)."""
    born_on = [_born_on(int(y), int(m), int(d)) for y, m, d in
               zip(prepared["year"], prepared["month"], prepared["day"], strict=True)]
    columns = [prepared[c].tolist() for c in
               ("k_given", "k_father", "k_grandfather", "k_family", "year")]
    columns += [born_on, prepared["phone"].tolist(), prepared["nid"].tolist(),
                prepared["passport"].tolist()]
    return [keys_for_parts(*row) for row in zip(*columns, strict=True)]


def _codes(values: pd.Series) -> np.ndarray:
    codes, _ = pd.factorize(values, sort=False)
    codes = codes.astype(np.int64)
    codes[(values == "").to_numpy()] = -1
    return codes


def _derived_codes(values: pd.Series, derive: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """:func:`_codes` of ``derive(values)``, derived once per distinct value."""
    codes, uniques = pd.factorize(values, sort=False)
    return _codes(derive(pd.Series(uniques, dtype=object)))[codes]


def _combine(*parts: np.ndarray) -> np.ndarray:
    """Combine code arrays into one code per distinct tuple; -1 where any part is missing."""
    out = parts[0].copy()
    valid = out >= 0
    for part in parts[1:]:
        valid &= part >= 0
        mixed = np.where(valid, out * (int(part.max(initial=0)) + 1) + part, -1)
        codes, _ = pd.factorize(mixed, sort=False)
        out = codes.astype(np.int64)
    out[~valid] = -1
    return out


def key_groups(prepared: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return the blocking keys of all records as ``(rows, key_codes)`` groups, vectorised.

    Each group is one key kind (codes compare only within a group); the keys are the same as
    :func:`blocking_keys` gives record by record.
    """
    names = pd.concat([prepared[c] for c in ("k_given", "k_father", "k_grandfather", "k_family")],
                      ignore_index=True)
    shared = _codes(names).reshape(4, len(prepared))
    given, father, grandfather, family = shared
    years = prepared["year"].to_numpy().astype(np.int64)
    year = np.where(years > 0, years, -1)
    months = prepared["month"].to_numpy().astype(np.int64)
    days = prepared["day"].to_numpy().astype(np.int64)
    born_on = np.where((years > 0) & (months > 0) & (days > 0),
                       years * 10_000 + months * 100 + days, -1)
    phone, nid = _codes(prepared["phone"]), _codes(prepared["nid"])
    initials = _derived_codes(pd.concat([prepared[c] for c in ("k_given", "k_father", "k_family")],
                                        ignore_index=True), lambda v: v.str[:1])
    g1, f1, a1 = initials.reshape(3, len(prepared))
    a2 = _derived_codes(prepared["k_family"], lambda v: v.str[:2])
    rows = np.arange(len(prepared), dtype=np.int64)
    parts = (given, father, grandfather, family)
    groups = [
        _combine(np.minimum(given, family), np.maximum(given, family)),
        _combine(born_on, f1), _combine(phone, g1), _combine(phone, year), _combine(phone, a2),
        _combine(phone, f1), _combine(nid, year),
    ]
    # a whole national or passport number alone (near-unique identifiers)
    for column in ("nid", "passport"):
        groups.append(_derived_codes(prepared[column],
                                     lambda v: v.where(v.str.match(WHOLE_IDENTIFIER), "")))
    out = [(rows, codes) for codes in groups]
    # name parts in nasab order, one key space for all positions (see keys_for_parts)
    triples = np.concatenate([rows] * len(_TRIPLES))
    out.append((triples, _combine(*(np.concatenate([parts[t[k]] for t in _TRIPLES])
                                    for k in range(3)))))
    pairs = np.concatenate([rows] * len(_PAIRS))
    out.append((pairs, _combine(*(np.concatenate([parts[p[k]] for p in _PAIRS])
                                  for k in range(2)), np.concatenate([year] * len(_PAIRS)))))
    # date of birth or national number (its digits sorted: two digits swapped still meet) with
    # the initial of the given or the family name, in one key space each, so that swapped
    # given and family names still meet
    both = np.concatenate([rows, rows])
    digits = _derived_codes(prepared["nid"], lambda v: v.map(_sorted_digits))
    for anchor in (born_on, digits):
        out.append((both, _combine(np.concatenate([anchor, anchor]), np.concatenate([g1, a1]))))
    return out


def neighbourhood_order(prepared: pd.DataFrame) -> np.ndarray:
    """Return each record's rank by its whole coarse name (sort order inside large blocks)."""
    columns = ("year", "k_family", "k_grandfather", "k_father", "k_given")
    sort = np.lexsort([pd.factorize(prepared[c])[0] for c in columns])
    rank = np.empty(len(prepared), dtype=np.int64)
    rank[sort] = np.arange(len(prepared), dtype=np.int64)
    return rank


def _pair_codes(a: np.ndarray, b: np.ndarray, n_records: int) -> np.ndarray:
    """One code per pair of distinct rows, ``low * n_records + high`` (a row with itself
    dropped)."""
    low, high = np.minimum(a, b), np.maximum(a, b)
    return (low * n_records + high)[low != high]


def _block_pairs(starts: np.ndarray, sizes: np.ndarray, rows: np.ndarray, n_records: int
                 ) -> list[np.ndarray]:
    out = []
    for size in np.unique(sizes):
        if size < 2:
            continue
        first, second = np.triu_indices(int(size), k=1)
        group_starts = starts[sizes == size][:, None]
        out.append(_pair_codes(rows[group_starts + first].ravel(),
                               rows[group_starts + second].ravel(), n_records))
    return out


def _window_pairs(
    codes: np.ndarray, rows: np.ndarray, order: np.ndarray, window: int, n_records: int
) -> list[np.ndarray]:
    """Sorted-neighbourhood pairs inside oversized blocks: each record and its next ones."""
    sort = np.lexsort((order[rows], codes))
    codes, rows = codes[sort], rows[sort]
    out = []
    for step in range(1, window + 1):
        same = codes[step:] == codes[:-step]
        out.append(_pair_codes(rows[:-step][same], rows[step:][same], n_records))
    return out


def candidate_pairs(
    groups: list[tuple[np.ndarray, np.ndarray]], n_records: int, *, max_block_size: int = 30,
    order: np.ndarray | None = None, window: int = 4,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Return the candidate pairs (row positions ``a < b``) of records sharing a key.

    Blocks up to ``max_block_size`` records give all their pairs; a larger block (a common
    name) gives each record's ``window`` nearest neighbours in ``order``, so the work grows
    linearly with the number of records.

    Args:
        groups: Output of :func:`key_groups`.
        n_records: Number of records.
        max_block_size: Largest block expanded into all its pairs.
        order: Sort rank of each record inside oversized blocks (see
            :func:`neighbourhood_order`); oversized blocks are skipped when None.
        window: Neighbours paired with each record inside an oversized block.

    Returns:
        ``(a, b, oversized_blocks)``: two int arrays of row positions, and how many blocks were
        too large to expand fully.
    """
    chunks: list[np.ndarray] = []
    oversized = 0
    for rows, codes in groups:
        valid = codes >= 0
        rows, codes = rows[valid], codes[valid]
        if len(codes) == 0:
            continue
        sort = np.argsort(codes)  # the order inside a block does not matter
        codes, rows = codes[sort], rows[sort]
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        sizes = np.diff(np.r_[starts, len(codes)])
        large = sizes > max_block_size
        oversized += int(large.sum())
        chunks += _block_pairs(starts[~large], sizes[~large], rows, n_records)
        if large.any() and order is not None:
            member = np.repeat(large, sizes)
            chunks += _window_pairs(codes[member], rows[member], order, window, n_records)
    if not chunks:
        empty = np.array([], dtype=np.int64)
        return empty, empty, oversized
    # a pair found by several keys kept once: the codes sorted, then the repeats dropped
    # (numpy's sort is several times faster than a hash table over tens of millions)
    encoded = np.sort(np.concatenate(chunks))
    encoded = encoded[np.r_[True, encoded[1:] != encoded[:-1]]] if len(encoded) else encoded
    return encoded // n_records, encoded % n_records, oversized
