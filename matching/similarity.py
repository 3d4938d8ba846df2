"""Vectorised name-word similarity over many pairs at once.

:class:`WordTable` holds the phonetic keys of distinct normalised name strings;
:meth:`WordTable.similarity` scores pairs of table positions with rapidfuzz's batch scorers
(C++, both cores), using the same formula as :func:`matching.names.compare_words`.

A few thousand string pairs or fewer are scored one pair at a time with rapidfuzz's scalar
functions instead, and :func:`field_similarity` scores a single pair of values without numpy
(the online path, :mod:`matching.online`: one record against its candidates). rapidfuzz
rather than jellyfish, although jellyfish is the issue's named library: (1) it is the very
implementation the batch scorers run, so a pair scores bit for bit the same on every path
(checked over 200,000 pairs of skeletons and vowel forms; the equivalence test in
``tests/matching/test_online_equivalence.py`` checks whole pairs); jellyfish's
``jaro_winkler_similarity`` scores two empty strings 0 where rapidfuzz gives 1, so levels
would differ; (2) it is faster here: about 0.15 µs per Jaro–Winkler pair against 0.3 µs
for jellyfish 1.3. The batch scorers are not used for so few pairs because each call starts
worker threads (about 0.7 ms).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler, LCSseq, Levenshtein

from matching.phonetic import NameKey, name_key

__all__ = [
    "CROSS_SCRIPT_CONSONANT_WEIGHT", "SAME_SCRIPT_CONSONANT_WEIGHT", "WordTable",
    "field_similarity", "to_float32",
]

SAME_SCRIPT_CONSONANT_WEIGHT = 0.5
CROSS_SCRIPT_CONSONANT_WEIGHT = 0.8
ONE_EDIT_FLOOR = 0.9
"""Least similarity of two same-script spellings one typing error apart (one letter changed,
added, dropped, or two neighbours swapped), both of three letters or more: a slip of the key
is the commonest error, and on a short name the blend above scores it like another name
(ظحمد / محمد 0.79). Two distinct common names one letter apart (Amin / Amir) are told apart
by the model's common-spelling flags, not here."""
_ONE_EDIT_SHORTEST = 3


def _field_key(text: str) -> NameKey:
    """Key of a whole field: the words' keys joined (a field is compared as one string)."""
    words = text.split()
    if len(words) == 1:
        return name_key(words[0])
    keys = [name_key(w) for w in words]
    skeleton = "".join(k.skeletons[0] if k.skeletons else "" for k in keys)
    return NameKey(
        keys[0].script, (skeleton,), "".join(k.vowel_form for k in keys),
        "".join(k.cross_vowel_form for k in keys),
    )


_SCALAR_BELOW = 4096
"""Pairs under which scalar calls beat a batch call (which starts threads)."""


