"""Scoring: thresholds, match decisions and explained scores for candidate pairs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np

from matching import online
from matching.explain import EXPLANATION_MESSAGES, FieldContribution
from matching.features import NameTable, compare_pairs
from matching.levels import DISTINCT_FEATURES, FIELD_LEVELS, RARITY_FEATURES, Levels
from matching.model import MatchModel, load_model
from matching.records import Prepared, Record

__all__ = [
    "DEFAULT_SETTINGS",
    "Decision",
    "MatchSettings",
    "ScoredPair",
    "PairComponents",
    "candidate_scores",
    "decide",
    "decide_pair",
    "default_model",
    "explain_pair",
    "identifier_flag",
    "identifier_flags",
    "pair_components",
    "pair_extras",
    "pair_levels",
    "record_display",
    "score_candidates",
    "score_pairs",
]

Decision = Literal["match", "possible", "non_match"]


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds and limits of the matcher.

    Attributes:
        match_threshold: Score at or above which a pair is a ``match`` (the likely band).
            Chosen on a held-out synthetic register of 100,000 records (``bench/dedupe.py``,
            a generator seed the shipped model was not trained on): the lowest score, in
            steps of 0.05, at which the band's precision stays at 0.98 or more. A larger
            register holds more namesakes, so precision is lowest at the largest size.
        possible_threshold: Score at or above which a pair is ``possible`` (human review).
        max_block_size: Largest block expanded into all its pairs (batch mode); larger blocks
            (common names) pair each record with its ``neighbourhood_window`` nearest.
        neighbourhood_window: Neighbours per record inside an oversized block.
        review_relatives: Send pairs that look like relatives (two different common given
            names; or different given names with the rest of the nasab shared and births
            apart, two years or more or a year with both full dates not one year's typo; or
            unlike given names, not spellings of one name, with the rest of the nasab shared
            and births not known to be the same day) to human review (``possible``) however
            high their score: a false merge of two brothers is worse than a missed pair.
        trust_identifiers: A pair sharing a whole national number, or a whole passport
            number of the same nationality (six characters or more, not a placeholder such
            as ``000000``), is a ``match`` when its given name agrees as well (or, the given
            name missing or unlike, the family name agrees, or one record's given name is
            the other's family name), the sexes do not differ and the pair does not look
            like relatives, however much else disagrees: such a number is near-unique, and
            dates of birth and other names are mistyped far more often. A shared number with
            neither name agreeing is sent to review (``possible``) at least, never merged
            silently: it may be one person under two names, or a number copied onto the
            wrong person.
    """

    match_threshold: float = 0.7
    possible_threshold: float = 0.2
    max_block_size: int = 30
    review_relatives: bool = True
    neighbourhood_window: int = 4
    trust_identifiers: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.possible_threshold <= self.match_threshold <= 1.0:
            raise ValueError("need 0 <= possible_threshold <= match_threshold <= 1")

    def decide(self, score: float) -> Decision:
        """Return the decision for a score."""
        if score >= self.match_threshold:
            return "match"
        if score >= self.possible_threshold:
            return "possible"
        return "non_match"


DEFAULT_SETTINGS = MatchSettings()


@dataclass(frozen=True)
class ScoredPair:
    """A scored pair of records with its decision and explanation.

    Attributes:
        record_id_a: The first record (the new or draft record in online mode).
        record_id_b: The candidate.
        score: Match probability in [0, 1].
        decision: ``match``, ``possible`` or ``non_match``.
        model_version: Version of the model that scored the pair.
        explanation: Field contributions, strongest first.
    """

    record_id_a: str
    record_id_b: str
    score: float
    decision: Decision
    model_version: str
    explanation: list[FieldContribution] = field(default_factory=list)


@lru_cache(maxsize=1)
def default_model() -> MatchModel:
    """Return the shipped model (loaded once)."""
    return load_model()


