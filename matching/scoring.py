"""Scoring: thresholds, match decisions and explained scores for candidate pairs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, cast

import numpy as np
import pandas as pd

from matching.explain import EXPLANATION_MESSAGES, FieldContribution
from matching.features import NameTable, compare_pairs
from matching.levels import FIELD_LEVELS
from matching.model import MatchModel, load_model
from matching.records import Record, prepare_records, records_frame

__all__ = [
    "DEFAULT_SETTINGS",
    "Decision",
    "MatchSettings",
    "ScoredPair",
    "decide",
    "default_model",
    "identifier_flags",
    "looks_like_relatives",
    "score_candidates",
    "score_pairs",
]

Decision = Literal["match", "possible", "non_match"]


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds and limits of the matcher.

    Attributes:
        match_threshold: Score at or above which a pair is a ``match``.
        possible_threshold: Score at or above which a pair is ``possible`` (human review).
        max_block_size: Largest block expanded into all its pairs (batch mode); larger blocks
            (common names) pair each record with its ``neighbourhood_window`` nearest.
        neighbourhood_window: Neighbours per record inside an oversized block.
        review_relatives: Send pairs that look like relatives (two different common given
            names, or different given names with births years apart and the rest of the
            nasab shared) to human review (``possible``) however high their score: a false
            merge of two brothers is worse than a missed pair.
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

    match_threshold: float = 0.65
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


def relatives_from_components(levels: pd.DataFrame, distinct: np.ndarray) -> np.ndarray:
    """Same flags as :func:`looks_like_relatives`, from :meth:`MatchModel.components`."""
    sibling = FIELD_LEVELS["given_name"].index("different_sibling")
    return np.asarray((levels["given_name"].to_numpy() == sibling) | distinct[:, 0], dtype=bool)


IDENTIFIER_SHARED = 1
"""Flag of :func:`identifier_flags`: a whole identifier agrees, no name corroborates it."""
IDENTIFIER_CORROBORATED = 2
"""Flag of :func:`identifier_flags`: a whole identifier and a name agree."""
_AGREE = [FIELD_LEVELS["given_name"].index(level) for level in ("exact", "high", "similar")]
_RELATIVE_GIVEN = [FIELD_LEVELS["given_name"].index(level) for level in
                   ("different_relative", "different_twin", "different_sibling")]


def identifier_flags(levels: pd.DataFrame, relatives: np.ndarray) -> np.ndarray:
    """Return per pair 0, :data:`IDENTIFIER_SHARED` or :data:`IDENTIFIER_CORROBORATED`.

    Args:
        levels: Levels of the pairs (:func:`matching.levels.comparison_levels`).
        relatives: Output of :func:`looks_like_relatives` for the same pairs.

    Returns:
        An int8 array; see :attr:`MatchSettings.trust_identifiers`.
    """
    shared = levels["shared_identifier"].to_numpy() == 1
    given = levels["given_name"].to_numpy()
    family_agrees = np.isin(levels["family_name"].to_numpy(), _AGREE)
    crossed = np.isin(levels["crossed_name"].to_numpy(), _AGREE)
    named = np.isin(given, _AGREE) | (
        (family_agrees | crossed) & ~np.isin(given, _RELATIVE_GIVEN))
    sex_differs = levels["sex"].to_numpy() == FIELD_LEVELS["sex"].index("different")
    corroborated = shared & named & ~sex_differs & ~np.asarray(relatives, dtype=bool)
    return np.where(corroborated, IDENTIFIER_CORROBORATED,
                    np.where(shared, IDENTIFIER_SHARED, 0)).astype(np.int8)


def score_pairs_fast(
    prepared: pd.DataFrame, ia: np.ndarray, ib: np.ndarray, model: MatchModel,
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
        Match probabilities, the relatives flags of :func:`looks_like_relatives` and the
        flags of :func:`identifier_flags`.
    """
    names, terms = context
    comparisons = compare_pairs(prepared, ia, ib, names)
    levels, rarity, distinct = model.components(prepared, ia, ib, comparisons, terms)
    scores = model.fast_probability(levels, rarity, distinct)
    relatives = relatives_from_components(levels, distinct)
    return scores, relatives, identifier_flags(levels, relatives)


