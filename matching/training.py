"""Training: the shipped model from synthetic registrations, and retraining on reviewed pairs.

Rebuild the shipped model (deterministic by seed)::

    python -m matching.training --persons 40000 --seed 7
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from matching.blocking import candidate_pairs, key_groups, neighbourhood_order
from matching.evaluation import PairMetrics
from matching.features import compare_pairs
from matching.model import DEFAULT_MODEL_PATH, MatchModel, fit_model, term_frequencies
from matching.records import Record, prepare_records, records_frame
from matching.scoring import DEFAULT_SETTINGS, MatchSettings

__all__ = ["TrainReport", "build_shipped_model", "synthetic_training_set", "train_model"]

_REGULARISATION = 0.5


@dataclass(frozen=True)
class TrainReport:
    """Before/after figures of a retraining on a held-back share of labelled pairs.

    Attributes:
        model: The new model (with a new version string).
        before: Metrics of the base model on the held-back pairs.
        after: Metrics of the new model on the same pairs.
        train_pairs: Labelled pairs used for fitting.
        holdout_pairs: Labelled pairs held back for the figures.
    """

    model: MatchModel
    before: PairMetrics
    after: PairMetrics
    train_pairs: int
    holdout_pairs: int


def synthetic_training_set(
    n_persons: int, seed: int, model: MatchModel
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Generate synthetic registrations, block them and label candidate pairs by the truth.

    Args:
        n_persons: Persons to invent.
        seed: Generator seed.
        model: A model supplying the term frequencies for the design matrix.

    Returns:
        ``(design_matrix, labels, prepared_records)``.
    """
    from synthetic import SyntheticConfig, generate

    records, truth = generate(SyntheticConfig(n_persons=n_persons, seed=seed))
    prepared = prepare_records(records_frame(records))
    ia, ib, _ = candidate_pairs(
        key_groups(prepared), len(prepared), order=neighbourhood_order(prepared)
    )
    persons = prepared["record_id"].map(truth).to_numpy(dtype=object)
    labels = (persons[ia] == persons[ib]).astype(np.int8)
    comparisons = compare_pairs(prepared, ia, ib)
    matrix, _ = model.design(prepared, ia, ib, comparisons)
    return matrix, labels, prepared


def _bootstrap_model(prepared_tf: dict[str, dict[str, float]]) -> MatchModel:
    from matching.levels import feature_names

    names = feature_names()
    return MatchModel("bootstrap", tuple(names), tuple(0.0 for _ in names), 0.0, prepared_tf)


def build_shipped_model(n_persons: int = 40_000, seed: int = 7) -> MatchModel:
    """Train the shipped model on synthetic registrations (deterministic by seed).

    Args:
        n_persons: Persons to invent for training.
        seed: Generator seed.

    Returns:
        The model; save it to :data:`matching.model.DEFAULT_MODEL_PATH` to ship it.
    """
    from synthetic import SyntheticConfig, generate

    records, _ = generate(SyntheticConfig(n_persons=n_persons, seed=seed + 1000))
    tf = term_frequencies(prepare_records(records_frame(records)))
    bootstrap = _bootstrap_model(tf)
    matrix, labels, _ = synthetic_training_set(n_persons, seed, bootstrap)
    return fit_model(
        matrix, labels, version=f"ddr-lr-1+synthetic.s{seed}.n{n_persons}",
        term_frequencies=tf, regularisation=_REGULARISATION,
        metadata={"trained_on": "matching.synthetic", "persons": n_persons, "seed": seed,
                  "pairs": int(len(labels)), "positives": int(labels.sum())},
    )


def _metrics(predicted: np.ndarray, labels: np.ndarray) -> PairMetrics:
    correct = int((predicted & (labels == 1)).sum())
    guessed, actual = int(predicted.sum()), int((labels == 1).sum())
    precision = correct / guessed if guessed else 0.0
    recall = correct / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairMetrics(precision, recall, f1, guessed, actual, correct)


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
        holdout: Share of pairs held back to compare the base and the new model.
        seed: Seed of the train/holdout split.
        settings: Thresholds; a pair counts as predicted when its score reaches ``match``.

    Returns:
        The report with the new model.

    Raises:
        ValueError: Too few pairs, or only one kind of decision, to train on.
    """
    from matching.scoring import default_model

    base = base or default_model()
    if len(labelled_pairs) < 20:
        raise ValueError("need at least 20 reviewed pairs to retrain")
    frame = records_frame([r for a, b, _ in labelled_pairs for r in (a, b)])
    frame["record_id"] = [str(i) for i in range(len(frame))]
    prepared = prepare_records(frame)
    ia = np.arange(0, len(frame), 2, dtype=np.int64)
    ib = ia + 1
    labels = np.array([1 if same else 0 for _, _, same in labelled_pairs], dtype=np.int8)
    matrix, _ = base.design(prepared, ia, ib, compare_pairs(prepared, ia, ib))
    order = np.random.default_rng(seed).permutation(len(labels))
    cut = max(1, int(round(len(labels) * holdout)))
    held, kept = order[:cut], order[cut:]
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    model = fit_model(
        matrix[kept], labels[kept], version=f"{base.version.split('+')[0]}+reviewed.{stamp}",
        term_frequencies=base.term_frequencies, regularisation=_REGULARISATION,
        metadata={"trained_on": "reviewed decisions", "base": base.version,
                  "pairs": int(len(kept)), "seed": seed},
    )
    threshold = settings.match_threshold
    before = _metrics(base.probability(matrix[held]) >= threshold, labels[held])
    after = _metrics(model.probability(matrix[held]) >= threshold, labels[held])
    return TrainReport(model, before, after, int(len(kept)), int(len(held)))


def main(argv: list[str] | None = None) -> int:
    """Rebuild the shipped model from synthetic data."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", default=str(DEFAULT_MODEL_PATH))
    args = parser.parse_args(argv)
    model = build_shipped_model(args.persons, args.seed)
    model.save(args.output)
    print(f"wrote {args.output} ({model.version}, {model.metadata})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