def relatives_from_components(levels: Levels, distinct: np.ndarray) -> np.ndarray:
    """Flag pairs whose comparison pattern is that of relatives rather than one person.

    Args:
        levels: Levels from :meth:`MatchModel.components`.
        distinct: Its distinct-name flags.

    Returns:
        Boolean array, True for two different common given names; for different given names
        with births apart (two years or more, or one year with both full dates that are not
        the same day and month) and the rest of the nasab shared; and for unlike given names
        (:data:`matching.levels.UNLIKE_GIVEN`) with the rest of the nasab shared and births
        not known to be the same day.
    """
    sibling = FIELD_LEVELS["given_name"].index("different_sibling")
    return np.asarray((levels["given_name"] == sibling) | distinct[:, 0]
                      | (levels["unlike_relatives"] == 1), dtype=bool)


IDENTIFIER_SHARED = 1
"""Flag of :func:`identifier_flags`: a whole identifier agrees, no name corroborates it."""
IDENTIFIER_CORROBORATED = 2
"""Flag of :func:`identifier_flags`: a whole identifier and a name agree."""
_AGREE = [FIELD_LEVELS["given_name"].index(level) for level in ("exact", "high", "similar")]
_RELATIVE_GIVEN = [FIELD_LEVELS["given_name"].index(level) for level in
                   ("different_relative", "different_twin", "different_sibling")]
_SEX_DIFFERS = FIELD_LEVELS["sex"].index("different")
_SIBLING = FIELD_LEVELS["given_name"].index("different_sibling")


def identifier_flags(levels: Levels, relatives: np.ndarray) -> np.ndarray:
    """Return per pair 0, :data:`IDENTIFIER_SHARED` or :data:`IDENTIFIER_CORROBORATED`.

    Args:
        levels: Levels of the pairs (:func:`matching.levels.comparison_levels`).
        relatives: Output of :func:`relatives_from_components` for the same pairs.

    Returns:
        An int8 array; see :attr:`MatchSettings.trust_identifiers`.
    """
    shared = levels["shared_identifier"] == 1
    given = levels["given_name"]
    family_agrees = np.isin(levels["family_name"], _AGREE)
    crossed = np.isin(levels["crossed_name"], _AGREE)
    named = np.isin(given, _AGREE) | (
        (family_agrees | crossed) & ~np.isin(given, _RELATIVE_GIVEN))
    sex_differs = levels["sex"] == FIELD_LEVELS["sex"].index("different")
    corroborated = shared & named & ~sex_differs & ~np.asarray(relatives, dtype=bool)
    return np.where(corroborated, IDENTIFIER_CORROBORATED,
                    np.where(shared, IDENTIFIER_SHARED, 0)).astype(np.int8)


@dataclass(frozen=True)
class PairComponents:
    """What decides a batch of scored pairs (batch mode; :mod:`matching.online` per pair).

    Attributes:
        levels: Level index of each field (:func:`matching.levels.comparison_levels`).
        rarity: ``(n, 3)`` rarity of the agreeing given, family and fathers' names.
        distinct: ``(n, 2)`` flags: two different common given (father's) names.
        scores: Match probabilities (:meth:`MatchModel.fast_probability`).
        relatives: Flags of :func:`relatives_from_components`.
        identifiers: Flags of :func:`identifier_flags`.
    """

    levels: Levels
    rarity: np.ndarray
    distinct: np.ndarray
    scores: np.ndarray
    relatives: np.ndarray
    identifiers: np.ndarray


def pair_components(
    prepared: Prepared, ia: np.ndarray, ib: np.ndarray, model: MatchModel,
    context: tuple[NameTable, dict[str, np.ndarray]] | None = None,
) -> PairComponents:
    """Compare and score pairs of prepared records: the rule path of batch mode.

    Args:
        prepared: Output of :func:`matching.records.prepare_records`.
        ia: Row positions of first records.
        ib: Row positions of second records.
        model: The match model.
        context: ``(NameTable(prepared), model.record_terms(prepared))``, to reuse across
            chunks of pairs of the same records (built here when None).

    Returns:
        Levels, rarity and distinct-name flags, scores, relatives and identifier flags.
    """
    names, terms = context or (NameTable(prepared), model.record_terms(prepared))
    comparisons = compare_pairs(prepared, ia, ib, names)
    levels, rarity, distinct = model.components(prepared, ia, ib, comparisons, terms)
    scores = model.fast_probability(levels, rarity, distinct)
    relatives = relatives_from_components(levels, distinct)
    return PairComponents(levels, rarity, distinct, scores, relatives,
                          identifier_flags(levels, relatives))


