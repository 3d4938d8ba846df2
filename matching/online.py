"""The comparison rules one pair at a time, in plain Python: the online path's form.

:func:`matching.scoring.score_candidates` scores one new record against the registrations
sharing a blocking key with it: usually none to twenty, rarely a hundred. For so few pairs the
set-up of numpy and pandas arrays costs far more than the comparisons, so this module applies
the rules of :func:`matching.features.compare_pairs`, :func:`matching.levels.comparison_levels`
and :meth:`matching.model.MatchModel.components` to one pair at a time. Where the vectorised
code computes in float32 the same steps are rounded to float32 here
(:func:`matching.similarity.to_float32`) and compared with float32 thresholds, so a pair gets
the same levels, rarity and distinct-name terms bit for bit.

Two implementations of one set of rules: ``tests/matching/test_online_equivalence.py``
compares them over thousands of pairs, and fails when a rule changes in one of them only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from rapidfuzz.distance import OSA

from matching.features import LEADING_WORD_CAP, WHOLE_IDENTIFIER
from matching.levels import UNLIKE_GIVEN
from matching.model import MatchModel, RowTerms
from matching.records import Record, compared_values
from matching.similarity import field_similarity, to_float32

__all__ = ["PairTerms", "PreparedRecord", "compare", "prepare"]

_WHOLE = re.compile(WHOLE_IDENTIFIER)
# The thresholds as the float32 values numpy compares float32 similarities with.
_WEAK, _SIMILAR, _HIGH, _EXACT = (to_float32(c) for c in (0.7, 0.85, 0.92, 0.98))
_LEADING_CAP = to_float32(LEADING_WORD_CAP)
_UNLIKE = to_float32(UNLIKE_GIVEN)
_SHIFT = to_float32(0.9)


class PreparedRecord(NamedTuple):
    """A record prepared for :func:`compare`.

    Attributes:
        values: :func:`matching.records.compared_values` of the record.
        terms: :meth:`matching.model.MatchModel.row_terms` of those values.
    """

    values: Mapping[str, Any]
    terms: RowTerms


class PairTerms(NamedTuple):
    """What the model weighs of one pair, as :meth:`MatchModel.components` gives it.

    Attributes:
        levels: Level index of each :data:`matching.levels.FIELD_LEVELS` field, plus
            ``crossed_name`` and ``shared_identifier``
            (:func:`matching.levels.comparison_levels`).
        given_rarity: Rarity of the agreeing given name (0.0 when it does not agree).
        family_rarity: Rarity of the agreeing family name.
        father_rarity: Rarity of the agreeing father's name.
        given_distinct: The given names are two different common names.
        father_distinct: The fathers' names are two different common names.
    """

    levels: dict[str, int]
    given_rarity: float
    family_rarity: float
    father_rarity: float
    given_distinct: bool
    father_distinct: bool


def prepare(record: Record, model: MatchModel) -> PreparedRecord:
    """Prepare one record for :func:`compare` with a model."""
    values = compared_values(record)
    return PreparedRecord(values, model.row_terms(values))


def _nan_to(value: float, fill: float = 0.0) -> float:
    """:func:`matching.features.fill_nan` of one value."""
    return fill if value != value else value


def _fmax(a: float, b: float) -> float:
    """``np.fmax`` of two values: the larger, ignoring a NaN."""
    if a != a:
        return b
    return a if a >= b or b != b else b


def _fmin(a: float, b: float) -> float:
    """``np.fmin`` of two values: the smaller, ignoring a NaN."""
    if a != a:
        return b
    return a if a <= b or b != b else b


def _name_level(similarity: float) -> int:
    """:data:`matching.levels.NAME_LEVELS` index of a float32 similarity (NaN: missing)."""
    if similarity != similarity:
        return 0
    if similarity >= _EXACT:
        return 1
    if similarity >= _HIGH:
        return 2
    if similarity >= _SIMILAR:
        return 3
    return 4 if similarity >= _WEAK else 5


def _dob_level(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[int, bool]:
    """:data:`matching.features.DOB_LEVELS` index of two prepared dates of birth, and whether
    both are full dates."""
    ya, yb = a["year"], b["year"]
    ma, mb, da, db = a["month"], b["month"], a["day"], b["day"]
    # 1 January is the usual default for an unknown date: treat it as year-only.
    both = ma > 0 and not (ma == 1 and da == 1) and mb > 0 and not (mb == 1 and db == 1)
    if ya == 0 or yb == 0:
        return 0, both
    gap = abs(ya - yb)
    if gap == 0:
        if not both:
            return 4, both
        if ma == mb:
            return (1 if da == db else 3), both
        return (2 if ma == db and da == mb else 5), both
    if gap == 1:
        return (6 if both and ma == mb and da == db else 7), both
    return (8 if gap <= 3 else 9), both


def _digit_level(a: str, b: str) -> int:
    """:data:`matching.features.ID_LEVELS` index of two identifiers: missing, same,
    one_digit (one typing error: a character changed, added or dropped, or two neighbours
    swapped) or different."""
    if not a or not b:
        return 0
    if a == b:
        return 1
    return 2 if OSA.distance(a, b) == 1 else 3


def _with_leading_word(a: str, b: str) -> float:
    """:meth:`matching.features.NameTable.with_leading_word` of one pair of values."""
    whole = field_similarity(a, b)
    if not a or not b or a.count(" ") == b.count(" "):
        return whole
    leading = min(field_similarity(a.split(" ", 1)[0], b.split(" ", 1)[0]), _LEADING_CAP)
    return _fmax(whole, leading)


def _presence_level(a: str, b: str) -> int:
    """Level of sex and nationality: missing, same or different."""
    if not a or not b:
        return 0
    return 1 if a == b else 2


def compare(first: PreparedRecord, second: PreparedRecord) -> PairTerms:
    """Compare two prepared records: the levels and terms the batch path gives the pair.

    Args:
        first: The new record (rarity terms are read from it, as from ``ia`` in batch mode).
        second: A candidate.

    Returns:
        The pair's levels, rarity and distinct-name terms.
    """
    a, b = first.values, second.values
    given = field_similarity(a["given"], b["given"])
    father = field_similarity(a["father"], b["father"])
    grandfather = field_similarity(a["grandfather"], b["grandfather"])
    family = field_similarity(a["family"], b["family"])
    # An officer may swap the given and family names: compare them crossed as well.
    g_a = field_similarity(a["given"], b["family"])
    a_g = field_similarity(a["family"], b["given"])
    crossed = _fmin(g_a, a_g)
    straight = to_float32(_nan_to(given) + _nan_to(family))
    swapped = (crossed >= _SIMILAR and crossed > _fmax(given, family)) or (
        crossed >= _WEAK and _fmax(g_a, a_g) >= _HIGH
        and to_float32(g_a + a_g) > to_float32(straight + 0.5))
    if swapped:
        given, family = g_a, a_g
    f_g = field_similarity(a["father"], b["given"])
    g_f = field_similarity(a["given"], b["father"])
    q_f = field_similarity(a["grandfather"], b["father"])
    f_q = field_similarity(a["father"], b["grandfather"])
    q_a = field_similarity(a["grandfather"], b["family"])
    a_q = field_similarity(a["family"], b["grandfather"])
    shift = max(to_float32(_nan_to(f_g) + _nan_to(q_f)) / 2,
                to_float32(_nan_to(g_f) + _nan_to(f_q)) / 2)
    full = _order_free(
        a, b, (given, father, grandfather, family), (f_g, g_f, q_f, f_q, q_a, a_q))
    dob, full_dates = _dob_level(a, b)
    ya, yb = a["year"], b["year"]
    year_gap = abs(ya - yb) if ya > 0 and yb > 0 else -1
    nid = _digit_level(a["nid"], b["nid"])
    passport = _digit_level(a["passport"], b["passport"])
    nationality = _presence_level(a["nationality"], b["nationality"])
    shared = (nid == 1 and _WHOLE.match(a["nid"]) is not None) or (
        passport == 1 and _WHOLE.match(a["passport"]) is not None and nationality != 2)

    # MatchModel.components: two different common names are no agreement, however alike.
    ta, tb = first.terms, second.terms
    given_distinct = ta.given_common and tb.given_common and _nan_to(given) < (
        _HIGH if ta.given_arabic == tb.given_arabic else _SIMILAR)
    father_distinct = ta.father_common and tb.father_common and _nan_to(father) < (
        _HIGH if ta.father_arabic == tb.father_arabic else _SIMILAR)
    if given_distinct:
        given = 0.0
    if father_distinct:
        father = 0.0

    # comparison_levels: relatives and the generation shift.
    given_level = _name_level(given)
    relatives = _nan_to(given, 1.0) < _SIMILAR and _nan_to(father) >= _HIGH and (
        _nan_to(family) >= _HIGH or _nan_to(grandfather) >= _HIGH)
    unlike_relatives = relatives and _nan_to(given, 1.0) < _UNLIKE and dob not in (1, 2)
    if relatives:
        apart = year_gap >= 2 or (dob == 7 and full_dates)
        given_level = 7 if dob in (1, 2) else 8 if apart else 6
    father_level = _name_level(father)
    if shift >= _SHIFT and _nan_to(father) < _SIMILAR:
        father_level = 6
    levels = {
        "given_name": given_level,
        "father_name": father_level,
        "grandfather_name": _name_level(grandfather),
        "family_name": _name_level(family),
        "full_name": _name_level(full),
        "mother_name": _name_level(_with_leading_word(a["mother"], b["mother"])),
        "alias": _name_level(field_similarity(a["alias"], b["alias"])),
        "place_of_birth": _name_level(_with_leading_word(a["pob"], b["pob"])),
        "date_of_birth": dob,
        "phone": _digit_level(a["phone"], b["phone"]),
        "national_id": nid,
        "passport_no": passport,
        "sex": _presence_level(a["sex"], b["sex"]),
        "nationality": nationality,
        "crossed_name": 0 if swapped else _name_level(_fmax(g_a, a_g)),
        "shared_identifier": int(shared),
        "unlike_relatives": int(unlike_relatives),
    }
    return PairTerms(
        levels,
        ta.given_rarity if _nan_to(given) >= _HIGH else 0.0,
        ta.family_rarity if _nan_to(family) >= _HIGH else 0.0,
        ta.father_rarity if _nan_to(father) >= _HIGH else 0.0,
        given_distinct,
        father_distinct,
    )


def _order_free(
    a: Mapping[str, Any], b: Mapping[str, Any],
    same: tuple[float, float, float, float], crossed: tuple[float, ...],
) -> float:
    """Whole-nasab similarity tolerant of a part moved to the neighbouring field (float32)."""
    g, f, q, fam = same
    f_g, g_f, q_f, f_q, q_a, a_q = crossed
    total = 0.0
    count = 0
    for present, best in (
        (a["given"], _fmax(g, g_f)), (a["father"], _fmax(_fmax(f, f_g), f_q)),
        (a["grandfather"], _fmax(_fmax(q, q_f), q_a)), (a["family"], _fmax(fam, a_q)),
        (b["given"], _fmax(g, f_g)), (b["father"], _fmax(_fmax(f, g_f), q_f)),
        (b["grandfather"], _fmax(_fmax(q, f_q), a_q)), (b["family"], _fmax(fam, q_a)),
    ):
        if present:
            total = to_float32(total + (best if best == best else 0.0))
            count += 1
    return to_float32(total / count) if count else math.nan
