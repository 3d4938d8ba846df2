"""Comparison vectors: field similarities and levels for record pairs, vectorised.

Each distinct pair of names is compared once per record set (:class:`NameTable` keeps the
similarities it has computed), whichever name fields hold the two names and in whichever chunk
of candidate pairs they meet: a million candidate pairs sharing a few thousand distinct names
cost a few thousand name comparisons.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

from matching.records import Prepared, column
from matching.similarity import WordTable

__all__ = [
    "DOB_LEVELS", "ID_LEVELS", "LEADING_WORD_CAP", "LEADING_WORD_FIELDS", "Comparisons",
    "NameTable", "compare_pairs",
]

Comparisons = dict[str, np.ndarray]
"""Output of :func:`compare_pairs`: one array per comparison, one element per pair."""


def fill_nan(values: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """Return `values` with NaN (a side missing) replaced by `fill`, dtype kept.

    ``np.nan_to_num`` for similarities, which are never infinite, at a fraction of its cost
    on small arrays."""
    return np.where(np.isnan(values), fill, values)

DOB_LEVELS = ("missing", "exact", "swapped", "same_month", "year_only", "same_year",
              "year_typo", "one_year", "few_years", "far")
ID_LEVELS = ("missing", "same", "one_digit", "different")


_NAME_COLUMNS = ("given", "father", "grandfather", "family", "mother", "alias", "pob")
LEADING_WORD_FIELDS = ("mother", "pob")
"""Fields written with or without a second part: the mother's name with or without her
family name (``Aisha`` / ``Aicha Al Ferjani``), a place with or without its region or
country (``Faya`` / ``Faya-Largeau``, ``Tripoli, Libya``)."""
LEADING_WORD_CAP = 0.91
"""Most that two such values score on their first words alone (one written with more words
than the other): at most *similar*, since a common given name agrees by chance."""
_LEADING = {field: field + "_first" for field in LEADING_WORD_FIELDS}
# Every (first record's column, second record's column) name similarity compare_pairs uses.
_NAME_PAIRS = (
    *((c, c) for c in _NAME_COLUMNS),
    ("given", "family"), ("family", "given"), ("father", "given"), ("given", "father"),
    ("grandfather", "father"), ("father", "grandfather"), ("grandfather", "family"),
    ("family", "grandfather"),
)
_OTHER_COLUMNS = ("phone", "nid", "passport", "sex", "nationality")
_SCORED_AT_ONCE = 250_000
"""Distinct pairs of names scored in one call (working memory against per-call cost)."""
_DICT_BELOW = 2_000
"""Records under which name codes come from a dict rather than a pandas index."""


class NameTable:
    """Name columns of prepared records, keyed once for pair similarities.

    Build it once per record set and pass it to :func:`compare_pairs` for every chunk of
    pairs: the phonetic keys of each distinct name are computed only once, and so is the
    similarity of each distinct pair of names (kept, sorted by pair key, as they are computed).
    The identifier, sex and nationality columns are coded once too (``-1`` where missing), so
    that pairs compare integers.

    Args:
        prepared: Output of :func:`matching.records.prepare_records`.
    """

    def __init__(self, prepared: Prepared) -> None:
        columns = {c: column(prepared, c, object) for c in _NAME_COLUMNS}
        self.words = {c: np.array([v.count(" ") + 1 if v else 0 for v in columns[c]],
                                  dtype=np.int64) for c in LEADING_WORD_FIELDS}
        for field, first in _LEADING.items():
            columns[first] = np.array([v.split(" ", 1)[0] for v in columns[field]], dtype=object)
        if len(columns["given"]) < _DICT_BELOW:
            # a few hundred records: a dict is cheaper than pandas' hashing setup
            positions: dict[str, int] = {}
            self.codes = {c: np.array([positions.setdefault(v, len(positions)) for v in values],
                                      dtype=np.int64) for c, values in columns.items()}
            values = np.array(list(positions), dtype=object)
        else:
            values = pd.unique(np.concatenate(list(columns.values())))
            index = pd.Index(values)
            self.codes = {c: index.get_indexer(v).astype(np.int64) for c, v in columns.items()}
        self.table = WordTable([str(v) for v in values])
        self.present = {c: v != "" for c, v in columns.items()}
        self.width = max(len(values), 1)
        self.other_codes = {c: _codes(column(prepared, c, object)) for c in _OTHER_COLUMNS}
        self.known_keys = np.empty(0, dtype=np.int64)
        self.known_scores = np.empty(0, dtype=np.float32)

    def pairs(self, ia: np.ndarray, ib: np.ndarray) -> _NameSimilarity:
        """Return the similarity function for these pairs."""
        return _NameSimilarity(self, ia, ib)

    def similarity(self, keys: np.ndarray) -> np.ndarray:
        """Return the similarity of each name pair key (``low * width + high`` of two codes).

        Pairs met before are looked up; the others are scored in one call and kept.
        """
        unique, inverse = np.unique(keys, return_inverse=True)
        place = np.minimum(np.searchsorted(self.known_keys, unique),
                           max(len(self.known_keys) - 1, 0))
        known = (self.known_keys[place] == unique if len(self.known_keys)
                 else np.zeros(len(unique), dtype=bool))
        scores = np.empty(len(unique), dtype=np.float32)
        scores[known] = self.known_scores[place[known]]
        new = unique[~known]
        # in slices: the similarity's working arrays (every spelling variant of both names,
        # as Python strings) grow with the pairs scored at once
        scores[~known] = np.concatenate([
            self.table.similarity(part // self.width, part % self.width)
            for part in np.split(new, range(_SCORED_AT_ONCE, len(new), _SCORED_AT_ONCE))
        ])
        # the new keys (sorted, as `unique` is) go in their places among the known ones
        at = np.searchsorted(self.known_keys, new)
        self.known_keys = np.insert(self.known_keys, at, new)
        self.known_scores = np.insert(self.known_scores, at, scores[~known])
        return scores[inverse.reshape(-1)]

    def with_leading_word(
        self, field: str, ia: np.ndarray, ib: np.ndarray, whole: np.ndarray
    ) -> np.ndarray:
        """Return ``whole`` (the field's similarity) raised, where one value has more words
        than the other, to the similarity of the two first words (at most
        :data:`LEADING_WORD_CAP`)."""
        words_a, words_b = self.words[field][ia], self.words[field][ib]
        uneven = np.flatnonzero((words_a != words_b) & (words_a > 0) & (words_b > 0))
        if not len(uneven):
            return whole
        first = _LEADING[field]
        leading = self.pairs(ia[uneven], ib[uneven]).many(((first, first),))[first, first]
        out = whole.copy()
        out[uneven] = np.fmax(whole[uneven], np.minimum(leading, np.float32(LEADING_WORD_CAP)))
        return out


class _NameSimilarity:
    """Similarities between name columns of record pairs."""

    def __init__(self, names: NameTable, ia: np.ndarray, ib: np.ndarray) -> None:
        self.names = names
        self.ia, self.ib = ia, ib

    def many(self, combos: tuple[tuple[str, str], ...]) -> dict[tuple[str, str], np.ndarray]:
        """Return the similarities of several column pairs (``(left, right)`` column names).

        The distinct pairs of names of each column pair are gathered, and all of them scored
        in one call: a pair of names is scored once whichever columns hold it.
        """
        codes = self.names.codes
        found = []
        for left, right in combos:
            ca, cb = codes[left][self.ia], codes[right][self.ib]
            found.append(pd.factorize(np.minimum(ca, cb) * self.names.width + np.maximum(ca, cb),
                                      sort=False))
        scores = self.names.similarity(np.concatenate([distinct for _, distinct in found]))
        parts = np.split(scores, np.cumsum([len(distinct) for _, distinct in found])[:-1])
        return {combo: part[inverse]
                for combo, (inverse, _), part in zip(combos, found, parts, strict=True)}


def _codes(values: np.ndarray) -> np.ndarray:
    """One integer per distinct value, ``-1`` for ``""``."""
    codes, uniques = pd.factorize(values, sort=False)
    codes = codes.astype(np.int64)
    codes[np.isin(codes, np.flatnonzero(uniques == ""))] = -1
    return codes


def _digit_level(values: np.ndarray, codes: np.ndarray, ia: np.ndarray, ib: np.ndarray
                 ) -> np.ndarray:
    """Level codes of identifier pairs: missing, same, one_digit (one typing error: a
    character changed, added or dropped, or two neighbours swapped) or different."""
    a = codes[ia]
    b = codes[ib]
    level = np.full(len(ia), 3, dtype=np.int8)
    missing = (a < 0) | (b < 0)
    level[missing] = 0
    same = (a == b) & ~missing
    level[same] = 1
    check = np.flatnonzero(~missing & ~same)
    if len(check):
        edits = process.cpdist(values[ia[check]].tolist(), values[ib[check]].tolist(),
                               scorer=OSA.distance, workers=-1)
        level[check[edits == 1]] = 2
    return level


WHOLE_IDENTIFIER = r"^(?!(.)\1*$).{6,}$"
"""A whole identifier: six characters or more, not one character repeated (a placeholder)."""
_WHOLE = re.compile(WHOLE_IDENTIFIER)


def _whole_identifier(values: np.ndarray, same: np.ndarray) -> np.ndarray:
    """True where ``same`` (the identifier agrees) and the value is a whole identifier."""
    whole = np.zeros(len(values), dtype=bool)
    for index in np.flatnonzero(same):
        whole[index] = _WHOLE.match(values[index]) is not None
    return whole


def _shared_identifier(
    prepared: Prepared, ia: np.ndarray, out: dict[str, np.ndarray]
) -> np.ndarray:
    """1 where a whole national number, or a whole passport number of the same
    nationality, is the same on both records."""
    nid = _whole_identifier(column(prepared, "nid", object)[ia], out["nid"] == 1)
    passport = _whole_identifier(column(prepared, "passport", object)[ia],
                                 out["passport"] == 1) & (out["nationality"] != 0)
    return (nid | passport).astype(np.int8)


def _dob_level(prepared: Prepared, ia: np.ndarray, ib: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Return the :data:`DOB_LEVELS` codes of pairs, and 1 where both dates are full (day and
    month known)."""
    year, month, day = (column(prepared, c) for c in ("year", "month", "day"))
    ya, yb = year[ia], year[ib]
    ma, mb = month[ia], month[ib]
    da, db = day[ia], day[ib]
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
    level = np.select(conditions, choices, default=len(DOB_LEVELS) - 1).astype(np.int8)
    return level, both.astype(np.int8)


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
            total += np.where(here, fill_nan(score), 0.0)
            count += here
    return np.where(count > 0, total / np.maximum(count, 1), np.nan).astype(np.float32)


def compare_pairs(
    prepared: Prepared, ia: np.ndarray, ib: np.ndarray, names: NameTable | None = None
) -> Comparisons:
    """Compare record pairs field by field.

    Args:
        prepared: Output of :func:`matching.records.prepare_records`.
        ia: Row positions of the first record of each pair.
        ib: Row positions of the second record.
        names: :class:`NameTable` of ``prepared`` (built here when None).

    Returns:
        One array per comparison, one element per pair: name similarities in [0, 1] (NaN
        when a side is missing) for ``given``, ``father``, ``grandfather``, ``family``,
        ``full``, ``mother``, ``alias``, ``pob``, ``shift`` (one record's father/grandfather
        against the other's given/father: high for father and son) and ``crossed`` (the
        better of one record's given name against the other's family name and the reverse;
        NaN when the two are swapped, as ``given`` and ``family`` then hold the crossed
        similarities); level codes ``dob`` (:data:`DOB_LEVELS`), ``phone``, ``nid``,
        ``passport`` (:data:`ID_LEVELS`); ``sex`` and ``nationality`` (1 same, 0 different,
        -1 missing); ``year_gap``; ``full_dates`` (1 when both dates of birth have a day and
        a month, 1 January excepted); and ``identifier`` (1 when a whole national number, or a
        whole passport number of the same nationality, agrees).
    """
    out: dict[str, np.ndarray] = {}
    names = names or NameTable(prepared)
    similarity = names.pairs(ia, ib).many(_NAME_PAIRS)
    for name in _NAME_COLUMNS:
        out[name] = similarity[name, name]
    for name in LEADING_WORD_FIELDS:
        out[name] = names.with_leading_word(name, ia, ib, out[name])
    # An officer may swap the given and family names: compare them crossed as well.
    g_a, a_g = similarity["given", "family"], similarity["family", "given"]
    # Swapped when both crossed names agree, or when one agrees closely and the other
    # loosely (a swap with a typing error) and crossing explains the names better.
    crossed = np.fmin(g_a, a_g)
    straight = fill_nan(out["given"]) + fill_nan(out["family"])
    swapped = ((crossed >= 0.85) & (crossed > np.fmax(out["given"], out["family"]))) | (
        (crossed >= 0.7) & (np.fmax(g_a, a_g) >= 0.92) & (g_a + a_g > straight + 0.5)
    )
    out["given"] = np.where(swapped, g_a, out["given"])
    out["family"] = np.where(swapped, a_g, out["family"])
    # One name moved to the other field (the other replaced): the better crossed agreement.
    out["crossed"] = np.where(swapped, np.nan, np.fmax(g_a, a_g)).astype(np.float32)
    g, f, q, a = (out[c] for c in ("given", "father", "grandfather", "family"))
    f_g, g_f = similarity["father", "given"], similarity["given", "father"]
    q_f, f_q = similarity["grandfather", "father"], similarity["father", "grandfather"]
    q_a, a_q = similarity["grandfather", "family"], similarity["family", "grandfather"]
    out["shift"] = np.maximum(
        (fill_nan(f_g) + fill_nan(q_f)) / 2, (fill_nan(g_f) + fill_nan(f_q)) / 2
    )
    out["full"] = _order_free(names, ia, ib, (g, f, q, a), (f_g, g_f, q_f, f_q, q_a, a_q))
    out["dob"], out["full_dates"] = _dob_level(prepared, ia, ib)
    years = column(prepared, "year")
    out["year_gap"] = np.where(
        (years[ia] > 0) & (years[ib] > 0), np.abs(years[ia] - years[ib]), -1
    ).astype(np.int16)
    for name in ("phone", "nid", "passport"):
        out[name] = _digit_level(column(prepared, name, object), names.other_codes[name], ia, ib)
    for name in ("sex", "nationality"):
        a, b = names.other_codes[name][ia], names.other_codes[name][ib]
        out[name] = np.where((a < 0) | (b < 0), -1, (a == b).astype(np.int8))
    out["identifier"] = _shared_identifier(prepared, ia, out)
    return out