def looks_like_relatives(model: MatchModel, matrix: np.ndarray) -> np.ndarray:
    """Flag pairs whose comparison pattern is that of relatives rather than one person.

    Args:
        model: The model that built ``matrix``.
        matrix: Design matrix from :meth:`MatchModel.design`.

    Returns:
        Boolean array, True for two different common given names or for different given
        names with births two or more years apart and the rest of the nasab shared.
    """
    columns = [model.features.index(name) for name in
               ("given_name:distinct", "given_name=different_sibling")]
    return np.asarray((matrix[:, columns] > 0).any(axis=1), dtype=bool)


def decide(
    scores: np.ndarray, relatives: np.ndarray, settings: MatchSettings,
    identifiers: np.ndarray | None = None,
) -> np.ndarray:
    """Return the decision of each scored pair (``match``, ``possible`` or ``non_match``).

    Args:
        scores: Match probabilities.
        relatives: Output of :func:`looks_like_relatives`.
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


def score_pairs(
    prepared: pd.DataFrame, ia: np.ndarray, ib: np.ndarray, model: MatchModel,
    context: tuple[NameTable, dict[str, np.ndarray]] | None = None,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
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


def _display(record: Record, column: str) -> str:
    if column == "full_name":
        parts = (record.get(c) or "" for c in
                 ("given_name", "father_name", "grandfather_name", "family_name"))
        return " ".join(p.strip() for p in parts if p and p.strip())
    return (record.get(column) or "").strip()


def _explain(
    record_a: Record, record_b: Record, model: MatchModel, row: np.ndarray, levels: pd.Series
) -> list[FieldContribution]:
    weights = dict(zip(model.features, model.weights, strict=True))
    values = dict(zip(model.features, row.tolist(), strict=True))
    out: list[FieldContribution] = []
    for column, names in FIELD_LEVELS.items():
        level = names[int(levels[column])]
        params = {"a": _display(record_a, column), "b": _display(record_b, column)}
        if column == "date_of_birth":
            years = [p[:4] for p in (params["a"], params["b"])]
            if all(y.isdigit() for y in years):
                params["gap"] = str(abs(int(years[0]) - int(years[1])))
        template = EXPLANATION_MESSAGES[f"{column}.{level}"]
        weight = weights[f"{column}={level}"]
        out.append(FieldContribution(column, level, round(weight, 3),
                                     template.format_map(_Blank(params)), template, params))
        if values.get(f"{column}:distinct", 0.0) > 0:
            template = EXPLANATION_MESSAGES[f"{column}.distinct"]
            weight = weights[f"{column}:distinct"]
            out.append(FieldContribution(column, "distinct", round(weight, 3),
                                         template.format_map(_Blank(params)), template, params))
        rarity = values.get(f"{column}:rarity", 0.0)
        if rarity > 0:
            template = EXPLANATION_MESSAGES[f"{column}.rare"]
            weight = weights[f"{column}:rarity"] * rarity
            out.append(FieldContribution(column, "rare", round(weight, 3),
                                         template.format_map(_Blank(params)), template, params))
    out.sort(key=lambda c: -abs(c.weight))
    return out


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def score_candidates(
    record: Record,
    candidates: Sequence[Record],
    *,
    settings: MatchSettings = DEFAULT_SETTINGS,
    model: MatchModel | None = None,
) -> list[ScoredPair]:
    """Score a new or draft record against candidate registrations (online mode).

    Args:
        record: The new record, keyed by the record CSV columns (``record_id`` may be empty).
        candidates: Registrations sharing a blocking key with it.
        settings: Thresholds.
        model: Match model; the shipped model when None.

    Returns:
        One scored pair per candidate, highest score first, each with its decision, model
        version and per-field explanation.
    """
    if not candidates:
        return []
    model = model or default_model()
    records = [record, *candidates]
    prepared = prepare_records(records_frame(records))
    ib = np.arange(1, len(records), dtype=np.int64)
    ia = np.zeros(len(ib), dtype=np.int64)
    scores, matrix, levels = score_pairs(prepared, ia, ib, model)
    relatives = looks_like_relatives(model, matrix)
    decisions = decide(scores, relatives, settings, identifier_flags(levels, relatives))
    pairs = []
    for index, candidate in enumerate(candidates):
        score = float(scores[index])
        pairs.append(ScoredPair(
            record_id_a=str(record.get("record_id") or ""),
            record_id_b=str(candidate.get("record_id") or ""),
            score=round(score, 6),
            decision=cast(Decision, str(decisions[index])),
            model_version=model.version,
            explanation=_explain(record, candidate, model, matrix[index], levels.iloc[index]),
        ))
    pairs.sort(key=lambda p: -p.score)
    return pairs
