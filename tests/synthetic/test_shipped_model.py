"""The shipped match model: rebuilt from synthetic registrations, with its provenance."""

from __future__ import annotations

import json
from typing import Any

import pytest

from matching import MatchModel, load_model
from matching.model import DEFAULT_MODEL_PATH
from matching.scoring import DEFAULT_SETTINGS
from synthetic.training import (
    EVALUATION_PERSONS,
    SHIPPED_PERSONS,
    SHIPPED_SEED,
    build_shipped_model,
    source_sha256,
)

LIBRARIES = {"python", "numpy", "pandas", "scikit-learn", "rapidfuzz", "jellyfish"}
REBUILD = ("rebuild it with `python -m synthetic.training` and commit "
           "matching/models/ddr-lr-1.json")


def _small(seed: int = 3) -> MatchModel:
    return build_shipped_model(n_persons=1500, seed=seed, evaluation_persons=500)


@pytest.fixture(scope="module")
def small() -> MatchModel:
    return _small()


@pytest.fixture(scope="module")
def other() -> MatchModel:
    return _small(seed=4)


def _without_environment(metadata: dict[str, Any]) -> dict[str, Any]:
    # The library versions say what the model was built with; they are not reproduced.
    return {k: v for k, v in metadata.items() if k != "libraries"}


def test_rebuilding_the_model_is_deterministic(small: MatchModel) -> None:
    again = _small()
    assert again.version == small.version
    assert again.weights == small.weights
    assert again.to_json() == small.to_json()


def test_the_version_names_the_data_and_changes_with_the_weights(
    small: MatchModel, other: MatchModel,
) -> None:
    assert small.version == f"ddr-lr-1+synthetic.s3.n1500.{small.fingerprint()[:8]}"
    assert other.weights != small.weights
    assert other.version.startswith("ddr-lr-1+synthetic.s4.n1500.")
    assert other.version.rsplit(".", 1)[1] != small.version.rsplit(".", 1)[1]


def test_the_metadata_records_where_the_model_came_from(
    small: MatchModel, other: MatchModel,
) -> None:
    metadata = small.metadata
    assert (metadata["persons"], metadata["seed"]) == (1500, 3)
    assert metadata["source_sha256"] == source_sha256()
    assert len(metadata["training_set_sha256"]) == 64
    assert metadata["training_set_sha256"] != other.metadata["training_set_sha256"]
    assert set(metadata["libraries"]) == LIBRARIES
    assert "unknown" not in metadata["libraries"].values()
    figures = metadata["evaluation"]
    assert figures["seed"] not in (metadata["seed"], metadata["term_frequency_seed"])
    assert figures["persons"] == 500
    assert figures["true"] > 0
    assert figures["correct"] <= min(figures["predicted"], figures["true"])
    assert 0.0 < figures["f1"] <= 1.0


def test_the_shipped_model_carries_its_provenance() -> None:
    model = load_model()
    assert model.version == (f"ddr-lr-1+synthetic.s{SHIPPED_SEED}.n{SHIPPED_PERSONS}."
                             f"{model.fingerprint()[:8]}")
    metadata = model.metadata
    assert (metadata["persons"], metadata["seed"]) == (SHIPPED_PERSONS, SHIPPED_SEED)
    assert set(metadata["libraries"]) == LIBRARIES
    figures = metadata["evaluation"]
    assert figures["persons"] == EVALUATION_PERSONS
    assert figures["seed"] not in (metadata["seed"], metadata["term_frequency_seed"])
    assert figures["f1"] >= 0.9
    # the likely band's precision holds on registrations the model was not trained on
    assert figures["match_threshold"] == DEFAULT_SETTINGS.match_threshold
    assert figures["precision"] >= 0.98


@pytest.mark.slow
def test_the_shipped_model_is_what_the_code_builds() -> None:
    committed = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    rebuilt = json.loads(json.dumps(build_shipped_model().to_json()))
    old, new = committed["metadata"], rebuilt["metadata"]
    assert new["source_sha256"] == old["source_sha256"], (
        f"matching/ or synthetic/ changed since the shipped model was built: {REBUILD}")
    built_with = (f"same source, another result (built with {old.get('libraries')}, "
                  f"here {new['libraries']}): {REBUILD}")
    assert new["training_set_sha256"] == old["training_set_sha256"], built_with
    assert rebuilt["weights"] == committed["weights"], built_with
    assert rebuilt["intercept"] == committed["intercept"], built_with
    assert rebuilt["term_frequencies"] == committed["term_frequencies"]
    assert rebuilt["version"] == committed["version"]
    assert _without_environment(new) == _without_environment(old)
    assert {**rebuilt, "metadata": _without_environment(new)} == {
        **committed, "metadata": _without_environment(old)}
