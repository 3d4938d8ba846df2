"""Name similarity across scripts: single name words and order-tolerant full names."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import JaroWinkler, LCSseq, Levenshtein

from matching.normalise import normalise_name
from matching.phonetic import NameKey, name_key

__all__ = ["compare_names", "compare_words"]


def _string_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    jaro = JaroWinkler.normalized_similarity(a, b)
    edit = Levenshtein.normalized_similarity(a, b)
    return 0.5 * jaro + 0.5 * edit


def _key_similarity(a: NameKey, b: NameKey) -> float:
    consonants = max(
        (_string_similarity(x, y) for x in a.skeletons for y in b.skeletons), default=0.0
    )
    if not a.skeletons and not b.skeletons:
        consonants = 1.0
    if a.script != b.script:
        vowels = 0.4 * _string_similarity(a.cross_vowel_form, b.cross_vowel_form)
        vowels += 0.6 * _containment(a, b)
        return 0.8 * consonants + 0.2 * vowels
    vowels = max(_string_similarity(a.vowel_form, b.vowel_form),
                 _string_similarity(a.cross_vowel_form, b.cross_vowel_form))
    return 0.5 * consonants + 0.5 * vowels


def _containment(a: NameKey, b: NameKey) -> float:
    """Share of the Arabic-script side's written vowels found, in order, in the Latin side."""
    arabic, latin = (a, b) if a.script == "arabic" else (b, a)
    if not arabic.vowels:
        return 1.0
    return LCSseq.similarity(arabic.vowels, latin.vowels) / len(arabic.vowels)


@lru_cache(maxsize=1_000_000)
def compare_words(a: str, b: str) -> float:
    """Compare two normalised name words in any script; 1.0 means the same name.

    Args:
        a: A word as returned by :func:`matching.normalise.normalise_name`.
        b: Another such word.

    Returns:
        Similarity in [0, 1].

    >>> compare_words("mohamed", "muhammad") == 1.0
    True
    >>> compare_words("hassan", "hussein") < 0.9 < compare_words("hassan", "حسن")
    True
    """
    if a == b:
        return 1.0 if a else 0.0
    return _key_similarity(name_key(a), name_key(b))


def _align(words_a: list[str], words_b: list[str]) -> float:
    scores = sorted(
        ((compare_words(x, y), i, j) for i, x in enumerate(words_a) for j, y in enumerate(words_b)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    total = 0.0
    for score, i, j in scores:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        total += score
    return 2.0 * total / (len(words_a) + len(words_b))


@lru_cache(maxsize=200_000)
def _compare_normalised(a: str, b: str) -> float:
    words_a, words_b = a.split(), b.split()
    if not words_a or not words_b:
        return 0.0
    if len(words_a) == 1 and len(words_b) == 1:
        return compare_words(words_a[0], words_b[0])
    aligned = _align(words_a, words_b)
    joined = compare_words("".join(words_a), "".join(words_b))
    return max(aligned, joined)


def compare_names(a: str, b: str) -> float:
    """Compare two names in any script; full names are compared order-tolerantly.

    Args:
        a: A name or name part in Arabic, Latin, Cyrillic or another script.
        b: Another name or name part.

    Returns:
        Similarity in [0, 1]; 1.0 for the same name however it is spelled, 0.0 when either
        side is empty.

    >>> compare_names("Mohamed Abdelsalam Elwarfalli", "محمد عبد السلام الورفلي") > 0.9
    True
    >>> compare_names("Warfalli Mohamed", "Mohamed al-Warfalli")
    1.0
    >>> compare_names("Ali", "Omar") < 0.5
    True
    """
    return _compare_normalised(normalise_name(a or ""), normalise_name(b or ""))
