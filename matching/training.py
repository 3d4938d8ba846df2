"""Retraining the match model on reviewed pairs.

The shipped model is trained on synthetic registrations by :mod:`synthetic.training`, with the
same :func:`matching.model.fit_model` and :data:`REGULARISATION`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from matching.evaluation import PairMetrics
from matching.features import compare_pairs
from matching.model import MatchModel, fit_model
from matching.records import RECORD_COLUMNS, Record, prepare_records, records_frame
from matching.scoring import DEFAULT_SETTINGS, MatchSettings

__all__ = ["REGULARISATION", "TrainReport", "train_model"]

REGULARISATION = 0.5
"""Inverse L2 strength of the logistic regression (scikit-learn's ``C``) for every model."""


@dataclass(frozen=True)
class TrainReport:
    """Before/after figures of a retraining on a held-back share of labelled pairs.

    Attributes:
        model: The new model (with a new version string).
        before: Metrics of the base model on the held-back pairs.
        after: Metrics of the new model on the same pairs.
        train_pairs: Labelled pairs used for fitting.
        holdout_pairs: Labelled pairs held back for the figures.
        train_index: Positions (in the labelled pairs given) of the pairs used for fitting.
        holdout_index: Positions of the held-back pairs; no pair here is also in
            ``train_index``, in either order or as a repeated copy.
    """

    model: MatchModel
    before: PairMetrics
    after: PairMetrics
    train_pairs: int
    holdout_pairs: int
    train_index: tuple[int, ...]
    holdout_index: tuple[int, ...]


def _metrics(predicted: np.ndarray, labels: np.ndarray) -> PairMetrics:
    correct = int((predicted & (labels == 1)).sum())
    guessed, actual = int(predicted.sum()), int((labels == 1).sum())
    precision = correct / guessed if guessed else 0.0
    recall = correct / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairMetrics(precision, recall, f1, guessed, actual, correct)


def _pair_numbers(labelled_pairs: Sequence[tuple[Record, Record, bool]]) -> np.ndarray:
    """Number each distinct pair; a repeated or swapped copy of a pair gets the same number."""
    numbers: dict[tuple[tuple[str, ...], ...], int] = {}
    out = np.empty(len(labelled_pairs), dtype=np.int64)
    for position, (a, b, _) in enumerate(labelled_pairs):
        values = sorted(tuple(r.get(c) or "" for c in RECORD_COLUMNS) for r in (a, b))
        out[position] = numbers.setdefault(tuple(values), len(numbers))
    return out


def train_model(
    labelled_pairs: Sequence[tuple[Record, Record, bool]],
    *,
    base: MatchModel | None = None,
    holdout: float = 0.2,
    seed: int = 0,
    settings: MatchSettings = DEFAULT_SETTINGS,
) -> TrainReport:
    """Retrain the match model on reviewed pairs and report before/after figures.

    Args:
        labelled_pairs: ``(record_a, record_b, same_person)`` from reviewers' decisions.
        base: The model in use (the shipped model when None); its term frequencies are kept.
        holdout: Share of distinct pairs held back to compare the base and the new model;
            they are never fitted on (copies of a pair all fall on the same side).
        seed: Seed of the train/holdout split.
        settings: Thresholds; a pair counts as predicted when its score reaches ``match``.

    Returns:
        The report with the new model.

    Raises:
        ValueError: Too few distinct pairs, or only one kind of decision, to train on.
    """
    from matching.scoring import default_model

    base = base or default_model()
    numbers = _pair_numbers(labelled_pairs)
    distinct = int(numbers.max()) + 1 if len(numbers) else 0
    if distinct < 20:
        raise ValueError("need at least 20 reviewed pairs to retrain (copies of a pair count once)")
    frame = records_frame([r for a, b, _ in labelled_pairs for r in (a, b)])
    frame["record_id"] = [str(i) for i in range(len(frame))]
    prepared = prepare_records(frame)
    ia = np.arange(0, len(frame), 2, dtype=np.int64)
    ib = ia + 1
    labels = np.array([1 if same else 0 for _, _, same in labelled_pairs], dtype=np.int8)
    matrix, _ = base.design(prepared, ia, ib, compare_pairs(prepared, ia, ib))
    order = np.random.default_rng(seed).permutation(distinct)
    cut = max(1, int(round(distinct * holdout)))
    in_holdout = np.isin(numbers, order[:cut])
    held, kept = np.flatnonzero(in_holdout), np.flatnonzero(~in_holdout)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    model = fit_model(
        matrix[kept], labels[kept], version=f"{base.version.split('+')[0]}+reviewed.{stamp}",
        term_frequencies=base.term_frequencies, regularisation=REGULARISATION,
        metadata={"trained_on": "reviewed decisions", "base": base.version,
                  "pairs": int(len(kept)), "seed": seed},
    )
    threshold = settings.match_threshold
    before = _metrics(base.probability(matrix[held]) >= threshold, labels[held])
    after = _metrics(model.probability(matrix[held]) >= threshold, labels[held])
    return TrainReport(model, before, after, int(len(kept)), int(len(held)),
                       tuple(kept.tolist()), tuple(held.tolist()))
