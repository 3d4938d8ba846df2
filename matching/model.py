"""The match model: logistic regression over comparison levels, stored as plain JSON.

The model is a calibrated supervised Fellegi–Sunter variant: each ``field=level`` indicator has
a learned weight (its log-odds contribution), plus term-frequency terms so that agreeing on a
rare given or family name counts for more than agreeing on "Mohammed". A model file is JSON
(no pickle), so loading one cannot execute code.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import numpy as np
import pandas as pd

from matching.features import Comparisons, fill_nan
from matching.levels import (
    DISTINCT_FEATURES,
    FIELD_LEVELS,
    RARITY_FEATURES,
    Levels,
    comparison_levels,
    design_matrix,
    feature_names,
)
from matching.phonetic import blocking_name_key
from matching.records import Prepared, column

__all__ = ["DEFAULT_MODEL_PATH", "MatchModel", "RowTerms", "fit_model", "load_model"]

DEFAULT_MODEL_PATH = Path(__file__).with_name("models") / "ddr-lr-1.json"
_FORMAT = "ddr-match-model/2"
_EARLIER_FORMATS = {"ddr-match-model/1": ("father_name:rarity",)}
"""Earlier model formats still read, and the features they lack (weighed 0: the model
scores as it did when it was written)."""
COMMON_SPELLING = 2e-4
"""Share of name-part occurrences from which a spelling counts as a common name."""
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
_T = TypeVar("_T")


def _per_value(values: np.ndarray, function: Any, dtype: Any) -> np.ndarray:
    """Apply a function once per distinct value of an array."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([function(u) for u in uniques], dtype=dtype)
    if len(mapped) == 0:
        return np.zeros(len(values), dtype=dtype)
    return mapped[codes]


def _rarity_floor(table: Mapping[str, float]) -> float:
    """Share given to a name key the model's table does not hold (rarer than any it holds)."""
    return min(table.values(), default=1e-6) / 2


def _rarity(share: np.ndarray) -> np.ndarray:
    """Rarity in [0, 1] (float32) of names held by ``share`` of the records."""
    # log10 of 1/share, scaled so a name held by 1 in 10 scores 0 and 1 in 1e6 scores 1
    value = np.clip((np.log10(1.0 / np.maximum(share, 1e-9)) - 1.0) / 5.0, 0.0, 1.0)
    return value.astype(np.float32)


