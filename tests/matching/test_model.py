"""The match model: JSON round trip, refusal of foreign files, retraining on reviewed pairs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from matching import MatchModel, load_model, read_records_csv, score_candidates
from matching.blocking import candidate_pairs, key_groups, neighbourhood_order
from matching.model import DEFAULT_MODEL_PATH
from matching.records import prepare_records
from matching.training import TrainReport, train_model

from .conftest import FIXTURES, read_truth


def test_shipped_model_is_plain_json() -> None:
    data = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    assert data["format"] == "ddr-match-model/2"
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
                            "weights": {}},
     {"format": "ddr-match-model/3", "version": "x", "intercept": 0, "weights": {}}],
    ids=["wrong-format", "missing-weights", "later-format"],
)
def test_foreign_model_files_are_refused(tmp_path: Path, content: dict[str, object]) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(ValueError, match="model"):
        load_model(path)


def test_earlier_format_loads_and_scores_as_written(tmp_path: Path) -> None:
    """A format-1 model (before the father's name rarity) loads with that feature at 0."""
    data = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    data["format"] = "ddr-match-model/1"
    del data["weights"]["father_name:rarity"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    old = load_model(path)
    assert old.weight_of("father_name:rarity") == 0.0
    shipped = load_model()
    zeroed = replace(shipped, weights=tuple(
        0.0 if name == "father_name:rarity" else weight
        for name, weight in zip(shipped.features, shipped.weights, strict=True)))
    record = {"record_id": "a", "given_name": "Zubeir", "father_name": "Zakariya",
              "family_name": "Warfalli", "date_of_birth": "1988"}
    other = {**record, "record_id": "b"}
    [pair] = score_candidates(record, [other], model=old)
    [expected] = score_candidates(record, [other], model=zeroed)
    [current] = score_candidates(record, [other], model=shipped)
    assert pair.score == expected.score
    assert current.score != pair.score


def test_rare_name_agreement_counts_for_more() -> None:
    base = {"father_name": "Ali", "family_name": "Warfalli", "date_of_birth": "1988",
            "sex": "M", "nationality": "LBY"}
    common = score_candidates({**base, "given_name": "Mohamed", "record_id": "a"},
                              [{**base, "given_name": "Mohamed", "record_id": "b"}])[0]
    rare = score_candidates({**base, "given_name": "Zubeir", "record_id": "a"},
                            [{**base, "given_name": "Zubeir", "record_id": "b"}])[0]
    assert rare.score > common.score


def test_rare_father_name_agreement_counts_for_more() -> None:
    base = {"given_name": "Ali", "family_name": "Warfalli", "date_of_birth": "1988",
            "sex": "M", "nationality": "LBY"}
    common = score_candidates({**base, "father_name": "Mohamed", "record_id": "a"},
                              [{**base, "father_name": "Mohamed", "record_id": "b"}])[0]
    rare = score_candidates({**base, "father_name": "Zubeir", "record_id": "a"},
                            [{**base, "father_name": "Zubeir", "record_id": "b"}])[0]
    assert rare.score > common.score
    assert any(c.field == "father_name" and c.level == "rare" for c in rare.explanation)


Labelled = list[tuple[dict[str, str], dict[str, str], bool]]


def _reviewed_sample() -> Labelled:
    """Every blocked candidate pair of the dedup sample, decided by its truth."""
    frame = read_records_csv(FIXTURES / "dedup_sample.csv")
    truth = read_truth(FIXTURES / "dedup_sample_truth.csv")
    prepared = prepare_records(frame)
    ia, ib, _ = candidate_pairs(key_groups(prepared), len(prepared),
                                order=neighbourhood_order(prepared))
    records = frame.to_dict("records")
    return [(records[i], records[j],
             truth[records[i]["record_id"]] == truth[records[j]["record_id"]])
            for i, j in zip(ia.tolist(), ib.tolist(), strict=True)]


def _family_pairs(families_records: dict[str, dict[str, str]]) -> Labelled:
    """45 distinct pairs of the families fixture: 5 of one person, 40 of relatives and others."""
    records = list(families_records.values())
    same = [("MIS-2025-000001", "SEB-2025-000001"), ("KUF-2025-000001", "TRP-2025-000003"),
            ("BEN-2025-000003", "MIS-2025-000002"), ("SEB-2025-000003", "KUF-2025-000002"),
            ("SEB-2025-000004", "TRP-2025-000004")]
    labelled = [(families_records[a], families_records[b], True) for a, b in same]
    labelled += [(records[i], records[j], False) for i in range(len(records))
                 for j in range(i + 1, len(records))
                 if (records[i]["record_id"], records[j]["record_id"]) not in same][:40]
    return labelled


def test_train_model_reports_before_and_after() -> None:
    pairs = _reviewed_sample()
    report = train_model(pairs, holdout=0.25, seed=1)
    assert isinstance(report, TrainReport)
    assert isinstance(report.model, MatchModel)
    assert report.model.version != load_model().version
    assert "+reviewed." in report.model.version
    assert report.holdout_pairs + report.train_pairs == len(pairs)
    assert report.holdout_pairs == len(report.holdout_index) == round(len(pairs) * 0.25)
    held_true = sum(pairs[i][2] for i in report.holdout_index)
    for metrics in (report.before, report.after):
        assert 0.0 <= metrics.f1 <= 1.0
        assert metrics.true > 0
        assert metrics.true == held_true  # the figures count the held-back pairs only


def _pair_key(pair: tuple[dict[str, str], dict[str, str], bool]) -> frozenset[str]:
    return frozenset((pair[0]["record_id"], pair[1]["record_id"]))


def test_train_model_never_scores_a_pair_it_was_fitted_on(
    families_records: dict[str, dict[str, str]],
) -> None:
    distinct = _family_pairs(families_records)
    copies = distinct * 2 + [(b, a, same) for a, b, same in distinct]
    report = train_model(copies, holdout=0.25, seed=1)
    train, held = set(report.train_index), set(report.holdout_index)
    assert not train & held
    assert train | held == set(range(len(copies)))
    fitted = {_pair_key(copies[i]) for i in train}
    scored = {_pair_key(copies[i]) for i in held}
    assert fitted.isdisjoint(scored)
    assert len(scored) == round(len(distinct) * 0.25)
    assert report.before.true == sum(copies[i][2] for i in held)


@pytest.mark.parametrize("times", [1, 6], ids=["five-pairs", "five-pairs-six-times"])
def test_train_model_refuses_too_few_pairs(
    families_records: dict[str, dict[str, str]], times: int,
) -> None:
    with pytest.raises(ValueError, match="at least"):
        train_model(_family_pairs(families_records)[:5] * times)
