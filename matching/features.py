"""Comparison vectors: field similarities and levels for record pairs, vectorised.

Each distinct pair of field values is compared once, so a million candidate pairs sharing a few
thousand distinct names cost a few thousand name comparisons.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from matching.names import _compare_normalised

__all__ = ["DOB_LEVELS", "ID_LEVELS", "compare_pairs"]

DOB_LEVELS = ("missing", "exact", "swapped", "same_month", "year_only", "same_year",
              "year_typo", "one_year", "few_years", "far")
ID_LEVELS = ("missing", "same", "one_digit", "different")


def _pair_values(
    left: pd.Series, right: pd.Series, ia: np.ndarray, ib: np.ndarray,
    function: Callable[[str, str], float], symmetric: bool = True,
) -> np.ndarray:
    """Apply ``function`` to each distinct (left[ia], right[ib]) value pair; NaN if missing."""
    codes, uniques = pd.factorize(pd.concat([left, right], ignore_index=True), sort=False)
    ca = codes[: len(left)][ia].astype(np.int64)
    cb = codes[len(left):][ib].astype(np.int64)
    if symmetric:
        ca, cb = np.minimum(ca, cb), np.maximum(ca, cb)
    width = max(len(uniques), 1)
    distinct, inverse = np.unique(ca * width + cb, return_inverse=True)
    values = np.asarray(uniques, dtype=object)
    out = np.empty(len(distinct), dtype=np.float32)
    for index, code in enumerate(distinct.tolist()):
        a, b = values[code // width], values[code % width]
        out[index] = np.nan if not a or not b else function(a, b)
    return out[inverse.ravel()]


def _digit_level(left: pd.Series, right: pd.Series, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """Level codes of identifier pairs: missing, same, one_digit (one typo) or different."""
    a = left.to_numpy(dtype=object)[ia]
    b = right.to_numpy(dtype=object)[ib]
    level = np.full(len(ia), 3, dtype=np.int8)
    missing = (a == "") | (b == "")
    level[missing] = 0
    same = (a == b) & ~missing
    level[same] = 1
    check = np.flatnonzero(~missing & ~same)
    if len(check):
        sa = np.asarray(a[check], dtype="U20")
        sb = np.asarray(b[check], dtype="U20")
        ma = sa.view(np.uint32).reshape(len(check), 20)
        mb = sb.view(np.uint32).reshape(len(check), 20)
        diff = (ma != mb).sum(axis=1)
        la = np.char.str_len(sa)
        lb = np.char.str_len(sb)
        swapped = (diff == 2) & _adjacent_swap(ma, mb)
        level[check[((diff == 1) | swapped) & (la == lb)]] = 2
    return level


def _adjacent_swap(ma: np.ndarray, mb: np.ndarray) -> np.ndarray:
    differs = ma != mb
    shifted = np.zeros_like(differs)
    shifted[:, :-1] = differs[:, :-1] & differs[:, 1:]
    cross = np.zeros_like(differs)
    cross[:, :-1] = (ma[:, :-1] == mb[:, 1:]) & (ma[:, 1:] == mb[:, :-1])
    return (shifted & cross).any(axis=1)


def _dob_level(prepared: pd.DataFrame, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    ya, yb = prepared["year"].to_numpy()[ia], prepared["year"].to_numpy()[ib]
    ma, mb = prepared["month"].to_numpy()[ia], prepared["month"].to_numpy()[ib]
    da, db = prepared["day"].to_numpy()[ia], prepared["day"].to_numpy()[ib]
    # 1 January is the usual default for an unknown date: treat it as year-only.
    full_a = (ma > 0) & ~((ma == 1) & (da == 1))
    full_b = (mb > 0) & ~((mb == 1) & (db == 1))
    both = full_a & full_b
    gap = np.abs(ya.astype(np.int32) - yb.astype(np.int32))
    conditions = [
        (ya == 0) | (yb == 0),
        (gap == 0) & both & (ma == mb) & (da == db),
        (gap == 0) & both & (ma == db) & (da == mb),
        (gap == 0) & both & (ma == mb),
        (gap == 0) & ~both,
        gap == 0,
        (gap == 1) & both & (ma == mb) & (da == db),
        gap == 1,
        gap <= 3,
    ]
    choices = list(range(len(conditions)))
    return np.select(conditions, choices, default=len(DOB_LEVELS) - 1).astype(np.int8)


def compare_pairs(prepared: pd.DataFrame, ia: np.ndarray, ib: np.ndarray) -> pd.DataFrame:
    """Compare record pairs field by field.

    Args:
        prepared: Output of :func:`matching.records.prepare_records`.
        ia: Row positions of the first record of each pair.
        ib: Row positions of the second record.

    Returns:
        One row per pair: name similarities in [0, 1] (NaN when a side is missing) for
        ``given``, ``father``, ``grandfather``, ``family``, ``full``, ``mother``, ``alias``,
        ``pob`` and ``shift`` (one record's father/grandfather against the other's
        given/father: high for father and son); level codes ``dob`` (:data:`DOB_LEVELS`),
        ``phone``, ``nid``, ``passport`` (:data:`ID_LEVELS`); ``sex`` and ``nationality``
        (1 same, 0 different, -1 missing); and ``year_gap``.
    """
    out: dict[str, np.ndarray] = {}
    for column in ("given", "father", "grandfather", "family", "full", "mother", "alias", "pob"):
        series = prepared[column]
        out[column] = _pair_values(series, series, ia, ib, _compare_normalised)
    given, father, grandfather = prepared["given"], prepared["father"], prepared["grandfather"]
    one = np.nan_to_num(_pair_values(father, given, ia, ib, _compare_normalised, False))
    two = np.nan_to_num(_pair_values(grandfather, father, ia, ib, _compare_normalised, False))
    three = np.nan_to_num(_pair_values(given, father, ia, ib, _compare_normalised, False))
    four = np.nan_to_num(_pair_values(father, grandfather, ia, ib, _compare_normalised, False))
    out["shift"] = np.maximum((one + two) / 2, (three + four) / 2)
    out["dob"] = _dob_level(prepared, ia, ib)
    years = prepared["year"].to_numpy()
    out["year_gap"] = np.where(
        (years[ia] > 0) & (years[ib] > 0), np.abs(years[ia] - years[ib]), -1
    ).astype(np.int16)
    for column in ("phone", "nid", "passport"):
        out[column] = _digit_level(prepared[column], prepared[column], ia, ib)
    for column in ("sex", "nationality"):
        a = prepared[column].to_numpy(dtype=object)[ia]
        b = prepared[column].to_numpy(dtype=object)[ib]
        out[column] = np.where((a == "") | (b == ""), -1, (a == b).astype(np.int8))
    return pd.DataFrame(out)
