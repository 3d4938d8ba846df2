"""Comparison vectors: field similarities and levels for record pairs, vectorised.

Each distinct pair of field values is compared once, so a million candidate pairs sharing a few
thousand distinct names cost a few thousand name comparisons.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.similarity import WordTable

__all__ = ["DOB_LEVELS", "ID_LEVELS", "NameTable", "compare_pairs"]

DOB_LEVELS = ("missing", "exact", "swapped", "same_month", "year_only", "same_year",
              "year_typo", "one_year", "few_years", "far")
ID_LEVELS = ("missing", "same", "one_digit", "different")


_NAME_COLUMNS = ("given", "father", "grandfather", "family", "mother", "alias", "pob")


class NameTable:
    """Name columns of prepared records, keyed once for pair similarities.

    Build it once per record set and pass it to :func:`compare_pairs` for every chunk of
    pairs: the phonetic keys of each distinct name are computed only once.

    Args:
        prepared: Output of :func:`matching.records.prepare_records`.
    """

    def __init__(self, prepared: pd.DataFrame) -> None:
        values = pd.unique(pd.concat([prepared[c] for c in _NAME_COLUMNS], ignore_index=True))
        self.table = WordTable([str(v) for v in values])
        index = pd.Index(values)
        self.codes = {
            c: index.get_indexer(pd.Index(prepared[c])).astype(np.int64) for c in _NAME_COLUMNS
        }
        self.present = {c: (prepared[c] != "").to_numpy() for c in _NAME_COLUMNS}
        self.width = max(len(values), 1)

    def pairs(self, ia: np.ndarray, ib: np.ndarray) -> _NameSimilarity:
        """Return the similarity function for these pairs."""
        return _NameSimilarity(self, ia, ib)


class _NameSimilarity:
    """Similarities between name columns of record pairs, computed once per distinct pair."""

    def __init__(self, names: NameTable, ia: np.ndarray, ib: np.ndarray) -> None:
        self.table = names.table
        self.codes = names.codes
        self.width = names.width
        self.ia, self.ib = ia, ib

    def __call__(self, left: str, right: str) -> np.ndarray:
        ca = self.codes[left][self.ia]
        cb = self.codes[right][self.ib]
        low, high = np.minimum(ca, cb), np.maximum(ca, cb)
        inverse, distinct = pd.factorize(low * self.width + high, sort=False)
        scores = self.table.similarity(distinct // self.width, distinct % self.width)
        return scores[inverse]


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


WHOLE_IDENTIFIER = r"^(?!(.)\1*$).{6,}$"
"""A whole identifier: six characters or more, not one character repeated (a placeholder)."""


def _whole_identifier(values: pd.Series) -> np.ndarray:
    return values.str.match(WHOLE_IDENTIFIER).to_numpy(dtype=bool)


def _shared_identifier(
    prepared: pd.DataFrame, ia: np.ndarray, ib: np.ndarray, out: dict[str, np.ndarray]
) -> np.ndarray:
    """1 where a whole national number, or a whole passport number of the same
    nationality, is the same on both records."""
    nid = (out["nid"] == 1) & _whole_identifier(prepared["nid"])[ia]
    passport = (out["passport"] == 1) & _whole_identifier(prepared["passport"])[ia] & (
        out["nationality"] != 0)
    return (nid | passport).astype(np.int8)


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


def _order_free(
    names: NameTable, ia: np.ndarray, ib: np.ndarray,
    same: tuple[np.ndarray, ...], crossed: tuple[np.ndarray, ...],
) -> np.ndarray:
    """Whole-nasab similarity tolerant of a part moved to the neighbouring field."""
    g, f, q, a = same
    f_g, g_f, q_f, f_q, q_a, a_q = crossed
    with np.errstate(all="ignore"):
        best_a = [np.fmax(g, g_f), np.fmax(np.fmax(f, f_g), f_q), np.fmax(np.fmax(q, q_f), q_a),
                  np.fmax(a, a_q)]
        best_b = [np.fmax(g, f_g), np.fmax(np.fmax(f, g_f), q_f), np.fmax(np.fmax(q, f_q), a_q),
                  np.fmax(a, q_a)]
    parts = ("given", "father", "grandfather", "family")
    present_a = [names.present[c][ia] for c in parts]
    present_b = [names.present[c][ib] for c in parts]
    total = np.zeros(len(ia), dtype=np.float32)
    count = np.zeros(len(ia), dtype=np.float32)
    for best, present in ((best_a, present_a), (best_b, present_b)):
        for score, here in zip(best, present, strict=True):
            total += np.where(here, np.nan_to_num(score), 0.0)
            count += here
    return np.where(count > 0, total / np.maximum(count, 1), np.nan).astype(np.float32)


def compare_pairs(
    prepared: pd.DataFrame, ia: np.ndarray, ib: np.ndarray, names: NameTable | None = None
) -> pd.DataFrame:
    """Compare record pairs field by field.

    Args:
        prepared: Output of :func:`matching.records.prepare_records`.
        ia: Row positions of the first record of each pair.
        ib: Row positions of the second record.
        names: :class:`NameTable` of ``prepared`` (built here when None).

    Returns:
        One row per pair: name similarities in [0, 1] (NaN when a side is missing) for
        ``given``, ``father``, ``grandfather``, ``family``, ``full``, ``mother``, ``alias``,
        ``pob``, ``shift`` (one record's father/grandfather against the other's
        given/father: high for father and son) and ``crossed`` (the better of one record's
        given name against the other's family name and the reverse; NaN when the two are
        swapped, as ``given`` and ``family`` then hold the crossed similarities); level
        codes ``dob`` (:data:`DOB_LEVELS`), ``phone``, ``nid``, ``passport``
        (:data:`ID_LEVELS`); ``sex`` and ``nationality``
        (1 same, 0 different, -1 missing); ``year_gap``; and ``identifier`` (1 when a whole
        national number, or a whole passport number of the same nationality, agrees).
    """
    out: dict[str, np.ndarray] = {}
    names = names or NameTable(prepared)
    similarity = names.pairs(ia, ib)
    for column in _NAME_COLUMNS:
        out[column] = similarity(column, column)
    # An officer may swap the given and family names: compare them crossed as well.
    g_a, a_g = similarity("given", "family"), similarity("family", "given")
    # Swapped when both crossed names agree, or when one agrees closely and the other
    # loosely (a swap with a typing error) and crossing explains the names better.
    crossed = np.fmin(g_a, a_g)
    straight = np.nan_to_num(out["given"]) + np.nan_to_num(out["family"])
    swapped = ((crossed >= 0.85) & (crossed > np.fmax(out["given"], out["family"]))) | (
        (crossed >= 0.7) & (np.fmax(g_a, a_g) >= 0.92) & (g_a + a_g > straight + 0.5)
    )
    out["given"] = np.where(swapped, g_a, out["given"])
    out["family"] = np.where(swapped, a_g, out["family"])
    # One name moved to the other field (the other replaced): the better crossed agreement.
    out["crossed"] = np.where(swapped, np.nan, np.fmax(g_a, a_g)).astype(np.float32)
    g, f, q, a = (out[c] for c in ("given", "father", "grandfather", "family"))
    f_g, g_f = similarity("father", "given"), similarity("given", "father")
    q_f, f_q = similarity("grandfather", "father"), similarity("father", "grandfather")
    q_a, a_q = similarity("grandfather", "family"), similarity("family", "grandfather")
    out["shift"] = np.maximum(
        (np.nan_to_num(f_g) + np.nan_to_num(q_f)) / 2, (np.nan_to_num(g_f) + np.nan_to_num(f_q)) / 2
    )
    out["full"] = _order_free(names, ia, ib, (g, f, q, a), (f_g, g_f, q_f, f_q, q_a, a_q))
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
    out["identifier"] = _shared_identifier(prepared, ia, ib, out)
    return pd.DataFrame(out)
