"""The shipped match model, trained on synthetic registrations (deterministic by seed).

Rebuild it after a change to the generator or to :mod:`matching`, and commit the file::

    python -m synthetic.training            # 40,000 persons, seed 7

The model file records where it came from (``metadata``): the persons and seeds, a SHA-256 of
the training set (design matrix and labels), a SHA-256 of the source of :mod:`matching` and
:mod:`synthetic` that built it, the library versions it was built with, and its figures on a
held-out synthetic set drawn with another seed. Everything but the library versions is
reproducible, and ``tests/synthetic/test_shipped_model.py`` rebuilds the model to check it.
The version ends with the first 8 hex digits of :meth:`MatchModel.fingerprint`, so it changes
whenever the weights do.

The code is identified by a hash of its source rather than by a git commit: the commit that adds
the model file cannot name itself, a commit says nothing about uncommitted changes, and a source
hash is the same on every checkout of the same code. Any change to a ``.py`` file of either
package therefore calls for a rebuild (seconds), even when the weights come out the same.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import matching
import synthetic
from matching.batch import dedupe
from matching.blocking import candidate_pairs, key_groups, neighbourhood_order
from matching.evaluation import pair_metrics
from matching.features import compare_pairs
from matching.levels import feature_names
from matching.model import DEFAULT_MODEL_PATH, MatchModel, fit_model, term_frequencies
from matching.records import prepare_records, records_frame
from matching.scoring import DEFAULT_SETTINGS
from matching.training import REGULARISATION
from synthetic.generate import SyntheticConfig, generate

__all__ = [
    "EVALUATION_PERSONS", "SHIPPED_PERSONS", "SHIPPED_SEED", "build_shipped_model",
    "evaluate_model", "source_sha256", "synthetic_training_set",
]

SHIPPED_PERSONS = 40_000
SHIPPED_SEED = 7
EVALUATION_PERSONS = 5_000
_FAMILY = "ddr-lr-1"
# Other draws of the generator: term frequencies and the held-out evaluation set never share
# registrations with the training set.
_TERM_FREQUENCY_OFFSET = 1000
_EVALUATION_OFFSET = 2000
_LIBRARIES = ("numpy", "pandas", "scikit-learn", "rapidfuzz", "jellyfish")


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


def evaluate_model(model: MatchModel, n_persons: int, seed: int) -> dict[str, Any]:
    """Return pairwise precision, recall and F1 of ``match`` decisions on a synthetic set.

    The whole batch pipeline runs (blocking, scoring, identifier and relatives rules) with the
    default thresholds, so the figures are those a user of ``ddr dedupe`` would see.

    Args:
        model: The model to evaluate.
        n_persons: Persons to invent.
        seed: Generator seed; not a seed the model was trained on.

    Returns:
        The figures and the set they were measured on.
    """
    records, truth = generate(SyntheticConfig(n_persons=n_persons, seed=seed))
    pairs = dedupe(records_frame(records), model=model).pairs
    matches = pairs[pairs["decision"] == "match"]
    metrics = pair_metrics(zip(matches["record_id_a"], matches["record_id_b"], strict=True),
                           truth)
    return {"data": "synthetic.generate", "persons": n_persons, "seed": seed,
            "records": len(records), "match_threshold": DEFAULT_SETTINGS.match_threshold,
            "precision": round(metrics.precision, 6), "recall": round(metrics.recall, 6),
            "f1": round(metrics.f1, 6), "predicted": metrics.predicted, "true": metrics.true,
            "correct": metrics.correct}


def source_sha256() -> str:
    """Return the SHA-256 of the Python source of :mod:`matching` and :mod:`synthetic`.

    Paths and contents in a fixed order, line endings folded, so a checkout on any machine
    gives the same digest for the same code.
    """
    digest = hashlib.sha256()
    for package in (matching, synthetic):
        root = Path(package.__file__ or "").parent
        for path in sorted(root.rglob("*.py")):
            name = f"{package.__name__}/{path.relative_to(root).as_posix()}"
            digest.update(name.encode("utf-8") + b"\0")
            digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def _training_set_sha256(matrix: np.ndarray, labels: np.ndarray) -> str:
    digest = hashlib.sha256(f"{matrix.dtype}{matrix.shape}{labels.dtype}\0".encode())
    digest.update(np.ascontiguousarray(matrix).tobytes())
    digest.update(np.ascontiguousarray(labels).tobytes())
    return digest.hexdigest()


def _library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def _bootstrap_model(prepared_tf: dict[str, dict[str, float]]) -> MatchModel:
    names = feature_names()
    return MatchModel("bootstrap", tuple(names), tuple(0.0 for _ in names), 0.0, prepared_tf)


def build_shipped_model(
    n_persons: int = SHIPPED_PERSONS, seed: int = SHIPPED_SEED,
    evaluation_persons: int = EVALUATION_PERSONS,
) -> MatchModel:
    """Train the shipped model on synthetic registrations (deterministic by seed).

    Args:
        n_persons: Persons to invent for training.
        seed: Generator seed of the training set.
        evaluation_persons: Persons to invent for the held-out figures in the metadata.

    Returns:
        The model with its provenance in ``metadata``; save it to
        :data:`matching.model.DEFAULT_MODEL_PATH` to ship it.
    """
    tf_seed, evaluation_seed = seed + _TERM_FREQUENCY_OFFSET, seed + _EVALUATION_OFFSET
    records, _ = generate(SyntheticConfig(n_persons=n_persons, seed=tf_seed))
    tf = term_frequencies(prepare_records(records_frame(records)))
    matrix, labels, _ = synthetic_training_set(n_persons, seed, _bootstrap_model(tf))
    fitted = fit_model(matrix, labels, version=_FAMILY, term_frequencies=tf,
                       regularisation=REGULARISATION)
    metadata = {
        "trained_on": "synthetic.generate", "persons": n_persons, "seed": seed,
        "term_frequency_seed": tf_seed, "pairs": int(len(labels)),
        "positives": int(labels.sum()), "regularisation": REGULARISATION,
        "training_set_sha256": _training_set_sha256(matrix, labels),
        "source_sha256": source_sha256(),
        "libraries": _library_versions(),
        "evaluation": evaluate_model(fitted, evaluation_persons, evaluation_seed),
    }
    tag = f"{_FAMILY}+synthetic.s{seed}.n{n_persons}.{fitted.fingerprint()[:8]}"
    return replace(fitted, version=tag, metadata=metadata)


def main(argv: list[str] | None = None) -> int:
    """Rebuild the shipped model from synthetic data."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=SHIPPED_PERSONS)
    parser.add_argument("--seed", type=int, default=SHIPPED_SEED)
    parser.add_argument("--evaluation-persons", type=int, default=EVALUATION_PERSONS)
    parser.add_argument("--output", default=str(DEFAULT_MODEL_PATH))
    args = parser.parse_args(argv)
    model = build_shipped_model(args.persons, args.seed, args.evaluation_persons)
    model.save(args.output)
    figures = model.metadata["evaluation"]
    print(f"wrote {args.output} ({model.version}; held-out P={figures['precision']:.4f} "
          f"R={figures['recall']:.4f} F1={figures['f1']:.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