def _pairwise(scorer: Any, left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    if len(left) < _SCALAR_BELOW:
        # float32 of the same double the batch scorer computes, so identical results
        return np.array([scorer(a, b) for a, b in zip(left, right, strict=True)],
                        dtype=np.float32)
    return process.cpdist(left, right, scorer=scorer, workers=-1, dtype=np.float32)


def _blend(left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    """Mean of Jaro–Winkler and normalised Levenshtein similarity.

    rapidfuzz scores two empty strings 1 and one empty string 0, as the scalar path does.
    """
    score = 0.5 * _pairwise(JaroWinkler.normalized_similarity, left, right)
    score += 0.5 * _pairwise(Levenshtein.normalized_similarity, left, right)
    return score


class WordTable:
    """Phonetic keys of distinct normalised strings, addressed by position.

    Args:
        values: Distinct normalised strings (``""`` allowed: it compares as missing).
    """

    def __init__(self, values: Sequence[str]) -> None:
        self.values = np.asarray(list(values), dtype=object)
        keys = [_field_key(v) if v else NameKey("latin", ("",), "", "") for v in self.values]
        self.arabic = np.array([k.script == "arabic" for k in keys], dtype=bool)
        self.vowels = np.array([k.vowel_form for k in keys], dtype=object)
        self.cross_vowels = np.array([k.cross_vowel_form for k in keys], dtype=object)
        self.long_vowels = np.array([k.vowels for k in keys], dtype=object)
        self.long_vowel_count = np.array([len(k.vowels) for k in keys], dtype=np.float32)
        counts = [max(len(k.skeletons), 1) for k in keys]
        self.variant_count = np.array(counts, dtype=np.int64)
        self.variant_start = np.r_[0, np.cumsum(self.variant_count)[:-1]].astype(np.int64)
        self.variants = np.array(
            [s for k in keys for s in (k.skeletons or ("",))], dtype=object
        )
        self.empty = np.array([not v for v in self.values], dtype=bool)
        self.lengths = np.array([len(v) for v in self.values], dtype=np.int64)

    def similarity(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Return the similarity of each pair of table positions (NaN when one is empty).

        Args:
            left: Table positions.
            right: Table positions, same length.

        Returns:
            float32 similarities in [0, 1].
        """
        left = np.asarray(left, dtype=np.int64)
        right = np.asarray(right, dtype=np.int64)
        n = len(left)
        combos = self.variant_count[left] * self.variant_count[right]
        owner = np.repeat(np.arange(n, dtype=np.int64), combos)
        offset = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(combos) - combos,
                                                                      combos)
        width = self.variant_count[right][owner]
        va = self.variants[self.variant_start[left][owner] + offset // width]
        vb = self.variants[self.variant_start[right][owner] + offset % width]
        consonants = np.zeros(n, dtype=np.float32)
        np.maximum.at(consonants, owner, _blend(va.tolist(), vb.tolist()))
        cross = self.arabic[left] != self.arabic[right]
        vowels_a = np.where(cross, self.cross_vowels[left], self.vowels[left])
        vowels_b = np.where(cross, self.cross_vowels[right], self.vowels[right])
        vowels = _blend(vowels_a.tolist(), vowels_b.tolist())
        # e is written for both a short a (Ahmed) and an i (Ebrahim): take the better reading
        same = np.flatnonzero(~cross)
        alternative = _blend(self.cross_vowels[left][same].tolist(),
                             self.cross_vowels[right][same].tolist())
        vowels[same] = np.maximum(vowels[same], alternative)
        crossed = np.flatnonzero(cross)
        if len(crossed):
            arabic_first = self.arabic[left][crossed]
            arabic = np.where(arabic_first, self.long_vowels[left][crossed],
                              self.long_vowels[right][crossed])
            latin = np.where(arabic_first, self.long_vowels[right][crossed],
                             self.long_vowels[left][crossed])
            lengths = np.where(arabic_first, self.long_vowel_count[left][crossed],
                               self.long_vowel_count[right][crossed])
            common = _pairwise(LCSseq.similarity, arabic.tolist(), latin.tolist())
            contained = np.where(lengths > 0, common / np.maximum(lengths, 1), 1.0)
            vowels[crossed] = 0.4 * vowels[crossed] + 0.6 * contained
        weight = np.where(cross, CROSS_SCRIPT_CONSONANT_WEIGHT, SAME_SCRIPT_CONSONANT_WEIGHT)
        score = (weight * consonants + (1.0 - weight) * vowels).astype(np.float32)
        if len(same):
            a, b = self.values[left][same], self.values[right][same]
            edits = _pairwise(OSA.distance, a.tolist(), b.tolist())
            shortest = np.minimum(self.lengths[left][same], self.lengths[right][same])
            typo = same[(edits == 1) & (shortest >= _ONE_EDIT_SHORTEST)]
            score[typo] = np.maximum(score[typo], np.float32(ONE_EDIT_FLOOR))
        score[self.values[left] == self.values[right]] = 1.0
        score[self.empty[left] | self.empty[right]] = np.nan
        return score


_FLOAT32 = struct.Struct("f")
_pack, _unpack = _FLOAT32.pack, _FLOAT32.unpack
_FLOAT32_PAIR = struct.Struct("ff")
_pack_pair, _unpack_pair = _FLOAT32_PAIR.pack, _FLOAT32_PAIR.unpack
_jaro_winkler = JaroWinkler.normalized_similarity
_levenshtein = Levenshtein.normalized_similarity


def to_float32(value: float) -> float:
    """Round a double to the nearest float32 (returned as a float holding that value).

    Rounding the double result of one ``+``, ``-``, ``*`` or ``/`` of float32 operands gives
    the float32 result numpy computes, bit for bit: a double has more than twice a float32's
    precision, so rounding twice cannot differ from rounding once.
    """
    result: float = _unpack(_pack(value))[0]
    return result


_VOWEL_SHARE = to_float32(0.4)
_ONE_EDIT_FLOOR32 = to_float32(ONE_EDIT_FLOOR)
_CONTAINED_SHARE = to_float32(0.6)


def _blend_pair(left: str, right: str) -> float:
    """:func:`_blend` of one pair: the two scores rounded to float32, halved and summed
    (1.0 for two equal strings, as both scores are then 1)."""
    if left == right:
        return 1.0
    jaro, edit = _unpack_pair(_pack_pair(_jaro_winkler(left, right), _levenshtein(left, right)))
    result: float = _unpack(_pack(0.5 * jaro + 0.5 * edit))[0]
    return result


@lru_cache(maxsize=50_000)
def _profile(value: str) -> tuple[bool, tuple[str, ...], str, str, str]:
    """What :class:`WordTable` holds of a value: Arabic script, skeleton variants, vowel form,
    cross-script vowel form and long vowels."""
    key = _field_key(value)
    return (key.script == "arabic", key.skeletons or ("",), key.vowel_form,
            key.cross_vowel_form, key.vowels)


@lru_cache(maxsize=100_000)
def field_similarity(left: str, right: str) -> float:
    """Return the similarity :meth:`WordTable.similarity` gives two values, one pair at a time.

    The online path's form, for one record against a few candidates: the same formula with
    the float32 rounding of each step the vectorised code takes, so the result is the same
    float32 value (as a float); ``tests/matching/test_online_equivalence.py`` checks it.

    Args:
        left: A normalised string (``""`` when missing).
        right: Another.

    Returns:
        Similarity in [0, 1], NaN when one side is empty.
    """
    if not left or not right:
        return math.nan
    if left == right:
        return 1.0
    arabic_a, skeletons_a, vowels_a, cross_a, long_a = _profile(left)
    arabic_b, skeletons_b, vowels_b, cross_b, long_b = _profile(right)
    consonants = 0.0
    for x in skeletons_a:
        for y in skeletons_b:
            blend = _blend_pair(x, y)
            if blend > consonants:
                consonants = blend
    if arabic_a != arabic_b:
        vowels = _blend_pair(cross_a, cross_b)
        arabic, latin = (long_a, long_b) if arabic_a else (long_b, long_a)
        contained = to_float32(LCSseq.similarity(arabic, latin) / len(arabic)) if arabic else 1.0
        vowels = to_float32(to_float32(_VOWEL_SHARE * vowels)
                            + to_float32(_CONTAINED_SHARE * contained))
        weight = CROSS_SCRIPT_CONSONANT_WEIGHT
    else:
        vowels = _blend_pair(vowels_a, vowels_b)
        # e read as i: the better reading (the same pair again when neither form changes)
        if cross_a != vowels_a or cross_b != vowels_b:
            vowels = max(vowels, _blend_pair(cross_a, cross_b))
        weight = SAME_SCRIPT_CONSONANT_WEIGHT
    result: float = _unpack(_pack(weight * consonants + (1.0 - weight) * vowels))[0]
    if (arabic_a == arabic_b and min(len(left), len(right)) >= _ONE_EDIT_SHORTEST
            and result < _ONE_EDIT_FLOOR32 and OSA.distance(left, right) == 1):
        return _ONE_EDIT_FLOOR32
    return result
