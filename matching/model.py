"""The match model: logistic regression over comparison levels, stored as plain JSON.

The model is a calibrated supervised Fellegi–Sunter variant: each ``field=level`` indicator has
a learned weight (its log-odds contribution), plus term-frequency terms so that agreeing on a
rare given or family name counts for more than agreeing on "Mohammed". A model file is JSON
(no pickle), so loading one cannot execute code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matching.levels import (
    DISTINCT_FEATURES,
    FIELD_LEVELS,
    RARITY_FEATURES,
    comparison_levels,
    design_matrix,
    feature_names,
)

__all__ = ["DEFAULT_MODEL_PATH", "MatchModel", "fit_model", "load_model"]

DEFAULT_MODEL_PATH = Path(__file__).with_name("models") / "ddr-lr-1.json"
_FORMAT = "ddr-match-model/1"
COMMON_SPELLING = 2e-4
"""Share of name-part occurrences from which a spelling counts as a common name."""


@dataclass(frozen=True)
class MatchModel:
    """A versioned match model.

    Attributes:
        version: Version string recorded with every pair it scores.
        features: Feature names (``field=level`` and rarity terms), in weight order.
        weights: Log-odds weight of each feature.
        intercept: Log-odds intercept.
        term_frequencies: Share of records with each coarse name key, per name field
            (``"given"``, ``"family"``); unknown keys count as rare.
        metadata: Free-form facts about training (data, seed, figures).
    """

    version: str
    features: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float
    term_frequencies: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def record_terms(self, prepared: pd.DataFrame) -> dict[str, np.ndarray]:
        """Return per-record arrays the design needs: name rarity and common-name flags.

        Compute it once per record set and pass it to :meth:`design` for every chunk.
        """
        terms: dict[str, np.ndarray] = {}
        for name, source in (("given", "k_given"), ("family", "k_family")):
            table = self.term_frequencies.get(name, {})
            floor = min(table.values(), default=1e-6) / 2
            codes, uniques = pd.factorize(prepared[source])
            share = np.array([table.get(u, floor) for u in uniques] or [floor], dtype=np.float64)
            # log10 of 1/share, scaled so a name held by 1 in 10 scores 0 and 1 in 1e6 scores 1
            value = np.clip((np.log10(1.0 / np.maximum(share, 1e-9)) - 1.0) / 5.0, 0.0, 1.0)
            terms[f"{name}_rarity"] = value[np.maximum(codes, 0)].astype(np.float32)
        spelling = self.term_frequencies.get("spelling", {})
        for column in ("given", "father"):
            codes, uniques = pd.factorize(prepared[column])
            common = np.array([spelling.get(u, 0.0) >= COMMON_SPELLING for u in uniques]
                              or [False], dtype=bool)
            terms[f"{column}_common"] = common[np.maximum(codes, 0)] & (codes >= 0)
            terms[f"{column}_arabic"] = prepared[column].str.contains(
                "[\u0600-\u06ff]", regex=True).to_numpy(dtype=bool)
        return terms

    def rarity(self, terms: dict[str, np.ndarray], ia: np.ndarray, comparisons: pd.DataFrame
               ) -> np.ndarray:
        """Return the rarity (0 common .. 1 rare) of agreeing given and family names."""
        columns = []
        for name in ("given", "family"):
            agrees = np.nan_to_num(comparisons[name].to_numpy()) >= 0.92
            columns.append(np.where(agrees, terms[f"{name}_rarity"][ia], 0.0))
        return np.column_stack(columns)

    def distinct_names(self, terms: dict[str, np.ndarray], ia: np.ndarray, ib: np.ndarray,
                       column: str, similarity: np.ndarray) -> np.ndarray:
        """Flag pairs whose names are two different common names (Ahmed/Mohamed, Hassan/Hussein).

        A rare spelling near a common one is likely a typing error; two spellings that are each
        common in registers are two names, however alike they look.
        """
        common, arabic = terms[f"{column}_common"], terms[f"{column}_arabic"]
        both = common[ia] & common[ib] & (arabic[ia] == arabic[ib])
        return both & (np.nan_to_num(similarity) < 0.92)

    def components(self, prepared: pd.DataFrame, ia: np.ndarray, ib: np.ndarray,
                   comparisons: pd.DataFrame, terms: dict[str, np.ndarray] | None = None,
                   ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Return ``(levels, rarity, distinct)``: what the model weighs for each pair.

        Args:
            prepared: Output of :func:`matching.records.prepare_records`.
            ia: Row positions of first records.
            ib: Row positions of second records.
            comparisons: Output of :func:`matching.features.compare_pairs` for these pairs.
            terms: Output of :meth:`record_terms` for ``prepared`` (computed when None).
        """
        terms = terms if terms is not None else self.record_terms(prepared)
        comparisons = comparisons.copy()
        flags = []
        for column in ("given", "father"):
            distinct = self.distinct_names(terms, ia, ib, column, comparisons[column].to_numpy())
            comparisons[column] = np.where(distinct, np.float32(0.0), comparisons[column])
            flags.append(distinct)
        levels = comparison_levels(comparisons)
        return levels, self.rarity(terms, ia, comparisons), np.column_stack(flags)

    def design(self, prepared: pd.DataFrame, ia: np.ndarray, ib: np.ndarray,
               comparisons: pd.DataFrame, terms: dict[str, np.ndarray] | None = None,
               ) -> tuple[np.ndarray, pd.DataFrame]:
        """Return the design matrix and the levels of compared pairs (see :meth:`components`)."""
        levels, rarity, distinct = self.components(prepared, ia, ib, comparisons, terms)
        return design_matrix(levels, rarity, distinct), levels

    def fast_probability(self, levels: pd.DataFrame, rarity: np.ndarray, distinct: np.ndarray
                         ) -> np.ndarray:
        """Return match probabilities straight from :meth:`components` (no design matrix).

        Gives the same result as :meth:`probability` of the design matrix, with a table
        lookup per field instead of a matrix product, for millions of pairs.
        """
        weights = dict(zip(self.features, self.weights, strict=True))
        logit = np.full(len(levels), self.intercept, dtype=np.float64)
        for column, names in FIELD_LEVELS.items():
            table = np.array([0.0 if level == "missing" else weights[f"{column}={level}"]
                              for level in names])
            logit += table[levels[column].to_numpy()]
        extra = [weights[name] for name in (*RARITY_FEATURES, *DISTINCT_FEATURES)]
        logit += np.hstack([rarity, distinct]).astype(np.float64) @ np.array(extra)
        return 1.0 / (1.0 + np.exp(-logit))

    def log_odds(self, matrix: np.ndarray) -> np.ndarray:
        """Return the log-odds of a match for each row of a design matrix."""
        return matrix @ np.asarray(self.weights, dtype=np.float32) + np.float32(self.intercept)

    def probability(self, matrix: np.ndarray) -> np.ndarray:
        """Return the match probability of each row of a design matrix."""
        return 1.0 / (1.0 + np.exp(-self.log_odds(matrix).astype(np.float64)))

    def to_json(self) -> dict[str, Any]:
        """Return the model as a JSON-serialisable dict."""
        return {
            "format": _FORMAT,
            "version": self.version,
            "intercept": self.intercept,
            "weights": dict(zip(self.features, self.weights, strict=True)),
            "term_frequencies": {k: dict(v) for k, v in self.term_frequencies.items()},
            "metadata": dict(self.metadata),
        }

    def save(self, path: str | Path) -> None:
        """Write the model to a JSON file.

        Args:
            path: Destination file.
        """
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")


