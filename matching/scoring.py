"""Scoring: thresholds, match decisions and explained scores for candidate pairs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from matching.explain import EXPLANATION_MESSAGES, FieldContribution
from matching.features import compare_pairs
from matching.levels import FIELD_LEVELS
from matching.model import MatchModel, load_model
from matching.records import Record, prepare_records, records_frame

__all__ = [
    "DEFAULT_SETTINGS",
    "Decision",
    "MatchSettings",
    "ScoredPair",
    "default_model",
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
    """

    match_threshold: float = 0.85
    possible_threshold: float = 0.35
    max_block_size: int = 30
    neighbourhood_window: int = 4

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


def score_pairs(
    prepared: pd.DataFrame, ia: np.ndarray, ib: np.ndarray, model: MatchModel
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Score pairs of prepared records.

    Args:
        prepared: Output of :func:`matching.records.prepare_records`.
        ia: Row positions of first records.
        ib: Row positions of second records.
        model: The match model.

    Returns:
        ``(scores, design_matrix, levels)``.
    """
    comparisons = compare_pairs(prepared, ia, ib)
    matrix, levels = model.design(prepared, ia, comparisons)
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
    pairs = []
    for index, candidate in enumerate(candidates):
        score = float(scores[index])
        pairs.append(ScoredPair(
            record_id_a=str(record.get("record_id") or ""),
            record_id_b=str(candidate.get("record_id") or ""),
            score=round(score, 6),
            decision=settings.decide(score),
            model_version=model.version,
            explanation=_explain(record, candidate, model, matrix[index], levels.iloc[index]),
        ))
    pairs.sort(key=lambda p: -p.score)
    return pairs