class RowTerms(NamedTuple):
    """What :meth:`MatchModel.record_terms` holds of one record (:meth:`MatchModel.row_terms`).

    Attributes:
        given_rarity: Rarity (0 common .. 1 rare) of the given name's key, a float32 value.
        family_rarity: Rarity of the family name's key.
        father_rarity: Rarity of the father's name's key (as a given name: fathers' names
            are men's given names).
        given_common: The given name's spelling is a common name.
        father_common: The father's name's spelling is a common name.
        given_arabic: The given name is in Arabic script.
        father_arabic: The father's name is in Arabic script.
    """

    given_rarity: float
    family_rarity: float
    father_rarity: float
    given_common: bool
    father_common: bool
    given_arabic: bool
    father_arabic: bool


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

    def record_terms(self, prepared: Prepared) -> dict[str, np.ndarray]:
        """Return per-record arrays the design needs: name rarity and common-name flags.

        Compute it once per record set and pass it to :meth:`design` for every chunk.
        """
        terms: dict[str, np.ndarray] = {}
        for name, source in (("given", "k_given"), ("family", "k_family")):
            table = self.term_frequencies.get(name, {})
            floor = _rarity_floor(table)
            codes, uniques = pd.factorize(column(prepared, source, object))
            share = np.array([table.get(u, floor) for u in uniques] or [floor], dtype=np.float64)
            terms[f"{name}_rarity"] = _rarity(share)[np.maximum(codes, 0)]
            if name == "given":
                # the father's name, looked up in the table of given names
                codes, uniques = pd.factorize(column(prepared, "father", object))
                share = np.array([table.get(blocking_name_key(u), floor) for u in uniques]
                                 or [floor], dtype=np.float64)
                terms["father_rarity"] = _rarity(share)[np.maximum(codes, 0)]
        spelling = self.term_frequencies.get("spelling", {})
        for name in ("given", "father"):
            values = column(prepared, name, object)
            terms[f"{name}_common"] = _per_value(
                values, lambda v: spelling.get(v, 0.0) >= COMMON_SPELLING, bool)
            terms[f"{name}_arabic"] = _per_value(
                values, lambda v: _ARABIC_LETTER.search(v) is not None, bool)
        return terms

    def row_terms(self, row: Mapping[str, Any]) -> RowTerms:
        """Return the :meth:`record_terms` of one prepared record, without numpy or pandas.

        The online path's form (:mod:`matching.online`): the same values, the rarity of each
        name key the model knows computed once per model with the same numpy arithmetic.

        Args:
            row: One prepared record (:func:`matching.records.compared_values`).
        """
        rarity = self.derived("rarity_tables", self._rarity_tables)
        spelling = self.term_frequencies.get("spelling", {})
        given, father = row["given"], row["father"]
        return RowTerms(
            given_rarity=rarity["given"][0].get(row["k_given"], rarity["given"][1]),
            family_rarity=rarity["family"][0].get(row["k_family"], rarity["family"][1]),
            father_rarity=rarity["given"][0].get(blocking_name_key(father), rarity["given"][1]),
            given_common=spelling.get(given, 0.0) >= COMMON_SPELLING,
            father_common=spelling.get(father, 0.0) >= COMMON_SPELLING,
            given_arabic=_ARABIC_LETTER.search(given) is not None,
            father_arabic=_ARABIC_LETTER.search(father) is not None,
        )

    def _rarity_tables(self) -> dict[str, tuple[dict[str, float], float]]:
        """Per name field, the rarity of each key in the model's table and of any other key."""
        tables = {}
        for name in ("given", "family"):
            table = self.term_frequencies.get(name, {})
            share = np.array([*table.values(), _rarity_floor(table)], dtype=np.float64)
            values = _rarity(share).tolist()
            tables[name] = (dict(zip(table, values[:-1], strict=True)), values[-1])
        return tables

    def rarity(self, terms: dict[str, np.ndarray], ia: np.ndarray, comparisons: Comparisons
               ) -> np.ndarray:
        """Return the rarity (0 common .. 1 rare) of agreeing given, family and fathers'
        names (one column each, :data:`matching.levels.RARITY_FEATURES`)."""
        columns = []
        for name in ("given", "family", "father"):
            agrees = fill_nan(comparisons[name]) >= 0.92
            columns.append(np.where(agrees, terms[f"{name}_rarity"][ia], 0.0))
        return np.column_stack(columns)

    def distinct_names(self, terms: dict[str, np.ndarray], ia: np.ndarray, ib: np.ndarray,
                       column: str, similarity: np.ndarray) -> np.ndarray:
        """Flag pairs whose names are two different common names (Ahmed/Mohamed, Hassan/Hussein).

        A rare spelling near a common one is likely a typing error; two spellings that are each
        common in registers are two names, however alike they look.
        """
        common, arabic = terms[f"{column}_common"], terms[f"{column}_arabic"]
        similarity = fill_nan(similarity)
        # Across scripts the same name scores lower (Najat / نجاة): two names there only
        # below the similar level.
        unlike = np.where(arabic[ia] == arabic[ib], similarity < 0.92, similarity < 0.85)
        return common[ia] & common[ib] & unlike

    def components(self, prepared: Prepared, ia: np.ndarray, ib: np.ndarray,
                   comparisons: Comparisons, terms: dict[str, np.ndarray] | None = None,
                   ) -> tuple[Levels, np.ndarray, np.ndarray]:
        """Return ``(levels, rarity, distinct)``: what the model weighs for each pair.

        Args:
            prepared: Output of :func:`matching.records.prepare_records`.
            ia: Row positions of first records.
            ib: Row positions of second records.
            comparisons: Output of :func:`matching.features.compare_pairs` for these pairs.
            terms: Output of :meth:`record_terms` for ``prepared`` (computed when None).
        """
        terms = terms if terms is not None else self.record_terms(prepared)
        comparisons = dict(comparisons)
        flags = []
        for name in ("given", "father"):
            distinct = self.distinct_names(terms, ia, ib, name, comparisons[name])
            comparisons[name] = np.where(distinct, np.float32(0.0), comparisons[name])
            flags.append(distinct)
        levels = comparison_levels(comparisons)
        return levels, self.rarity(terms, ia, comparisons), np.column_stack(flags)

    def design(self, prepared: Prepared, ia: np.ndarray, ib: np.ndarray,
               comparisons: Comparisons, terms: dict[str, np.ndarray] | None = None,
               ) -> tuple[np.ndarray, Levels]:
        """Return the design matrix and the levels of compared pairs (see :meth:`components`)."""
        levels, rarity, distinct = self.components(prepared, ia, ib, comparisons, terms)
        return design_matrix(levels, rarity, distinct), levels

    def fast_probability(self, levels: Levels, rarity: np.ndarray, distinct: np.ndarray
                         ) -> np.ndarray:
        """Return match probabilities straight from :meth:`components` (no design matrix).

        Gives the same result as :meth:`probability` of the design matrix, with a table
        lookup per field instead of a matrix product, for millions of pairs.
        """
        tables, extra = self._weight_tables()
        logit = np.full(len(rarity), self.intercept, dtype=np.float64)
        for name, table in tables.items():
            logit += table[levels[name]]
        logit += np.hstack([rarity, distinct]).astype(np.float64) @ extra
        return 1.0 / (1.0 + np.exp(-logit))

    def weight_of(self, feature: str) -> float:
        """Return the weight of one feature (``field=level``, ``field:rarity`` ...)."""
        return self.weight_map()[feature]

    def weight_map(self) -> dict[str, float]:
        """Return the weight of each feature, by name."""
        return self.derived("weight_map",
                            lambda: dict(zip(self.features, self.weights, strict=True)))

    def derived(self, key: str, build: Callable[[], _T]) -> _T:
        """Return a value derived from this (immutable) model, built on first use."""
        cache: dict[str, Any] = self.__dict__.setdefault("_derived", {})
        if key not in cache:
            cache[key] = build()
        value: _T = cache[key]
        return value

    def _weight_tables(self) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Per field, the weight of each level (0 for missing); then the extra weights."""

        def build() -> tuple[dict[str, np.ndarray], np.ndarray]:
            weights = self.weight_map()
            tables = {name: np.array([0.0 if level == "missing" else weights[f"{name}={level}"]
                                      for level in levels])
                      for name, levels in FIELD_LEVELS.items()}
            extra = np.array([weights[name] for name in (*RARITY_FEATURES, *DISTINCT_FEATURES)])
            return tables, extra

        return self.derived("weight_tables", build)

    def log_odds(self, matrix: np.ndarray) -> np.ndarray:
        """Return the log-odds of a match for each row of a design matrix."""
        return matrix @ np.asarray(self.weights, dtype=np.float32) + np.float32(self.intercept)

    def probability(self, matrix: np.ndarray) -> np.ndarray:
        """Return the match probability of each row of a design matrix."""
        return 1.0 / (1.0 + np.exp(-self.log_odds(matrix).astype(np.float64)))

    def fingerprint(self) -> str:
        """Return the SHA-256 (hex) of what decides scores: intercept, weights, term frequencies.

        Equal for a model and its saved-and-loaded copy; any change of a weight changes it.
        """
        canonical = json.dumps(
            {"intercept": self.intercept,
             "weights": dict(zip(self.features, self.weights, strict=True)),
             "term_frequencies": {k: dict(v) for k, v in self.term_frequencies.items()}},
            sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

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
    model_format = data.get("format")
    if model_format != _FORMAT and model_format not in _EARLIER_FORMATS:
        raise ValueError(f"not a match model file (format {model_format!r})")
    names = feature_names()
    weights = dict(data["weights"])
    for feature in _EARLIER_FORMATS.get(str(model_format), ()):
        weights.setdefault(feature, 0.0)
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