def score_pairs_fast(
    prepared: Prepared, ia: np.ndarray, ib: np.ndarray, model: MatchModel,
    context: tuple[NameTable, dict[str, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(scores, relatives, identifiers)`` of pairs without explanations (batch mode).

    Args:
        prepared: Output of :func:`matching.records.prepare_records`.
        ia: Row positions of first records.
        ib: Row positions of second records.
        model: The match model.
        context: ``(NameTable(prepared), model.record_terms(prepared))``.

    Returns:
        Match probabilities, the relatives flags of :func:`relatives_from_components` and the
        flags of :func:`identifier_flags`.
    """
    found = pair_components(prepared, ia, ib, model, context)
    return found.scores, found.relatives, found.identifiers


def identifier_flag(levels: Mapping[str, int], relatives: bool) -> int:
    """:func:`identifier_flags` of one pair (the online path's form).

    Args:
        levels: The pair's level index of each field, with ``crossed_name`` and
            ``shared_identifier`` (:class:`matching.online.PairTerms`).
        relatives: Whether the pair looks like relatives.
    """
    if levels["shared_identifier"] != 1:
        return 0
    given = levels["given_name"]
    named = given in _AGREE or (
        (levels["family_name"] in _AGREE or levels["crossed_name"] in _AGREE)
        and given not in _RELATIVE_GIVEN)
    sex_differs = levels["sex"] == _SEX_DIFFERS
    return IDENTIFIER_CORROBORATED if named and not sex_differs and not relatives else (
        IDENTIFIER_SHARED)


def decide(
    scores: np.ndarray, relatives: np.ndarray, settings: MatchSettings,
    identifiers: np.ndarray | None = None,
) -> np.ndarray:
    """Return the decision of each scored pair (``match``, ``possible`` or ``non_match``).

    Args:
        scores: Match probabilities.
        relatives: Output of :func:`relatives_from_components`.
        settings: Thresholds, the relatives and the identifier policies.
        identifiers: Output of :func:`identifier_flags` (no identifier policy when None).

    Returns:
        Array of decision strings.
    """
    match = scores >= settings.match_threshold
    if settings.review_relatives:
        match &= ~relatives
    possible = scores >= settings.possible_threshold
    if settings.trust_identifiers and identifiers is not None:
        match |= identifiers == IDENTIFIER_CORROBORATED
        possible |= identifiers > 0
    return np.where(match, "match", np.where(possible, "possible", "non_match"))


def decide_pair(score: float, relatives: bool, settings: MatchSettings, identifier: int
                ) -> Decision:
    """:func:`decide` of one pair (the online path's form).

    Args:
        score: The match probability.
        relatives: Whether the pair looks like relatives (:func:`relatives_from_components`).
        settings: Thresholds, the relatives and the identifier policies.
        identifier: The pair's :func:`identifier_flag`.
    """
    match = score >= settings.match_threshold and not (settings.review_relatives and relatives)
    possible = score >= settings.possible_threshold
    if settings.trust_identifiers:
        match = match or identifier == IDENTIFIER_CORROBORATED
        possible = possible or identifier > 0
    return "match" if match else "possible" if possible else "non_match"


def score_pairs(
    prepared: Prepared, ia: np.ndarray, ib: np.ndarray, model: MatchModel,
    context: tuple[NameTable, dict[str, np.ndarray]] | None = None,
) -> tuple[np.ndarray, np.ndarray, Levels]:
    """Score pairs of prepared records.

    Args:
        prepared: Output of :func:`matching.records.prepare_records`.
        ia: Row positions of first records.
        ib: Row positions of second records.
        model: The match model.
        context: ``(NameTable(prepared), model.record_terms(prepared))``, to reuse across
            chunks of pairs of the same records (built here when None).

    Returns:
        ``(scores, design_matrix, levels)``.
    """
    names, terms = context or (NameTable(prepared), model.record_terms(prepared))
    comparisons = compare_pairs(prepared, ia, ib, names)
    matrix, levels = model.design(prepared, ia, ib, comparisons, terms)
    return model.probability(matrix), matrix, levels


_NASAB = ("given_name", "father_name", "grandfather_name", "family_name")


def record_display(record: Record) -> dict[str, str]:
    """Return the value an explanation shows for each field of a record (as typed)."""
    shown = {column: (record.get(column) or "").strip() for column in FIELD_LEVELS}
    parts = (record.get(c) or "" for c in _NASAB)
    shown["full_name"] = " ".join(p.strip() for p in parts if p and p.strip())
    return shown


def explain_pair(
    shown_a: Mapping[str, str], shown_b: Mapping[str, str], model: MatchModel,
    levels: Mapping[str, int], extras: Mapping[str, float],
) -> list[FieldContribution]:
    """Return a pair's field contributions to its score, strongest first.

    Args:
        shown_a: :func:`record_display` of the first record.
        shown_b: :func:`record_display` of the second record.
        model: The model that scored the pair.
        levels: The pair's level index of each field.
        extras: The pair's rarity and distinct-name terms, keyed by feature name
            (``given_name:rarity`` ...) with the values the design matrix holds.

    Returns:
        One contribution per field, plus one per distinct-name or rare-name term that is set.
    """
    table = model.derived("explanations", lambda: _explanation_table(model))
    out: list[FieldContribution] = []
    for column, choices, distinct, rare in table:
        level, weight, template = choices[int(levels[column])]
        params = {"a": shown_a[column], "b": shown_b[column]}
        if column == "date_of_birth":
            years = [p[:4] for p in (params["a"], params["b"])]
            if all(y.isdigit() for y in years):
                params["gap"] = str(abs(int(years[0]) - int(years[1])))
        filled = _Blank(params)
        out.append(FieldContribution(column, level, weight, template.format_map(filled), template,
                                     params))
        if distinct is not None and extras.get(distinct[0], 0.0) > 0:
            out.append(FieldContribution(column, "distinct", distinct[1],
                                         distinct[2].format_map(filled), distinct[2], params))
        rarity = extras.get(rare[0], 0.0) if rare is not None else 0.0
        if rare is not None and rarity > 0:
            out.append(FieldContribution(column, "rare", round(rare[1] * rarity, 3),
                                         rare[2].format_map(filled), rare[2], params))
    out.sort(key=lambda c: -abs(c.weight))
    return out


_Choice = tuple[str, float, str]
_Term = tuple[str, float, str]


def _explanation_table(model: MatchModel) -> list[
        tuple[str, list[_Choice], _Term | None, _Term | None]]:
    """Per field: (level, rounded weight, template) of each level; the distinct-name
    (feature, rounded weight, template) and the rare-name (feature, weight, template) terms
    where it has them."""
    weights = model.weight_map()
    table = []
    for column, names in FIELD_LEVELS.items():
        choices = [(level, round(weights[f"{column}={level}"], 3),
                    EXPLANATION_MESSAGES[f"{column}.{level}"]) for level in names]
        distinct = rare = None
        if f"{column}:distinct" in weights:
            distinct = (f"{column}:distinct", round(weights[f"{column}:distinct"], 3),
                        EXPLANATION_MESSAGES[f"{column}.distinct"])
        if f"{column}:rarity" in weights:
            rare = (f"{column}:rarity", weights[f"{column}:rarity"],
                    EXPLANATION_MESSAGES[f"{column}.rare"])
        table.append((column, choices, distinct, rare))
    return table


def pair_extras(found: PairComponents) -> list[dict[str, float]]:
    """Return each pair's rarity and distinct-name terms as the design matrix holds them."""
    values = np.hstack([found.rarity, found.distinct]).astype(np.float32).tolist()
    names = (*RARITY_FEATURES, *DISTINCT_FEATURES)
    return [dict(zip(names, row, strict=True)) for row in values]


def pair_levels(found: PairComponents) -> list[dict[str, int]]:
    """Return each pair's level index of each field."""
    fields = list(FIELD_LEVELS)
    rows = np.column_stack([found.levels[f] for f in fields]).tolist()
    return [dict(zip(fields, row, strict=True)) for row in rows]


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def candidate_scores(found: Sequence[online.PairTerms], model: MatchModel) -> list[float]:
    """Return the match probability of each pair compared by :func:`matching.online.compare`.

    :meth:`MatchModel.fast_probability` of the pairs' arrays, as the vectorised path builds
    them for the same pairs: the same arithmetic, so the same scores to the last bit.
    """
    levels = np.array([[p.levels[f] for f in FIELD_LEVELS] for p in found], dtype=np.int8)
    rarity = np.array([(p.given_rarity, p.family_rarity, p.father_rarity) for p in found],
                      dtype=np.float32)
    distinct = np.array([(p.given_distinct, p.father_distinct) for p in found], dtype=bool)
    columns = {f: levels[:, i] for i, f in enumerate(FIELD_LEVELS)}
    scores: list[float] = model.fast_probability(columns, rarity, distinct).tolist()
    return scores


def score_candidates(
    record: Record,
    candidates: Sequence[Record],
    *,
    settings: MatchSettings = DEFAULT_SETTINGS,
    model: MatchModel | None = None,
    explain_non_matches: bool = True,
) -> list[ScoredPair]:
    """Score a new or draft record against candidate registrations (online mode).

    The rules batch mode applies (:func:`pair_components`), one pair at a time in plain
    Python (:func:`matching.online.compare`): the record and its candidates are prepared one
    by one (cached per record) and each name similarity is computed once
    (:func:`matching.similarity.field_similarity`, cached per pair of values), without
    numpy's or pandas' set-up per call. Only the scores are computed as arrays, with the
    model's own arithmetic. A lookup of one candidate costs about 0.3 ms.

    Args:
        record: The new record, keyed by the record CSV columns (``record_id`` may be empty).
        candidates: Registrations sharing a blocking key with it.
        settings: Thresholds.
        model: Match model; the shipped model when None.
        explain_non_matches: Explain ``non_match`` pairs too (when False their explanation is
            empty: a caller that drops them saves the work).

    Returns:
        One scored pair per candidate, highest score first, each with its decision, model
        version and per-field explanation.
    """
    if not candidates:
        return []
    model = model or default_model()
    first = online.prepare(record, model)
    found = [online.compare(first, online.prepare(c, model)) for c in candidates]
    scores = candidate_scores(found, model)
    shown = record_display(record)
    record_id = str(record.get("record_id") or "")
    pairs = []
    for candidate, pair, score in zip(candidates, found, scores, strict=True):
        relatives = (pair.levels["given_name"] == _SIBLING or pair.given_distinct
                     or pair.levels["unlike_relatives"] == 1)
        decision = decide_pair(score, relatives, settings,
                               identifier_flag(pair.levels, relatives))
        explanation = []
        if explain_non_matches or decision != "non_match":
            extras = {"given_name:rarity": pair.given_rarity,
                      "family_name:rarity": pair.family_rarity,
                      "father_name:rarity": pair.father_rarity,
                      "given_name:distinct": float(pair.given_distinct),
                      "father_name:distinct": float(pair.father_distinct)}
            explanation = explain_pair(shown, record_display(candidate), model, pair.levels,
                                       extras)
        pairs.append(ScoredPair(
            record_id_a=record_id,
            record_id_b=str(candidate.get("record_id") or ""),
            score=round(score, 6),
            decision=decision,
            model_version=model.version,
            explanation=explanation,
        ))
    pairs.sort(key=lambda p: -p.score)
    return pairs
