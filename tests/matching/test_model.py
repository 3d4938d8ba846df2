"""The match model: JSON round trip, refusal of foreign files, retraining on reviewed pairs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from matching import MatchModel, load_model, score_candidates
from matching.model import DEFAULT_MODEL_PATH
from matching.training import TrainReport, train_model


def test_shipped_model_is_plain_json() -> None:
    data = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    assert data["format"] == "ddr-match-model/1"
    assert data["version"] == load_model().version
    assert "given_name=exact" in data["weights"]
    assert "MHMD" not in data["term_frequencies"]["spelling"]
    assert data["term_frequencies"]["given"]


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = load_model()
    path = tmp_path / "model.json"
    model.save(path)
    again = load_model(path)
    assert again == model


def test_fingerprint_survives_the_round_trip_and_follows_every_weight(tmp_path: Path) -> None:
    model = load_model()
    path = tmp_path / "model.json"
    model.save(path)
    assert load_model(path).fingerprint() == model.fingerprint()
    nudged = replace(model, weights=(*model.weights[:-1], model.weights[-1] + 1e-6))
    assert nudged.fingerprint() != model.fingerprint()
    assert replace(model, version="other").fingerprint() == model.fingerprint()


@pytest.mark.parametrize(
    "content",
    [{"format": "pickle"}, {"format": "ddr-match-model/1", "version": "x", "intercept": 0,
                            "weights": {}}],
    ids=["wrong-format", "missing-weights"],
)
def test_foreign_model_files_are_refused(tmp_path: Path, content: dict[str, object]) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(ValueError, match="model"):
        load_model(path)


def test_rare_name_agreement_counts_for_more() -> None:
    base = {"father_name": "Ali", "family_name": "Warfalli", "date_of_birth": "1988",
            "sex": "M", "nationality": "LBY"}
    common = score_candidates({**base, "given_name": "Mohamed", "record_id": "a"},
                              [{**base, "given_name": "Mohamed", "record_id": "b"}])[0]
    rare = score_candidates({**base, "given_name": "Zubeir", "record_id": "a"},
                            [{**base, "given_name": "Zubeir", "record_id": "b"}])[0]
    assert rare.score > common.score


def _pairs(families_records: dict[str, dict[str, str]]) -> list[tuple[dict, dict, bool]]:
    records = list(families_records.values())
    same = [("MIS-2025-000001", "SEB-2025-000001"), ("KUF-2025-000001", "TRP-2025-000003"),
            ("BEN-2025-000003", "MIS-2025-000002"), ("SEB-2025-000003", "KUF-2025-000002"),
            ("SEB-2025-000004", "TRP-2025-000004")]
    labelled = [(families_records[a], families_records[b], True) for a, b in same]
    labelled += [(records[i], records[j], False) for i in range(len(records))
                 for j in range(i + 1, len(records))
                 if (records[i]["record_id"], records[j]["record_id"]) not in same][:40]
    return labelled * 3


def test_train_model_reports_before_and_after(
    families_records: dict[str, dict[str, str]],
) -> None:
    report = train_model(_pairs(families_records), holdout=0.25, seed=1)
    assert isinstance(report, TrainReport)
    assert isinstance(report.model, MatchModel)
    assert report.model.version != load_model().version
    assert "+reviewed." in report.model.version
    assert report.holdout_pairs + report.train_pairs == len(_pairs(families_records))
    for metrics in (report.before, report.after):
        assert 0.0 <= metrics.f1 <= 1.0
        assert metrics.true > 0


def test_train_model_refuses_too_few_pairs(families_records: dict[str, dict[str, str]]) -> None:
    with pytest.raises(ValueError, match="at least"):
        train_model(_pairs(families_records)[:5])