def load_model(path: str | Path | None = None) -> MatchModel:
    """Load a model from JSON (the shipped model when ``path`` is None).

    Args:
        path: A model file written by :meth:`MatchModel.save`.

    Returns:
        The model.

    Raises:
        ValueError: The file is not a model of a known format or lacks features.
    """
    return model_from_json(json.loads(Path(path or DEFAULT_MODEL_PATH).read_text(encoding="utf-8")))


def model_from_json(data: dict[str, Any]) -> MatchModel:
    """Build a model from the dict :meth:`MatchModel.to_json` returns.

    Raises:
        ValueError: Not a model of a known format, or it lacks features.
    """
    if data.get("format") != _FORMAT:
        raise ValueError(f"not a match model file (format {data.get('format')!r})")
    names = feature_names()
    weights = data["weights"]
    missing = [n for n in names if n not in weights]
    if missing:
        raise ValueError(f"model file lacks weights for {', '.join(missing[:3])}")
    return MatchModel(
        version=str(data["version"]),
        features=tuple(names),
        weights=tuple(float(weights[n]) for n in names),
        intercept=float(data["intercept"]),
        term_frequencies=data.get("term_frequencies", {}),
        metadata=data.get("metadata", {}),
    )


def term_frequencies(prepared: pd.DataFrame, top: int = 3000) -> dict[str, dict[str, float]]:
    """Return the share of records holding each of the ``top`` commonest name keys."""
    tables: dict[str, dict[str, float]] = {}
    for name, source in (("given", "k_given"), ("family", "k_family")):
        keys = prepared[source][prepared[source] != ""]
        counts = keys.value_counts().head(top)
        tables[name] = {str(k): round(float(v) / max(len(keys), 1), 8) for k, v in counts.items()}
    words = pd.concat([prepared[c] for c in ("given", "father", "grandfather")])
    words = words[words != ""]
    counts = words.value_counts()
    counts = counts[counts / max(len(words), 1) >= COMMON_SPELLING / 2]
    tables["spelling"] = {str(k): round(float(v) / max(len(words), 1), 8)
                          for k, v in counts.items()}
    return tables


def fit_model(
    matrix: np.ndarray, labels: np.ndarray, *, version: str,
    term_frequencies: Mapping[str, Mapping[str, float]], regularisation: float = 1.0,
    metadata: Mapping[str, Any] | None = None,
) -> MatchModel:
    """Fit a logistic-regression match model on a design matrix with known labels.

    Args:
        matrix: Design matrix from :meth:`MatchModel.design`.
        labels: 1 for a true match, 0 otherwise.
        version: Version string of the new model.
        term_frequencies: Name-key shares to ship with the model.
        regularisation: Inverse L2 strength (scikit-learn's ``C``).
        metadata: Facts to record in the model file.

    Returns:
        The fitted model.
    """
    from sklearn.linear_model import LogisticRegression

    if len(np.unique(labels)) < 2:
        raise ValueError("training needs both matching and non-matching pairs")
    classifier = LogisticRegression(C=regularisation, max_iter=2000)
    classifier.fit(matrix, labels)
    weights = tuple(round(float(w), 6) for w in classifier.coef_[0])
    intercept = float(classifier.intercept_[0])
    if not math.isfinite(intercept):
        raise ValueError("training did not converge")
    return MatchModel(
        version=version,
        features=tuple(feature_names()),
        weights=weights,
        intercept=round(intercept, 6),
        term_frequencies=term_frequencies,
        metadata=dict(metadata or {}),
    )
