"""The shipped match model, trained on synthetic registrations (deterministic by seed).

Rebuild it after a change to the generator or to :mod:`matching`, and commit the file::

    python -m synthetic.training --persons 40000 --seed 7
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from matching.blocking import candidate_pairs, key_groups, neighbourhood_order
from matching.features import compare_pairs
from matching.levels import feature_names
from matching.model import DEFAULT_MODEL_PATH, MatchModel, fit_model, term_frequencies
from matching.records import prepare_records, records_frame
from matching.training import REGULARISATION
from synthetic.generate import SyntheticConfig, generate

__all__ = ["build_shipped_model", "synthetic_training_set"]


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
    records, _ = generate(SyntheticConfig(n_persons=n_persons, seed=seed + 1000))
    tf = term_frequencies(prepare_records(records_frame(records)))
    bootstrap = _bootstrap_model(tf)
    matrix, labels, _ = synthetic_training_set(n_persons, seed, bootstrap)
    return fit_model(
        matrix, labels, version=f"ddr-lr-1+synthetic.s{seed}.n{n_persons}",
        term_frequencies=tf, regularisation=REGULARISATION,
        metadata={"trained_on": "synthetic.generate", "persons": n_persons, "seed": seed,
                  "pairs": int(len(labels)), "positives": int(labels.sum())},
    )


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
